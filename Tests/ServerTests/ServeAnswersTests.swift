import Foundation
import Testing

/// What serve answers beyond its endpoints' happy paths: percent-decoded path parameters, a
/// refusal that tells an unauthenticated caller nothing about the configuration, TheHive's error
/// shape for TheHive paths taser does not implement, and bad input to a handler that ends as an
/// answer while serve goes on.
@Suite struct ServeAnswersTests {
    static let oktaToken = "okta-token-0123456789abcdef"
    static let githubSecret = "gh-secret-fedcba9876543210"
    static let anaKey = "ana-key-0123456789abcdef"

    static func start(_ scratch: Scratch) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"], ["--as", "ana", "case", "new", "--title", "Soc case"]] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
        }
        let config = try scratch.write("serve.yaml", """
            api_keys:
              - { key: "${env:ANA_KEY}", analyst: ana }
            sources:
              okta: { token: "${env:OKTA_HOOK}" }
              github:
                hmac: { header: X-Hub-Signature-256, secret: "${env:GH_SECRET}", prefix: "sha256=" }
            """)
        let server = try ServeProcess(
            ["--db", db, "--config", config], env: ["OKTA_HOOK": oktaToken, "GH_SECRET": githubSecret, "ANA_KEY": anaKey], in: scratch)
        return (server, db)
    }

    static func oktaEvent() throws -> String {
        let events = try JSONSerialization.jsonObject(with: Data(try fixture("okta.json").utf8)) as! [Any]
        return String(decoding: try JSONSerialization.data(withJSONObject: events[0]), as: UTF8.self)
    }

    @Test func pathParametersArePercentDecoded() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let stored = try server.post("/ingest/%6fkta", json: try Self.oktaEvent(), headers: ["Authorization": "Bearer \(Self.oktaToken)"])
        #expect(stored.status == 202, "\(stored.text)")
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).first?["source"] as? String == "okta")

        let bad = try server.post("/ingest/ok%zzta", json: "{}", headers: ["Authorization": "Bearer \(Self.oktaToken)"])
        #expect(bad.status == 400)
        #expect(bad.json["error"] as? String == "invalid_path")
        #expect(try server.post("/ingest/okta%C3", json: "{}").json["error"] as? String == "invalid_path")

        let query = try server.get("/api/query/IP_TO_HOSTNAME/10.1.2.%33", key: Self.anaKey)
        #expect(query.status == 200, "\(query.text)")
        #expect(query.json["value"] as? String == "10.1.2.3", "\(query.text)")
        let email = try server.get("/api/query/USER_INFO/alice%40example.com", key: Self.anaKey)
        #expect(email.json["value"] as? String == "alice@example.com" || email.json["error"] as? String == "unknown_query", "\(email.text)")
        let one = try server.get("/api/cases/%31", key: Self.anaKey)
        #expect(one.status == 200, "\(one.text)")
        #expect(try server.get("/api/cases/%", key: Self.anaKey).json["error"] as? String == "invalid_path")
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
    }

    @Test func anUnknownSourceAndABadCredentialAreTheSameAnswer() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let event = try Self.oktaEvent()
        let answers = [
            try server.post("/ingest/nowhere", json: event, headers: ["Authorization": "Bearer \(Self.oktaToken)"]),
            try server.post("/ingest/nowhere", json: event),
            try server.post("/ingest/okta", json: event),
            try server.post("/ingest/okta", json: event, headers: ["Authorization": "Bearer wrong-token-0000000000"]),
            try server.post("/ingest/github", json: event),
            try server.post("/ingest/github", json: event, headers: ["X-Hub-Signature-256": "sha256=00"]),
        ]
        for a in answers {
            #expect(a.status == 401)
            #expect(a.text == answers[0].text, "\(a.text) vs \(answers[0].text)")
            for name in ["okta", "github", "nowhere", "serve.yaml:", Self.oktaToken, Self.githubSecret] {
                #expect(!a.text.contains(name), "the refusal names \(name): \(a.text)")
            }
        }
        #expect(answers[0].json["error"] as? String == "unauthorized")
        #expect(server.stop() == 0)
        // The operator is told what was wrong, without the secrets.
        #expect(server.log.contains("no such source"))
        #expect(server.log.contains("the bearer token is not this source's"))
        #expect(!server.log.contains(Self.oktaToken) && !server.log.contains(Self.githubSecret))
        #expect(jsonLines(try taser(["--db", db, "signals", "--json"]).stdout).isEmpty)
    }

    @Test func theHivePathsTaserDoesNotImplementSaySoInTheHivesShape() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        for (method, path) in [("DELETE", "/api/v1/case/~123"), ("POST", "/api/v1/case/~123/task"), ("POST", "/api/case"), ("GET", "/api/alert/42"), ("GET", "/api/v1/alert")] {
            let answer = try server.request(method, path, headers: ["Authorization": "Bearer \(Self.anaKey)"])
            #expect(answer.status == 404, "\(method) \(path)")
            #expect(answer.json["type"] as? String == "NotFound", "\(method) \(path): \(answer.text)")
            let message = answer.json["message"] as? String ?? ""
            #expect(message.contains("taser does not implement") && message.contains(path), "\(message)")
        }
        for path in ["/nope", "/api/nope", "/ingest"] {
            let answer = try server.get(path)
            #expect(answer.status == 404)
            #expect(answer.json["error"] as? String == "not_found", "\(path): \(answer.text)")
        }
        #expect(server.stop() == 0)
    }

    @Test func badNumbersInAnAPIRequestAreRefusedAndServeGoesOn() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        let headers = ["Authorization": "Bearer \(Self.anaKey)", "Content-Type": "application/json"]
        let rule = "[ (1 SSO login from a new location) ] IN [ 1 Hour ] WITH [ username ] IN COMMON"
        for body in [
            #"{"rule": "\#(rule)", "top": -1}"#,
            #"{"rule": "\#(rule)", "top": 99999999999}"#,
            #"{"rule": "\#(rule)", "since": "99999999999999999d"}"#,
            #"{"rule": "\#(rule)", "until": "9999999999999999999999s"}"#,
        ] {
            let answer = try server.request("POST", "/api/simulate", headers: headers, body: Array(body.utf8))
            #expect(answer.status == 400, "\(body): \(answer.text)")
            #expect(try server.get("/health").status == 200)
        }
        let since = try server.get("/api/signals?since=99999999999999999d", key: Self.anaKey)
        #expect(since.status == 400, "\(since.text)")
        #expect(try server.get("/api/signals?since=24h", key: Self.anaKey).status == 200)
        #expect(try server.get("/health").status == 200)
        #expect(server.stop() == 0, "\(server.log.suffix(2000))")
    }
}
