import Foundation
import Testing

/// Issue 12: one `POST /api/simulate` with a window of 10^17 days killed `taser serve`. Numbers
/// past their range are 400s with the reason now, and serve goes on answering.
@Suite struct HostileAPITests {
    @Test func hugeWindowsAndTimesAreRefusedAndServeStaysUp() throws {
        let scratch = Scratch()
        let (server, _) = try APIHTTPTests.start(scratch)
        let auth = "Bearer \(APIHTTPTests.anaKey)"
        let bodies: [(String, String, String)] = [
            ("text/plain", "[ (2 CarbonBlack alerts) ] IN [ 99999999999999999 days ] WITH [ hostname ] IN COMMON", "longer than 100 years"),
            ("text/plain", "[ (2 CarbonBlack alerts) ] IN [ 1 day ] WITH [ hostname ] IN COMMON SUPPRESS FOR 99999999999999999 days", "longer than 100 years"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "since": "99999999999999999d"}"#, "before 1970"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "until": "2026-02-30"}"#, "not a real date"),
            ("application/json", #"{"rule": "(1 SSO login from a new location) IN 1h", "top": 9223372036854775807}"#, "top"),
        ]
        for (type, body, says) in bodies {
            let r = try server.request("POST", "/api/simulate", headers: ["Authorization": auth, "Content-Type": type], body: Array(body.utf8))
            #expect(r.status == 400, "\(body): \(r.status) \(r.text)")
            #expect(r.text.contains(says), "\(body): \(r.text)")
            #expect(try server.get("/health").status == 200)
        }
        let signals = try server.get("/api/signals?since=99999999999999999d", key: APIHTTPTests.anaKey)
        #expect(signals.status == 400, "\(signals.text)")
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0)
    }

    /// The issue's 80-byte webhook (an email dated in the year 999999999) and a gzip bomb posted
    /// to a source: each is quarantined with the reason, and serve goes on answering.
    @Test func poisonedWebhooksAreQuarantinedAndServeStaysUp() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        try #require(taser(["--db", db, "team", "add", "soc"]).status == 0)
        let config = try scratch.write("serve.yaml", """
            max_record: 64KiB
            sources:
              mail: { token: "${env:MAIL_TOKEN}" }
            """)
        let server = try ServeProcess(["--db", db, "--config", config], env: ["MAIL_TOKEN": "mail-token-1"], in: scratch)
        let auth = ["Authorization": "Bearer mail-token-1"]
        let email = Array("From: a@b.example\nSubject: x\nDate: 3 Nov 999999999 10:00:00 +0000\n\nx\n".utf8)
        let r = try server.request("POST", "/ingest/mail", headers: auth.merging(["Content-Type": "message/rfc822"]) { a, _ in a }, body: email)
        #expect(r.status < 500, "\(r.status) \(r.text)")
        #expect(try server.get("/health").status == 200)
        // One line of 8 MiB, gzipped to a few KiB: over the 64 KiB record limit.
        let line = [UInt8](repeating: UInt8(ascii: "A"), count: 8 << 20) + [10]
        let bomb = try gzipBytes(line, in: scratch)
        let b = try server.request("POST", "/ingest/mail", headers: auth.merging(["Content-Type": "text/plain"]) { a, _ in a }, body: bomb)
        #expect(b.status < 500, "\(b.status) \(b.text)")
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0)
        let listed = try taser(["--db", db, "quarantine", "list", "--json"])
        #expect(listed.stdout.contains("999999999") || listed.stdout.contains("year"), "\(listed.stdout)")
        #expect(listed.stdout.contains("over the 64 KiB limit"), "\(listed.stdout)")
    }

    func gzipBytes(_ bytes: [UInt8], in scratch: Scratch) throws -> [UInt8] {
        let file = scratch.file("bomb")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-n", "-f", file]
        try p.run()
        p.waitUntilExit()
        return Array(try Data(contentsOf: URL(fileURLWithPath: file + ".gz")))
    }
}
