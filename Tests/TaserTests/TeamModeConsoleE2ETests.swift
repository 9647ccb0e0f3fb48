import Foundation
import Testing

/// Issue 15's last "done when": the OS user ana.silva runs the console through the daemon's
/// socket under tmux. It shows her team's queue, a new alert another process raises comes in
/// with no key (the daemon pushes the change), and a key she presses acts as her.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TeamModeConsoleE2ETests {
    func rows(_ screen: String) -> [Int] { ConsoleQueueE2ETests.rows(screen) }

    @Test func anAnalystsConsoleWorksThroughTheSocket() throws {
        try #require(getuid() == 0, "team mode's test runs as root, to be the service account and make the analyst's OS user (CI runs as root)")
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"]).status == 0)
        chmod(dir.path, 0o700)
        chmod(db, 0o600)
        let ana = try TeamModeCLITests.analyst("ana.silva")
        defer { TeamModeCLITests.release("ana.silva") }
        let daemon = try TeamModeCLITests.Daemon(db: db)
        defer { daemon.stop() }
        let launcher = ["/usr/bin/setpriv", "--reuid=\(ana.uid)", "--regid=\(ana.gid)", "--clear-groups"]

        let tmux = try Tmux(launcher + [Taser.binary, "--server", daemon.socket], width: 140, height: 45, env: ["HOME": daemon.runDir, "TASER_DB": ""])
        let first = try tmux.waitFor("the queue through the socket") { !self.rows($0).isEmpty }
        #expect(first.contains("ana.silva · the daemon at"), "\(first)")
        // Only what she may see: every row is an alert of her team's queue.
        let visible = try Taser.run(["--db", db, "--as", "ana.silva", "alert", "list", "--json", "--limit", "100000"]).stdout
        let hers = Set(visible.split(separator: "\n").compactMap { line -> Int? in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? Int
        })
        #expect(!rows(first).isEmpty && rows(first).allSatisfy(hers.contains), "\(rows(first)) not all in \(hers.count) of hers")
        let topBefore = try #require(rows(first).first)

        // The service account ingests (as `serve`'s HTTP ingest would): two Carbon Black alerts
        // on a new host; the demo's soc rule raises one, and the daemon pushes the change.
        let now = ISO8601DateFormatter().string(from: Date())
        func cb(_ id: String) -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(now)","first_event_timestamp":"\#(now)","severity":7,"reason":"r","device_name":"LT-TEAMMODE","device_id":78,"org_key":"O"}"#
        }
        let ingest = try Taser.run(["--db", db, "ingest", "-", "--json"], stdin: cb("team-1") + "\n" + cb("team-2") + "\n")
        try #require(ingest.status == 0 && ingest.stdout.contains(#""alerts_created":1"#), "\(ingest.stdout)\(ingest.stderr)")
        let screen = try tmux.waitFor("the new alert at the top, with no key") { self.rows($0).first.map { $0 != topBefore } ?? false }
        let newest = try #require(rows(screen).first)
        #expect(screen.contains("lt-teammode"), "\(screen)")

        // A key acts through the daemon, as her: `g` goes to the top, `a` acknowledges it.
        try tmux.send(keys: ["g"])
        try tmux.send(keys: ["a"])
        _ = try tmux.waitFor("the acknowledgement") { $0.contains("1 alert acknowledged") }
        let shown = try Taser.run(["--db", db, "alert", "show", String(newest)]).stdout
        #expect(shown.contains("acknowledged"), "\(shown)")

        // Cases: her team's, never an ir case.
        try tmux.type("2")
        let cases = try tmux.waitFor("the case list") { $0.contains("Cases") }
        #expect(!cases.contains(" ir "), "\(cases)")
        try tmux.type("q")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
