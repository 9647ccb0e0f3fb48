import Foundation
import Testing

/// `taser ingest` on a mixed file of every format, as the issue's "done when" says.
@Suite struct IngestCLITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AlertEngineTests/Fixtures")

    func fixture(_ name: String) throws -> String { try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8) }

    /// Every event of a JSON fixture as one line (arrays and envelopes become their elements).
    func lines(_ name: String) throws -> [String] {
        let text = try fixture(name)
        let data = Data(text.utf8)
        if let array = try? JSONSerialization.jsonObject(with: data) as? [Any] {
            return try array.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let records = object["Records"] as? [Any] {
                return try records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
            }
            return [String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)]
        }
        return text.split(separator: "\n").map(String.init)
    }

    @Test func aMixedFileOfEveryFormat() throws {
        let dir = TempDir()
        let db = dir.file()
        var mixed: [String] = []
        for name in ["okta.json", "duo.ndjson", "carbonblack.json", "suricata.ndjson", "cloudtrail.json", "guardduty.ndjson",
                     "falco.ndjson", "wazuh.ndjson", "splunk.ndjson"] {
            mixed += try lines(name)
        }
        mixed += try fixture("cef.log").split(separator: "\n").map(String.init)
        mixed += try fixture("leef.log").split(separator: "\n").map(String.init)
        mixed += ["{\"truncated\": ", "a line no format knows", "{\"eventType\":\"x\",\"actor\":{},\"published\":\"soon\"}"]
        mixed.shuffle()
        try (mixed.joined(separator: "\n") + "\n").write(toFile: dir.file("mixed.log"), atomically: true, encoding: .utf8)
        for name in ["phish.eml", "alerts.csv"] {
            try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: dir.file(name))
        }

        let r = try Taser.run(["--db", db, "ingest", "--json", dir.file("mixed.log"), dir.file("phish.eml"), dir.file("alerts.csv")])
        #expect(r.status != 0)
        // Three broken lines in the mixed file, and the CSV fixture's row with a bad time.
        #expect(r.stderrLines.count == 1 && r.stderr.contains("4 records quarantined"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(summary["quarantined"] as? Int == 4)
        let kinds = try #require(summary["kinds"] as? [String: Int])
        for kind in ["okta.sso.new_location", "duo.push.failed", "cbc.alert", "suricata.alert", "suricata.dns", "suricata.http",
                     "suricata.tls", "aws.cloudtrail", "aws.cloudtrail.console_login", "aws.guardduty.finding", "falco.alert",
                     "wazuh.alert", "splunk.alert", "cef.event", "leef.event", "email.message"] {
            #expect((kinds[kind] ?? 0) > 0, "no \(kind) in \(kinds)")
        }
        #expect(kinds.values.reduce(0, +) == summary["stored"] as? Int)

        // The kinds the rule examples name, with their artifacts.
        let duo = try Taser.run(["--db", db, "signals", "--kind", "failed Duo pushes", "--json"])
        let first = try #require(duo.stdout.split(separator: "\n").first)
        let signal = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let artifacts = (signal["artifacts"] as? [[String: Any]] ?? []).map { "\($0["role"]!) \($0["type"]!)" }
        #expect(artifacts.contains("user user") && artifacts.contains("src ip"))
        let ids = try Taser.run(["--db", db, "signals", "--kind", "IDS alerts", "--json"])
        #expect(ids.status == 0 && !ids.stdout.isEmpty)
        let emails = try Taser.run(["--db", db, "artifacts", "--type", "email", "--json"])
        #expect(emails.stdout.contains("billing@evil-invoices.example"))

        // --where searches the same signals: a field test, a kind, free text in raw bodies.
        let failedDuo = try Taser.run(["--db", db, "signals", "--where", "kind = \"failed Duo pushes\"", "--json", "--limit", "1000"])
        #expect(failedDuo.status == 0 && failedDuo.stdout.split(separator: "\n").count == kinds["duo.push.failed"])
        let phish = try Taser.run(["--db", db, "signals", "--where", "\"billing@evil-invoices.example\" AND kind = email.message"])
        #expect(phish.status == 0 && phish.stdout.contains("email.message"), "\(phish.stderr)")
        let some = try Taser.run(["--db", db, "signals", "--where", "source = okta", "--limit", "1"])
        #expect(some.stdout.split(separator: "\n").filter { $0.hasPrefix("[") }.count == 1)
        #expect(some.stderr.contains("signals match; the newest 1 are shown"))
        for (args, message) in [
            (["--where", "kind = nosuch"], "--where: 1:8: no signal kind 'nosuch'"),
            (["--where", "source = okta", "--kind", "sso"], "--where holds the whole search; put --kind in it"),
        ] {
            let bad = try Taser.run(["--db", db, "signals"] + args)
            #expect(bad.status != 0 && bad.stderr.contains(message), "\(bad.stderr)")
        }

        let quarantine = try Taser.run(["--db", db, "quarantine", "list", "--json"])
        let reasons = quarantine.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reason"] as? String
        }
        #expect(reasons.count == 4)
        #expect(reasons.contains { $0.contains("csv") && $0.contains("not a time") })
        #expect(reasons.contains { $0.contains("invalid JSON") })
        #expect(reasons.contains { $0.contains("no format recognizes") })
        #expect(reasons.contains { $0.contains("okta") && $0.contains("not a time") })

        // Again: everything is a duplicate, nothing new is quarantined.
        let again = try Taser.run(["--db", db, "ingest", "--json", dir.file("mixed.log"), dir.file("phish.eml"), dir.file("alerts.csv")])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(second["stored"] as? Int == 0)
        #expect(second["duplicates"] as? Int == summary["stored"] as? Int)
        #expect(try Taser.run(["--db", db, "quarantine", "list", "--json"]).stdout.split(separator: "\n").count == 4)
    }

    @Test func badIngestInputsFailClearly() throws {
        let dir = TempDir()
        let db = dir.file()
        for (args, message) in [
            (["ingest", dir.file("nope.json")], "no such file"),
            (["ingest", "--format", "xml", "-"], "no format 'xml'"),
            (["ingest"], "name what to ingest"),
            (["ingest", "--watch", dir.file("missing-dir")], "no such directory"),
            (["ingest", "--mapping", dir.file("missing.yaml"), "-"], "mapping"),
            (["ingest", "--poll", dir.file("missing.yaml")], "poll config"),
        ] {
            let r = try Taser.run(["--db", db] + args, stdin: "")
            #expect(r.status != 0, "\(args)")
            #expect(r.stderrLines.count == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    /// EVTX files dropped in a watched folder (plain, gzipped, one damaged on purpose): every
    /// readable record stored, the damaged file moved to failed/ with its reasons, and the
    /// same file dropped again only moved.
    @Test func aDropFolderOfEVTX() throws {
        let dir = TempDir()
        let drop = dir.path + "/drop"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let evtx = Self.fixtures.appendingPathComponent("evtx")
        let settled = Date().addingTimeInterval(-5)  // the folder takes files a second old
        for name in ["sysmon.evtx.gz", "new-user-security.evtx", "sample_with_a_bad_chunk_magic.evtx.gz"] {
            try FileManager.default.copyItem(atPath: evtx.appendingPathComponent(name).path, toPath: drop + "/" + name)
            try FileManager.default.setAttributes([.modificationDate: settled], ofItemAtPath: drop + "/" + name)
        }
        let first = try Taser.run(["--db", dir.file(), "ingest", "--watch", drop, "--once"])
        #expect(first.status != 0, "the damaged file's chunks were quarantined: \(first.stderr)")
        #expect(first.stdout.contains("Ingested: 632 stored"), "\(first.stdout)")
        #expect(first.stderr.contains("sysmon.evtx.gz: 358 stored"), "\(first.stderr)")
        #expect(first.stderr.contains("new-user-security.evtx: 4 stored"), "\(first.stderr)")
        #expect(first.stderr.contains("sample_with_a_bad_chunk_magic.evtx.gz: 270 stored"), "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: drop + "/done/sysmon.evtx.gz"))
        #expect(FileManager.default.fileExists(atPath: drop + "/done/new-user-security.evtx"))
        let reason = try String(contentsOfFile: drop + "/failed/sample_with_a_bad_chunk_magic.evtx.gz.reason", encoding: .utf8)
        #expect(reason.contains("no ElfChnk signature"), "\(reason)")

        try FileManager.default.copyItem(atPath: evtx.appendingPathComponent("sysmon.evtx.gz").path, toPath: drop + "/again.evtx.gz")
        try FileManager.default.setAttributes([.modificationDate: settled], ofItemAtPath: drop + "/again.evtx.gz")
        let again = try Taser.run(["--db", dir.file(), "ingest", "--watch", drop, "--once"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("again.evtx.gz: already ingested -> done/"), "\(again.stderr)")
        let count = try Taser.run(["--db", dir.file(), "signals", "--kind", "windows.process_creation", "--limit", "1000"])
        #expect(count.stdout.split(separator: "\n").count > 200, "\(count.stdout)")
    }

    @Test func aDropFolderOnce() throws {
        let dir = TempDir()
        let drop = dir.path + "/drop"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("okta.json").path, toPath: drop + "/okta.json")
        let r = try Taser.run(["--db", dir.file(), "ingest", "--watch", drop, "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 stored"))
        #expect(FileManager.default.fileExists(atPath: drop + "/done/okta.json"))
    }
}
