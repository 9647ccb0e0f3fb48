import Credentials
import AlertEngine
import ArgumentParser
import Engine
import Foundation
import Model

/// Options every command takes, wherever they appear on the line (`taser --db X case list` or
/// `taser case list --db X`).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file (default: $TASER_DB, else $XDG_DATA_HOME/taser/taser.db).", valueName: "path"))
    var db: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Act as this analyst (the database owner only).", valueName: "analyst"))
    var actAs: String?

    @Option(name: .long, help: ArgumentHelp("Team mode: the daemon's socket (default: $TASER_SERVER, else `server:` in ~/.config/taser/taser.yaml); who you are comes from the kernel.", valueName: "socket"))
    var server: String?

    /// --server, else $TASER_SERVER, else `server:` in taser.yaml: team mode, through the daemon.
    /// The file is the analyst's standing default, so a database named for this run (--db or
    /// $TASER_DB) sets it aside; the file is still read, so a broken one is said at once.
    func serverSocket() throws -> String? {
        if let server, !server.isEmpty { return server }
        let env = ProcessInfo.processInfo.environment
        if let socket = env["TASER_SERVER"], !socket.isEmpty { return socket }
        let file = try ClientConfig.load()
        if (db ?? "").isEmpty, (env["TASER_DB"] ?? "").isEmpty { return file.server }
        return nil
    }

    /// --db, else $TASER_DB, else the XDG data directory (created on first use).
    func databasePath() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let db, !db.isEmpty { return db }
        if let path = env["TASER_DB"], !path.isEmpty { return path }
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        let dir = (base as NSString).appendingPathComponent("taser")
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create \(dir) for the default database: \(error.localizedDescription); pass --db PATH")
        }
        return (dir as NSString).appendingPathComponent("taser.db")
    }

    /// The engine for this run. Read-only commands pass `create: false`, so a mistyped path
    /// says "no database" instead of silently making an empty one.
    func engine(create: Bool = true) throws -> Engine {
        try requireLocal()
        return try Engine.open(path: try databasePath(), actingAs: actAs, create: create)
    }

    /// Refuses team mode for a command that works on the file itself; such a command calls it
    /// before it reads its other files, so that is the first thing said.
    func requireLocal() throws {
        if try serverSocket() != nil {
            // What is left is the database's own work: making one (demo, init), the daemon
            // itself (serve) and the workers it runs beside the socket (sync run, automation run).
            throw CLIError("this command works on the database file itself, not through the daemon: the service account runs it on the daemon's host, without --server/TASER_SERVER (taser serve runs sync and playbooks itself)")
        }
    }

    /// What commands that work in team mode ask: the daemon when --server (or $TASER_SERVER) is
    /// set, else the database in-process.
    func api(create: Bool = true) throws -> TaserAPI {
        guard let socket = try serverSocket() else { return try engine(create: create) }
        if db != nil { throw CLIError("--db and --server are two ways to reach the data; give one") }
        return try RemoteEngine(socket: socket, actingAs: actAs)
    }
}

/// A command-line mistake, reported as one line.
struct CLIError: Error {
    var message: String
    var code: Int32 = 1
    init(_ message: String, code: Int32 = 1) {
        self.message = message
        self.code = code
    }
}

/// Reads a word from a closed set (`in_progress`, `true-positive`, `amber+strict`).
func choice<T: Choice>(_ text: String, _ what: String) throws -> T {
    guard let value = T(parsing: text) else { throw CLIError("invalid \(what) '\(text)'; use one of: \(T.names)") }
    return value
}

func parseSeverity(_ text: String) throws -> Severity {
    guard let value = Severity(parsing: text) else { throw CLIError("invalid severity '\(text)'; use one of: \(Severity.names)") }
    return value
}

/// Where the analyst's own configuration lives: `$XDG_CONFIG_HOME/taser` (`~/.config/taser`).
func configDirectory() -> String {
    let env = ProcessInfo.processInfo.environment
    let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        ?? (NSHomeDirectory() as NSString).appendingPathComponent(".config")
    return (base as NSString).appendingPathComponent("taser")
}

/// Mapping files: those named with --mapping, then every `*.yaml` in the config's `mappings/`.
func mappingFiles(_ explicit: [String]) -> [String] {
    let dir = configDirectory() + "/mappings"
    let found = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { dir + "/" + $0 }
    return explicit + found.filter { !explicit.contains($0) }
}

/// The kinds mapping files add, so `--kind` finds them like the built-in ones. A broken mapping
/// file is skipped here (ingest reports it), so listing never fails for it.
func mappingKinds() -> [SignalKind] {
    mappingFiles([]).compactMap { try? MappingFormat.load(path: $0).kind }
}

/// `--secrets`: the one secrets file for pollers, Positron's plugins and Sync's endpoints. One
/// option group wherever it appears: the root command takes it too (for the console's Positron
/// prompt), and ArgumentParser gives a subcommand's option to the root when both declare the
/// same name separately.
struct SecretsFile: ParsableArguments {
    @Option(help: ArgumentHelp("The secrets file (default: ~/.config/taser/secrets.yaml); must be chmod 600.", valueName: "file"))
    var secrets: String?

    /// The named file, or the default one when it exists (else only the environment); a file
    /// others may read is refused.
    func load() throws -> Secrets { try SecretsFile.load(secrets) }

    static func load(_ path: String?) throws -> Secrets {
        let file = path ?? configDirectory() + "/secrets.yaml"
        do {
            return FileManager.default.fileExists(atPath: file) || path != nil ? try Secrets.load(path: file) : Secrets()
        } catch let problem as Secrets.Problem { throw CLIError(problem.description) }
    }
}
