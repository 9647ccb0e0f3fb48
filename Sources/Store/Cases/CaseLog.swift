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
    /// Appends to a case's log, chaining to the case's head. Runs inside the caller's write
    /// transaction (BEGIN IMMEDIATE), so two writers can never read the same head. The entry's
    /// id is chosen here, before the insert, because the seal covers it.
    @discardableResult
    public func appendLog(_ entry: NewLogEntry, toCase caseID: Int64, author: String, at time: Timestamp) throws -> LogEntry {
        if let target = entry.corrects {
            let owner = try Int64.fetchOne(db, sql: "SELECT case_id FROM case_log WHERE id = ?", arguments: [target])
            guard owner == caseID else { throw StoreError.logEntryNotInCase(entry: target, caseID: caseID) }
        }
        let sealer = try sealer()
        guard var head = try logHead(ofCase: caseID) else {
            throw StoreError.logTampered(caseID: caseID, detail: "it has no head, the record of its entry count and last hash")
        }
        // Chaining on from a log that does not end where its head says would hide what happened
        // to it: with the next signature, a deletion would look like history.
        let last = try Row.fetchOne(
            db, sql: "SELECT seq, hash FROM case_log WHERE case_id = ? ORDER BY seq DESC LIMIT 1", arguments: [caseID])
        // Decoded without trapping: a value of the wrong type put there by hand is a mismatch (-1).
        let lastSeq = last.map { ((try? $0.decode(Int64?.self, forColumn: "seq")) ?? nil) ?? -1 } ?? 0
        let lastHash = last.map { ((try? $0.decode(String?.self, forColumn: "hash")) ?? nil) ?? "" } ?? LogEntry.genesisHash
        guard lastSeq == head.entries, lastHash == head.hash else {
            throw StoreError.logTampered(
                caseID: caseID,
                detail: lastSeq < head.entries
                    ? "its head records \(head.entries) entries, the log ends at #\(lastSeq)"
                    : lastSeq > head.entries
                        ? "its head records \(head.entries) entries, the log has #\(lastSeq)"
                        : "its last entry is not the one its head records")
        }
        if case .key(let key) = sealer { try checkUnsignedTail(head, key: key) }
        let id = try nextLogEntryID()
        // Both numbers come from the file: checked, so a forged huge one is an error, not a trap.
        let (seq, full) = head.entries.addingReportingOverflow(1)
        guard !full else { throw StoreError.logTampered(caseID: caseID, detail: "its head records an impossible entry count") }
        var stored = LogEntry(
            id: id, caseID: caseID, seq: seq, time: time, author: author, kind: entry.kind, body: entry.body, data: entry.data?.text,
            corrects: entry.corrects, prevHash: head.hash, hash: "", seal: sealer.seal)
        stored.hash = sealer.seal(stored.canonicalForm)
        try db.execute(
            sql: """
                INSERT INTO case_log (id, case_id, seq, time, author, kind, body, data, corrects, prev_hash, hash, seal)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, caseID, seq, time.ms, author, entry.kind.rawValue, entry.body, stored.data, entry.corrects, stored.prevHash, stored.hash,
                stored.seal.rawValue,
            ])
        let wasSigned = head.signature != nil
        head.entries = seq
        head.hash = stored.hash
        if case .key(let key) = sealer {
            head.signedEntries = seq
            head.signedHash = stored.hash
            head.signature = Hashing.hmacHex(LogHead.form(caseID: caseID, entries: seq, hash: stored.hash), key: key)
            if !wasSigned { try countSignedCase(key: key) }
        }
        try db.execute(
            sql: "UPDATE log_heads SET entries = ?, hash = ?, signed_entries = ?, signed_hash = ?, signature = ? WHERE case_id = ?",
            arguments: [head.entries, head.hash, head.signedEntries, head.signedHash, head.signature, caseID])
        return stored
    }

    /// The id the next entry gets: past every id ever used (AUTOINCREMENT's counter included),
    /// so an id is never reused even after rows were removed behind taser's back.
    private func nextLogEntryID() throws -> Int64 {
        let used = try Int64.fetchOne(db, sql: """
            SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'case_log'), 0),
                       coalesce((SELECT max(id) FROM case_log), 0))
            """) ?? 0
        let (next, full) = used.addingReportingOverflow(1)
        guard !full else { throw StoreError.sql(detail: "case log entry ids are used up (the id counter was set to its maximum)") }
        return next
    }

    /// A case's log, oldest first.
    public func log(ofCase caseID: Int64) throws -> [LogEntry] {
        try Row.fetchAll(
            db, sql: "SELECT \(LogEntry.columns) FROM case_log l WHERE l.case_id = ? ORDER BY l.seq", arguments: [caseID]
        ).compactMap(LogEntry.init(row:))
    }
}
