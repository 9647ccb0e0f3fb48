import Foundation
import Testing

/// The REST API as analysts: each API key acts as its analyst through the same access checks as
/// the CLI; health, the OpenAPI document, and a clean stop on SIGTERM.
@Suite struct APIHTTPTests {
    static let anaKey = "ana-key-0123456789abcdef"
    static let danaKey = "dana-key-fedcba9876543210"

    /// Teams soc (ana) and ir (dana), a case of each, a note on ana's; a server with both keys.
    static func start(_ scratch: Scratch) throws -> (ServeProcess, String) {
        let db = scratch.file("t.db")
        for args in [
            ["team", "add", "soc"], ["team", "add", "ir"],
            ["analyst", "add", "ana", "--team", "soc"], ["analyst", "add", "dana", "--team", "ir"],
            ["--as", "ana", "case", "new", "--title", "Soc case"],
            ["--as", "ana", "case", "note", "1", "first note"],
            ["--as", "dana", "case", "new", "--title", "IR case"],
        ] {
            let r = try taser(["--db", db] + args)
            try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
        }
        try #require(taser(["--db", db, "ingest", fixtures.appendingPathComponent("okta.json").path]).status == 0)
        let config = try scratch.write("serve.yaml", """
            api_keys:
              - { key: "${env:ANA_KEY}", analyst: ana }
              - { key: "${secret:dana_key}", analyst: dana }
            """)
        let secrets = try scratch.write("secrets.yaml", "dana_key: \(danaKey)\n")
        let server = try ServeProcess(["--db", db, "--config", config, "--secrets", secrets], env: ["ANA_KEY": anaKey], in: scratch)
        return (server, db)
    }

    @Test func anAnalystSeesWhatTheCLIShowsThemAndNothingMore() throws {
        let scratch = Scratch()
        let (server, db) = try Self.start(scratch)
        let cases = try server.get("/api/cases", key: Self.anaKey)
        #expect(cases.status == 200)
        let listed = (cases.json["cases"] as? [[String: Any]] ?? []).map { $0["title"] as? String }
        #expect(listed == ["Soc case"])
        #expect((try server.get("/api/cases", key: Self.danaKey).json["cases"] as? [[String: Any]])?.map { $0["title"] as? String } == ["IR case"])

        let own = try server.get("/api/cases/1", key: Self.anaKey)
        #expect(own.status == 200)
        #expect((own.json["case"] as? [String: Any])?["title"] as? String == "Soc case")

        // Another team's case and a case that does not exist: the same answer but for the number.
        let other = try server.get("/api/cases/2", key: Self.anaKey)
        let missing = try server.get("/api/cases/2000", key: Self.anaKey)
        #expect(other.status == 404 && missing.status == 404)
        #expect(other.json["error"] as? String == "case_not_found")
        #expect((other.json["message"] as? String)?.replacingOccurrences(of: "2", with: "N")
                == (missing.json["message"] as? String)?.replacingOccurrences(of: "2000", with: "N"))
        #expect(try server.get("/api/cases/2/log", key: Self.anaKey).status == 404)

        let note = try server.request(
            "POST", "/api/cases/1/log", headers: ["Authorization": "Bearer \(Self.anaKey)", "Content-Type": "application/json"],
            body: Array(#"{"body": "seen from the API"}"#.utf8))
        #expect(note.status == 201, "\(note.text)")
        #expect(note.json["author"] as? String == "ana")
        let log = try server.get("/api/cases/1/log", key: Self.anaKey)
        #expect((log.json["log"] as? [[String: Any]] ?? []).contains { $0["body"] as? String == "seen from the API" })
        let foreign = try server.request(
            "POST", "/api/cases/2/log", headers: ["Authorization": "Bearer \(Self.anaKey)", "Content-Type": "text/plain"],
            body: Array("not mine".utf8))
        #expect(foreign.status == 404)

        for key in [nil, "not-a-key-000000000000"] {
            let refused = try server.get("/api/cases", key: key)
            #expect(refused.status == 401)
            #expect(refused.json["error"] as? String == "unauthorized")
        }
        #expect(server.stop() == 0)
        // The note went through the engine: in the CLI's view of the log, and the chain holds.
        #expect(try taser(["--db", db, "case", "show", "1"]).stdout.contains("seen from the API"))
        #expect(try taser(["--db", db, "verify"]).status == 0)
        #expect(!(try taser(["--db", db, "case", "show", "2"]).stdout.contains("not mine")))
    }

    @Test func signalsAlertsArtifactsRulesQueriesAndTheSimulator() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        let signals = try server.get("/api/signals?source=okta&limit=2", key: Self.danaKey)
        #expect(signals.status == 200)
        let items = signals.json["signals"] as? [[String: Any]] ?? []
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0["source"] as? String == "okta" && $0["artifacts"] is [Any] })
        #expect(try server.get("/api/signals?since=yesterday", key: Self.danaKey).status == 400)

        let artifacts = try server.get("/api/artifacts?type=user", key: Self.anaKey)
        #expect(artifacts.status == 200)
        #expect((artifacts.json["artifacts"] as? [[String: Any]] ?? []).contains { $0["value"] as? String == "jane.doe@example.com" })

        #expect(try server.get("/api/alerts", key: Self.anaKey).json["alerts"] is [Any])
        #expect(try server.get("/api/alerts/7", key: Self.anaKey).status == 404)
        #expect(try server.get("/api/rules", key: Self.anaKey).json["rules"] is [Any])

        let query = try server.get("/api/query/IP_TO_HOSTNAME/10.1.2.3", key: Self.anaKey)
        #expect(query.status == 200, "\(query.text)")
        #expect(query.json["query"] as? String == "IP_TO_HOSTNAME")
        let badQuery = try server.get("/api/query/NO_SUCH_QUERY/x", key: Self.anaKey)
        #expect(badQuery.status == 404)
        #expect(badQuery.json["error"] as? String == "unknown_query")

        let simulate = try server.request(
            "POST", "/api/simulate", headers: ["Authorization": "Bearer \(Self.anaKey)", "Content-Type": "text/plain"],
            body: Array("[ (1 SSO login from a new location) ] IN [ 1 Hour ] WITH [ username ] IN COMMON".utf8))
        #expect(simulate.status == 200, "\(simulate.text)")
        #expect((simulate.json["signals_read"] as? Int ?? 0) > 0)
        #expect((simulate.json["alerts"] as? Int ?? 0) > 0)
        let broken = try server.request(
            "POST", "/api/simulate", headers: ["Authorization": "Bearer \(Self.anaKey)", "Content-Type": "application/json"],
            body: Array(#"{"rule": "[ (2 Carbon Blak alerts) ] IN [ 1 Hour ] WITH [ hostname ] IN COMMON"}"#.utf8))
        #expect(broken.status == 400)
        #expect(broken.json["error"] as? String == "invalid_rule")
        #expect(server.stop() == 0)
    }

    @Test func healthTheOpenAPIDocumentAndACleanStop() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        let health = try server.get("/health")
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ok" && health.json["db"] as? String == "ok")

        let doc = try server.get("/openapi.yaml")
        #expect(doc.status == 200)
        #expect(doc.headers["content-type"]?.hasPrefix("application/yaml") == true)
        #expect(doc.text.hasPrefix("openapi: 3"))
        for path in ["/ingest/{source}:", "/api/signals:", "/api/alerts/{id}:", "/api/cases/{id}/log:", "/api/query/{name}/{value}:",
                     "/api/simulate:", "/api/v1/alert:", "/api/alert:", "/health:", "/slack/interactions:", "/slack/events:"] {
            #expect(doc.text.contains("  \(path)\n"), "openapi.yaml lacks \(path)")
        }
        #expect(server.stop(SIGTERM) == 0)
        #expect(!server.log.contains(Self.anaKey) && !server.log.contains(Self.danaKey))
    }

    @Test func sigintStopsItCleanlyToo() throws {
        let scratch = Scratch()
        let (server, _) = try Self.start(scratch)
        #expect(try server.get("/health").status == 200)
        #expect(server.stop(SIGINT) == 0)
    }

    @Test func aBadConfigIsOneLineThatSaysWhatToDo() throws {
        let scratch = Scratch()
        let db = scratch.file("t.db")
        let cases: [(String, String)] = [
            ("sources:\n  okta: { token: literal-token-in-the-file }\n", "must name a secret"),
            ("sources:\n  okta: { format: okta }\n", "needs token or hmac"),
            ("sources:\n  okta: { token: \"${env:TASER_TEST_UNSET_VARIABLE}\" }\n", "TASER_TEST_UNSET_VARIABLE"),
            ("api_keys:\n  - { key: \"${env:HOME}\", analyst: nobody }\n", "not an analyst"),
            ("listen: 8080\nport: 1\n", "unknown key 'port'"),
        ]
        for (text, expected) in cases {
            let config = try scratch.write("bad.yaml", text)
            let r = try taser(["serve", "--db", db, "--config", config, "--listen", "127.0.0.1:0"])
            #expect(r.status != 0)
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(r.stderr.contains(expected), "\(r.stderr)")
        }
        let r = try taser(["serve", "--db", db, "--config", scratch.file("missing.yaml")])
        #expect(r.status != 0 && r.stderr.contains("cannot read"))
    }
}

/// `taser bench serve` end to end on a small volume: its figures and its keys, never its times.
@Suite struct BenchServeTests {
    @Test func benchServeReportsRateLatencyAndLoss() throws {
        let scratch = Scratch()
        let r = try taser(["bench", "serve", "--requests", "300", "--connections", "4", "--scratch", scratch.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let last = try #require(r.stdout.split(separator: "\n").last)
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(figures["bench"] as? String == "serve")
        #expect(figures["requests"] as? Int == 300)
        #expect(figures["lost"] as? Int == 0)
        #expect(figures["acknowledged"] as? Int == 500)
        for key in ["requests_per_s", "p99_ms", "baseline_signals_per_s", "ratio"] {
            #expect((figures[key] as? Double ?? 0) > 0, "\(key)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }
}
