/// What went wrong with the database file or a write, said so an analyst can act on it.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingDirectory(path: String, directory: String)
    case noDatabase(path: String)
    case notSQLite(path: String)
    case notTaser(path: String)
    case readOnly(path: String)
    case newerSchema(path: String, unknown: [String])
    case busy(path: String)
    case corrupt(path: String, detail: String)
    case cannotOpen(path: String, detail: String)
    case sql(detail: String)
    case logEntryNotInCase(entry: Int64, caseID: Int64)
    /// The case log key file exists but cannot be used (mode, owner, size, ...).
    case logKey(path: String, problem: String)
    /// The database's log was sealed with a key, and the key file is gone.
    case logKeyMissing(path: String)
    /// The key file is not the key the database's log was sealed with.
    case logKeyMismatch(path: String)
    /// The database's record of its key was removed although entries were sealed with it.
    case logKeyRecordMissing(path: String)
    /// A case's log does not end where its head says, or its head was forged: appending would
    /// hide it, so nothing is written.
    case logTampered(caseID: Int64, detail: String)

    public var description: String {
        switch self {
        case .missingDirectory(let path, let dir):
            "cannot open database \(path): directory \(dir) does not exist; create it (mkdir -p \(dir)) or pass another --db"
        case .noDatabase(let path):
            "no database at \(path); make one with `taser init --db \(path)` (empty) or `taser demo --db \(path)` (sample data)"
        case .notSQLite(let path):
            "\(path) is not an SQLite database; check --db (or TASER_DB) points at a taser database"
        case .notTaser(let path):
            "\(path) is an SQLite database but not taser's; check --db (or TASER_DB) points at a taser database"
        case .readOnly(let path):
            "database \(path) is read-only; nothing was written (ask its owner for write access, or work on a copy)"
        case .newerSchema(let path, let unknown):
            "database \(path) was written by a newer taser (schema \(unknown.joined(separator: ", "))); upgrade taser to open it"
        case .busy(let path):
            "database \(path) stayed busy for 30 s (another taser is holding a write); nothing was written, try again"
        case .corrupt(let path, let detail):
            "database \(path) is damaged (\(detail)); nothing was changed. Copy what SQLite can still read into a new file"
                + " (`sqlite3 \(path) .recover | sqlite3 NEW.db`; README's \"A damaged database\" has the steps) or restore a backup"
        case .cannotOpen(let path, let detail):
            "cannot open database \(path): \(detail)"
        case .sql(let detail):
            "database error: \(detail)"
        case .logEntryNotInCase(let entry, let caseID):
            "log entry \(entry) is not in case \(caseID); a correction must point at an entry of the same case (see `taser case show \(caseID)`)"
        case .logKey(let path, let problem):
            "the case log key \(path) \(problem)"
        case .logKeyMissing(let path):
            "the case log key \(path) is missing; restore it from a backup (mode 0600, owned by the database's owner): without it no"
                + " entry can be added to a case log, and `taser verify` cannot prove the entries sealed with it"
        case .logKeyMismatch(let path):
            "\(path) is not the key this database's case log was sealed with; restore the right key file from a backup"
        case .logKeyRecordMissing(let path):
            "database \(path) has no record of its case log key \(path).key; nothing was written. If taser was stopped while making"
                + " the database, remove \(path).key and run taser again; otherwise the record was removed outside taser:"
                + " `taser verify` says what else changed, and a backup restores it"
        case .logTampered(let caseID, let detail):
            "case \(caseID)'s log was changed outside taser (\(detail)); nothing was written. `taser verify` lists what changed;"
                + " restore the database from a backup"
        }
    }
}

/// A row the caller's own transaction has just written, read back. It cannot be missing (the
/// write and the read share the transaction), so this never fails in practice; if it somehow
/// does, the caller gets an error to report instead of a crash.
public func readBack<T>(_ value: T?, _ what: String) throws(StoreError) -> T {
    guard let value else { throw StoreError.sql(detail: "\(what) was written but cannot be read back in the same transaction") }
    return value
}
