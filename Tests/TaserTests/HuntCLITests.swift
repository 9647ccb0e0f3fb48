import Foundation
import Testing

/// `taser hunt` as an analyst runs it: public EVTX samples through SigmaHQ rules (the
/// regression data's rules and a sample of rules/windows), a timeline on the terminal, as CSV
/// and as JSON lines, kept in a database with --db; bad input says what and where.
@Suite struct HuntCLITests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let evtx = tests.appendingPathComponent("AlertEngineTests/Fixtures/evtx").path
    static let rules = tests.appendingPathComponent("SignalServerTests/Fixtures/sigma/sigmahq").path
    static let regression = tests.appendingPathComponent("EngineTests/SigmaRegression").path

    @Test func aTimelineOfWhatTheRulesFound() throws {
        let result = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("TIME (UTC)") == true)
        // Procmon opened lsass twice in the sample, and Sysmon's configuration was changed.
        #expect(lines.filter { $0.contains("Potential Credential Dumping Activity Via LSASS") && $0.contains("DESKTOP-2KGM189") }.count == 2)
        #expect(lines.filter { $0.contains("Sysmon Configuration Update") }.count == 2)
        // In time order.
        let times = lines.dropFirst().map { String($0.prefix(24)) }
        #expect(times == times.sorted())
        #expect(result.stderr.contains("1 file, 358 records, 358 events"))
        #expect(!result.stderr.contains("not read"))
    }

    @Test func oneThreadOrManyGiveTheSameTimeline() throws {
        let files = [Self.evtx + "/sysmon.evtx.gz", Self.evtx + "/security.evtx.gz"]
        let one = try Taser.run(["hunt"] + files + ["--sigma", Self.rules, "--json", "--threads", "1"])
        let four = try Taser.run(["hunt"] + files + ["--sigma", Self.rules, "--json", "--threads", "4"])
        #expect(one.status == 0 && four.status == 0, "\(one.stderr) \(four.stderr)")
        #expect(one.stdout.split(separator: "\n").count > 10)
        #expect(four.stdout == one.stdout)
    }

    @Test func csvAndJSONCarryTheSameDetections() throws {
        let csv = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--csv"])
        let json = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--json"])
        #expect(csv.status == 0 && json.status == 0, "\(csv.stderr) \(json.stderr)")
        let rows = csv.stdout.split(separator: "\n")
        #expect(rows.first == "time,level,rule,title,tags,host,user,kind,event,file")
        let objects = try json.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(objects.count == rows.count - 1 && objects.count > 0)
        let update = try #require(objects.first { ($0["title"] as? String) == "Sysmon Configuration Update" })
        let fields = try #require(update["fields"] as? [String: Any])
        #expect((fields["Image"] as? String)?.lowercased().hasSuffix("\\sysmon64.exe") == true)
        #expect(update["kind"] as? String == "windows.process_creation")
        #expect(update["host"] as? String == "DESKTOP-2KGM189")
    }

    @Test func levelKeepsTheSeriousOnes() throws {
        let all = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--csv"])
        let high = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--csv", "--level", "high"])
        #expect(all.status == 0 && high.status == 0)
        let levels = high.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(levels.allSatisfy { $0 == "high" || $0 == "critical" })
        #expect(levels.count < all.stdout.split(separator: "\n").count - 1)
    }

    @Test func dbKeepsTheEventsTheRulesAndTheAlerts() throws {
        let dir = TempDir()
        let db = dir.file("case.db")
        let result = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("kept in \(db): 358 new events"))
        let signals = try Taser.run(["signals", "--db", db, "--kind", "windows.process_creation", "--limit", "1000"])
        #expect(signals.status == 0, "\(signals.stderr)")
        let alerts = try Taser.run(["alert", "list", "--db", db])
        #expect(alerts.status == 0, "\(alerts.stderr)")
        #expect(alerts.stdout.contains("Potential Credential Dumping Activity Via LSASS"), "\(alerts.stdout)")
        // Again: nothing new, no second set of alerts.
        let again = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--db", db])
        #expect(again.stderr.contains("kept in \(db): 0 new events") && again.stderr.contains(", 0 alerts"), "\(again.stderr)")
    }

    /// Sysmon for Linux in syslog: SigmaHQ's Linux file-deletion rule finds the shred, and its
    /// wget-from-/tmp rule does not take a wget run from /root.
    @Test func linuxRulesRunOverSysmonForLinux() throws {
        let log = Self.tests.appendingPathComponent("AlertEngineTests/Fixtures/sysmon-linux.log").path
        let result = try Taser.run(["hunt", log, "--sigma", Self.rules, "--csv"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1 && rows.first?.contains("File Deletion") == true && rows.first?.contains("shred") == true, "\(rows)")
    }

    @Test func badInputSaysWhatAndWhere() throws {
        let missing = try Taser.run(["hunt", "/nonexistent/Security.evtx", "--sigma", Self.rules])
        #expect(missing.status != 0 && missing.stderr.contains("no file or folder /nonexistent/Security.evtx"))
        let noRules = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz"])
        #expect(noRules.status != 0 && noRules.stderr.contains("--sigma"))
        let level = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--level", "severe"])
        #expect(level.status != 0 && level.stderr.contains("not a level"))
        let both = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--csv", "--json"])
        #expect(both.status != 0 && both.stderr.contains("give one"))
        let threads = try Taser.run(["hunt", Self.evtx + "/sysmon.evtx.gz", "--sigma", Self.rules, "--threads", "0"])
        #expect(threads.status != 0 && threads.stderr.contains("'0' is not a whole number from 1 to 256"), "\(threads.stderr)")
        // Not a log: said in the summary, the run goes on.
        let dir = TempDir()
        try Data("not a log at all\n\u{0}\u{1}".utf8).write(to: URL(fileURLWithPath: dir.file("junk.bin")))
        let junk = try Taser.run(["hunt", dir.file("junk.bin"), Self.evtx + "/new-user-security.evtx", "--sigma", Self.rules])
        #expect(junk.status == 0, "\(junk.stderr)")
        #expect(junk.stderr.contains("records not read"))
    }

    /// Logs only a mapping file reads are hunted as ingest reads them: the file named with
    /// --format-mapping or kept in ~/.config/taser/mappings, and --db keeps them the same way.
    @Test func mappingFilesReadWhatIngestWouldRead() throws {
        let dir = TempDir()
        let config = dir.file("config")
        try FileManager.default.createDirectory(atPath: config + "/taser/mappings", withIntermediateDirectories: true)
        let env = ["XDG_CONFIG_HOME": config]
        let mapping = """
            name: acme-edr
            match: { has: [proc, host] }
            kind: windows.process_creation
            time: { field: at }
            fields: { Image: proc.path, CommandLine: proc.cmd, host.name: host }
            """
        try Data(mapping.utf8).write(to: URL(fileURLWithPath: dir.file("acme.yaml")))
        let rule = """
            title: Acme Evil Tool Started
            id: 0b5e0f0e-0000-4000-8000-000000000001
            status: test
            logsource: { product: windows, category: process_creation }
            detection:
              selection: { Image|endswith: '\\evil.exe' }
              condition: selection
            level: high
            """
        try FileManager.default.createDirectory(atPath: dir.file("rules"), withIntermediateDirectories: true)
        try Data(rule.utf8).write(to: URL(fileURLWithPath: dir.file("rules/evil.yml")))
        let log = """
            {"proc": {"path": "C:\\\\Tools\\\\evil.exe", "cmd": "evil.exe -x"}, "host": "WS-1", "at": "2026-11-30T10:00:00Z"}
            {"proc": {"path": "C:\\\\Windows\\\\notepad.exe", "cmd": "notepad"}, "host": "WS-1", "at": "2026-11-30T10:01:00Z"}

            """
        try Data(log.utf8).write(to: URL(fileURLWithPath: dir.file("acme.json")))
        let hunt = ["hunt", dir.file("acme.json"), "--sigma", dir.file("rules"), "--csv"]

        let without = try Taser.run(hunt, env: env)
        #expect(without.status == 0, "\(without.stderr)")
        #expect(without.stdout.split(separator: "\n").count == 1 && without.stderr.contains("2 records not read"), "\(without.stderr)")

        let named = try Taser.run(hunt + ["--format-mapping", dir.file("acme.yaml")], env: env)
        #expect(named.status == 0, "\(named.stderr)")
        let rows = named.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 1 && rows.first?.contains("Acme Evil Tool Started") == true && rows.first?.contains("WS-1") == true, "\(named.stdout)")
        #expect(named.stderr.contains("2 records, 2 events"), "\(named.stderr)")

        try FileManager.default.copyItem(atPath: dir.file("acme.yaml"), toPath: config + "/taser/mappings/acme.yaml")
        let kept = try Taser.run(hunt + ["--db", dir.file("hunt.db")], env: env)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains("Acme Evil Tool Started"), "\(kept.stdout)")
        #expect(kept.stderr.contains("kept in \(dir.file("hunt.db")): 2 new events"), "\(kept.stderr)")

        try Data("name: broken\nmatch: [\n".utf8).write(to: URL(fileURLWithPath: dir.file("broken.yaml")))
        let broken = try Taser.run(hunt + ["--format-mapping", dir.file("broken.yaml")], env: env)
        #expect(broken.status != 0 && broken.stderr.contains("mapping \(dir.file("broken.yaml"))"), "\(broken.stderr)")
    }

    @Test func benchHuntReportsItsFigures() throws {
        let result = try Taser.run(["bench", "hunt", "--events", "3000", "--sigma", Self.regression + "/rules", "--evtx", Self.evtx + "/Security_short_selected.evtx", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        let figures = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(figures["events"] as? Int == 3000)
        #expect((figures["rules"] as? Int ?? 0) > 150)
        for key in ["floor_events_per_s", "hunt_events_per_s", "matching_events_per_s", "unfiltered_matching_events_per_s", "evtx_records_per_s",
                    "evtx_hunt_records_per_s", "evtx_hunt_ratio_to_parse"] {
            #expect((figures[key] as? Double ?? 0) > 0, "\(key)")
        }
        #expect(figures["prefilter_agrees"] as? Bool == true)
        #expect(figures["evtx_records"] as? Int == 7)
        #expect((figures["rules_load_s"] as? Double ?? 0) > 0)
        // On a machine of several cores, the hunt as `taser hunt` runs it, on all of them.
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect((figures["hunt_all_cores_events_per_s"] as? Double ?? 0) > 0)
            #expect(figures["all_cores_detections_agree"] as? Bool == true)
        }
    }
}
