import Foundation
import Testing

/// The shipped benchmarks run end to end on a small volume and report their figures as the
/// README says. Times are not asserted (tests never do); counts and the keys are.
@Suite struct BenchCLITests {
    func lastJSON(_ result: Taser.Result) throws -> [String: Any] {
        let last = try #require(result.stdout.split(separator: "\n").last)
        return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    }

    @Test func ingestReportsItsRatesAndBothBaselines() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "ingest", "--events", "600", "--scratch", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try lastJSON(result)
        #expect(figures["events"] as? Int == 600 && figures["signals"] as? Int == 600 && figures["quarantined"] as? Int == 0)
        for key in ["signals_per_s", "floor_ratio", "store_ratio", "prepare_us_per_event", "store_us_per_event"] {
            #expect((figures[key] as? Double ?? 0) > 0, "\(key)")
        }
        #expect((figures["links"] as? Int ?? 0) >= 600)
        // Scratch files go unless --keep.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func keepLeavesTheEventsAndDatabases() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "ingest", "--events", "200", "--scratch", dir.path, "--keep"])
        #expect(result.status == 0, "\(result.stderr)")
        let kept = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path).first)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + kept)
        #expect(Set(["events.ndjson", "ingest.db", "floor.db", "store.db"]).isSubset(of: Set(files)))
        #expect(result.stdout.contains("kept"))
    }

    @Test func demoReportsItsRatio() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "demo", "--signals", "3000", "--scratch", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try lastJSON(result)
        #expect(figures["signals"] as? Int == 3000)
        #expect((figures["ratio"] as? Double ?? 0) > 0 && (figures["links"] as? Int ?? 0) > 0)
    }

    @Test func simulateReportsEachRuleAndWhetherTheSQLAgrees() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "simulate", "--signals", "20000", "--scratch", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try lastJSON(result)
        #expect((figures["signals_per_s"] as? Double ?? 0) > 0)
        let rules = try #require(figures["rules"] as? [[String: Any]])
        #expect(rules.map { $0["name"] as? String } == ["sso-new-location-then-duo", "repeated-carbonblack", "ids-scan-one-port", "broad"])
        for rule in rules {
            #expect(rule["keys_agree"] as? Bool == true, "\(rule)")
            for key in ["first_ms", "rerun_ms", "sql_ms", "speedup"] { #expect((rule[key] as? Double ?? 0) > 0, "\(key) of \(rule)") }
        }
    }

    @Test func consoleReportsFrameKeystrokeMemoryAndBytes() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "console", "--alerts", "5000", "--signals", "9000", "--runs", "3", "--scratch", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try lastJSON(result)
        for key in ["first_frame_ms", "keystroke_ms", "rss_mb", "search_field_p50_ms", "search_field_p99_ms", "search_field_sql_ms",
                    "search_text_p50_ms", "search_text_sql_ms", "search_keystroke_ms"] {
            #expect((figures[key] as? Double ?? 0) > 0, "\(key)")
        }
        // The searches find what the synthetic signals hold: host LT-42 is every 900th, proc42.exe every 5000th.
        #expect(figures["search_field_matches"] as? Int == 10 && figures["search_text_matches"] as? Int == 2, "\(figures)")
        #expect(result.stdout.contains("ratio"))
        let bytes = try #require(figures["move_bytes"] as? Int)
        #expect(bytes > 0 && bytes < 160 * 48, "a one-row move wrote \(bytes) bytes")
    }

    @Test func queryReportsTheRoutersOverhead() throws {
        let dir = TempDir()
        let result = try Taser.run(["bench", "query", "--queries", "200", "--scratch", dir.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let figures = try lastJSON(result)
        #expect(figures["queries"] as? Int == 200)
        #expect((figures["overhead_p99_ms"] as? Double ?? -1) >= 0 && (figures["queries_per_s"] as? Double ?? 0) > 0)
    }
}
