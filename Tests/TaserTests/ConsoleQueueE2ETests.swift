import Foundation
import Testing

/// Issue 14, "broken today" 1 and 2: the queue fills the terminal at start and after every
/// resize, and a new alert raised by another process comes into view at the top with no key.
@Suite(.timeLimit(.minutes(3))) struct ConsoleQueueE2ETests {
    func rows(_ screen: String) -> [Int] { Self.rows(screen) }

    /// The alert ids the queue's list shows, top first (the team-mode console test reads them too).
    static func rows(_ screen: String) -> [Int] {
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

/// The top row at the smallest size the console draws (40x10): the panes' path and who/which
/// database are each shortened whole and never run into each other (they used to: the database
/// path was cut from the left and drawn one cell after the path).
@Suite(.timeLimit(.minutes(2))) struct ConsoleHeaderE2ETests {
    static let crumbs = ["Queue", "Cases", "Rules"]

    /// The header's parts when the row is clean: a path of known pane titles (its first ones
    /// maybe dropped for `…`), then, at least two spaces after it, who in one of its whole forms.
    /// Nil, with the reason, when it is not.
    func header(_ row: String, db: String) -> (path: [String], who: String?, problem: String?) {
        guard row.hasPrefix(" "), !row.hasPrefix("  ") else { return ([], nil, "no one-cell margin: \(row)") }
        let parts = row.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard (1...2).contains(parts.count) else { return ([], nil, "\(parts.count) parts: \(row)") }
        let path = parts[0].components(separatedBy: " › ")
        for (i, crumb) in path.enumerated() {
            let known = Self.crumbs.contains(crumb) || (i == 0 && crumb == "…")
                || ["Alert ", "Case "].contains { crumb.hasPrefix($0) && Int(crumb.dropFirst($0.count)) != nil }
            if !known { return (path, nil, "'\(crumb)' is not a pane's title: \(row)") }
        }
        guard parts.count == 2 else { return (path, nil, nil) }
        let who = parts[1], file = (db as NSString).lastPathComponent
        let whole = who == file || [db, file].contains { name in
            who.hasSuffix(" · " + name) && !who.dropLast(name.count + 3).isEmpty && !who.dropLast(name.count + 3).contains(" ")
        }
        return (path, who, whole ? nil : "'\(who)' is not who and the database, whole: \(row)")
    }

    @Test func theHeaderStaysCleanAtFortyByTen() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file("header-demo.db")
        try #require(try Taser.run(["--db", db, "demo", "--signals", "2000"]).status == 0)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 120, height: 30)
        try tmux.waitFor(text: "sorted by time")
        try tmux.resize(width: 40, height: 10)
        func top(_ screen: String) -> String { String(screen.prefix { $0 != "\n" }) }
        // Deeper and deeper at 40x10: the queue, an alert, the cases, a case, the rules.
        let steps: [(key: String?, title: String)] = [(nil, "Queue"), ("Enter", "Alert "), ("2", "Cases"), ("Enter", "Case "), ("3", "Rules")]
        for (key, title) in steps {
            if let key { try tmux.send(keys: [key]) }
            let screen = try tmux.waitFor("\(title) in the header at 40x10") { top($0).contains(title) && $0.components(separatedBy: "\n").count == 10 }
            let row = top(screen)
            let (path, who, problem) = header(row, db: db)
            #expect(problem == nil, "\(problem ?? "")")
            #expect(path.last?.hasPrefix(title) == true, "\(row)")
            // Every character in it is one cell ("›", "·" and "…" too).
            #expect(row.count <= 40, "\(row)")
            if let who { #expect(!who.contains("/"), "the full path cannot fit beside the panes at 40: \(row)") }
        }
        // Back to a wide terminal: everything, whole.
        try tmux.resize(width: 120, height: 30)
        let screen = try tmux.waitFor("the wide header") { top($0).hasPrefix(" Queue › Alert") }
        let (path, who, problem) = header(top(screen), db: db)
        #expect(problem == nil && path.count == 5 && who?.hasSuffix(" · " + db) == true, "\(top(screen))")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
