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
            "database \(path) is damaged (\(detail)); run `taser verify` and restore from a backup"
        case .cannotOpen(let path, let detail):
            "cannot open database \(path): \(detail)"
        case .sql(let detail):
            "database error: \(detail)"
        case .logEntryNotInCase(let entry, let caseID):
            "log entry \(entry) is not in case \(caseID); a correction must point at an entry of the same case (see `taser case show \(caseID)`)"
        }
    }
}
