import Foundation
import StandIn
import Testing

/// serve under slow and hostile clients, against the real binary over raw sockets: the head,
/// body and idle timeouts, and a stop (SIGTERM) that a client holding half a body cannot delay.
/// No test asserts how long anything took; deadlines only bound a hang.
@Suite struct SlowClientTests {
    static let token = "okta-token-0123456789abcdef"

    static func start(_ scratch: Scratch, _ extra: String = "", arguments: [String] = []) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        let config = try scratch.write("serve.yaml", "max_body: 64KiB\nsources:\n  okta: { token: \"${env:OKTA_HOOK}\" }\n" + extra)
        let server = try ServeProcess(["--db", db, "--config", config] + arguments, env: ["OKTA_HOOK": token], in: scratch)
        return (server, db)
    }

    static func head(_ length: Int, path: String = "/ingest/okta") -> String {
        "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(length)\r\n\r\n"
    }

    /// One Okta event padded to about `size` bytes.
    static func event(padTo size: Int) throws -> [UInt8] {
        var event = try #require(try JSONSerialization.jsonObject(with: Data(try fixture("okta.json").utf8)) as? [[String: Any]]).first ?? [:]
        event["pad"] = String(repeating: "x", count: max(0, size - 2000))
        return Array(try JSONSerialization.data(withJSONObject: event))
    }

    static func stored(_ db: String) throws -> Int { jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).count }

    @Test func aHeadThatNeverEndsIsAnswered408AndASilentConnectionIsClosed() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch, "timeouts: { head: 1s }\n")
        let half = try RawConnection(port: server.port)
        half.send("POST /ingest/okta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
        let (bytes, closed) = half.readToClose()
        #expect(closed, "the connection was still open after 60 s")
        let answer = try #require(HTTPAnswer.parse(bytes), "no answer: \(String(decoding: bytes, as: UTF8.self))")
        #expect(answer.status == 408)
        #expect(answer.json["error"] as? String == "request_timeout")
        #expect((answer.json["message"] as? String ?? "").contains("timeouts.head"), "\(answer.text)")

        let silent = try RawConnection(port: server.port)
        let quiet = silent.readToClose()
        #expect(quiet.closed && quiet.bytes.isEmpty, "\(quiet)")

        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
    }

    @Test func aBodyThatStallsOrTricklesIsAnswered408AndNothingIsKept() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch, "timeouts: { body: 1s, body_rate: 1KiB/s }\n")

        // Half a body, then nothing: what kept a connection forever before.
        let stalled = try RawConnection(port: server.port)
        stalled.send(Self.head(1000) + "{\"eventTyp")
        let (bytes, closed) = stalled.readToClose()
        #expect(closed)
        let answer = try #require(HTTPAnswer.parse(bytes), "no answer: \(String(decoding: bytes, as: UTF8.self))")
        #expect(answer.status == 408)
        #expect((answer.json["message"] as? String ?? "").contains("timeouts.body"), "\(answer.text)")

        // A body that never pauses long but comes at a quarter of the least rate.
        let trickle = try RawConnection(port: server.port)
        trickle.send(Self.head(60_000))
        let sender = Thread {
            for _ in 0..<600 {
                guard trickle.send(String(repeating: " ", count: 50)) else { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        sender.start()
        let slow = trickle.readToClose()
        #expect(slow.closed)
        let refused = try #require(HTTPAnswer.parse(slow.bytes), "no answer: \(String(decoding: slow.bytes, as: UTF8.self))")
        #expect(refused.status == 408)
        #expect(refused.json["error"] as? String == "request_timeout")

        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
        #expect(try Self.stored(db) == 0)
        #expect(jsonLines(try taser(["--db", db, "quarantine", "list", "--json"]).stdout).isEmpty)
    }

    @Test func aSlowButSteadyUploadLongerThanTheBodyTimeIsTaken() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch, "timeouts: { body: 3s, body_rate: 1KiB/s }\n")
        let body = try Self.event(padTo: 16 * 1024)
        let upload = try RawConnection(port: server.port)
        upload.send(Self.head(body.count).replacingOccurrences(of: "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n"))
        // 512 bytes every 100 ms: about 5 KiB/s, for about 3 s in all.
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + 512)
            #expect(upload.send(Array(body[offset..<end])), "the server closed the upload at byte \(offset)")
            offset = end
            Thread.sleep(forTimeInterval: 0.1)
        }
        let (bytes, _) = upload.readToClose()
        let answer = try #require(HTTPAnswer.parse(bytes), "no answer: \(String(decoding: bytes, as: UTF8.self))")
        #expect(answer.status == 202, "\(answer.text)")
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
        #expect(try Self.stored(db) == 1)
    }

    @Test func aKeptAliveConnectionWithNoRequestIsClosed() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch, "timeouts: { idle: 1s }\n")
        let connection = try RawConnection(port: server.port)
        connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let first = try connection.readAnswer()
        #expect(first.status == 200)
        // Kept alive: a second request on the same connection is answered too.
        connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try connection.readAnswer().status == 200)
        let after = connection.readToClose()
        #expect(after.closed, "an idle connection was still open after 60 s")
        #expect(after.bytes.isEmpty, "\(String(decoding: after.bytes, as: UTF8.self))")
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
    }

    /// The reproducer: a head with Content-Length 1000 and 10 bytes of body, then SIGTERM.
    @Test func sigtermStopsServeWhileAClientHoldsAHalfSentBody() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let holder = try RawConnection(port: server.port)
        holder.send(Self.head(1000) + "{\"eventTyp")
        // The server has the head before the stop (the answer to another request proves it runs).
        #expect(try server.get("/health").status == 200)
        let code = server.stop(SIGTERM, within: 60)
        #expect(code == 0 || code == 75, "serve did not stop within 60 s of SIGTERM (\(code)): \(server.log.suffix(2000))")
        #expect(holder.readToClose().closed)
        #expect(try Self.stored(db) == 0)
    }

    /// With timeouts longer than the grace, the grace is what ends the held request.
    @Test func theGraceClosesRequestsStillInFlight() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(
            scratch, "timeouts: { head: 10m, body: 10m }\n", arguments: ["--grace", "1s", "--log-level", "debug"])
        let holder = try RawConnection(port: server.port)
        holder.send(Self.head(1000) + "{\"eventTyp")
        // Only a request whose head the server has read is in flight; an answer to another
        // connection does not prove that (under load the held head may not be read yet, and a
        // connection with no request is closed at once, without the grace).
        #expect(server.waitForLog("head read: POST /ingest/okta"), "\(server.log.suffix(2000))")
        let code = server.stop(SIGTERM, within: 60)
        #expect(code == 0 || code == 75, "serve did not stop within 60 s of SIGTERM (\(code)): \(server.log.suffix(2000))")
        #expect(server.log.contains("have 1s to finish") && server.log.contains("1s grace ended with requests in flight"), "\(server.log.suffix(2000))")
        #expect(holder.readToClose().closed)
        #expect(try Self.stored(db) == 0)
        #expect(jsonLines(try taser(["--db", db, "quarantine", "list", "--json"]).stdout).isEmpty)
    }

    /// What serve cannot cut short (a request waiting on a plugin that holds it) does not hold
    /// the stop either: a little after the grace serve says so and exits 75.
    @Test func aRequestStuckInAPluginDoesNotHoldTheStop() throws {
        let scratch = Scratch()
        let arrived = scratch.file("arrived")
        // A remote that takes every request and answers none for two minutes.
        let remote = try StandIn(python: ["-c", """
            import http.server, socketserver, sys, threading, time
            class Hold(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    open(sys.argv[1], "w").close()
                    time.sleep(120)
                def log_message(self, *args): pass
            class Server(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
            server = Server(("127.0.0.1", 0), Hold)
            print(server.server_address[1], flush=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            sys.stdin.read()
            """, arrived])
        let positron = try scratch.write("positron.yaml", """
            plugins:
              - name: slow
                type: http
                url: "http://127.0.0.1:\(remote.port)/ip/{value}"
                timeout: 60s
                queries:
                  IP_REPUTATION: { answer: "", fields: { verdict: classification } }
            """)
        let db = scratch.file("t.db")
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"]] {
            try #require(try taser(["--db", db] + args).status == 0)
        }
        let config = try scratch.write("serve.yaml", "api_keys:\n  - { key: \"${env:ANA_KEY}\", analyst: ana }\nshutdown_grace: 1s\n")
        let server = try ServeProcess(["--db", db, "--config", config, "--positron", positron], env: ["ANA_KEY": "ana-key-0123456789abcdef"], in: scratch)
        let port = server.port
        let asking = Thread { _ = try? HTTPAnswer.exchange(port: port, method: "GET", path: "/api/query/IP_REPUTATION/1.2.3.4", headers: ["Authorization": "Bearer ana-key-0123456789abcdef"], body: []) }
        asking.start()
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: arrived) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(FileManager.default.fileExists(atPath: arrived), "the query never reached the plugin")
        let code = server.stop(SIGTERM, within: 50)
        #expect(code == 75, "\(code): \(server.log.suffix(2000))")
        #expect(server.log.contains("after the 1s grace ended"), "\(server.log.suffix(2000))")
    }

    @Test func aBadGraceIsOneLine() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        let config = try scratch.write("serve.yaml", "listen: 127.0.0.1:0\n")
        let r = try taser(["serve", "--db", db, "--config", config, "--grace", "99999999999999999d"])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--grace"), "\(r.stderr)")
    }
}
