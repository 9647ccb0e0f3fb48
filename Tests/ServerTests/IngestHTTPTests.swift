import Foundation
import Crypto
import Testing

/// `POST /ingest/{source}` against the real `taser serve`: authentication per source, the
/// answer after the commit, bad input refused with a JSON error and quarantined.
@Suite struct IngestHTTPTests {
    static let oktaToken = "okta-token-0123456789abcdef"
    static let githubSecret = "gh-secret-fedcba9876543210"

    static let config = """
        max_body: 4KiB
        sources:
          okta: { token: "${env:OKTA_HOOK}" }
          github:
            hmac: { header: X-Hub-Signature-256, secret: "${secret:gh}", prefix: "sha256=" }
          cbc: { token: "${env:OKTA_HOOK}" }
        """

    /// A server on a fresh database, with the secrets in the environment and a secrets file.
    static func start(_ scratch: Scratch, config: String = IngestHTTPTests.config) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        let configPath = try scratch.write("serve.yaml", config)
        let secrets = try scratch.write("secrets.yaml", "gh: \(githubSecret)\n")
        let server = try ServeProcess(
            ["--db", db, "--config", configPath, "--secrets", secrets], env: ["OKTA_HOOK": oktaToken], in: scratch)
        return (server, db)
    }

    static func oktaEvent() throws -> String {
        let events = try JSONSerialization.jsonObject(with: Data(try fixture("okta.json").utf8)) as! [Any]
        return String(decoding: try JSONSerialization.data(withJSONObject: events[0]), as: UTF8.self)
    }

    static func signature(_ body: String, _ secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func aTokenSourceStoresTheEventAndAnswersWithItsID() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let event = try Self.oktaEvent()
        let ok = try server.post("/ingest/okta", json: event, headers: ["Authorization": "Bearer \(Self.oktaToken)"])
        #expect(ok.status == 202, "\(ok.text)")
        let ids = ok.json["signals"] as? [Int] ?? []
        #expect(ids.count == 1)
        // Acknowledged means committed: another process sees it at once.
        let stored = jsonLines(try taser(["--db", db, "signals", "--json"]).stdout)
        #expect(stored.map { $0["id"] as? Int } == ids.map { $0 })
        #expect(stored.first?["source"] as? String == "okta")

        // The same event again is the same signal.
        let again = try server.post("/ingest/okta", json: event, headers: ["Authorization": "Bearer \(Self.oktaToken)"])
        #expect(again.status == 202)
        #expect((again.json["signals"] as? [Int]) == [])
        #expect((again.json["duplicates"] as? [Int]) == ids)

        for headers in [[:], ["Authorization": "Bearer wrong-token-0000000000"], ["Authorization": "Basic \(Self.oktaToken)"]] {
            let refused = try server.post("/ingest/okta", json: event, headers: headers)
            #expect(refused.status == 401)
            #expect(refused.json["error"] as? String == "unauthorized")
            #expect(!(refused.json["message"] as? String ?? "").isEmpty)
            #expect(!refused.text.contains(Self.oktaToken))
        }
        #expect(server.stop() == 0)
        #expect(!server.log.contains(Self.oktaToken) && !server.log.contains(Self.githubSecret))
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).count == 1)
    }

    @Test func anHMACSourceChecksTheSignatureOfTheRawBody() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let event = try Self.oktaEvent()
        let good = try server.post("/ingest/github", json: event, headers: ["X-Hub-Signature-256": Self.signature(event, Self.githubSecret)])
        #expect(good.status == 202, "\(good.text)")
        #expect((good.json["signals"] as? [Int])?.count == 1)

        let other = event.replacingOccurrences(of: "Jane.Doe", with: "John.Roe")
        let refusals = [
            [:],
            ["X-Hub-Signature-256": Self.signature(event, Self.githubSecret)],  // another body's signature
            ["X-Hub-Signature-256": Self.signature(other, "not-the-secret")],
            ["X-Hub-Signature-256": String(Self.signature(other, Self.githubSecret).dropFirst(7))],  // no prefix
        ]
        for headers in refusals {
            let refused = try server.post("/ingest/github", json: other, headers: headers)
            #expect(refused.status == 401, "\(headers)")
            #expect(refused.json["error"] as? String == "unauthorized")
        }
        #expect(server.stop() == 0)
        // Refused, unauthenticated bodies are not kept anywhere.
        #expect(jsonLines(try taser(["--db", db, "quarantine", "list", "--json"]).stdout).isEmpty)
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).count == 1)
    }

    @Test func badInputIsRefusedWithAJSONErrorAndQuarantined() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let auth = ["Authorization": "Bearer \(Self.oktaToken)"]

        let malformed = try server.post("/ingest/okta", json: "{\"eventType\": \"user.session.start\", ", headers: auth)
        #expect(malformed.status == 400)
        #expect(malformed.json["error"] as? String == "malformed_json")
        #expect(malformed.json["quarantined"] as? Int == 1)

        let form = try server.request(
            "POST", "/ingest/okta", headers: auth.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 },
            body: Array("a=1&b=2".utf8))
        #expect(form.status == 415)
        #expect(form.json["error"] as? String == "unsupported_media_type")

        let unknown = try server.post("/ingest/okta", json: "{\"hello\": \"world\"}", headers: auth)
        #expect(unknown.status == 422)
        #expect(unknown.json["error"] as? String == "unreadable_events")

        let big = "{\"pad\": \"" + String(repeating: "x", count: 8192) + "\"}"
        let oversize = try server.post("/ingest/okta", json: big, headers: auth)
        #expect(oversize.status == 413)
        #expect(oversize.json["error"] as? String == "body_too_large")

        // An unknown source is refused as a bad credential is: the answer names no source.
        let nowhere = try server.post("/ingest/nowhere", json: "{}", headers: auth)
        #expect(nowhere.status == 401)
        #expect(nowhere.json["error"] as? String == "unauthorized")

        let wrongFormat = try server.post("/ingest/okta?format=nosuch", json: try Self.oktaEvent(), headers: auth)
        #expect(wrongFormat.status == 400)
        #expect(wrongFormat.json["error"] as? String == "unknown_format")

        #expect(server.stop() == 0)
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).isEmpty)
        let held = jsonLines(try taser(["--db", db, "quarantine", "list", "--json"]).stdout)
        let reasons = held.compactMap { $0["reason"] as? String }
        #expect(held.count == 3, "\(reasons)")
        #expect(held.allSatisfy { $0["source"] as? String == "webhook:okta" })
        #expect(reasons.contains { $0.contains("not JSON") })
        #expect(reasons.contains { $0.contains("x-www-form-urlencoded") })
        #expect(reasons.contains { $0.contains("no format recognizes") })
        // The raw body is kept byte for byte, ready for `taser quarantine replay`.
        let malformedItem = try #require(held.first { ($0["reason"] as? String ?? "").contains("not JSON") })
        let raw = try taser(["--db", db, "quarantine", "show", "\(malformedItem["id"] as! Int)", "--raw"])
        #expect(raw.stdout == "{\"eventType\": \"user.session.start\", ")
    }

    @Test func enabledRulesRunOnWebhookInputAsOnCLIIngest() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        let rule = try taser(["--db", db, "rules", "add", "cb-twice", "--enable", "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON"])
        #expect(rule.status == 0, "\(rule.stderr)")
        let configPath = try scratch.write("serve.yaml", Self.config)
        let secrets = try scratch.write("secrets.yaml", "gh: \(Self.githubSecret)\n")
        let server = try ServeProcess(["--db", db, "--config", configPath, "--secrets", secrets], env: ["OKTA_HOOK": Self.oktaToken], in: scratch)
        let body = try fixture("carbonblack.json")
        let answer = try server.request(
            "POST", "/ingest/cbc", headers: ["Authorization": "Bearer \(Self.oktaToken)", "Content-Type": "application/json"],
            body: Array(body.utf8))
        // The fixture is larger than this server's 4 KiB limit.
        #expect(answer.status == 413)
        #expect(server.stop() == 0)

        let roomy = try ServeProcess(
            ["--db", db, "--config", try scratch.write("roomy.yaml", Self.config.replacingOccurrences(of: "4KiB", with: "1MiB")), "--secrets", secrets],
            env: ["OKTA_HOOK": Self.oktaToken], in: scratch)
        let stored = try roomy.request(
            "POST", "/ingest/cbc", headers: ["Authorization": "Bearer \(Self.oktaToken)", "Content-Type": "application/json"],
            body: Array(body.utf8))
        #expect(stored.status == 202, "\(stored.text)")
        #expect((stored.json["signals"] as? [Int])?.count == 4)
        #expect(roomy.stop() == 0)
        let alerts = jsonLines(try taser(["--db", db, "alert", "list", "--json"]).stdout)
        #expect(alerts.count == 1)
        #expect(alerts.first?["rule"] as? String == "cb-twice")
        let key = alerts.first?["group_key"] as? String ?? ""
        #expect(key.lowercased().contains("ws-jdoe-01"), "\(key)")
    }
}
