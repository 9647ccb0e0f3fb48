import Foundation
import Testing

/// `taser serve` sends every case log's head to a witness on a schedule (`log_heads_every`),
/// through Sync's webhook endpoint, and sends again when a log has grown.
@Suite(.timeLimit(.minutes(5))) struct LogHeadsServeTests {
    @Test func serveSendsTheHeadsToAWitnessOnASchedule() throws {
        let scratch = Scratch()
        let remotes = try SecurityBotServeTests.Remotes()
        let db = scratch.file("t.db")
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"], ["--as", "ana", "case", "new", "--title", "Watched"]] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let sync = try scratch.write("sync.yaml", """
            endpoints:
              witness: { type: webhook, url: "http://127.0.0.1:\(remotes.port)/hook/witness", hmac_secret: "${secret:hook_key}", events: [log.heads] }
            """)
        let secrets = try scratch.write("secrets.yaml", "hook_key: hook-s3cret-4\n")
        let config = try scratch.write("serve.yaml", "log_heads_every: 1s\n")
        let server = try ServeProcess(["--db", db, "--secrets", secrets, "--config", config, "--sync", sync], in: scratch)

        func heads(_ request: [String: Any]) -> [[String: Any]] {
            ((request["body"] as? [String: Any])?["payload"] as? [String: Any])?["heads"] as? [[String: Any]] ?? []
        }
        let first = try remotes.waitFor("the first heads") { ($0["path"] as? String) == "/hook/witness" }
        #expect(((first["body"] as? [String: Any])?["event"] as? String) == "log.heads")
        #expect(first["signature_ok"] as? Bool == true)
        #expect(heads(first).count == 1 && heads(first).first?["entries"] as? Int == 1, "\(first)")

        // The log grows; the next tick sends the new head. Unchanged heads are not sent again.
        try #require(try taser(["--db", db, "--as", "ana", "case", "note", "1", "grown"]).status == 0)
        let grown = try remotes.waitFor("the grown heads") { r in
            (r["path"] as? String) == "/hook/witness" && heads(r).first?["entries"] as? Int == 2
        }
        let body = try JSONSerialization.data(withJSONObject: try #require(grown["body"]))
        try body.write(to: URL(fileURLWithPath: scratch.file("heads.json")))
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try remotes.received().filter { ($0["path"] as? String) == "/hook/witness" }.count == 2)
        #expect(server.stop() == 0, "serve did not stop cleanly: \(server.log.suffix(2000))")
        #expect(server.log.contains("log heads"))
        let verified = try taser(["--db", db, "verify", "--heads", scratch.file("heads.json")])
        #expect(verified.status == 0 && verified.stdout.contains("WITNESS compared 1 case heads"), "\(verified.stdout)\(verified.stderr)")
    }

    @Test func aBadScheduleIsRefusedOnOneLine() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        try #require(try taser(["--db", db, "team", "add", "soc"]).status == 0)
        for (value, words) in [("99999999999999999d", "longer than"), ("0s", "is zero"), ("500ms", "shorter than 1s"), ("often", "not a span")] {
            let config = try scratch.write("serve.yaml", "log_heads_every: \(value)\n")
            let r = try taser(["serve", "--db", db, "--config", config, "--listen", "127.0.0.1:0"])
            #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(words), "\(value): \(r.stderr)")
        }
    }
}
