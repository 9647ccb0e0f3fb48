import Foundation
import Testing

/// `taser case channel` on bad input: one line that says what was wrong, a non-zero exit, and
/// nothing asked for.
@Suite struct CaseChannelCLITests {
    @Test func badInputIsOneLineAndAsksForNothing() throws {
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["case", "new", "--title", "Phishing invoice", "--team", "soc"]] {
            try #require(try Taser.run(["--db", db] + args).status == 0)
        }
        for (args, expected) in [
            (["case", "channel", "abc"], "abc"),
            (["case", "channel", "99999999999999999999"], "99999999999999999999"),
            (["case", "channel", "7"], "no case 7"),
            (["case", "channel", "1", "--endpoint", "slack; rm"], "is not a sync endpoint name"),
            (["case", "channel", "1", "--endpoint", String(repeating: "e", count: 65)], "is not a sync endpoint name"),
            (["case", "channel", "1", "--wait", "forever"], "--wait"),
            (["case", "channel", "1", "--wait", "2h"], "--wait"),
        ] {
            let r = try Taser.run(["--db", db] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(r.stderrLines.count <= 3, "\(args): \(r.stderr)")
        }
        let shown = try Taser.run(["--db", db, "case", "show", "1", "--json"])
        #expect(shown.stdout.contains(#""channels":[]"#), "\(shown.stdout)")
    }

    @Test func aRequestPrintsItselfAndWaitingWithoutSyncSaysWhatToRun() throws {
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["case", "new", "--title", "Phishing invoice", "--team", "soc"]] {
            try #require(try Taser.run(["--db", db] + args).status == 0)
        }
        let json = try Taser.run(["--db", db, "case", "channel", "1", "--json"])
        #expect(json.status == 0 && json.stdout.contains(#""number":1"#) && json.stdout.contains(#""slack_id":null"#), "\(json.stdout)")
        let waited = try Taser.run(["--db", db, "case", "channel", "1", "--wait", "1s"])
        #expect(waited.status != 0 && waited.stdout.contains("Slack channel 2 for case 1 requested"), "\(waited.stdout)")
        #expect(waited.stderr.contains("is not created after 1s") && waited.stderr.contains("taser sync status"), "\(waited.stderr)")
        let shown = try Taser.run(["--db", db, "case", "show", "1"])
        #expect(shown.stdout.contains("channel 2 requested") && shown.stdout.contains("not created yet"), "\(shown.stdout)")
    }
}
