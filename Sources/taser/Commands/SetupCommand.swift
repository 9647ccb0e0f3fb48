import ArgumentParser
import Foundation
import Store  // works on the database file itself (embedded, setup, bench)

/// `taser setup`: one-time setup of the host, run as root.
struct SetupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Set up this host (as root): team mode's service account, database and systemd unit.",
        subcommands: [Team.self])

    struct Team: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "team",
            abstract: "Set up team mode: a service account owns the database, the daemon serves analysts on a Unix socket.",
            discussion: """
                Run as root. It makes the system group (its members may connect) and the system user (owns the database, runs the daemon) unless they exist; the database's folder (the user's, mode 0700); the database taser.db and its case log key taser.db.key in it (the user's, mode 0600), or with --from a copy of an existing database and its key; and the systemd unit taser.service, which runs `taser serve --socket` as that user. It starts nothing: it prints the systemctl commands to run. Each item says what was done, or "already set up": running it again changes nothing. An existing database is kept and never overwritten.

                --check changes nothing and prints every problem, one line each (a database or key others may read, a wrong owner, a folder that is not 0700, a missing unit), and exits 1 when there is one.

                Examples:
                  sudo taser setup team
                  sudo systemctl daemon-reload && sudo systemctl enable --now taser
                  sudo taser setup team --from ~/.local/share/taser/taser.db    # bring a single-user database along
                  sudo taser setup team --check
                Analysts in the group then run `export TASER_SERVER=/run/taser/taser.sock` (or --server, or `server:` in ~/.config/taser/taser.yaml); from another host, `ssh -L /tmp/taser.sock:/run/taser/taser.sock jumphost` and TASER_SERVER=/tmp/taser.sock.
                """)

        @Option(help: ArgumentHelp("The service account that owns the database and runs the daemon.", valueName: "name")) var user = "taser"
        @Option(help: ArgumentHelp("The group whose members may connect.", valueName: "name")) var group = "analysts"
        @Option(help: ArgumentHelp("The database's folder (absolute).", valueName: "dir")) var dir = "/var/lib/taser"
        @Option(help: ArgumentHelp("The socket's folder (absolute); under /run, systemd makes it at each start.", valueName: "dir")) var socketDir = "/run/taser"
        @Option(help: ArgumentHelp("Where the systemd unit goes.", valueName: "dir")) var unitDir = "/etc/systemd/system"
        @Option(help: ArgumentHelp("An existing taser database to copy in (with its .key beside it); never over an existing one.", valueName: "file"))
        var from: String?
        @Flag(help: "Change nothing; print every problem, one line each, and exit 1 when there is one.") var check = false

        func run() throws {
            guard geteuid() == 0 else {
                throw CLIError("setup team makes a system user and hands files to it, so it needs root; run it with sudo: sudo taser setup team\(check ? " --check" : "")")
            }
            let setup = try validated()
            if check {
                let problems = setup.problems()
                guard !problems.isEmpty else {
                    return Output.line("team mode is set up: \(setup.user) owns \(setup.database), the unit \(setup.unitPath) serves \(setup.socket) to group \(setup.group)")
                }
                problems.forEach { Output.line($0) }
                throw CLIError("\(problems.count) problem\(problems.count == 1 ? "" : "s") with team mode's setup; `sudo taser setup team` fixes them (a missing log key needs its backup)")
            }
            // Checked before anything changes, so a wrong --from leaves no half setup behind.
            var copy: DatabaseCopy?
            if let from {
                do { copy = try DatabaseCopy.check(source: absolute(from)) } catch {
                    switch error {
                    case .notSQLite(let path): throw CLIError("--from \(path) is not an SQLite database; name a taser database (taser.db), with its .key beside it")
                    case .notTaser(let path): throw CLIError("--from \(path) is an SQLite database but not taser's; name a taser database (taser.db), with its .key beside it")
                    default: throw CLIError("--from: \(error.description)")
                    }
                }
            }
            try setup.apply(copy: copy)
            let run = setup.runtimeDirectory == nil ? "" : " (systemd makes \(setup.socketDir) at each start)"
            Output.line("""

                Start the daemon\(run):
                  systemctl daemon-reload && systemctl enable --now taser
                Let analysts in (they log in as themselves; the daemon knows them by their login):
                  usermod -aG \(setup.group) LOGIN
                  sudo -u \(setup.user) taser --db \(setup.database) analyst add LOGIN --team TEAM
                Analysts connect with:
                  export TASER_SERVER=\(setup.socket)    (or --server, or `server: \(setup.socket)` in ~/.config/taser/taser.yaml)
                From another host:
                  ssh -L /tmp/taser.sock:\(setup.socket) jumphost    then TASER_SERVER=/tmp/taser.sock
                """)
        }

        /// The options as a setup, or a one-line error naming the one that is wrong.
        func validated() throws -> TeamSetup {
            for (option, name) in [("--user", user), ("--group", group)] where !SetupAccounts.isValidName(name) {
                throw CLIError("invalid \(option) '\(name)'; a system account name is a lowercase letter or _, then lowercase letters, digits, _, - or . (at most 32)")
            }
            let dir = try folder(dir, "--dir"), socketDir = try folder(socketDir, "--socket-dir"), unitDir = try folder(unitDir, "--unit-dir")
            if socketDir == dir || socketDir.hasPrefix(dir + "/") || dir.hasPrefix(socketDir + "/") {
                throw CLIError("--socket-dir \(socketDir) and --dir \(dir) must be apart: the database's folder is closed to analysts, the socket's is open to them")
            }
            // sockaddr_un holds 108 bytes with the final NUL.
            guard (socketDir + "/taser.sock").utf8.count < 108 else { throw CLIError("--socket-dir \(socketDir) is too long for a Unix socket's path; choose a shorter one") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: unitDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("--unit-dir \(unitDir) does not exist; is this a systemd host? Point --unit-dir at systemd's unit folder")
            }
            let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            guard Self.isPlainPath(binary) else {
                throw CLIError("this taser is at \(binary), a path the unit cannot name unquoted; install it somewhere plain (/usr/local/bin/taser) and run setup from there")
            }
            return TeamSetup(user: user, group: group, dir: dir, socketDir: socketDir, unitDir: unitDir, binary: binary)
        }

        /// An absolute folder with no `.` or `..` steps, written without a trailing slash.
        private func folder(_ path: String, _ option: String) throws -> String {
            guard path.hasPrefix("/") else { throw CLIError("\(option) must be an absolute path, not '\(path)'; write it from /, such as /var/lib/taser") }
            let steps = path.split(separator: "/", omittingEmptySubsequences: true)
            guard !steps.isEmpty, !steps.contains(where: { $0 == "." || $0 == ".." }) else {
                throw CLIError("\(option) '\(path)' must name a folder below / without . or .. steps")
            }
            let clean = "/" + steps.joined(separator: "/")
            guard Self.isPlainPath(clean) else {
                throw CLIError("\(option) '\(path)' has characters a systemd unit would need quoted; use letters, digits and / . _ - + @ : , only")
            }
            return clean
        }

        /// Paths go into the unit's ExecStart and ReadWritePaths unquoted, where spaces split
        /// words and `%` starts a systemd specifier: only characters with no meaning there.
        static func isPlainPath(_ path: String) -> Bool {
            path.hasPrefix("/") && path.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/._-+@:,".unicodeScalars.contains($0)) }
        }

        private func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
    }
}
