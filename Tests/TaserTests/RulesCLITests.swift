import Foundation
import Testing

/// `taser rules` and `taser simulate` on a demo database, as an analyst types them.
@Suite(.serialized) struct RulesCLITests {
    static let sigma = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SignalServerTests/Fixtures/sigma")

    func demo(_ dir: TempDir) throws -> String {
        let db = dir.file()
        let r = try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"])
        try #require(r.status == 0, "demo failed: \(r.stderr)")
        return db
    }

    func rules(_ db: String) throws -> String { try Taser.run(["--db", db, "rules", "list", "--json"]).stdout }

    @Test func theDemoRulesSimulateAndFindTheStories() throws {
        let dir = TempDir()
        let db = try demo(dir)
        let list = try Taser.run(["--db", db, "rules", "list"])
        #expect(list.stdout.contains("sso-new-location-then-duo-failures") && list.stdout.contains("ids-scan-one-port"))
        // The demo's alerts are the rules' own.
        let alerts = try Taser.run(["--db", db, "alert", "list", "--rule", "sso-new-location-then-duo-failures", "--json"])
        let liveCount = alerts.stdout.split(separator: "\n").count
        #expect(liveCount >= 1)
        let sim = try Taser.run(["--db", db, "simulate", "--rule", "sso-new-location-then-duo-failures", "--json"])
        #expect(sim.status == 0, "\(sim.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(sim.stdout.utf8)) as? [String: Any])
        #expect(report["alerts"] as? Int == liveCount)
        let text = try Taser.run(["--db", db, "simulate", "[ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON"])
        #expect(text.status == 0 && text.stdout.contains("per day") && text.stdout.contains("top group keys"))
    }

    @Test func addEditEnableAndCompareWithTheSavedVersion() throws {
        let dir = TempDir()
        let db = try demo(dir)
        let add = try Taser.run(["--db", db, "rules", "add", "cb-three", "[ (3 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON"])
        #expect(add.status == 0 && add.stdout.contains("version 1"), "\(add.stderr)")
        let edit = try Taser.run(["--db", db, "rules", "edit", "cb-three", "-"], stdin: "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON")
        #expect(edit.status == 0 && edit.stdout.contains("version 2"), "\(edit.stderr)")
        #expect(try Taser.run(["--db", db, "rules", "enable", "cb-three"]).status == 0)
        let history = try Taser.run(["--db", db, "rules", "history", "cb-three"])
        #expect(history.stdout.contains("created (version 1)") && history.stdout.contains("edited (version 2)") && history.stdout.contains("enabled"))
        let old = try Taser.run(["--db", db, "rules", "show", "cb-three", "--version", "1"])
        #expect(old.stdout.contains("(3 CarbonBlack alerts)"))
        let diff = try Taser.run([
            "--db", db, "simulate", "[ (3 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON",
            "--rule", "cb-three", "--against-saved", "--json",
        ])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        let removed = try #require(report["removed"] as? [Any])
        #expect(!removed.isEmpty, "three alerts a day are rarer than two")
        let check = try Taser.run(["--db", db, "rules", "check", "(2 failed Duo pushes WHERE factor = \"push\") IN 1h WITH user IN COMMON"])
        #expect(check.status == 0 && check.stdout.contains("duo.push.failed"))
    }

    @Test func badRulesSayWhereWithACaretAndSaveNothing() throws {
        let dir = TempDir()
        let db = try demo(dir)
        let before = try rules(db)
        let cases: [([String], String)] = [
            (["rules", "add", "x", "[ (1 SSO login from a new locaton) ] IN [ 4 Hours ]"], "1:6: no signal kind 'SSO login from a new locaton'; did you mean 'SSO login from a new location'"),
            (["rules", "add", "x", "(2 CarbonBlack alerts) IN 0 hours"], "the window must be longer than zero"),
            (["rules", "add", "x", "(0 CarbonBlack alerts) IN 1 hour"], "a count of at least 1"),
            (["rules", "add", "x", "(2 CarbonBlack alerts) IN 1 hour WITH hostnme IN COMMON"], "no field 'hostnme'"),
            (["rules", "add", "x", "(2 CarbonBlack alerts IN 1 hour"], "expected ')'"),
            (["rules", "edit", "sso-new-location-then-duo-failures", "(2 failed Duo pushes) IN"], "expected a span of time"),
            (["simulate", "(2 CarbonBlack alerts) WITHIN 1h"], "expected IN"),
        ]
        for (args, says) in cases {
            let r = try Taser.run(["--db", db] + args)
            #expect(r.status == 1, "\(args)")
            let lines = r.stderrLines
            #expect(lines.first.map { $0.hasPrefix("taser: ") && $0.contains(says) } == true, "\(args): \(r.stderr)")
            // The rule's line and a caret under the problem.
            #expect(lines.count == 3 && lines.last!.trimmingCharacters(in: .whitespaces) == "^", "\(args): \(r.stderr)")
        }
        let badName = try Taser.run(["--db", db, "rules", "add", "Bad Name", "(2 CarbonBlack alerts) IN 1h"])
        #expect(badName.status == 1 && badName.stderrLines.count == 1 && badName.stderr.contains("cannot name a rule"))
        let unknown = try Taser.run(["--db", db, "rules", "enable", "sso-new-locaton"])
        #expect(unknown.status == 1 && unknown.stderr.contains("rules near it: sso-new-location-then-duo-failures"))
        #expect(try rules(db) == before)
        // An empty range says so.
        let empty = try Taser.run(["--db", db, "simulate", "(2 CarbonBlack alerts) IN 1h", "--since", "2001-01-01", "--until", "2001-01-02"])
        #expect(empty.status == 0 && empty.stderr.contains("nothing to simulate"))
    }

    @Test func sigmaImportSavesWhatItCanAndNamesTheRest() throws {
        let dir = TempDir()
        let db = try demo(dir)
        let ok = try Taser.run(["--db", db, "rules", "import", Self.sigma.appendingPathComponent("rules").path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("saved"))
        let again = try Taser.run(["--db", db, "rules", "import", Self.sigma.appendingPathComponent("rules").path])
        #expect(again.status == 0 && again.stdout.contains("unchanged") && !again.stdout.contains("saved "))
        let bad = try Taser.run(["--db", db, "rules", "import", Self.sigma.appendingPathComponent("not_yaml.yml").path,
                                 Self.sigma.appendingPathComponent("unsupported.yml").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("not imported: ") && bad.stderr.contains("not_yaml.yml"))
        let missing = try Taser.run(["--db", db, "rules", "import", "/no/such/rules"])
        #expect(missing.status == 1 && missing.stderr.contains("no file or directory /no/such/rules"))
    }

    /// A Sigma mapping's logsources may name a kind an ingest mapping file defines (in the
    /// config's `mappings/`), as rules and `--kind` may.
    @Test func sigmaMappingMayNameAnIngestMappingFilesKind() throws {
        let config = TempDir()
        try FileManager.default.createDirectory(atPath: config.path + "/taser/mappings", withIntermediateDirectories: true)
        try """
            name: acme-edr
            match: { has: [detection_id, endpoint], equals: { product: Acme EDR } }
            kind: { name: acme.detection, display: Acme EDR detection }
            time: { field: detected_at, format: epoch_ms }
            id: detection_id
            title: "{rule.name} on {endpoint.hostname}"
            fields: { host.name: endpoint.hostname, rule.name: rule.name }
            """.write(toFile: config.path + "/taser/mappings/acme.yaml", atomically: true, encoding: .utf8)
        try "logsources:\n  - product: acme\n    kinds: [acme.detection]\n".write(toFile: config.file("sigma-map.yaml"), atomically: true, encoding: .utf8)
        try "title: Acme Mimikatz\nlogsource:\n    product: acme\ndetection:\n    selection:\n        rule.name: Mimikatz\n    condition: selection\n"
            .write(toFile: config.file("acme_rule.yml"), atomically: true, encoding: .utf8)
        let dir = TempDir()
        let env = ["XDG_CONFIG_HOME": config.path]
        let r = try Taser.run(["--db", dir.file(), "rules", "import", "--mapping", config.file("sigma-map.yaml"), config.file("acme_rule.yml")], env: env)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("saved acme-mimikatz"), "\(r.stdout)")
    }

    @Test func enabledRulesRunOnEveryIngest() throws {
        let dir = TempDir()
        let db = dir.file()
        let add = try Taser.run(["--db", db, "rules", "add", "cb-repeat", "--enable", "(2 CarbonBlack alerts) IN 24 hours WITH hostname IN COMMON SEVERITY high"])
        #expect(add.status == 0, "\(add.stderr)")
        func cb(_ id: String, _ time: String) -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(time)","first_event_timestamp":"\#(time)","severity":5,"reason":"r","device_name":"LT-CLI01","device_id":1,"org_key":"O"}"#
        }
        let first = try Taser.run(["--db", db, "ingest", "-"], stdin: cb("a", "2026-11-20T12:00:00Z") + "\n")
        #expect(first.status == 0 && !first.stdout.contains("Rules:"), "\(first.stdout)")
        let second = try Taser.run(["--db", db, "ingest", "-", "--json"], stdin: cb("b", "2026-11-20T15:00:00Z") + "\n" + cb("c", "2026-11-20T16:00:00Z") + "\n")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(summary["alerts_created"] as? Int == 1 && summary["alerts_updated"] as? Int == 0)
        let alerts = try Taser.run(["--db", db, "alert", "list"])
        // One machine is one key however tools spell it: its short name, folded.
        #expect(alerts.stdout.contains("host.name=lt-cli01") && alerts.stdout.contains("high"), "\(alerts.stdout)")
        let late = try Taser.run(["--db", db, "ingest", "-", "--lateness", "2h"], stdin: cb("d", "2026-11-19T12:00:00Z") + "\n")
        #expect(late.status == 0 && late.stdout.contains("1 signal came more than 2h late"), "\(late.stdout)")
        let bad = try Taser.run(["--db", db, "ingest", "-", "--lateness", "soon"], stdin: "")
        #expect(bad.status == 1 && bad.stderr.contains("invalid --lateness: 'soon' is not a span"))
    }
}
