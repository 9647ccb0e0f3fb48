import Crypto
import Foundation
import StandIn
import Testing

/// Issue 17's "Slack channels per case", done as it will run: the real `taser serve --sync` with
/// a stand-in Slack on 127.0.0.1. `taser case channel` reaches conversations.create and the case
/// shows the channel; /slack/events answers url_verification, logs a signed message in that
/// channel once (the same event again does not), refuses a bad or stale signature; a second
/// `case channel` makes a second channel; the export keeps each entry's channel.
@Suite(.timeLimit(.minutes(5))) struct SlackChannelServeTests {
    static let signingSecret = "slack-signing-s3cret-5"
    static let botToken = "xoxb-slack-s3cret-2"

    static func signed(_ body: String, at time: Date = Date(), secret: String = signingSecret, extra: [String: String] = [:]) -> [String: String] {
        let stamp = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("v0:\(stamp):\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return [
            "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + mac.map { String(format: "%02x", $0) }.joined(),
            "Content-Type": "application/json",
        ].merging(extra) { $1 }
    }

    static func message(_ eventID: String, channel: String, ts: String, text: String, user: String = "U0JDOE") -> String {
        let event: [String: Any] = ["type": "message", "channel": channel, "user": user, "text": text, "ts": ts]
        let body: [String: Any] = ["type": "event_callback", "event_id": eventID, "api_app_id": "A0TASER", "team_id": "T0ACME", "event": event]
        return String(decoding: try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func aCaseChannelIsCreatedThroughSyncAndItsMessagesAreLoggedOnce() throws {
        let scratch = Scratch()
        let remotes = try SecurityBotServeTests.Remotes()
        let db = scratch.file("t.db")
        for args in [
            ["team", "add", "soc"], ["analyst", "add", "jdoe", "--email", "jdoe@acme.example", "--team", "soc"],
            ["case", "new", "--title", "Phishing: invoice 8812", "--team", "soc", "--owner", "jdoe"],
        ] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
        }
        let sync = try scratch.write("sync.yaml", """
            defaults: { backoff: 100ms, max_backoff: 1s }
            endpoints:
              slack: { type: slack, url: "http://127.0.0.1:\(remotes.port)/slack/api", token: "${secret:slack_bot}", channel: "#soc", events: [slack.ask] }
            """)
        let secrets = try scratch.write("secrets.yaml", "slack_bot: \(Self.botToken)\nslack_signing_secret: \(Self.signingSecret)\n")
        let config = try scratch.write("serve.yaml", "slack: { signing_secret: \"${secret:slack_signing_secret}\" }\n")
        let server = try ServeProcess(["--db", db, "--secrets", secrets, "--config", config, "--sync", sync], in: scratch)

        // The channel: asked for on the CLI, made by serve's sync worker, shown on the case.
        let made = try taser(["--db", db, "case", "channel", "1", "--wait", "90s"])
        try #require(made.status == 0, "\(made.stdout)\(made.stderr)")
        #expect(made.stdout.contains("Created #case-1-phishing-invoice-8812 (C"), "\(made.stdout)")
        _ = try remotes.waitFor("conversations.create") { r in
            (r["path"] as? String)?.hasSuffix("conversations.create") == true && "\(r["body"] ?? "")".contains("case-1-phishing-invoice-8812")
        }
        _ = try remotes.waitFor("the invitation of the owner") { r in
            (r["path"] as? String)?.hasSuffix("conversations.invite") == true && "\(r["body"] ?? "")".contains("U0JDOE")
        }
        let shown = try taser(["--db", db, "case", "show", "1"])
        #expect(shown.stdout.contains("slack     #case-1-phishing-invoice-8812 (C"), "\(shown.stdout)")
        let document = try taser(["--db", db, "case", "show", "1", "--json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(document.stdout.utf8)) as? [String: Any])
        let channel = try #require(((doc["channels"] as? [[String: Any]])?.first?["slack_id"]) as? String)

        // Slack checks the URL first.
        let challenge = #"{"token":"x","challenge":"c2xhY2stY2hhbGxlbmdl","type":"url_verification"}"#
        let verified = try server.request("POST", "/slack/events", headers: Self.signed(challenge), body: Array(challenge.utf8))
        #expect(verified.status == 200 && verified.json["challenge"] as? String == "c2xhY2stY2hhbGxlbmdl", "\(verified.text)")

        // A message in the channel lands once: the same request is a replay, Slack's retry a duplicate.
        let body = Self.message("Ev0SERVE1", channel: channel, ts: "1750000000.000100", text: "Blocked the sender at the gateway")
        let headers = Self.signed(body)
        let logged = try server.request("POST", "/slack/events", headers: headers, body: Array(body.utf8))
        #expect(logged.status == 200 && logged.json["case_id"] as? Int == 1, "\(logged.text)")
        #expect(try server.request("POST", "/slack/events", headers: headers, body: Array(body.utf8)).status == 409)
        let retry = Self.signed(body, at: Date().addingTimeInterval(1), extra: ["X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"])
        let again = try server.request("POST", "/slack/events", headers: retry, body: Array(body.utf8))
        #expect(again.status == 200 && again.json["duplicate"] != nil, "\(again.text)")

        // A bad or stale signature: 401. Another channel: acknowledged, ignored.
        let forged = Self.message("Ev0SERVE2", channel: channel, ts: "1750000001.000100", text: "forged")
        #expect(try server.request("POST", "/slack/events", headers: Self.signed(forged, secret: "not-the-secret"), body: Array(forged.utf8)).status == 401)
        #expect(try server.request("POST", "/slack/events", headers: Self.signed(forged, at: Date().addingTimeInterval(-600)), body: Array(forged.utf8)).status == 401)
        let elsewhere = Self.message("Ev0SERVE3", channel: "C0ELSEWHERE", ts: "1750000002.000100", text: "not a case's")
        let ignored = try server.request("POST", "/slack/events", headers: Self.signed(elsewhere), body: Array(elsewhere.utf8))
        #expect(ignored.status == 200 && ignored.json["ignored"] != nil, "\(ignored.text)")

        let log = try taser(["--db", db, "case", "show", "1"]).stdout
        #expect(log.components(separatedBy: "Blocked the sender at the gateway").count == 2, "\(log)")
        #expect(log.contains("slack:jdoe  slack  #case-1-phishing-invoice-8812"), "\(log)")
        #expect(!log.contains("forged") && !log.contains("not a case's"))

        // Again: a second channel, for other people.
        let second = try taser(["--db", db, "case", "channel", "1", "--wait", "90s"])
        #expect(second.status == 0 && second.stdout.contains("Created #case-1-phishing-invoice-8812-2 (C"), "\(second.stdout)\(second.stderr)")

        // The export keeps each entry's channel.
        let csv = try taser(["--db", db, "case", "export", "1", "--format", "csv"]).stdout
        #expect(csv.contains(",slack:jdoe,slack,\(channel),"), "\(csv.prefix(2000))")
        #expect(csv.contains("channel,1,2,2,") && csv.contains("case-1-phishing-invoice-8812-2"), "\(csv.prefix(2000))")
        let json = try taser(["--db", db, "case", "export", "1"]).stdout
        #expect(json.contains("\"slack_channel\": \"\(channel)\""), "\(json.prefix(3000))")

        #expect(server.stop() == 0, "serve did not stop cleanly: \(server.log.suffix(2000))")
        for secret in [Self.signingSecret, Self.botToken] { #expect(!server.log.contains(secret)) }
        #expect(server.log.contains("slack event retry 1"), "\(server.log.suffix(2000))")
    }

    /// Without `slack:` in serve.yaml, /slack/events refuses as a bad signature does.
    @Test func withoutASlackSectionEventsAreRefusedAsABadSignature() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        try #require(try taser(["--db", db, "team", "add", "soc"]).status == 0)
        let config = try scratch.write("serve.yaml", "sources: { okta: { token: \"${env:OKTA}\" } }\n")
        let server = try ServeProcess(["--db", db, "--config", config], env: ["OKTA": "okta-hook-token-6"], in: scratch)
        let challenge = #"{"type":"url_verification","challenge":"abc"}"#
        let answer = try server.request("POST", "/slack/events", headers: Self.signed(challenge), body: Array(challenge.utf8))
        #expect(answer.status == 401 && answer.text.contains("X-Slack-Signature does not match"), "\(answer.text)")
        #expect(server.stop() == 0)
    }
}
