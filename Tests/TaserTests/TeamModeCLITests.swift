import Foundation
import Testing

/// Team mode, issue 15's "done when" as far as its first operations go: the demo database owned
/// by the service account (here root, as CI runs) with mode 0600, `serve --socket` running as it,
/// and the real OS user ana.silva (useradd, then setpriv) who cannot open the file but reads her
/// team's cases through the socket, is told "no case N" for an ir case, cannot use --as, and
/// whose note lands in the log as hers.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TeamModeCLITests {
    /// The daemon: `taser serve --socket` as this (root) process's user, until `stop()`.
    final class Daemon {
        let process = Process()
        let socket: String
        let runDir: String

        init(db: String, extra: [String] = []) throws {
            // The socket's directory must be reachable by the analyst; the database's is not.
            runDir = "/tmp/taser-team-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            socket = runDir + "/taser.sock"
            process.executableURL = URL(fileURLWithPath: Taser.binary)
            process.arguments = ["serve", "--db", db, "--socket", socket, "--socket-mode", "666"] + extra
            process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CONFIG_HOME": runDir + "/config"]) { _, b in b }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Ready when the socket is there (it is made just before "listening on unix:").
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: socket), process.isRunning, Date() < deadline { usleep(50_000) }
            guard FileManager.default.fileExists(atPath: socket) else { throw TeamModeFailure("the daemon did not start on \(socket)") }
        }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: runDir)
        }
    }

    struct TeamModeFailure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// The OS user `login` (ana.silva) for a test, made when the machine has none, until the
    /// test gives it back (`release`). Suites run at once and two act as ana.silva (this one and
    /// the console's): each once removed the user it had made at its end, while the other was
    /// still acting as her ("uid 1002 has no login on this host"). So the tests share her: the
    /// user is removed when the last one gives her back, and only if a test made her.
    static func analyst(_ login: String) throws -> (uid: Int, gid: Int) {
        try sharedAnalysts.take(login)
    }

    /// Gives back the OS user `analyst(_:)` lent.
    static func release(_ login: String) { sharedAnalysts.release(login) }

    private static let sharedAnalysts = SharedOSUsers()

    private final class SharedOSUsers: @unchecked Sendable {
        /// Unchecked: every use of `holders` is under `lock`.
        private let lock = NSLock()
        private var holders: [String: (count: Int, made: Bool)] = [:]

        func take(_ login: String) throws -> (uid: Int, gid: Int) {
            try lock.withLock {
                var held = holders[login] ?? (0, false)
                if held.count == 0, try HiddenCaseCLITests.system(["/usr/bin/id", "-u", login]).status != 0 {
                    let add = try HiddenCaseCLITests.system(["/usr/sbin/useradd", "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin", login])
                    guard add.status == 0 else { throw TeamModeFailure("useradd \(login): \(add.output)") }
                    held.made = true
                }
                held.count += 1
                holders[login] = held
                let uid = Int(try HiddenCaseCLITests.system(["/usr/bin/id", "-u", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                let gid = Int(try HiddenCaseCLITests.system(["/usr/bin/id", "-g", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
                return (uid, gid)
            }
        }

        func release(_ login: String) {
            lock.withLock {
                guard var held = holders[login], held.count > 0 else { return }
                held.count -= 1
                if held.count == 0 {
                    if held.made { _ = try? HiddenCaseCLITests.system(["/usr/sbin/userdel", login]) }
                    held.made = false
                }
                holders[login] = held
            }
        }
    }

    @Test func anAnalystWorksThroughTheSocketAndOnlyThere() throws {
        try #require(getuid() == 0, "team mode's test runs as root, to be the service account and make the analyst's OS user (CI runs as root)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "2000"]).status == 0)
        chmod(dir.path, 0o700)
        chmod(db, 0o600)
        let ana = try Self.analyst("ana.silva")
        defer { Self.release("ana.silva") }
        let daemon = try Daemon(db: db)
        defer { daemon.stop() }
        let launcher = ["/usr/bin/setpriv", "--reuid=\(ana.uid)", "--regid=\(ana.gid)", "--clear-groups"]
        let env = ["HOME": daemon.runDir, "TASER_DB": ""]
        func asAna(_ args: [String], extra: [String: String] = [:]) throws -> Taser.Result {
            try Taser.run(args, env: env.merging(extra) { _, b in b }, launcher: launcher)
        }

        // The file is the service account's alone.
        let direct = try asAna(["--db", db, "case", "list"])
        #expect(direct.status != 0, "ana opened the database: \(direct.stdout)")
        let sqlite = try HiddenCaseCLITests.system(launcher + ["/usr/bin/sqlite3", db, "SELECT count(*) FROM cases"])
        #expect(sqlite.status != 0, "sqlite3 read the file as ana: \(sqlite.output)")

        // Through the socket: her team's cases, and no ir case.
        let listed = try asAna(["--server", daemon.socket, "case", "list", "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let cases = listed.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(!cases.isEmpty && cases.allSatisfy { $0["team"] as? String != "ir" }, "\(listed.stdout)")
        let all = try Taser.run(["--db", db, "case", "list", "--json"]).stdout.split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        let irCase = try #require(all.first { $0["team"] as? String == "ir" }?["id"] as? Int)
        let hidden = try asAna(["--server", daemon.socket, "case", "show", String(irCase)])
        #expect(hidden.status == 1 && hidden.stderr.contains("no case \(irCase) (or you may not see it)"), "\(hidden.stderr)")
        let missing = try asAna(["--server", daemon.socket, "case", "show", "99999"])
        #expect(missing.stderr.replacingOccurrences(of: "99999", with: "N") == hidden.stderr.replacingOccurrences(of: String(irCase), with: "N"))

        // --as is the daemon's admins' only; the environment names the socket as well.
        let actingAs = try asAna(["--server", daemon.socket, "--as", "maya.ortiz", "case", "list"])
        #expect(actingAs.status != 0 && actingAs.stderr.contains("only the database owner (admin) may act as another analyst"), "\(actingAs.stderr)")
        let mine = try #require(cases.first?["id"] as? Int)
        let note = try asAna(["case", "note", String(mine), "written through the socket"], extra: ["TASER_SERVER": daemon.socket])
        #expect(note.status == 0 && note.stdout.contains("Added entry #"), "\(note.stdout)\(note.stderr)")
        let seq = try #require(note.stdout.split(separator: "#").last.flatMap { Int($0.prefix { $0.isNumber }) })
        for args in [["case", "correct", String(mine), String(seq), "written through the socket, corrected"],
                     ["case", "tag", String(mine), "via-socket"], ["case", "assign", String(mine), "ana.silva"]] {
            let r = try asAna(["--server", daemon.socket] + args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let shown = try Taser.run(["--db", db, "case", "show", String(mine)]).stdout
        #expect(shown.contains("ana.silva  note") && shown.contains("written through the socket"), "\(shown)")
        #expect(shown.contains("(corrects #\(seq))") && shown.contains("via-socket") && shown.contains("owner: ana.silva"), "\(shown)")

        // A case opened through the socket is hers, in her team.
        let opened = try asAna(["--server", daemon.socket, "case", "new", "--title", "Opened through the socket", "--team", "soc", "--json"])
        #expect(opened.status == 0 && opened.stdout.contains("\"created_by\":\"ana.silva\""), "\(opened.stdout)\(opened.stderr)")
        let intoIR = try asAna(["--server", daemon.socket, "case", "new", "--title", "Not my team", "--team", "ir"])
        #expect(intoIR.status != 0 && intoIR.stderr.contains("ana.silva is not a member of team 'ir'"), "\(intoIR.stderr)")

        // whoami says who the kernel says; alerts go through as well, with her access.
        let whoami = try asAna(["--server", daemon.socket, "whoami"])
        #expect(whoami.status == 0 && whoami.stdout.hasPrefix("ana.silva\n") && whoami.stdout.contains("teams: soc"), "\(whoami.stdout)\(whoami.stderr)")
        let theirs = try asAna(["--server", daemon.socket, "alert", "list", "--json", "--status", "new"])
        let seen = theirs.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(theirs.status == 0 && seen.allSatisfy { $0["team"] as? String != "ir" }, "\(theirs.stderr)")
        if let alert = seen.first?["id"] as? Int {
            let acked = try asAna(["--server", daemon.socket, "alert", "ack", String(alert)])
            #expect(acked.status == 0, "\(acked.stderr)")
            #expect(try Taser.run(["--db", db, "alert", "show", String(alert)]).stdout.contains("acknowledged"))
        }

        // The database's own work (the workers serve runs) is not done through the daemon, and
        // says so; a daemon that is not there is named.
        let uncovered = try asAna(["--server", daemon.socket, "sync", "run", "--once"])
        #expect(uncovered.status != 0 && uncovered.stderr.contains("works on the database file itself, not through the daemon"), "\(uncovered.stderr)")
        let gone = try asAna(["--server", daemon.runDir + "/nope.sock", "case", "list"])
        #expect(gone.status != 0 && gone.stderrLines.count == 1 && gone.stderr.contains("no taser daemon is running there; start it as the service account: taser serve --socket"), "\(gone.stderr)")
    }

    @Test func aDaemonKilledDuringWritesLosesNothingItAcknowledged() throws {
        try #require(getuid() == 0, "team mode's test runs as root (CI runs as root)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["case", "new", "--title", "Kill test", "--team", "soc"]] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        let daemon = try Daemon(db: db)
        defer { daemon.stop() }
        // Notes through the socket, one process each, while the daemon is killed part way.
        nonisolated(unsafe) var acknowledged: [String] = []
        nonisolated(unsafe) var refused = 0
        let lock = NSLock()
        let socket = daemon.socket
        let writer = Thread {
            for n in 0..<60 {
                let text = "note \(n) through the socket"
                guard let r = try? Taser.run(["--server", socket, "case", "note", "1", text]) else { continue }
                lock.withLock {
                    if r.status == 0 && r.stdout.contains("Added entry") { acknowledged.append(text) } else { refused += 1 }
                }
            }
        }
        writer.start()
        while lock.withLock({ acknowledged.count }) < 10 { usleep(20_000) }
        kill(daemon.process.processIdentifier, SIGKILL)
        while !writer.isFinished { usleep(20_000) }
        // After the kill, clients are told the daemon is gone (or the request may not have applied).
        let (done, failed) = lock.withLock { (acknowledged, refused) }
        #expect(failed > 0, "the kill came after every write")
        acknowledged = done
        let log = try Taser.run(["--db", db, "case", "show", "1"]).stdout
        for text in acknowledged { #expect(log.contains(text), "acknowledged but lost: \(text)") }
        #expect(try Taser.run(["--db", db, "verify"]).status == 0)
    }

    /// `serve --admin-group`: a member of the group is the daemon's admin (may use --as, add
    /// teams); someone outside it is not; a group that does not exist stops the daemon at once.
    @Test func anAdminGroupsMembersAreAdmins() throws {
        try #require(getuid() == 0, "team mode's test runs as root, to make OS users and groups (CI runs as root)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "1000"]).status == 0)
        let suffix = String(UUID().uuidString.prefix(6)).lowercased()
        let group = "tsr-leads-\(suffix)", lead = "tsr-lead-\(suffix)", other = "tsr-other-\(suffix)"
        try #require(try HiddenCaseCLITests.system(["/usr/sbin/groupadd", group]).status == 0)
        defer { _ = try? HiddenCaseCLITests.system(["/usr/sbin/groupdel", group]) }
        for login in [lead, other] {
            try #require(try HiddenCaseCLITests.system(["/usr/sbin/useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", login]).status == 0)
        }
        defer { for login in [lead, other] { _ = try? HiddenCaseCLITests.system(["/usr/sbin/userdel", login]) } }
        try #require(try HiddenCaseCLITests.system(["/usr/sbin/usermod", "-aG", group, lead]).status == 0)

        let missing = try Taser.run(["serve", "--db", db, "--socket", dir.file("x.sock"), "--admin-group", "no-such-group-\(suffix)"])
        #expect(missing.status != 0 && missing.stderr.contains("no group 'no-such-group-\(suffix)'"), "\(missing.stderr)")

        let daemon = try Daemon(db: db, extra: ["--admin-group", group])
        defer { daemon.stop() }
        func run(as login: String, _ args: [String]) throws -> Taser.Result {
            let uid = try HiddenCaseCLITests.system(["/usr/bin/id", "-u", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            let gid = try HiddenCaseCLITests.system(["/usr/bin/id", "-g", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            return try Taser.run(["--server", daemon.socket] + args, env: ["HOME": daemon.runDir, "TASER_DB": ""],
                                 launcher: ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--init-groups"])
        }
        let actingAs = try run(as: lead, ["--as", "ana.silva", "whoami"])
        #expect(actingAs.status == 0 && actingAs.stdout.hasPrefix("ana.silva\n"), "\(actingAs.stdout)\(actingAs.stderr)")
        let team = try run(as: lead, ["team", "add", "leads-\(suffix)"])
        #expect(team.status == 0, "\(team.stderr)")
        let refused = try run(as: other, ["--as", "ana.silva", "whoami"])
        #expect(refused.status != 0 && refused.stderr.contains("only the database owner (admin) may act as another analyst"), "\(refused.stderr)")
    }
}
