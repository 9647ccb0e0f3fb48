import Foundation
import Testing

/// Issue 14's "done when": `:search host.name = "LT-BARCHECK"` shows that host's signals, in the
/// real binary under tmux on the 50,000-signal demo; Enter opens one, and the CLI's
/// `signals --where` lists the same ones.
@Suite(.timeLimit(.minutes(3))) struct ConsoleSearchE2ETests {
    @Test func searchAHostFromTheCommandLine() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "50000"]).status == 0)
        let cli = try Taser.run(["--db", db, "signals", "--where", #"host.name = "LT-BARCHECK""#, "--json", "--limit", "1000"])
        let ids = cli.stdout.split(separator: "\n").compactMap { line -> Int? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? Int
        }
        try #require(!ids.isEmpty, "the demo has signals of LT-BARCHECK: \(cli.stderr)")

        let tmux = try Tmux([Taser.binary, "--db", db], width: 160, height: 45)
        _ = try tmux.waitFor(text: "Queue")
        try tmux.type(":")
        _ = try tmux.waitFor("the command line") { $0.split(separator: "\n").last?.hasPrefix(":") == true }
        try tmux.type(#"search host.name = "LT-BARCHECK""#)
        try tmux.send(keys: ["Enter"])
        let screen = try tmux.waitFor("the search's rows") { s in
            s.split(separator: "\n").filter { $0.contains("(LT-BARCHECK)") }.count == min(ids.count, 35)
        }
        #expect(screen.contains("Search host.name = \"LT-BARCHECK\""))
        #expect(screen.contains("\(ids.count) signal"))
        // The newest first: the top row is the CLI's first signal.
        let firstRow = try #require(screen.split(separator: "\n").first { $0.contains("(LT-BARCHECK)") })
        #expect(firstRow.contains(" \(ids[0]) "), "\(firstRow)")

        try tmux.send(keys: ["Enter"])
        let signal = try tmux.waitFor(text: "Signal \(ids[0])")
        #expect(signal.contains("host.name = LT-BARCHECK"))
        try tmux.send(keys: ["Escape"])
        _ = try tmux.waitFor("back on the search") { !$0.contains("Signal \(ids[0])") && $0.contains("(LT-BARCHECK)") }
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
