internal import GRDB
internal import GRDBSQLite

/// A prepared statement for the bulk paths (ingest, the demo), bound straight through the
/// SQLite API. GRDB's `StatementArguments` boxes every value in a `DatabaseValue` array; at a
/// few rows per signal and 10^5 signals per second that boxing cost as much as SQLite itself.
/// The statement stays GRDB's (cached per connection, finalized by GRDB); this only binds,
/// steps and resets it.
struct BulkStatement {
    private let statement: Statement
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ db: Database, sql: String) throws {
        self.db = db
        self.statement = try db.cachedStatement(sql: sql)
    }

    func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ value: String, at index: Int32) {
        // Native strings lend their bytes without a copy of the string (`withUTF8` needs a
        // mutable copy: a retain and release per bind, on the hottest loop of ingest).
        if value.utf8.withContiguousStorageIfAvailable({ bind(text: $0, at: index) }) == nil {
            var value = value
            value.withUTF8 { bind(text: $0, at: index) }
        }
    }

    private func bind(text: UnsafeBufferPointer<UInt8>, at index: Int32) {
        // SQLITE_TRANSIENT: SQLite copies the text before the caller's buffer goes away.
        // An empty string may have no buffer at all, and a NULL pointer would bind NULL.
        let start = text.baseAddress.map { UnsafeRawPointer($0) } ?? UnsafeRawPointer(("" as StaticString).utf8Start)
        _ = sqlite3_bind_text(
            handle, index, start.assumingMemoryBound(to: CChar.self), Int32(text.count),
            unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// Runs the statement to completion; returns the first column of its first row, if any
    /// (`RETURNING id`).
    @discardableResult
    func run() throws -> Int64? {
        defer { sqlite3_reset(handle) }
        var first: Int64?
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE:
                return first
            case SQLITE_ROW:
                if first == nil { first = sqlite3_column_int64(handle, 0) }
            case let code:
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
        }
    }
}
