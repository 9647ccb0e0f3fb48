import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
#if canImport(Glibc)
import Glibc
#endif

/// Team mode's protocol against a real daemon on a Unix socket: the same answers and errors as
/// in-process, and bad clients (another version, garbage, an unknown operation, a frame too
/// large) refused with a clear message without harm to the daemon or the data.
@Suite struct TeamServerTests {
    func daemon(_ soc: SOC) throws -> TeamServer {
        let server = TeamServer(engine: soc.admin, socketPath: soc.dir.file("t.sock"))
        try server.start()
        return server
    }

    /// A raw connection, for what a taser client would never send.
    func raw(_ path: String) throws -> Int32 { try TeamClientSocket.connect(path) }

    @Test func theRemoteEngineAnswersAsTheEngineDoes() throws {
        let soc = try SOC()
        let server = try daemon(soc)
        defer { server.stop() }
        let c = try soc.ana.openCase(NewCase(title: "Through the socket", team: "soc"))
        let hidden = try soc.dana.openCase(NewCase(title: "ir only", team: "ir"))
        // The test runs as the daemon's own user: an admin, who may act as ana.
        let remote = try RemoteEngine(socket: server.socketPath, actingAs: "ana")
        #expect(remote.welcome.user == "ana" && !remote.welcome.admin)
        let local = soc.ana
        #expect(try remote.cases(CaseFilter()).map(\.case.id) == (try local.cases(CaseFilter()).map(\.case.id)))
        #expect(try remote.caseDetail(c.id).log.map(\.body) == (try local.caseDetail(c.id).log.map(\.body)))
        // The same document, but for when it was made (each export stamps its own time).
        func unstamped(_ doc: JSONValue) -> JSONValue? {
            guard var o = doc.objectValue else { return nil }
            o["exported_at"] = nil
            return .object(JSONObject(o))
        }
        #expect(unstamped(try remote.caseDocument(c.id)) == unstamped(try local.caseDocument(c.id)))
        let entry = try remote.addNote(c.id, "from the socket")
        #expect(entry.author == "ana" && entry.seq == 2)
        // A case she may not read is the same "no case N" as a missing one.
        #expect { try remote.caseDetail(hidden.id) } throws: { "\($0)" == EngineError.caseNotFound(hidden.id).description }
        #expect { try remote.caseDetail(9999) } throws: { "\($0)" == EngineError.caseNotFound(9999).description }
        #expect { try RemoteEngine(socket: server.socketPath, actingAs: "nobody") } throws: { "\($0)".contains("no analyst 'nobody'") }
    }

    @Test func badClientsAreRefusedAndTheDaemonGoesOn() throws {
        let soc = try SOC()
        let server = try daemon(soc)
        defer { server.stop() }
        // Another protocol version: both versions named.
        var fd = try raw(server.socketPath)
        try TeamWire.send(TeamHello(protocolVersion: 99, version: "9.9.9"), on: fd)
        var failure = try TeamWire.receive(TeamFailure.self, on: fd)
        #expect(failure?.message.contains("cannot talk to the daemon") == true && failure?.message.contains("9.9.9") == true, "\(String(describing: failure))")
        close(fd)
        // Garbage, then a frame that claims to be huge.
        fd = try raw(server.socketPath)
        _ = "GET / HTTP/1.1\r\n\r\n".withCString { send(fd, $0, 18, 0) }
        failure = try? TeamWire.receive(TeamFailure.self, on: fd)
        #expect(failure?.message.contains("not a taser client") == true || failure == nil)
        close(fd)
        // An unknown operation and malformed arguments: an error each, the connection stays.
        let remote = try RemoteEngine(socket: server.socketPath)
        #expect { try remote.call("frobnicate", ["x": 1], as: [String].self) } throws: { "\($0)".contains("no operation 'frobnicate'") }
        #expect { try remote.call("case.detail", ["nope": 1], as: CaseDetail.self) } throws: { "\($0)".contains("malformed arguments for case.detail") }
        #expect(try remote.cases(CaseFilter()).isEmpty)
    }

    @Test func aSilentOrOversizedClientIsCutOff() throws {
        let soc = try SOC()
        let server = TeamServer(engine: soc.admin, socketPath: soc.dir.file("t.sock"))
        server.helloSeconds = 1
        try server.start()
        defer { server.stop() }
        // Says nothing: the daemon hangs up after the hello's time.
        let silent = try raw(server.socketPath)
        let started = Date()
        let answer = try? TeamWire.receive(TeamFailure.self, on: silent)
        #expect(Date().timeIntervalSince(started) < 8 && answer?.message.contains("not a taser client") != false)
        close(silent)
        // A request claiming 5 MiB: refused before it is read.
        let remote = try RemoteEngine(socket: server.socketPath)
        let big = String(repeating: "x", count: 5 << 20)
        #expect { try remote.addNote(1, big) } throws: { "\($0)".contains("went away") || "\($0)".contains("MiB") }
        // The daemon goes on for others.
        #expect(try RemoteEngine(socket: server.socketPath).cases(CaseFilter()).isEmpty)
    }

    @Test func oneUserCannotFillTheDaemon() throws {
        let soc = try SOC()
        let server = TeamServer(engine: soc.admin, socketPath: soc.dir.file("t.sock"))
        server.mostPerUser = 3
        try server.start()
        defer { server.stop() }
        let held = try (0..<3).map { _ in try RemoteEngine(socket: server.socketPath) }
        #expect { try RemoteEngine(socket: server.socketPath) } throws: { "\($0)".contains("connections to the daemon open already") }
        #expect(try held[0].cases(CaseFilter()).isEmpty)
    }

    @Test func noDaemonIsAClearErrorNamingTheSocket() throws {
        let dir = TempDir()
        let path = dir.file("none.sock")
        #expect { try RemoteEngine(socket: path) } throws: {
            "\($0)" == "cannot reach the taser daemon at \(path): no taser daemon is running there; start it as the service account: taser serve --socket \(path)"
        }
    }

    @Test func aSecondDaemonOnALiveSocketIsRefusedAndAStaleOneReplaced() throws {
        let soc = try SOC()
        let first = try daemon(soc)
        #expect { try TeamServer(engine: soc.admin, socketPath: first.socketPath).start() } throws: { "\($0)".contains("already listens") }
        first.stop()
        // A socket file left by a daemon that died: the next one takes its place.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in first.socketPath.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(stale)
        let second = try daemon(soc)
        defer { second.stop() }
        #expect(try RemoteEngine(socket: second.socketPath).cases(CaseFilter()).isEmpty)
    }

    /// A console per analyst plus scripts, all at once: every write lands, in order per case,
    /// with no "database is locked", and the consoles' live feed sees the changes.
    @Test func manyClientsAtOnceWriteWithoutLockErrors() throws {
        let soc = try SOC()
        let server = try daemon(soc)
        defer { server.stop() }
        let cases = try (0..<4).map { n in try soc.ana.openCase(NewCase(title: "Busy case \(n)", team: "soc")) }
        let watcher = try RemoteEngine(socket: server.socketPath, actingAs: "ana")
        // The feed's first word is the stamp as it stands; changes come after it.
        var before = watcher.changeStamp()
        let subscribed = Date().addingTimeInterval(10)
        while before == "-" && Date() < subscribed {
            usleep(10_000)
            before = watcher.changeStamp()
        }
        try #require(before != "-", "the daemon never answered the subscription")
        let clients = 16, notes = 15
        let lock = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        nonisolated(unsafe) var written = 0
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    // Half are analysts' consoles (reads between writes), half scripts (writes only).
                    let remote = try RemoteEngine(socket: server.socketPath, actingAs: client % 2 == 0 ? "ana" : "ben")
                    for n in 0..<notes {
                        let target = cases[(client + n) % cases.count].id
                        try remote.addNote(target, "client \(client) note \(n)")
                        if client % 2 == 0 { _ = try remote.queuePage(QueueFilter(), order: .time, limit: 40) }
                        lock.withLock { written += 1 }
                    }
                } catch {
                    lock.withLock { failures.append("client \(client): \(error)") }
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success, "the clients did not finish")
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(written == clients * notes)
        let logged = try cases.map { try soc.admin.caseDetail($0.id).log.filter { $0.body.hasPrefix("client ") }.count }.reduce(0, +)
        #expect(logged == clients * notes)
        let deadline = Date().addingTimeInterval(10)
        while watcher.changeStamp() == before && Date() < deadline { usleep(20_000) }
        #expect(watcher.changeStamp() != before, "the daemon pushed no change to a subscribed console")
    }
}
