import Foundation
import Testing

/// The console for real, as the README's first command opens it: the binary under tmux on a
/// demo database, keys in, the screen out.
@Suite(.timeLimit(.minutes(2))) struct ConsoleE2ETests {
    func count(_ screen: String) -> String? {
        screen.range(of: #"\d+ alerts? from"#, options: .regularExpression).map { String(screen[$0]) }
    }

    @Test func triageFromTheQueueToACaseNoteThenTuneARule() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        let demo = try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 45)
        try tmux.waitFor(text: "sorted by time")

        // Filter the queue to one rule's new alerts.
        try tmux.type("/")
        try tmux.type("rule:repeated-carbonblack-alerts status:new")
        try tmux.send(keys: ["Enter"])
        var screen = try tmux.waitFor(text: "filter: rule:repeated-carbonblack-alerts status:new")
        #expect(screen.contains("Repeated Carbon Black alerts") && !screen.contains("Scanning one port"))

        // Promote the first to a case.
        try tmux.type("p")
        try tmux.waitFor(text: "Title of the new case (")
        try tmux.send(keys: ["C-u"])
        try tmux.type("EDR noise seen from tmux")
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor(text: "Queue › Case")
        #expect(screen.contains("EDR noise seen from tmux"))

        // A note, in the editor, then in the timeline.
        try tmux.type("a")
        try tmux.waitFor(text: "Note on case")
        try tmux.type("Blocked at the firewall.")
        try tmux.send(keys: ["C-s"])
        screen = try tmux.waitFor(text: "note: Blocked at the firewall.")
        #expect(screen.contains("note added"))

        // The rule editor: two CarbonBlack alerts become three, and the count changes.
        try tmux.type("3")
        try tmux.waitFor(text: "repeated-carbonblack-alerts")
        try tmux.type("j")
        try tmux.type("e")
        screen = try tmux.waitFor(text: "Simulator")
        let before = try #require(count(screen))
        try tmux.send(keys: ["Up", "C-a", "Right", "Right", "Right", "DC"])
        try tmux.type("3")
        screen = try tmux.waitFor("the simulator's count to change") { s in self.count(s).map { $0 != before } ?? false }
        #expect(screen.contains("saved version"))

        // Leave the editor without saving (it asks, since the text changed), quit, and the
        // terminal is as it was.
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "without saving your changes?")
        try tmux.type("y")
        try tmux.waitFor(text: "edits with the simulator")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        #expect(tmux.restored)
    }

    @Test func withoutATerminalTaserListsTheCases() throws {
        let dir = TempDir()
        let db = dir.file()
        _ = try Taser.run(["--db", db, "team", "add", "soc"])
        let r = try Taser.run(["--db", db])
        #expect(r.status == 0 && r.stderr.contains("not a terminal"))
    }
}
