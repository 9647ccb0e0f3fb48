import Crypto
import Foundation
import StandIn
import Testing

/// The whole SecurityBot flow through `taser serve`, as it runs on the jump host: a webhook's
/// sign-in from a new country raises an alert, the shipped playbook opens a case and asks the
/// user, Sync posts the question to (a stand-in) Slack with its buttons, the user's signed click
/// comes back to /slack/interactions, and the playbook assigns on-call and pages. Every part is
/// real: the binary, the SQLite file, Positron over CSV tables, the delivery over HTTP.
@Suite(.timeLimit(.minutes(5))) struct SecurityBotServeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let signingSecret = "slack-signing-s3cret-5"
    static let oktaToken = "okta-hook-token-6"

    /// The stand-in Slack and webhook receiver of the Sync tests (Tests/SyncTests/Fixtures/remotes.py).
    final class Remotes {
        private let server: StandIn
        let port: Int

        init() throws {
            server = try StandIn(python: [SecurityBotServeTests.root.appendingPathComponent("Tests/SyncTests/Fixtures/remotes.py").path])
            port = server.port
        }

        func received() throws -> [[String: Any]] {
            let answer = try HTTPAnswer.exchange(port: port, method: "GET", path: "/_received", headers: [:], body: [])
            return (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [[String: Any]] ?? []
        }

        /// Polls what the stand-in received until one request satisfies `match`; far from any timeout.
        func waitFor(_ what: String, _ match: ([String: Any]) -> Bool) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let hit = try received().first(where: match) { return hit }
                Thread.sleep(forTimeInterval: 0.2)
            }
            throw ServeProcess.Failure(description: "no \(what) arrived; received: \(try received())")
        }
    }

    func click(caseID: Int, answer: String, by user: String, at time: Date = Date(), secret: String = signingSecret) -> (body: [UInt8], headers: [String: String]) {
        let payload = """
            {"type":"block_actions","user":{"id":"U0JDOE","username":"\(user)","name":"\(user)"},\
            "actions":[{"type":"button","action_id":"securitybot.\(answer)","value":"case:\(caseID):\(answer)","block_id":"case:\(caseID)","action_ts":"1750000000.1"}]}
            """
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = Array(("payload=" + payload.addingPercentEncoding(withAllowedCharacters: allowed)!).utf8)
        let stamp = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("v0:\(stamp):".utf8) + body, using: SymmetricKey(data: Array(secret.utf8)))
        return (body, [
            "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + mac.map { String(format: "%02x", $0) }.joined(),
            "Content-Type": "application/x-www-form-urlencoded",
        ])
    }

    @Test func aNewCountrySignInIsAskedOnSlackAndADenialPagesOnCall() throws {
        let scratch = Scratch()
        let remotes = try Remotes()
        let db = scratch.file("t.db")
        for args in [
            ["team", "add", "soc"],
            ["rules", "add", "sso-new-location-then-duo-failures", "--enable",
             "(1 SSO login from a new location) IN 1 hour WITH username IN COMMON SEVERITY critical TEAM soc"],
        ] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
        }
        // Okta names Jane by her login email, so the HR table is keyed by it.
        _ = try scratch.write("hr.csv", "login,name,email,manager_login\njane.doe@example.com,Jane Doe,jdoe@acme.example,mboss\nmboss,Mary Boss,mary@acme.example,\n")
        _ = try scratch.write("oncall.csv", "team,user\nsoc,olivia.oncall\n")
        let positron = try scratch.write("positron.yaml", """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } }, USER_INFO: { key: login, answer: { email: email, name: name } } } }
              - { name: rota, type: table, file: oncall.csv, queries: { ONCALL_FOR_TEAM: { key: team, answer: { user: user } } } }
            """)
        try FileManager.default.createDirectory(atPath: scratch.file("playbooks"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Self.root.appendingPathComponent("Playbooks/securitybot.yaml").path, toPath: scratch.file("playbooks/securitybot.yaml"))
        let sync = try scratch.write("sync.yaml", """
            endpoints:
              slack: { type: slack, url: "http://127.0.0.1:\(remotes.port)/slack/api", token: "${secret:slack_bot}", channel: "#soc", events: [slack.ask] }
              pager: { type: webhook, url: "http://127.0.0.1:\(remotes.port)/hook/pager", hmac_secret: "${secret:hook_key}", events: [page] }
            """)
        let secrets = try scratch.write("secrets.yaml", """
            slack_bot: xoxb-slack-s3cret-2
            hook_key: hook-s3cret-4
            slack_signing_secret: \(Self.signingSecret)
            okta_hook: \(Self.oktaToken)
            """)
        let config = try scratch.write("serve.yaml", """
            sources: { okta: { token: "${secret:okta_hook}" } }
            slack: { signing_secret: "${secret:slack_signing_secret}" }
            """)
        let common = ["--db", db, "--secrets", secrets, "--positron", positron, "--playbooks", scratch.file("playbooks")]
        // A playbook starts with the alerts after its first pass: make that pass now.
        let first = try taser(["automation", "run", "--once"] + common)
        try #require(first.status == 0, "\(first.stderr)")

        let server = try ServeProcess(common + ["--config", config, "--sync", sync, "--automation-every", "1s"], in: scratch)
        let okta = try String(contentsOf: Self.root.appendingPathComponent("Tests/AlertEngineTests/Fixtures/okta.json"), encoding: .utf8)
        let ingested = try server.post("/ingest/okta", json: okta, headers: ["Authorization": "Bearer \(Self.oktaToken)"])
        #expect(ingested.status == 202, "\(ingested.text)")

        // The question reaches Slack as a DM to Jane with the two buttons carrying the case.
        let question = try remotes.waitFor("Slack question") { r in
            (r["path"] as? String)?.hasSuffix("chat.postMessage") == true && "\(r["body"] ?? "")".contains("case:1:deny")
        }
        let body = try #require(question["body"] as? [String: Any])
        #expect(body["channel"] as? String == "U0JDOE")
        #expect("\(body["blocks"] ?? "")".contains("securitybot.confirm"))

        // A forged, an old and then the real click; the real one again is a replay.
        let forged = click(caseID: 1, answer: "deny", by: "jane.doe", secret: "not-the-secret")
        #expect(try server.request("POST", "/slack/interactions", headers: forged.headers, body: forged.body).status == 401)
        let old = click(caseID: 1, answer: "deny", by: "jane.doe", at: Date().addingTimeInterval(-600))
        #expect(try server.request("POST", "/slack/interactions", headers: old.headers, body: old.body).status == 401)
        let real = click(caseID: 1, answer: "deny", by: "jane.doe")
        let answered = try server.request("POST", "/slack/interactions", headers: real.headers, body: real.body)
        #expect(answered.status == 200, "\(answered.text)")
        #expect(try server.request("POST", "/slack/interactions", headers: real.headers, body: real.body).status == 409)

        // The denial pages on-call through the pager webhook, signed.
        let page = try remotes.waitFor("page") { r in (r["path"] as? String) == "/hook/pager" }
        #expect(page["signature_ok"] as? Bool == true)
        let message = try #require(page["body"] as? [String: Any])
        #expect(message["event"] as? String == "page")
        #expect((message["payload"] as? [String: Any])?["oncall"] as? String == "olivia.oncall")

        let shown = try taser(["--db", db, "case", "show", "1"])
        #expect(shown.stdout.contains("owner: olivia.oncall"), "\(shown.stdout)")
        #expect(shown.stdout.contains("account-takeover-suspected"))
        #expect(shown.stdout.contains("Jane.Doe@example.com (user) says it was not"), "\(shown.stdout)")
        #expect(server.stop() == 0, "serve did not stop cleanly: \(server.log.suffix(2000))")
        for secret in [Self.signingSecret, Self.oktaToken, "xoxb-slack-s3cret-2", "hook-s3cret-4"] {
            #expect(!server.log.contains(secret))
        }
    }

    /// Without `slack:` a caller cannot tell Slack is off: the answer is a bad signature's.
    @Test func withoutASlackSectionEveryRequestIsRefusedAsABadSignature() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        try #require(try taser(["--db", db, "team", "add", "soc"]).status == 0)
        let config = try scratch.write("serve.yaml", "sources: { okta: { token: \"${env:OKTA}\" } }\n")
        let server = try ServeProcess(["--db", db, "--config", config], env: ["OKTA": Self.oktaToken], in: scratch)
        let c = click(caseID: 1, answer: "deny", by: "jane.doe")
        let answer = try server.request("POST", "/slack/interactions", headers: c.headers, body: c.body)
        #expect(answer.status == 401, "\(answer.text)")
        #expect(!answer.text.contains("slack:") && !answer.text.contains("serve.yaml"), "\(answer.text)")
        #expect(answer.text.contains("X-Slack-Signature does not match"), "\(answer.text)")
        let unsigned = try server.request("POST", "/slack/interactions", headers: [:], body: c.body)
        #expect(unsigned.status == 401 && unsigned.text.contains("missing X-Slack-Signature"), "\(unsigned.text)")
        // A stamp that would overflow the age check is refused, and serve goes on.
        var far = c.headers
        far["X-Slack-Request-Timestamp"] = "-9223372036854775808"
        #expect(try server.request("POST", "/slack/interactions", headers: far, body: c.body).status == 401)
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0, "serve did not stop cleanly: \(server.log.suffix(2000))")
        #expect(server.log.contains("no slack:"), "\(server.log.suffix(2000))")
    }

    /// A delivery that hangs does not hold serve's stop past the grace: serve says what it left
    /// behind and exits 75 (the delivery's lease expires and it is sent again, as after -9).
    @Test func aHangingDeliveryDoesNotHoldTheStopPastTheGrace() throws {
        let scratch = Scratch()
        let remotes = try Remotes()
        let db = scratch.file("t.db")
        try #require(try taser(["--db", db, "team", "add", "soc"]).status == 0)
        let sync = try scratch.write("sync.yaml", """
            defaults: { timeout: 120s }
            endpoints:
              hook: { type: webhook, url: "http://127.0.0.1:\(remotes.port)/hook/all", hmac_secret: "${secret:hook_key}", events: [case.created] }
            """)
        let secrets = try scratch.write("secrets.yaml", "hook_key: hook-s3cret-4\nokta_hook: \(Self.oktaToken)\n")
        let config = try scratch.write("serve.yaml", "sources: { okta: { token: \"${secret:okta_hook}\" } }\nshutdown_grace: 1s\n")
        _ = try HTTPAnswer.exchange(port: remotes.port, method: "POST", path: "/_fault", headers: [:], body: Array(#"{"prefix": "/hook", "delay": 120, "times": 1}"#.utf8))
        let server = try ServeProcess(["--db", db, "--secrets", secrets, "--config", config, "--sync", sync], in: scratch)
        try #require(try taser(["--db", db, "case", "new", "--title", "Delivery that hangs"]).status == 0)
        _ = try remotes.waitFor("the delivery") { ($0["path"] as? String) == "/hook/all" }
        let code = server.stop(SIGTERM, within: 60)
        #expect(code == 75, "\(code): \(server.log.suffix(2000))")
        #expect(server.log.contains("left behind") && server.log.contains("a sync delivery"), "\(server.log.suffix(2000))")
    }

    /// A delivery in flight when serve is killed -9 is sent again by the next serve, with the
    /// same idempotency key; nothing is lost.
    @Test func aKill9WithADeliveryInFlightLosesNothing() throws {
        let scratch = Scratch()
        let remotes = try Remotes()
        let db = scratch.file("t.db")
        try #require(try taser(["--db", db, "team", "add", "soc"]).status == 0)
        let sync = try scratch.write("sync.yaml", """
            defaults: { timeout: 60s }
            endpoints:
              hook: { type: webhook, url: "http://127.0.0.1:\(remotes.port)/hook/all", hmac_secret: "${secret:hook_key}", events: [case.created] }
            """)
        let secrets = try scratch.write("secrets.yaml", "hook_key: hook-s3cret-4\nokta_hook: \(Self.oktaToken)\n")
        let config = try scratch.write("serve.yaml", "sources: { okta: { token: \"${secret:okta_hook}\" } }\n")
        let args = ["--db", db, "--secrets", secrets, "--config", config, "--sync", sync]
        // The first delivery hangs at the receiver.
        _ = try HTTPAnswer.exchange(port: remotes.port, method: "POST", path: "/_fault", headers: [:], body: Array(#"{"prefix": "/hook", "delay": 60, "times": 1}"#.utf8))
        let first = try ServeProcess(args, in: scratch)
        try #require(try taser(["--db", db, "case", "new", "--title", "Delivered once killed"]).status == 0)
        let hung = try remotes.waitFor("the first attempt") { ($0["path"] as? String) == "/hook/all" }
        let key = try #require((hung["headers"] as? [String: Any])?["idempotency-key"] as? String)
        #expect(first.stop(SIGKILL) == 128 + SIGKILL)

        let second = try ServeProcess(args, in: scratch)
        let deadline = Date().addingTimeInterval(120)
        var attempts: [[String: Any]] = []
        while Date() < deadline {
            attempts = try remotes.received().filter { ($0["path"] as? String) == "/hook/all" }
            if attempts.count >= 2, attempts.last?["status"] as? Int == 200 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect(attempts.count >= 2, "\(attempts)")
        #expect(attempts.allSatisfy { ($0["headers"] as? [String: Any])?["idempotency-key"] as? String == key })
        #expect(((attempts.last?["body"] as? [String: Any])?["event"] as? String) == "case.created")
        #expect(second.stop() == 0)
        let status = try taser(["--db", db, "sync", "status", "--json"])
        #expect(status.stdout.contains(#""delivered":1"#) && !status.stdout.contains(#""kind":"dead""#), "\(status.stdout)")
    }
}
