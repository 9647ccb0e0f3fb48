internal import GRDB
import Model

/// An entry to append; the store assigns id, seq and the hashes.
public struct NewLogEntry: Sendable {
    public var kind: LogKind
    public var body: String
    public var data: JSONValue?
    public var corrects: Int64?

    public init(kind: LogKind, body: String, data: JSONValue? = nil, corrects: Int64? = nil) {
        self.kind = kind
        self.body = body
        self.data = data
        self.corrects = corrects
    }
}

extension Tx {
    /// Appends to a case's log, chaining to the case's last entry. Runs inside the caller's write
    /// transaction (BEGIN IMMEDIATE), so two writers can never read the same last entry.
    @discardableResult
    public func appendLog(_ entry: NewLogEntry, toCase caseID: Int64, author: String, at time: Timestamp) throws -> LogEntry {
        if let target = entry.corrects {
            let owner = try Int64.fetchOne(db, sql: "SELECT case_id FROM case_log WHERE id = ?", arguments: [target])
            guard owner == caseID else { throw StoreError.logEntryNotInCase(entry: target, caseID: caseID) }
        }
        let last = try Row.fetchOne(
            db, sql: "SELECT seq, hash FROM case_log WHERE case_id = ? ORDER BY seq DESC LIMIT 1", arguments: [caseID])
        let seq: Int64 = (last?["seq"] ?? 0) + 1
        let prev: String = last?["hash"] ?? LogEntry.genesisHash
        let data = entry.data?.text
        let canonical = LogEntry.canonicalForm(
            caseID: caseID, seq: seq, time: time, author: author, kind: entry.kind, body: entry.body, data: data,
            corrects: entry.corrects, prevHash: prev)
        let hash = Hashing.sha256Hex(canonical)
        try db.execute(
            sql: """
                INSERT INTO case_log (case_id, seq, time, author, kind, body, data, corrects, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [caseID, seq, time.ms, author, entry.kind.rawValue, entry.body, data, entry.corrects, prev, hash])
        return LogEntry(
            id: db.lastInsertedRowID, caseID: caseID, seq: seq, time: time, author: author, kind: entry.kind,
            body: entry.body, data: data, corrects: entry.corrects, prevHash: prev, hash: hash)
    }

    /// A case's log, oldest first.
    public func log(ofCase caseID: Int64) throws -> [LogEntry] {
        try Row.fetchAll(
            db, sql: "SELECT \(LogEntry.columns) FROM case_log l WHERE l.case_id = ? ORDER BY l.seq", arguments: [caseID]
        ).compactMap(LogEntry.init(row:))
    }
}
