import Foundation
internal import GRDB
import Model

/// The one SQLite file: WAL mode so consoles, `serve` and CLI runs share it; a busy timeout so
/// writers queue instead of failing; foreign keys on; the schema migrated at open.
public final class Store: Sendable {
    public let path: String
    private let reader: any DatabaseReader
    /// Nil when the file is read-only: every write then fails with `StoreError.readOnly`
    /// before touching anything.
    private let writer: (any DatabaseWriter)?
    /// The case log's key (see `LogKey`), read once at open.
    let logKey: LogKey

    public var isReadOnly: Bool { writer == nil }

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 30
    /// `PRAGMA application_id`: marks the file as taser's ("TASR").
    static let applicationID: Int32 = 0x5441_5352

    /// Opens (and when allowed, creates) the database at `path`, refusing what is not a taser
    /// database or was written by a newer schema.
    public static func open(path: String, create: Bool = true) throws(StoreError) -> Store {
        let file = try DatabaseFile.inspect(path: path)
        if !file.exists && !create { throw .noDatabase(path: path) }
        if file.isForeign { throw .notTaser(path: path) }
        do {
            if file.exists && !file.isWritable {
                var config = Store.configuration(label: "taser-readonly")
                config.readonly = true
                let queue = try DatabaseQueue(path: path, configuration: config)
                try queue.read { db in try Schema.check(db, path: path, writable: false) }
                return Store(path: path, reader: queue, writer: nil, logKey: LogKey.load(database: path))
            }
            if !file.exists { try createFile(path: path) }
            let pool = try DatabasePool(path: path, configuration: Store.configuration(label: "taser"))
            try pool.read { db in try Schema.check(db, path: path, writable: true) }
            try Schema.migrator.migrate(pool)
            let key = try adoptLogKey(pool, key: LogKey.load(database: path), database: path, at: .now)
            return Store(path: path, reader: pool, writer: pool, logKey: key)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, path: path)
        }
    }

    /// The page size of new files. Signals are about a kilobyte each (raw body and fields), and
    /// 16 KiB pages make bulk ingest about a quarter faster than SQLite's 4 KiB default: fewer
    /// page splits and WAL frames per signal. (Measured with the sqlite3 CLI on this schema;
    /// `taser bench` gives its baselines the same size.) Fixed once the file is in WAL mode,
    /// so existing files keep theirs.
    public static let pageSize = 16_384

    private static func createFile(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = \(pageSize); PRAGMA journal_mode = WAL")
        }
    }

    private init(path: String, reader: any DatabaseReader, writer: (any DatabaseWriter)?, logKey: LogKey) {
        self.path = path
        self.reader = reader
        self.writer = writer
        self.logKey = logKey
    }

    private static func configuration(label: String) -> Configuration {
        var config = Configuration()
        config.label = label
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // NORMAL is durable in WAL mode against process crashes; only a power cut can lose
            // the last commits, never corrupt the file.
            guard !db.configuration.readonly else { return }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The writer keeps the hot pages of the signal and link indexes in memory: bulk ingest
            // otherwise spends most of its time re-reading them from the OS (64 MiB at most,
            // allocated only as used).
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        return config
    }

    /// One read transaction: a consistent snapshot even while others write.
    public func read<T>(_ body: (Tx) throws -> T) throws -> T {
        do {
            return try reader.read { db in try body(Tx(db: db, path: path, key: logKey)) }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// One read transaction that ends with ROLLBACK, for `taser verify`: once a read has met a
    /// damaged page, SQLite refuses to COMMIT even a read transaction, which would turn the
    /// report of the damage into an error.
    public func inspect<T>(_ body: (Tx) throws -> T) throws -> T {
        do {
            return try reader.unsafeRead { db in
                var result: Result<T, any Error>?
                try db.inTransaction(.deferred) {
                    result = Result { try body(Tx(db: db, path: path, key: logKey)) }
                    return .rollback
                }
                guard let result else { throw StoreError.sql(detail: "the read transaction ended before it ran") }
                return try result.get()
            }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }

    /// One write transaction (BEGIN IMMEDIATE): all of `body` lands or none of it does.
    public func write<T>(_ body: (Tx) throws -> T) throws -> T {
        guard let writer else { throw StoreError.readOnly(path: path) }
        do {
            return try writer.write { db in try body(Tx(db: db, path: path, key: logKey)) }
        } catch let error as DatabaseError {
            throw StoreError(error, path: path)
        }
    }
}

/// A transaction handed to a `Store.read` or `Store.write` body. Its methods, grouped by concern
/// in extensions (signals, alerts, cases, log, artifacts, people), are the store's whole API.
public struct Tx {
    let db: Database
    public let path: String
    let key: LogKey
}

extension StoreError {
    init(_ error: any Error, path: String) {
        guard let error = error as? DatabaseError else {
            self = .cannotOpen(path: path, detail: "\(error)")
            return
        }
        switch error.resultCode {
        case .SQLITE_NOTADB: self = .notSQLite(path: path)
        case .SQLITE_READONLY: self = .readOnly(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: self = .busy(path: path)
        case .SQLITE_CORRUPT: self = .corrupt(path: path, detail: error.message ?? "corrupt")
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            self = .cannotOpen(path: path, detail: error.message ?? "\(error.resultCode)")
        default: self = .sql(detail: error.message ?? "\(error)")
        }
    }
}
