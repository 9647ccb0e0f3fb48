import Foundation
import Testing

/// Issue 15: with --server, every command that reads or changes data gives the same output,
/// errors and exit code as embedded. Each command here runs twice on one demo database: with
/// --db (in-process) and with --server (through a daemon on it), as its owner and as ana.silva
/// (--as, which both sides allow the owner), and the two runs must print the same.
@Suite(.serialized, .timeLimit(.minutes(4))) struct TeamModeParityTests {
    static let commands: [[String]] = [
        ["case", "list"], ["case", "list", "--json"], ["case", "show", "1"], ["case", "show", "1", "--json"], ["case", "show", "6"],
        ["case", "show", "99999"], ["case", "export", "1"],
        ["alert", "list", "--limit", "20"], ["alert", "list", "--json", "--status", "new"], ["alert", "show", "3"], ["alert", "show", "999999"],
        ["signals", "--limit", "5"], ["signals", "--where", #"host.name = "LT-BARCHECK""#, "--limit", "3", "--json"],
        ["signals", "--where", "nosuchfield = 1"], ["signal", "show", "1"], ["signal", "show", "99999999"],
        ["artifacts", "--limit", "5"], ["pivot", "86.12.153.116"], ["pivot", "nothing-like-this"],
        ["rules", "list"], ["rules", "show", "repeated-carbonblack-alerts"], ["rules", "history", "repeated-carbonblack-alerts"],
        ["rules", "show", "no-such-rule"],
        ["simulate", "--rule", "repeated-carbonblack-alerts"], ["simulate", "[ (2 CarbonBlack alerts) ] IN [ 2 Hours ] WITH [ hostname ] IN COMMON", "--json"],
        ["simulate", "[ (2 Nothing alerts) ] IN [ 2 Hours ]"],
        ["team", "list"], ["analyst", "list"], ["identities", "list"], ["sync", "status"], ["quarantine", "list"], ["query", "audit"],
        ["export", "artifacts", "--format", "csv"], ["verify"],
    ]

    @Test func everyCommandSaysTheSameThroughTheDaemon() throws {
        try #require(getuid() == 0, "team mode's tests run as root, the daemon's admin (CI runs as root)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "3000"]).status == 0)
        let daemon = try TeamModeCLITests.Daemon(db: db)
        defer { daemon.stop() }
        var compared = 0
        for who in [[], ["--as", "ana.silva"]] {
            for command in Self.commands {
                let embedded = try Taser.run(["--db", db] + who + command)
                let through = try Taser.run(["--server", daemon.socket] + who + command)
                let what = (who + command).joined(separator: " ")
                #expect(through.status == embedded.status, "\(what): exit \(through.status) through the daemon, \(embedded.status) embedded: \(through.stderr)")
                // An export says when it was made; nothing else may differ.
                func timeless(_ text: String) -> String {
                    text.replacingOccurrences(of: #""exported_at": ?"[^"]*""#, with: "", options: .regularExpression)
                }
                #expect(timeless(through.stdout) == timeless(embedded.stdout), "\(what): stdout differs\n--- through the daemon\n\(through.stdout.prefix(1500))\n--- embedded\n\(embedded.stdout.prefix(1500))")
                #expect(through.stderr == embedded.stderr, "\(what): stderr differs\n--- through the daemon\n\(through.stderr)\n--- embedded\n\(embedded.stderr)")
                compared += 1
            }
        }
        #expect(compared == Self.commands.count * 2)
    }

    /// Changes through the daemon land as they do embedded: the same commands on two copies of
    /// one database, one through a daemon, leave the same cases, rules, teams and identities.
    @Test func changesThroughTheDaemonLandAsEmbedded() throws {
        try #require(getuid() == 0, "team mode's tests run as root, the daemon's admin (CI runs as root)")
        let dir = TempDir()
        let local = dir.file("local.db"), served = dir.file("served.db")
        try #require(try Taser.run(["--db", local, "demo", "--signals", "2000"]).status == 0)
        try #require(try Taser.run(["--db", served, "demo", "--signals", "2000"]).status == 0)
        let daemon = try TeamModeCLITests.Daemon(db: served)
        defer { daemon.stop() }
        let rule = "[ (2 CarbonBlack alerts) ] IN [ 1 Hours ] WITH [ hostname ] IN COMMON"
        let changes: [[String]] = [
            ["case", "artifact", "1", "ip", "203.0.113.9", "--role", "c2"], ["case", "merge", "2", "1"],
            ["rules", "add", "parity-rule", rule], ["rules", "enable", "parity-rule"], ["rules", "disable", "parity-rule"],
            ["team", "add", "parity", "--description", "Parity team"], ["analyst", "add", "pat.rivera", "--team", "parity"],
            ["identities", "link", "jdoe", "john.doe@example.com"], ["identities", "unlink", "jdoe", "john.doe@example.com"],
            ["sync", "retry", "--all-dead"],
        ]
        for change in changes {
            let embedded = try Taser.run(["--db", local] + change)
            let through = try Taser.run(["--server", daemon.socket] + change)
            let what = change.joined(separator: " ")
            #expect(through.status == embedded.status && through.stdout == embedded.stdout && through.stderr == embedded.stderr,
                    "\(what): through the daemon \(through.status) \(through.stdout)\(through.stderr); embedded \(embedded.status) \(embedded.stdout)\(embedded.stderr)")
        }
        // Times differ between the copies; what the changes made does not.
        for read in [["case", "show", "1", "--json"], ["rules", "list", "--json"], ["team", "list"], ["analyst", "list"], ["identities", "list"]] {
            func stripped(_ text: String) -> String {
                text.replacingOccurrences(of: #"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?( UTC)?"#, with: "TIME", options: .regularExpression)
                    .replacingOccurrences(of: #""(hash|prev_hash|seal|mac)":"[0-9a-f]+""#, with: "HASH", options: .regularExpression)
            }
            let a = try Taser.run(["--db", local] + read), b = try Taser.run(["--db", served] + read)
            #expect(stripped(a.stdout) == stripped(b.stdout), "\(read.joined(separator: " ")) differs:\n\(a.stdout.prefix(800))\n---\n\(b.stdout.prefix(800))")
        }
    }

    /// Ingest through the daemon: the client reads the file (one the daemon's account could not
    /// open) and streams it; the summary is the embedded one, and the alert is raised.
    @Test func ingestStreamsTheClientsFile() throws {
        try #require(getuid() == 0, "team mode's tests run as root, the daemon's admin (CI runs as root)")
        let dir = TempDir()
        let local = dir.file("local.db"), served = dir.file("served.db")
        for db in [local, served] { try #require(try Taser.run(["--db", db, "demo", "--signals", "1000"]).status == 0) }
        let daemon = try TeamModeCLITests.Daemon(db: served)
        defer { daemon.stop() }
        let now = ISO8601DateFormatter().string(from: Date())
        func cb(_ id: String) -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(now)","first_event_timestamp":"\#(now)","severity":7,"reason":"r","device_name":"LT-STREAMED","device_id":79,"org_key":"O"}"#
        }
        let file = dir.file("cb.json")
        // A megabyte and a half of lines, so the stream spans more than one chunk; one broken line.
        var lines = (0..<6000).map { cb("stream-\($0)") + String(repeating: " ", count: 100) }
        lines.insert("{not json", at: 3000)
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let embedded = try Taser.run(["--db", local, "ingest", file, "--json"])
        let through = try Taser.run(["--server", daemon.socket, "ingest", file, "--json"])
        func figures(_ r: Taser.Result) -> String { r.stdout.replacingOccurrences(of: #""peak_rss_bytes":\d+"#, with: "", options: .regularExpression) }
        #expect(through.status == embedded.status && embedded.status != 0, "quarantine makes both fail: \(through.stderr) / \(embedded.stderr)")
        #expect(figures(through) == figures(embedded) && through.stdout.contains(#""stored":6000"#), "\(through.stdout)\n\(embedded.stdout)")
        #expect(through.stderr == embedded.stderr, "\(through.stderr)")
        let alerts = try Taser.run(["--db", served, "alert", "list", "--json", "--limit", "100000"]).stdout
        #expect(alerts.contains("lt-streamed"))
        // Again: every record is a duplicate now, so a cut-short stream can be sent again whole.
        let again = try Taser.run(["--server", daemon.socket, "ingest", file, "--json"])
        #expect(again.stdout.contains(#""duplicates":6000"#), "\(again.stdout)")
        let watch = try Taser.run(["--server", daemon.socket, "ingest", "--watch", dir.path])
        #expect(watch.status != 0 && watch.stderr.contains("through the daemon, ingest takes FILE... or -"), "\(watch.stderr)")
        let stdin = try Taser.run(["--server", daemon.socket, "ingest", "-", "--json"], stdin: cb("from-stdin") + "\n")
        #expect(stdin.status == 0 && stdin.stdout.contains(#""stored":1"#), "\(stdin.stdout)\(stdin.stderr)")
    }
}
