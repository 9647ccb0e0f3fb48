import Foundation
import Testing

/// The case view's Slack channels under tmux, as the analyst meets them: `C` asks (and asks
/// first), the request shows as waiting, Sync makes the channel (a stand-in Slack), the view
/// shows it within a second, and `f` switches the timeline to its folder.
@Suite(.timeLimit(.minutes(3))) struct CaseChannelConsoleE2ETests {
    @Test func aChannelAskedForInTheConsoleShowsOnceSyncMadeIt() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let remotes = try SyncCLITests.Remotes()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["case", "new", "--title", "Phishing invoice", "--team", "soc"]] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(r.stderr)")
        }
        let sync = dir.file("sync.yaml"), secrets = dir.file("secrets.yaml")
        try """
            endpoints:
              slack: { type: slack, url: "\(remotes.base)/slack/api", token: "${secret:slack_bot}", channel: "#soc", events: [slack.ask] }
            """.write(toFile: sync, atomically: true, encoding: .utf8)
        try "slack_bot: xoxb-slack-s3cret-2\n".write(toFile: secrets, atomically: true, encoding: .utf8)
        chmod(secrets, 0o600)

        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40)
        try tmux.waitFor(text: "sorted by time")
        try tmux.type("2")
        try tmux.waitFor(text: "view: open")
        try tmux.send(keys: ["Enter"])
        var screen = try tmux.waitFor(text: "C asks for a Slack channel")
        try tmux.type("C")
        screen = try tmux.waitFor(text: "Ask for Slack channel 1 for case 1?")
        try tmux.type("y")
        screen = try tmux.waitFor(text: "waiting for sync")
        #expect(screen.contains("Slack channels") && screen.contains("channel 1: asked for by"), "\(screen)")

        let delivered = try Taser.run(["--db", db, "sync", "run", "--once", "--config", sync, "--secrets", secrets])
        #expect(delivered.status == 0, "\(delivered.stderr)")
        // The view reloads when another process commits: no key needed.
        screen = try tmux.waitFor(text: "#case-1-phishing-invoice  C")
        #expect(screen.contains("asked for by"), "\(screen)")
        try tmux.type("f")
        screen = try tmux.waitFor(text: "Timeline folder of case 1")
        #expect(screen.contains("every entry") && screen.contains("#case-1-phishing-invoice") && screen.contains("taser's own"), "\(screen)")
        try tmux.type("2")
        screen = try tmux.waitFor(text: "Timeline · folder #case-1-phishing-invoice")
        #expect(screen.contains("no entries in this folder") && !screen.contains("Case opened: Phishing invoice"), "\(screen)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
