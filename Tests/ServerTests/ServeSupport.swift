import Foundation
import Testing

/// The real `taser` binary beside the test bundle (`swift build` puts both in one folder).
let taserBinary: String = {
    if let path = ProcessInfo.processInfo.environment["TASER_BIN"] { return path }
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return exe.deletingLastPathComponent().appendingPathComponent("taser").path
}()

/// A scratch folder, removed when the test is done.
final class Scratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-serve-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let p = file(name)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        chmod(p, mode_t(mode))
        return p
    }
}

/// Runs a short `taser` command to the end (setup and checks beside the server).
@discardableResult
func taser(_ arguments: [String], env: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: taserBinary)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TASER_DB"] = nil
    for (k, v) in env { environment[k] = v }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// `taser serve` started by a test: spawned with a clean signal mask (swift-testing's worker
/// threads block signals, and a child would inherit that: SIGTERM would never arrive), its
/// output in files, never the test's own.
final class ServeProcess {
    let pid: pid_t
    let port: Int
    let stdoutPath: String
    let stderrPath: String
    private var exited: Int32?

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ arguments: [String], env: [String: String] = [:], in scratch: Scratch) throws {
        stdoutPath = scratch.file("serve-\(UUID().uuidString).out")
        stderrPath = scratch.file("serve-\(UUID().uuidString).err")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var environment = ProcessInfo.processInfo.environment
        environment["TASER_DB"] = nil
        // The analyst's own config (positron.yaml, mappings) stays out of the test.
        environment["XDG_CONFIG_HOME"] = scratch.path
        for (k, v) in env { environment[k] = v }
        let argv = [taserBinary, "serve", "--listen", "127.0.0.1:0"] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, taserBinary, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw Failure(description: "cannot start taser serve: \(String(cString: strerror(rc)))") }
        pid = child
        // Generous: a loaded 2-core CI machine starts slowly; this only bounds a hang.
        let deadline = Date().addingTimeInterval(90)
        var found: Int? = nil
        while Date() < deadline {
            let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://127.0.0.1:") }) {
                found = Int(line.split(separator: ":").last ?? "")
                break
            }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
                throw Failure(description: "taser serve exited (\(status)) before listening: \(err)")
            }
            usleep(20_000)
        }
        guard let found else {
            kill(child, SIGKILL)
            throw Failure(description: "taser serve did not print its port within 90 s")
        }
        port = found
    }

    /// Sends `signal` and waits for the exit status (killed: 128 + signal); after `within`
    /// seconds it kills serve (-9: 137), so a hang is a failed expectation, not a hung test.
    func stop(_ signal: Int32 = SIGTERM, within seconds: Double = 90) -> Int32 {
        if let exited { return exited }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exited = code
        return code
    }

    var log: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until serve's log holds `text`: what a test waits on instead of a sleep. The
    /// deadline only bounds a hang (a loaded 2-core CI machine can be slow).
    func waitForLog(_ text: String, within seconds: Double = 60) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return log.contains(text)
    }

    deinit { _ = stop(SIGKILL) }

    /// One HTTP/1.1 exchange over a fresh connection.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> HTTPAnswer {
        try HTTPAnswer.exchange(port: port, method: method, path: path, headers: headers, body: body)
    }

    func post(_ path: String, json: String, headers: [String: String] = [:]) throws -> HTTPAnswer {
        try request("POST", path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: Array(json.utf8))
    }

    func get(_ path: String, key: String? = nil) throws -> HTTPAnswer {
        try request("GET", path, headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }
}

/// An answer, read whole (the request says `Connection: close`).
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }

    static func exchange(port: Int, method: String, path: String, headers: [String: String], body: [UInt8]) throws -> HTTPAnswer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeProcess.Failure(description: "no socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw ServeProcess.Failure(description: "cannot connect to 127.0.0.1:\(port)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if method != "GET" || !body.isEmpty { head += "Content-Length: \(body.count)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // The server may answer (413, 401) and close before taking the whole body.
            if n <= 0 { break }
            sent += n
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        guard let answer = parse(data) else {
            throw ServeProcess.Failure(description: "no HTTP answer from \(method) \(path) (\(data.count) bytes)")
        }
        return answer
    }

    /// The answer at the start of `data`, or nil when there is no whole head.
    static func parse(_ data: [UInt8]) -> HTTPAnswer? {
        guard let end = (0..<max(0, data.count - 3)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }) else {
            return nil
        }
        let lines = String(decoding: data[0..<end], as: UTF8.self).split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var payload = Array(data[(end + 4)...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { payload = dechunk(payload) }
        if let length = fields["content-length"].flatMap({ Int($0) }), length < payload.count { payload = Array(payload.prefix(length)) }
        return HTTPAnswer(status: status, headers: fields, body: payload)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < bytes.count {
            guard let lineEnd = (i..<max(i, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16), size > 0
            else { break }
            let start = lineEnd + 2
            out += bytes[start..<min(start + size, bytes.count)]
            i = start + size + 2
        }
        return out
    }
}

/// Lines of `taser ... --json` (JSON Lines) as objects.
func jsonLines(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
}

/// The AlertEngine fixtures, shared with the CLI tests.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("AlertEngineTests/Fixtures")

func fixture(_ name: String) throws -> String { try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8) }

/// A raw TCP connection to serve, for what a well-behaved client never does: half a head, half
/// a body, a trickle, a kept-alive connection left alone. One thread sends while another reads
/// (the socket allows it), hence @unchecked Sendable.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeProcess.Failure(description: "no socket") }
        // Bounds every read: a server that never answers fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw ServeProcess.Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    /// False once the server has closed its side.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Everything the server sends until it closes the connection; `closed` is false when the
    /// read timed out (60 s) with the connection still open.
    func readToClose() -> (bytes: [UInt8], closed: Bool) {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (data, true) }
            if n < 0 { return (data, errno == ECONNRESET) }
            data += chunk[0..<n]
        }
    }

    /// One answer with a Content-Length, the connection left open.
    func readAnswer() throws -> HTTPAnswer {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let answer = HTTPAnswer.parse(data), let length = answer.headers["content-length"].flatMap({ Int($0) }), answer.body.count >= length {
                return answer
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { throw ServeProcess.Failure(description: "the connection ended before a whole answer (\(data.count) bytes)") }
            data += chunk[0..<n]
        }
    }
}
