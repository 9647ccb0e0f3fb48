import Foundation
import Testing

/// Issue 14, "broken today" 1 and 2: the queue fills the terminal at start and after every
/// resize, and a new alert raised by another process comes into view at the top with no key.
@Suite(.timeLimit(.minutes(3))) struct ConsoleQueueE2ETests {
    /// The alert ids the queue's list shows, top first.
    func rows(_ screen: String) -> [Int] {
        screen.split(separator: "\n").compactMap { line -> Int? in
            let words = line.prefix(40).split(separator: " ").filter { $0 != "*" }
            guard words.count >= 2, let id = Int(words[0]), ["info", "low", "medium", "high", "critical"].contains(String(words[1])) else { return nil }
            return id
        }
    }

    func alertCount(_ db: String) throws -> Int {
        try Taser.run(["--db", db, "alert", "list", "--json", "--limit", "100000"]).stdout.split(separator: "\n").count
    }

    @Test func theQueueFillsTheTerminalAtStartAndAfterAResize() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "50000"]).status == 0)
        let total = try alertCount(db)
        try #require(total > 20, "the demo should raise more alerts than the old 20-row window: \(total)")
        // 45 rows: the title, the column header, the status and hint bars, and 41 alerts.
        let expected = min(total, 41)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 160, height: 45)
        var screen = try tmux.waitFor("\(expected) alert rows") { self.rows($0).count == expected }
        #expect(Set(rows(screen)).count == expected)
        // The title column leads with what tells the rows apart: the group key's value.
        let edr = screen.split(separator: "\n").filter { $0.contains("Repeated Carbon Black") }
        #expect(!edr.isEmpty && edr.allSatisfy { $0.contains("lt-") && $0.contains(" · Repeated") }, "\(edr.prefix(3))")

        try tmux.resize(width: 40, height: 10)
        try tmux.waitFor("the small window") { !self.rows($0).isEmpty && self.rows($0).count < 10 }
        try tmux.resize(width: 160, height: 45)
        screen = try tmux.waitFor("\(expected) alert rows again") { self.rows($0).count == expected }
        #expect(Set(rows(screen)).count == expected)
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func aNewAlertAppearsAtTheTopWithNoKey() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"]).status == 0)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 45)
        let first = try tmux.waitFor("the queue") { !self.rows($0).isEmpty }
        let topBefore = try #require(rows(first).first)

        // Another shell: two Carbon Black alerts on a new host, now; the demo's rule raises one.
        let now = ISO8601DateFormatter().string(from: Date())
        func cb(_ id: String) -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(now)","first_event_timestamp":"\#(now)","severity":7,"reason":"r","device_name":"LT-NEWCOMER","device_id":77,"org_key":"O"}"#
        }
        let ingest = try Taser.run(["--db", db, "ingest", "-", "--json"], stdin: cb("e2e-1") + "\n" + cb("e2e-2") + "\n")
        try #require(ingest.status == 0 && ingest.stdout.contains(#""alerts_created":1"#), "\(ingest.stdout)\(ingest.stderr)")

        let screen = try tmux.waitFor("the new alert at the top", timeout: 5) { self.rows($0).first.map { $0 > topBefore } ?? false }
        let ids = rows(screen)
        #expect(ids.dropFirst().first == topBefore, "\(ids.prefix(3))")
        // The cursor stays on the alert it was on.
        #expect(screen.contains("Alert \(topBefore) "), "\(screen)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
