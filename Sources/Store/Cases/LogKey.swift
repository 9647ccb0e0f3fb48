import Foundation
import Model

/// The case log's key: 32 random bytes in `<database>.key`, beside the database, mode 0600,
/// owned by the database file's owner, who makes it with the database. Entries and heads are
/// sealed with HMAC-SHA256 under it, so whoever can write the database file but not read this
/// one (another OS user sharing the file, someone with a copy of it) cannot rewrite the log
/// unnoticed. It lives outside the database on purpose: whatever is inside can be rewritten
/// together with the log.
struct LogKey: Sendable {
    enum State: Sendable, Equatable {
        case usable([UInt8])
        /// It is where it should be, as it should be, but this OS user may not read it: an analyst
        /// sharing the file in embedded mode. Their entries are sealed with plain SHA-256 and say so.
        case unreadable
        case missing
        /// There is a file, but it must not be used; the text says why and what to do.
        case unusable(String)
    }

    let path: String
    let state: State

    static let size = 32

    static func path(forDatabase database: String) -> String { database + ".key" }

    /// Reads the key beside `database`, checking it is the owner's secret before trusting it.
    static func load(database: String) -> LogKey {
        let path = path(forDatabase: database)
        var info = stat()
        guard stat(path, &info) == 0 else {
            return LogKey(path: path, state: errno == ENOENT ? .missing : .unusable("cannot be read: \(String(cString: strerror(errno)))"))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return LogKey(path: path, state: .unusable("is not a regular file")) }
        if let owner = DatabaseFile.owner(path: database), info.st_uid != owner {
            return LogKey(path: path, state: .unusable(
                "is owned by uid \(info.st_uid), not by the database's owner (uid \(owner)); chown it to the database's owner"))
        }
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            return LogKey(path: path, state: .unusable("may be read or written by others (mode \(mode)); chmod 600 \(path)"))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let problem = String(cString: strerror(errno))
            // Only someone else may fall back to unkeyed entries; the owner must not be downgraded.
            guard errno == EACCES || errno == EPERM, DatabaseFile.owner(path: database) != geteuid() else {
                return LogKey(path: path, state: .unusable("cannot be read: \(problem); chmod 600 \(path)"))
            }
            return LogKey(path: path, state: .unreadable)
        }
        defer { close(fd) }
        // One byte more than a key: a longer file is not a key either.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        guard count == size else {
            return LogKey(path: path, state: .unusable("holds \(count > size ? "more than \(size)" : String(count)) bytes, not the \(size) of a taser log key"))
        }
        return LogKey(path: path, state: .usable(Array(bytes.prefix(size))))
    }

    /// Makes a new random key beside `database`, as the database's owner: mode 0600 and, when root
    /// makes it for another user's database, handed to that user. Refuses to overwrite a file.
    static func create(database: String) throws(StoreError) -> LogKey {
        var key = [UInt8](repeating: 0, count: size)
        var rng = SystemRandomNumberGenerator()
        for i in key.indices { key[i] = rng.next() }
        return try store(key, database: database)
    }

    /// Writes `key` beside `database` as `create` does (a copied database takes its key along).
    static func store(_ key: [UInt8], database: String) throws(StoreError) -> LogKey {
        let path = path(forDatabase: database)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .logKey(path: path, problem: "cannot be created: \(String(cString: strerror(errno))); the database's owner makes it when opening the database in a directory they may write")
        }
        var ok = fchmod(fd, 0o600) == 0
        var info = stat()
        if ok, stat(database, &info) == 0, info.st_uid != geteuid() { ok = fchown(fd, info.st_uid, info.st_gid) == 0 }
        if ok { ok = key.count == size && key.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) } == size && fsync(fd) == 0 }
        let problem = String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(path)
            throw .logKey(path: path, problem: "cannot be written: \(problem)")
        }
        return LogKey(path: path, state: .usable(key))
    }

    /// Takes back a key made for a registration that did not commit.
    func remove() { unlink(path) }

    /// Whether the OS user running taser may make the key: the database's owner, or root.
    static func mayCreate(database: String) -> Bool {
        geteuid() == 0 || DatabaseFile.owner(path: database) == geteuid()
    }
}

/// How this process seals what it appends to a case log.
enum Sealer {
    case key([UInt8])
    /// No key to be had (see `LogKey.State.unreadable`): plain SHA-256, marked as such.
    case plain

    var seal: LogSeal { if case .key = self { .hmac } else { .sha256 } }

    func seal(_ text: String) -> String {
        switch self {
        case .key(let key): Hashing.hmacHex(text, key: key)
        case .plain: Hashing.sha256Hex(text)
        }
    }
}

extension Store {
    /// Team mode's daemon seals every analyst's entries, so the key must be its own secret before
    /// it takes a connection: one others may read or write lets them forge entries, and one the
    /// daemon cannot read would have it seal everyone's entries unkeyed. `LogKey.load` already
    /// refuses a key open to others or not the database owner's; this adds that the owner is the
    /// daemon's user, and turns a key that is missing or unreadable into a refusal to start
    /// instead of a failed (or unkeyed) write per request.
    public func checkLogKeyForDaemon() throws(StoreError) {
        let me = geteuid()
        let path = logKey.path
        switch logKey.state {
        case .usable: break
        case .unusable(let problem): throw .logKey(path: path, problem: problem)
        case .missing:
            throw .logKey(path: path, problem: "is missing, and the daemon seals analysts' entries with it; run taser serve as the database's owner (it makes the key), or restore the key from a backup")
        case .unreadable:
            throw .logKey(path: path, problem: "cannot be read by uid \(me), which runs the daemon; run taser serve as the database's owner (the unit `taser setup team` writes does)")
        }
        // Checked again now: the state was read at open, and the file may have changed since.
        var info = stat()
        guard stat(path, &info) == 0 else { throw .logKey(path: path, problem: "cannot be checked: \(String(cString: strerror(errno)))") }
        guard info.st_uid == me else {
            throw .logKey(path: path, problem: "is owned by uid \(info.st_uid), not by uid \(me), which runs the daemon; run taser serve as the service account that owns the database and its key (sudo taser setup team --check says what is off)")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw .logKey(path: path, problem: "may be read or written by others (mode \(String(info.st_mode & 0o777, radix: 8))); chmod 600 \(path)")
        }
    }
}
