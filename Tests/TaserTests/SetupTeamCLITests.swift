import Foundation
import Testing

/// `taser setup team` on real OS accounts (useradd and groupadd, removed after), with every
/// folder it writes inside a temporary directory; and the daemon it sets up, run as the service
/// account it made, serving a second real user in the group. Runs as root, as CI does.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SetupTeamCLITests {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// One test's names and folders: a service user and group no machine has, and the paths
    /// setup is pointed at. `cleanup()` removes the accounts (and users made for the test).
    final class Fixture {
        let temp = TempDir()
        let tag = UUID().uuidString.prefix(8).lowercased()
        var user: String { "tsr-svc-\(tag)" }
        var group: String { "tsr-grp-\(tag)" }
        var dir: String { temp.path + "/data" }
        var runDir: String { temp.path + "/run" }
        var unitDir: String { temp.path + "/units" }
        var db: String { dir + "/taser.db" }
        var key: String { db + ".key" }
        var socket: String { runDir + "/taser.sock" }
        var unit: String { unitDir + "/taser.service" }
        private var madeUsers: [String] = []

        init() throws {
            try FileManager.default.createDirectory(atPath: unitDir, withIntermediateDirectories: true)
            // The temporary directory must let the service account and analysts through.
            chmod(temp.path, 0o755)
        }

        var options: [String] { ["--user", user, "--group", group, "--dir", dir, "--socket-dir", runDir, "--unit-dir", unitDir] }

        func setup(_ extra: [String] = [], launcher: [String] = []) throws -> Taser.Result {
            try Taser.run(["setup", "team"] + options + extra, launcher: launcher)
        }

        /// Another OS user, optionally in the service group; removed by `cleanup()`.
        func person(_ name: String, inGroup: Bool) throws -> (uid: Int, gid: Int) {
            let login = "tsr-\(name)-\(tag)"
            let add = try HiddenCaseCLITests.system(["/usr/sbin/useradd", "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin"]
                + (inGroup ? ["-G", group] : []) + [login])
            guard add.status == 0 else { throw Failure("useradd \(login): \(add.output)") }
            madeUsers.append(login)
            return try ids(login)
        }

        func ids(_ login: String) throws -> (uid: Int, gid: Int) {
            func number(_ flag: String) throws -> Int {
                let r = try HiddenCaseCLITests.system(["/usr/bin/id", flag, login])
                guard r.status == 0, let n = Int(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw Failure("id \(flag) \(login): \(r.output)") }
                return n
            }
            return (try number("-u"), try number("-g"))
        }

        func exists(user login: String) throws -> Bool { try HiddenCaseCLITests.system(["/usr/bin/id", "-u", login]).status == 0 }
        func exists(group name: String) throws -> Bool { try HiddenCaseCLITests.system(["/usr/bin/getent", "group", name]).status == 0 }

        func cleanup() {
            for login in madeUsers + [user] { _ = try? HiddenCaseCLITests.system(["/usr/sbin/userdel", login]) }
            _ = try? HiddenCaseCLITests.system(["/usr/sbin/groupdel", group])
        }
    }

    static func info(_ path: String) -> (uid: Int, gid: Int, mode: Int)? {
        var s = stat()
        guard lstat(path, &s) == 0 else { return nil }
        return (Int(s.st_uid), Int(s.st_gid), Int(s.st_mode & 0o7777))
    }

    /// What a second run must leave as it was: owners, modes, sizes and times of every file.
    static func snapshot(_ paths: [String]) -> [String] {
        paths.map { path in
            var s = stat()
            guard lstat(path, &s) == 0 else { return "\(path): missing" }
            return "\(path) \(s.st_uid):\(s.st_gid) \(String(s.st_mode, radix: 8)) \(s.st_size) \(s.st_mtim.tv_sec).\(s.st_mtim.tv_nsec) \(s.st_ino)"
        }
    }

    @Test func setsUpTeamModeAndASecondRunChangesNothing() throws {
        try #require(getuid() == 0, "setup team makes system accounts: the test runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        let first = try f.setup()
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        for line in ["group \(f.group): created", "user \(f.user): created", "directory \(f.dir): created", "database \(f.db): created",
                     "log key \(f.key): created", "socket directory \(f.runDir): created", "unit \(f.unit): written",
                     "systemctl daemon-reload && systemctl enable --now taser", "export TASER_SERVER=\(f.socket)",
                     "ssh -L /tmp/taser.sock:\(f.socket) jumphost"] {
            #expect(first.stdout.contains(line), "missing '\(line)' in:\n\(first.stdout)")
        }

        // The accounts: a system user with no login shell, in the service group.
        let svc = try f.ids(f.user)
        let passwd = try HiddenCaseCLITests.system(["/usr/bin/getent", "passwd", f.user]).output
        #expect(passwd.contains("nologin") && svc.uid < 1000, "\(passwd)")
        let groupID = try #require(Int(try HiddenCaseCLITests.system(["/usr/bin/getent", "group", f.group]).output.split(separator: ":").dropFirst(2).first ?? ""))
        #expect(svc.gid == groupID)

        // Owners and modes: the folder, database and key are the service account's alone.
        #expect(Self.info(f.dir).map { $0.uid == svc.uid && $0.mode == 0o700 } == true, "\(String(describing: Self.info(f.dir)))")
        #expect(Self.info(f.db).map { $0.uid == svc.uid && $0.mode == 0o600 } == true, "\(String(describing: Self.info(f.db)))")
        #expect(Self.info(f.key).map { $0.uid == svc.uid && $0.mode == 0o600 } == true, "\(String(describing: Self.info(f.key)))")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: f.key)).count) == 32)
        #expect(Self.info(f.runDir).map { $0.uid == svc.uid && $0.gid == groupID && $0.mode == 0o750 } == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.dir).filter { $0 != "taser.db" && $0 != "taser.db.key" }
        for name in leftovers { #expect(Self.info(f.dir + "/" + name)?.uid == svc.uid, "\(name) is not the service account's") }

        // The unit runs this taser as the service account, on this database and socket.
        let unit = try String(contentsOfFile: f.unit, encoding: .utf8)
        let binary = URL(fileURLWithPath: Taser.binary).resolvingSymlinksInPath().path
        for line in ["User=\(f.user)", "Group=\(f.group)",
                     "ExecStart=\(binary) serve --db \(f.db) --socket \(f.socket) --socket-mode 660",
                     "UMask=0077", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=\(f.dir) \(f.runDir)",
                     "Restart=on-failure", "WantedBy=multi-user.target"] {
            #expect(unit.split(separator: "\n").contains(Substring(line)), "missing '\(line)' in:\n\(unit)")
        }
        #expect(!unit.contains("RuntimeDirectory="), "a socket folder outside /run is made by setup, not systemd")

        // Again: every item already set up, nothing touched.
        let files = [f.dir, f.db, f.key, f.runDir, f.unit]
        let before = Self.snapshot(files)
        let second = try f.setup()
        #expect(second.status == 0, "\(second.stderr)")
        let items = second.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
        #expect(items.count == 7 && items.allSatisfy { $0.hasSuffix(": already set up") }, "\(second.stdout)")
        #expect(Self.snapshot(files) == before)
        let check = try f.setup(["--check"])
        #expect(check.status == 0 && check.stdout.hasPrefix("team mode is set up"), "\(check.stdout)\(check.stderr)")
    }

    @Test func aSocketFolderUnderRunIsSystemdsToMake() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        let run = "/run/tsr-\(f.tag)"
        let r = try Taser.run(["setup", "team", "--user", f.user, "--group", f.group, "--dir", f.dir, "--socket-dir", run, "--unit-dir", f.unitDir])
        #expect(r.status == 0, "\(r.stderr)")
        let unit = try String(contentsOfFile: f.unit, encoding: .utf8)
        #expect(unit.contains("\nRuntimeDirectory=tsr-\(f.tag)\nRuntimeDirectoryMode=0750\n") && unit.contains("ReadWritePaths=\(f.dir)\n"), "\(unit)")
        #expect(unit.contains("--socket \(run)/taser.sock "), "\(unit)")
        #expect(!FileManager.default.fileExists(atPath: run), "setup made \(run), which systemd makes at each start")
    }

    @Test func checkReportsEveryProblemAndChangesNothing() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        try #require(try f.setup().status == 0)
        chmod(f.db, 0o644)
        chmod(f.dir, 0o755)
        chown(f.key, 0, 0)
        unlink(f.unit)
        let check = try f.setup(["--check"])
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(check.stdout)")
        #expect(lines.contains("database \(f.db) has mode 644 (open to others), not 600; chmod 600 \(f.db)"), "\(check.stdout)")
        #expect(lines.contains("directory \(f.dir) has mode 755 (open to others), not 700; chmod 700 \(f.dir)"), "\(check.stdout)")
        #expect(lines.contains("log key \(f.key) is owned by root, not \(f.user); chown \(f.user) \(f.key)"), "\(check.stdout)")
        #expect(lines.contains("unit \(f.unit) is missing"), "\(check.stdout)")
        #expect(check.stderrLines.count == 1 && check.stderr.contains("4 problems"), "\(check.stderr)")
        #expect(Self.info(f.db)?.mode == 0o644 && Self.info(f.key)?.uid == 0 && !FileManager.default.fileExists(atPath: f.unit), "--check changed something")

        // Setup puts it right, and says what it fixed.
        let fix = try f.setup()
        #expect(fix.status == 0, "\(fix.stderr)")
        #expect(fix.stdout.contains("database \(f.db): fixed (mode 644 → 600)") && fix.stdout.contains("directory \(f.dir): fixed (mode 755 → 700)"), "\(fix.stdout)")
        #expect(fix.stdout.contains("log key \(f.key): fixed (owner root → \(f.user))") && fix.stdout.contains("unit \(f.unit): written"), "\(fix.stdout)")
        #expect(try f.setup(["--check"]).status == 0)
    }

    @Test func fromCopiesADatabaseWithItsCasesKeyAndLiveWAL() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        let source = f.temp.file("single.db")
        for args in [["team", "add", "soc"], ["case", "new", "--title", "Moved along", "--team", "soc"]] {
            let r = try Taser.run(["--db", source] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        // A reader holding the database open keeps the next write in the WAL file, not the
        // database file: the copy must still have it.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [source]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer {
            try? input.fileHandleForWriting.close()
            if holder.isRunning { kill(holder.processIdentifier, SIGKILL) }
            holder.waitUntilExit()
        }
        // The marker is written (and its file closed) once sqlite3 has the database open.
        let marker = f.temp.file("holder-open")
        input.fileHandleForWriting.write(Data(".output \(marker)\nSELECT count(*) FROM cases;\n.output stdout\n".utf8))
        let opened = Date().addingTimeInterval(20)
        while ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").isEmpty, Date() < opened { usleep(20_000) }
        let walCase = try Taser.run(["--db", source, "case", "new", "--title", "Only in the WAL", "--team", "soc"])
        try #require(walCase.status == 0, "\(walCase.stderr)")
        try #require((Self.info(source + "-wal") != nil) && ((try? FileManager.default.attributesOfItem(atPath: source + "-wal")[.size] as? Int) ?? 0) > 0, "the write did not stay in the WAL")
        let sourceKey = try Data(contentsOf: URL(fileURLWithPath: source + ".key"))

        let r = try f.setup(["--from", source])
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("database \(f.db): copied from \(source)") && r.stdout.contains("log key \(f.key): copied from \(source)"), "\(r.stdout)")
        let svc = try f.ids(f.user)
        #expect(Self.info(f.db).map { $0.uid == svc.uid && $0.mode == 0o600 } == true)
        #expect(Self.info(f.key).map { $0.uid == svc.uid && $0.mode == 0o600 } == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.key)) == sourceKey)

        let listed = try Taser.run(["--db", f.db, "case", "list", "--json"])
        #expect(listed.status == 0 && listed.stdout.contains("\"Moved along\"") && listed.stdout.contains("\"Only in the WAL\""), "\(listed.stdout)\(listed.stderr)")
        let verify = try Taser.run(["verify", "--db", f.db])
        #expect(verify.status == 0 && verify.stdout.contains("sealed with the key"), "\(verify.stdout)\(verify.stderr)")

        // A database in place is never overwritten.
        let before = Self.snapshot([f.db, f.key])
        let again = try f.setup(["--from", source])
        #expect(again.status != 0 && again.stderrLines.count == 1 && again.stderr.contains("already has a database"), "\(again.stderr)")
        #expect(Self.snapshot([f.db, f.key]) == before)
    }

    @Test func badInputChangesNothing() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        let notTaser = f.temp.file("notes.txt")
        try "not a database\n".write(toFile: notTaser, atomically: true, encoding: .utf8)
        let keyless = f.temp.file("keyless.db")
        try #require(try Taser.run(["--db", keyless, "init"]).status == 0)
        unlink(keyless + ".key")
        for (extra, said) in [
            (["--user", "bad name"], "invalid --user 'bad name'"),
            (["--group", "Analysts!"], "invalid --group"),
            (["--dir", "relative/taser"], "--dir must be an absolute path"),
            (["--from", notTaser], "is not an SQLite database"),
            (["--from", keyless], "is missing: without it the copied case log cannot be verified"),
        ] {
            let r = try f.setup(extra)
            #expect(r.status != 0 && r.stderrLines.count == 1 && r.stderr.contains(said), "\(extra): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(extra): \(r.stdout)")
        }
        #expect(try !f.exists(user: f.user) && !f.exists(group: f.group), "an account was made")
        #expect(!FileManager.default.fileExists(atPath: f.dir) && !FileManager.default.fileExists(atPath: f.runDir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.unitDir).isEmpty)

        // Not root: one line saying to use sudo.
        let someone = try f.person("usr", inGroup: false)
        for extra in [[], ["--check"]] {
            let r = try f.setup(extra, launcher: ["/usr/bin/setpriv", "--reuid=\(someone.uid)", "--regid=\(someone.gid)", "--clear-groups"])
            #expect(r.status != 0 && r.stderrLines.count == 1 && r.stderr.contains("run it with sudo"), "\(r.stderr)")
        }
        #expect(try !f.exists(user: f.user))
    }

    /// The daemon as the unit would run it: as the service account with the service group.
    final class Daemon {
        let process = Process()

        init(_ f: Fixture, uid: Int, gid: Int) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", Taser.binary,
                                 "serve", "--db", f.db, "--socket", f.socket, "--socket-mode", "660"]
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": f.dir, "XDG_CONFIG_HOME": f.dir + "/config"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: f.socket), process.isRunning, Date() < deadline { usleep(50_000) }
            guard FileManager.default.fileExists(atPath: f.socket) else { throw Failure("the daemon did not start on \(f.socket)") }
        }

        /// SIGKILL: a process started from a test thread may have SIGTERM blocked.
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    @Test func theDaemonServesTheGroupAndOnlyThroughTheSocket() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        try #require(try f.setup().status == 0)
        let svc = try f.ids(f.user)
        let daemon = try Daemon(f, uid: svc.uid, gid: svc.gid)
        defer { daemon.stop() }
        #expect(Self.info(f.socket).map { $0.uid == svc.uid && $0.mode == 0o660 } == true)

        let ana = try f.person("ana", inGroup: true)
        let asAna = ["/usr/bin/setpriv", "--reuid=\(ana.uid)", "--regid=\(ana.gid)", "--init-groups"]
        let env = ["HOME": f.temp.path, "XDG_CONFIG_HOME": f.temp.path + "/ana-config"]
        let whoami = try Taser.run(["--server", f.socket, "whoami"], env: env, launcher: asAna)
        #expect(whoami.status == 0 && whoami.stdout.hasPrefix("tsr-ana-\(f.tag)\n"), "\(whoami.stdout)\(whoami.stderr)")
        let cat = try HiddenCaseCLITests.system(asAna + ["/bin/cat", f.db])
        #expect(cat.status != 0 && cat.output.contains("Permission denied"), "\(cat.output.prefix(200))")
        let direct = try Taser.run(["--db", f.db, "case", "list"], env: env, launcher: asAna)
        #expect(direct.status != 0, "the analyst opened the database: \(direct.stdout)")

        // Someone outside the group cannot reach the socket.
        let eve = try f.person("eve", inGroup: false)
        let outsider = try Taser.run(["--server", f.socket, "whoami"], env: env,
                                     launcher: ["/usr/bin/setpriv", "--reuid=\(eve.uid)", "--regid=\(eve.gid)", "--init-groups"])
        #expect(outsider.status != 0, "\(outsider.stdout)")
    }

    @Test func serveRefusesALogKeyThatIsNotItsOwn() throws {
        try #require(getuid() == 0, "setup team runs as root (CI runs as root)")
        let f = try Fixture()
        defer { f.cleanup() }
        try #require(try f.setup().status == 0)
        let svc = try f.ids(f.user)
        let env = ["PATH": "/usr/bin:/bin", "HOME": f.dir, "XDG_CONFIG_HOME": f.dir + "/config"]
        let serve = [Taser.binary, "serve", "--db", f.db, "--socket", f.socket]
        let asService = ["/usr/bin/setpriv", "--reuid=\(svc.uid)", "--regid=\(svc.gid)", "--clear-groups"]

        // A key the group may read: refused before the socket is made.
        chmod(f.key, 0o640)
        let open = try Spawn.run(asService + serve, environment: env, timeout: 20)
        #expect(open.status == 1 && open.output.split(separator: "\n").count == 1, "\(open.output)")
        #expect(open.output.contains("the case log key \(f.key) may be read or written by others (mode 640); chmod 600 \(f.key)"), "\(open.output)")
        #expect(!FileManager.default.fileExists(atPath: f.socket))

        // Root is not the service account: its daemon would seal with a key that is not its own.
        chmod(f.key, 0o600)
        let root = try Spawn.run(serve, environment: env, timeout: 20)
        #expect(root.status == 1 && root.output.contains("is owned by uid \(svc.uid), not by uid 0, which runs the daemon"), "\(root.output)")

        // A key the daemon cannot read (another owner, 0600): refused, not sealed without it.
        chown(f.key, 0, 0)
        let other = try Spawn.run(asService + serve, environment: env, timeout: 20)
        #expect(other.status == 1 && other.output.contains("the case log key \(f.key)"), "\(other.output)")
        #expect(!FileManager.default.fileExists(atPath: f.socket))
    }
}
