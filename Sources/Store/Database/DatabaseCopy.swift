import Foundation
internal import GRDB

/// A taser database and its case log key, checked and ready to be copied into a new file, for
/// `taser setup team --from`. The source is only read: it may be an analyst's live database, so
/// it is not migrated, and no key is made for it. VACUUM INTO writes one consistent snapshot that
/// includes what is still in the source's WAL file, which a file copy would miss. The key goes
/// along because without it the copied log cannot be verified or added to; a key that is not the
/// one the log was sealed with is refused before anything is written.
public struct DatabaseCopy: Sendable {
    public let source: String
    let key: [UInt8]

    /// Everything that can be checked before writing: a taser database, not newer than this
    /// build, with its key beside it and the key the one its log was sealed with.
    public static func check(source: String) throws(StoreError) -> DatabaseCopy {
        var info = stat()
        guard stat(source, &info) == 0 else {
            throw .cannotOpen(path: source, detail: "\(String(cString: strerror(errno))); check the path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .cannotOpen(path: source, detail: "not a regular file") }
        guard info.st_size > 0 else { throw .notTaser(path: source) }
        guard let handle = FileHandle(forReadingAtPath: source) else { throw .cannotOpen(path: source, detail: "permission denied") }
        let head = Array(handle.readData(ofLength: 72))
        try? handle.close()
        guard head.starts(with: DatabaseFile.sqliteHeader) else { throw .notSQLite(path: source) }
        guard head.count >= 72, UInt32(head[68]) << 24 | UInt32(head[69]) << 16 | UInt32(head[70]) << 8 | UInt32(head[71]) == UInt32(bitPattern: Store.applicationID) else {
            throw .notTaser(path: source)
        }
        let key = LogKey.load(database: source)
        let bytes: [UInt8]
        switch key.state {
        case .usable(let b): bytes = b
        case .missing:
            throw .logKey(path: key.path, problem: "is missing: without it the copied case log cannot be verified or added to; put the key beside \(source) (restore it from a backup) and run this again")
        case .unreadable: throw .logKey(path: key.path, problem: "cannot be read; run this as root")
        case .unusable(let problem): throw .logKey(path: key.path, problem: problem)
        }
        do {
            try queue(source).read { db in
                let applied = try Schema.migrator.appliedIdentifiers(db)
                let unknown = applied.subtracting(Schema.migrator.migrations).sorted()
                if !unknown.isEmpty { throw StoreError.newerSchema(path: source, unknown: unknown) }
                let hasRecord = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_key')") ?? false
                let keyID = hasRecord ? try String.fetchOne(db, sql: "SELECT key_id FROM log_key WHERE id = 1") : nil
                if let keyID, keyID != LogKeyRecord.keyID(bytes) { throw StoreError.logKeyMismatch(path: key.path) }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: source)
        }
        return DatabaseCopy(source: source, key: bytes)
    }

    /// Writes the copy and its key at `target`, which must not exist: a database is never overwritten.
    public func write(into target: String) throws(StoreError) {
        if FileManager.default.fileExists(atPath: target) || FileManager.default.fileExists(atPath: LogKey.path(forDatabase: target)) {
            throw .cannotOpen(path: target, detail: "it already exists, and a database is never overwritten")
        }
        do {
            try Self.queue(source).inDatabase { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target]) }
        } catch {
            unlink(target)
            throw StoreError(error, path: source)
        }
        do {
            _ = try LogKey.store(key, database: target)
        } catch {
            unlink(target)
            throw error
        }
    }

    /// A read-only connection: the source is never changed, not even switched to WAL.
    private static func queue(_ source: String) throws -> DatabaseQueue {
        var config = Configuration()
        config.label = "taser-copy"
        config.readonly = true
        config.busyMode = .timeout(Store.busyTimeout)
        return try DatabaseQueue(path: source, configuration: config)
    }
}
