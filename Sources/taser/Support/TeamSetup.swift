import Engine
import Foundation
import Store  // works on the database file itself (embedded, setup, bench)

/// What `taser setup team` sets up, validated: the accounts, the database's folder, the database
/// and its key, the socket's folder and the systemd unit. `apply` makes each right and says per
/// item what it did ("already set up" when nothing); `problems` only looks.
struct TeamSetup {
    var user: String
    var group: String
    var dir: String
    var socketDir: String
    var unitDir: String
    /// This taser, as the unit runs it.
    var binary: String

    var database: String { dir + "/taser.db" }
    var socket: String { socketDir + "/taser.sock" }
    var unitPath: String { unitDir + "/" + SetupUnit.fileName }
    /// Under /run the folder is systemd's to make at each start (/run is emptied at boot).
    var runtimeDirectory: String? { socketDir.hasPrefix("/run/") ? String(socketDir.dropFirst("/run/".count)) : nil }

    /// The database, its key and SQLite's WAL files: the service account's alone.
    func databaseFiles(uid: uid_t?, gid: gid_t?) -> [SetupPath] {
        [("database", database), ("log key", database + ".key"), ("WAL file", database + "-wal"), ("WAL index", database + "-shm")].map {
            SetupPath(label: $0.0, path: $0.1, isDirectory: false, owner: user, uid: uid, mode: 0o600)
        }
    }

    func dataDirectory(uid: uid_t?) -> SetupPath {
        SetupPath(label: "directory", path: dir, isDirectory: true, owner: user, uid: uid, mode: 0o700)
    }

    /// The socket's folder, when setup makes it (not under /run): the group may enter, not write.
    func socketDirectory(uid: uid_t?, gid: gid_t?) -> SetupPath? {
        guard runtimeDirectory == nil else { return nil }
        return SetupPath(label: "socket directory", path: socketDir, isDirectory: true, owner: user, uid: uid, group: group, gid: gid, mode: 0o750)
    }

    // MARK: Checking

    /// Every problem, one line each; empty when team mode is set up as setup would leave it.
    func problems() -> [String] {
        var out: [String] = []
        let gid = SetupAccounts.group(group)
        if gid == nil { out.append("group \(group) does not exist") }
        let account = SetupAccounts.user(user)
        if account == nil { out.append("user \(user) does not exist") }
        if account?.uid == 0 { out.append("user \(user) is root; the daemon must run as a service account") }
        let uid = account?.uid
        out += dataDirectory(uid: uid).problems()
        for (i, file) in databaseFiles(uid: uid, gid: nil).enumerated() where i < 2 || file.exists {
            out += file.problems()
        }
        if let socketDir = socketDirectory(uid: uid, gid: gid) { out += socketDir.problems() }
        for path in [dir, socketDir] {
            if let blocked = SetupPath.blockedAncestor(of: path) { out.append("\(path) cannot be reached: \(blocked) keeps others out") }
        }
        if let text = try? String(contentsOfFile: unitPath, encoding: .utf8) {
            if text != SetupUnit.text(self) { out.append("unit \(unitPath) differs from what `taser setup team` writes (with these options); run it again to rewrite it") }
        } else {
            out.append("unit \(unitPath) is missing")
        }
        return out
    }

    // MARK: Setting up

    /// What can be refused before anything changes: bad input never leaves half a setup.
    func preflight(copy: DatabaseCopy?) throws {
        if let account = SetupAccounts.user(user), account.uid == 0 {
            throw CLIError("--user \(user) is root; the daemon must run as a service account of its own")
        }
        if copy != nil, FileManager.default.fileExists(atPath: database) {
            throw CLIError("\(dir) already has a database (taser.db), and --from never overwrites one; move it away first, or run without --from to keep it")
        }
        let uid = SetupAccounts.user(user)?.uid
        for path in [dir, socketDir] {
            if let blocked = SetupPath.blockedAncestor(of: path) {
                throw CLIError("\(path) cannot be reached by the service account or analysts: \(blocked) keeps others out; choose a folder others may pass through")
            }
            guard let state = SetupPath.State.of(path) else { continue }
            guard state.kind == S_IFDIR else { throw CLIError("\(path) exists and is not a directory; choose another path") }
            if state.uid != uid, !SetupPath.isEmptyDirectory(path) {
                throw CLIError("\(path) already holds files and is not \(user)'s; choose a new folder (setup makes it), or chown -R \(user) \(path) yourself")
            }
        }
    }

    /// Makes everything right, printing one line per item.
    func apply(copy: DatabaseCopy?) throws {
        try preflight(copy: copy)
        if SetupAccounts.group(group) != nil {
            Output.line("group \(group): already set up")
        } else {
            try SetupAccounts.createGroup(group)
            Output.line("group \(group): created (system group; its members may connect)")
        }
        if SetupAccounts.user(user) != nil {
            Output.line("user \(user): already set up")
        } else {
            try SetupAccounts.createUser(user, group: group, home: dir)
            Output.line("user \(user): created (system user in group \(group), no login shell)")
        }
        guard let account = SetupAccounts.user(user), let gid = SetupAccounts.group(group) else {
            throw CLIError("user \(user) or group \(group) cannot be found after making them; check /etc/passwd and /etc/group (nsswitch)")
        }
        try directory(dataDirectory(uid: account.uid), uid: account.uid, gid: account.gid)
        try databaseItems(copy: copy, uid: account.uid, gid: account.gid)
        if let socketDir = socketDirectory(uid: account.uid, gid: gid) { try directory(socketDir, uid: account.uid, gid: gid) }
        try unit()
    }

    private func directory(_ item: SetupPath, uid: uid_t, gid: gid_t) throws {
        guard item.exists else {
            let parent = (item.path as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot make \(parent): \(error.localizedDescription)")
            }
            // Made closed (0700) and opened only as far as it should be after its owner is set.
            guard mkdir(item.path, 0o700) == 0 else { throw CLIError("cannot make \(item.path): \(String(cString: strerror(errno)))") }
            _ = try item.fix(uid: uid, gid: gid)
            return Output.line("\(item.label) \(item.path): created (\(user), mode \(SetupPath.octal(item.mode)))")
        }
        let changed = try item.fix(uid: uid, gid: gid)
        Output.line("\(item.label) \(item.path): \(changed.isEmpty ? "already set up" : "fixed (\(changed))")")
    }

    /// The database: copied in (--from), made, or checked; then it and its key are the service
    /// account's alone. Made and opened as root inside the folder that is already closed to
    /// everyone else, then handed over, so there is no moment others could open it.
    private func databaseItems(copy: DatabaseCopy?, uid: uid_t, gid: gid_t) throws {
        var made: String?
        if let copy {
            try copy.write(into: database)
            made = "copied from \(copy.source)"
        } else if !FileManager.default.fileExists(atPath: database) {
            made = "created"
        }
        if made != nil {
            do {
                // Opening migrates a copy to this build's schema, and makes a new database and its key.
                _ = try Engine.open(path: database, create: true)
            } catch {
                // Made (or copied) in this run: taken back, so the next run starts clean.
                for file in databaseFiles(uid: nil, gid: nil) { unlink(file.path) }
                throw error
            }
        }
        if made == nil, !FileManager.default.fileExists(atPath: database + ".key") {
            throw CLIError("\(database) has no log key beside it (\(database).key); restore the key from a backup (without it the case log cannot be verified), then run this again")
        }
        for (i, file) in databaseFiles(uid: uid, gid: gid).enumerated() where i < 2 || file.exists {
            let changed = try file.fix(uid: uid, gid: gid)
            let status = made.map { "\($0) (\(user), mode 600)" } ?? (changed.isEmpty ? "already set up" : "fixed (\(changed))")
            if i < 2 { Output.line("\(file.label) \(file.path): \(status)") }
        }
    }

    private func unit() throws {
        let text = SetupUnit.text(self)
        let old = try? String(contentsOfFile: unitPath, encoding: .utf8)
        if old == text { return Output.line("unit \(unitPath): already set up") }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: unitPath), options: .atomic)
        } catch {
            throw CLIError("cannot write \(unitPath): \(error.localizedDescription)")
        }
        chmod(unitPath, 0o644)
        Output.line("unit \(unitPath): \(old == nil ? "written" : "rewritten (it differed; keep local changes in `systemctl edit taser`)")")
    }
}
