import Foundation
import Testing

/// Issue 12's reproducers: numbers, times and spans past what their use allows were traps
/// (exit 132). Each now ends in one clear line and a usage or failure code below 128, or in
/// quarantine with the reason, and leaves what is stored as it was.
@Suite struct HostileNumbersTests {
    /// Runs a command that must be refused cleanly: below 128 (no signal), one line on stderr.
    @discardableResult
    func refused(_ db: String, _ args: [String], mentions words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Taser.Result {
        let r = try Taser.run(["--db", db] + args)
        #expect(r.status != 0 && r.status < 128, "exit \(r.status) for \(args): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderrLines.count == 1 || r.stderr.contains("^"), "stderr for \(args): \(r.stderr)", sourceLocation: sourceLocation)
        for word in words { #expect(r.stderr.contains(word), "stderr for \(args): \(r.stderr)", sourceLocation: sourceLocation) }
        return r
    }

    @Test func durationsAndDatesOnTheCommandLine() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let before = try digest(db)
        try refused(db, ["signals", "--since", "99999999999999999d"], mentions: ["--since", "before 1970"])
        try refused(db, ["signals", "--until", "9999999999999999s"], mentions: ["--until", "before 1970"])
        try refused(db, ["signals", "--since", "2026-02-30"], mentions: ["--since", "not a real date"])
        try refused(db, ["signals", "--since", "2026-02-03T00:00:00+99:00"], mentions: ["not a real date"])
        try refused(db, ["export", "artifacts", "--since", "99999999999999999w"], mentions: ["--since"])
        try refused(db, ["ingest", "-", "--lateness", "99999999999999999d"], mentions: ["--lateness", "100 years"])
        try refused(db, ["ingest", "--watch", dir.path, "--every", "99999999999999999d"], mentions: ["--every"])
        try refused(db, ["case", "list", "--limit", "99999999999999999999"], mentions: ["--limit", "whole number"])
        try refused(db, ["simulate", "(2 CarbonBlack alerts) IN 1d", "--top", "9223372036854775807"], mentions: ["--top"])
        #expect(try digest(db) == before)
    }

    @Test func rulesWithWindowsOfAges() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let before = try digest(db)
        let huge = "[ (2 CarbonBlack alerts) ] IN [ 99999999999999999 days ] WITH [ hostname ] IN COMMON"
        let suppress = "[ (2 CarbonBlack alerts) ] IN [ 1 day ] WITH [ hostname ] IN COMMON SUPPRESS FOR 99999999999999999 days"
        let count = "[ (9223372036854775807 CarbonBlack alerts) ] IN [ 1 day ] WITH [ hostname ] IN COMMON"
        for rule in [huge, suppress] {
            let sim = try refused(db, ["simulate", rule], mentions: ["longer than 100 years"])
            #expect(sim.stderr.hasPrefix("taser: 1:"), "\(sim.stderr)")
            try refused(db, ["rules", "add", "huge", rule], mentions: ["longer than 100 years"])
            try refused(db, ["rules", "check", rule], mentions: ["longer than 100 years"])
        }
        try refused(db, ["simulate", count], mentions: ["not a count of signals"])
        #expect(try digest(db) == before)
    }

    @Test func demoSizesAndEnds() throws {
        let dir = TempDir()
        let db = dir.file("demo.db")
        try refused(db, ["demo", "--signals", "9223372036854775807"], mentions: ["--signals", "10000000"])
        try refused(db, ["demo", "--days", "99999999"], mentions: ["--days"])
        try refused(db, ["demo", "--end", "99999999999999999d"], mentions: ["--end"])
        try refused(db, ["demo", "--end", "9999-12-31"], mentions: ["--end", "9998"])
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// Vendor times from the issue: a year 999999999 email and a LEEF devTimeFormat that reads
    /// 19 digits. The record is quarantined with its reason; the run is not a crash.
    @Test func vendorTimesPastAnyCalendar() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let eml = dir.file("a.eml")
        try "From: a@b.example\nSubject: x\nDate: 3 Nov 999999999 10:00:00 +0000\n\nx\n".write(toFile: eml, atomically: true, encoding: .utf8)
        let leef = dir.file("l.log")
        try "LEEF:1.0|a|b|1|x|devTime=9999999999999999999\tdevTimeFormat=HHHHHHHHHHHHHHHHHHHm\n".write(toFile: leef, atomically: true, encoding: .utf8)
        for file in [eml, leef] {
            let r = try Taser.run(["--db", db, "ingest", file, "--json"])
            #expect(r.status == 1, "\(r.stderr)")
            #expect(r.stdout.contains("\"quarantined\":1"), "\(r.stdout)")
        }
        let list = try Taser.run(["--db", db, "quarantine", "list"])
        #expect(list.stdout.contains("Date is not an RFC 5322 date"), "\(list.stdout)")
        #expect(list.stdout.contains("does not match devTimeFormat"), "\(list.stdout)")
    }
}
