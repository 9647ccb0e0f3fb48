import Foundation
import Testing

/// Completion in the rule editor under tmux, as the analyst meets it: a new rule, `[ (2 `, Tab
/// lists the stored kinds with their counts, Enter inserts one, and the rule saves.
@Suite(.timeLimit(.minutes(3))) struct RuleCompletionE2ETests {
    @Test func tabAfterACountOffersKindsWithCountsAndEnterInsertsOne() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        let demo = try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40)
        try tmux.waitFor(text: "sorted by time")
        try tmux.type("3")
        try tmux.waitFor(text: "rules ·")
        try tmux.type("a")
        try tmux.waitFor(text: "Name of the new rule:")
        try tmux.type("completed")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "Rule completed (new)")
        // Away with the example text the new rule starts with.
        try tmux.send(keys: Array(repeating: "BSpace", count: 80))
        try tmux.waitFor("an empty rule") { !$0.contains("CarbonBlack alerts) ]") }
        try tmux.type("[ (2 ")
        try tmux.send(keys: ["Tab"])
        var screen = try tmux.waitFor(text: "kinds: signals stored")
        // Display names, plural for a count of 2, with their counts, the most frequent first.
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = try #require(lines.firstIndex { $0.contains("kinds: signals stored") })
        let options = lines[(title + 1)...].prefix { !$0.contains("└") }
        #expect(options.count >= 5, "\(screen)")
        #expect(options.first?.contains("│ SSO logins ") == true, "\(screen)")
        #expect(options.allSatisfy { $0.range(of: #"│ [A-Za-z ]+ +[0-9][0-9,]* │"#, options: .regularExpression) != nil }, "\(options)")
        #expect(screen.contains("tab or enter inserts"), "\(screen)")
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor(text: "[ (2 SSO logins")
        #expect(!screen.contains("kinds: signals stored"), "\(screen)")
        try tmux.type(") ] IN [ 4 Hours ] WITH [ username ] IN COMMON")
        // Once the simulator has run on the finished text, nothing is marked stale.
        screen = try tmux.waitFor("the simulator's run on the rule") { $0.contains("IN COMMON") && !$0.contains("stale:") && $0.contains("alert") }
        try tmux.send(keys: ["C-s"])
        try tmux.waitFor(text: "saved as version 1")
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "rules ·")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        let shown = try Taser.run(["--db", db, "rules", "show", "completed"])
        #expect(shown.stdout.contains("[ (2 SSO logins) ] IN [ 4 Hours ] WITH [ username ] IN COMMON"), "\(shown.stdout)")
    }
}
