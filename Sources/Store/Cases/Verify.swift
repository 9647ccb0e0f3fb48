internal import GRDB
import Model

/// What `taser verify` found. Problems fail it; notes (entries written without the key, what a
/// quick check skips) are said and do not.
public struct VerifyReport: Codable, Sendable {
    /// A case whose log is not as taser wrote it: its first problem.
    public struct Broken: Codable, Sendable, Equatable {
        public var caseID: Int64
        /// The entry that shows it, when one does (a removed last entry has none).
        public var entryID: Int64?
        public var seq: Int64?
        public var reason: String
    }

    /// Entries written by someone who could not read the key, after the case's last signed head.
    public struct Unsigned: Codable, Sendable, Equatable {
        public var caseID: Int64
        public var first: Int64
        public var last: Int64
        public var authors: [String]
    }

    /// Cases and entries checked: those the asker may read.
    public var cases = 0
    public var entries = 0
    /// Of those entries: sealed with the key, with plain SHA-256 (no key), before the keyed log.
    public var sealedWithKey = 0
    public var sealedWithoutKey = 0
    public var legacy = 0
    /// Cases the asker may read whose log is broken, in case order.
    public var broken: [Broken] = []
    /// Whether a case the asker may not read is broken. Said, never which or how: the asker
    /// learns nothing else about cases they may not read.
    public var brokenUnreadable = false
    public var unsigned: [Unsigned] = []
    /// The key, its record in the database, the count of signed heads.
    public var keyProblems: [String] = []
    /// Whether the keyed seals and head signatures were checked (the asker could read the key).
    public var keyChecked = false
    /// Problems SQLite's integrity and foreign-key checks reported, and links with a missing end.
    public var integrity: [String] = []
    /// Whether SQLite itself found damaged pages: the file needs recovering, not just the log.
    public var damaged = false
    /// Append-only triggers that are gone, or whose text is not taser's.
    public var missingTriggers: [String] = []
    public var changedTriggers: [String] = []
    /// What was not checked, and why (a quick check, a key this user may not read).
    public var notes: [String] = []
    /// Heads compared with a witness's copy (`--heads`), and when the witness got them.
    public var witnessCompared: Int?
    public var witnessPublishedAt: String?

    public var passed: Bool {
        broken.isEmpty && !brokenUnreadable && keyProblems.isEmpty && integrity.isEmpty && missingTriggers.isEmpty
            && changedTriggers.isEmpty
    }
}

extension Tx {
    /// Walks every case's log against its head, checks the key's record, SQLite's integrity and
    /// the append-only triggers, and, given a witness's heads, that history still holds them.
    /// `quick` uses `PRAGMA quick_check`, which skips comparing index contents with their tables.
    /// An asker who is not the admin is told about the cases they may read only (see
    /// `VerifyReport.brokenUnreadable`).
    public func verify(quick: Bool = false, for actor: Actor? = nil, witness: LogWitness? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        let visible: Set<Int64>? = try actor.flatMap { actor in
            actor.isAdmin ? nil : Set(try Int64.fetchAll(db, SQLRequest<Int64>(literal: "SELECT c.id FROM cases c WHERE \(Access.caseLevel("c", actor)) > 0")))
        }
        let ownerView = visible == nil
        var key: [UInt8]? = nil
        do {
            key = try checkKey(into: &report)
            var walk = LogWalk(key: key, visible: visible)
            try walk.run(self, into: &report)
            if let witness { try compare(witness, visible: visible, into: &report) }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            report.damaged = true
            report.integrity.append("reading the case log stopped at damage (\(error.message ?? "the file is damaged")): the counts above are partial")
        }
        report.keyChecked = key != nil
        if quick {
            report.notes.append(
                "quick check: SQLite's quick_check does not compare each index's contents with its table; run without --quick for that")
        }
        try checkIntegrity(quick: quick, into: &report)
        if !ownerView && !report.integrity.isEmpty {
            // Row numbers in these messages could name cases the asker may not read.
            report.integrity = ["SQLite's checks found problems in the file; the database owner's `taser verify` lists them"]
        }
        let stored = Dictionary(
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").map { ($0["name"] as String, $0["sql"] as String? ?? "") },
            uniquingKeysWith: { a, _ in a })
        for trigger in AppendOnly.triggers {
            guard let sql = stored[trigger.name] else {
                report.missingTriggers.append(trigger.name)
                continue
            }
            if AppendOnly.normalized(sql) != AppendOnly.normalized(trigger.sql) { report.changedTriggers.append(trigger.name) }
        }
        return report
    }

    /// The key and the database's record of it; the key to check seals with, when it is the
    /// database's (with another key every entry would look altered, which says nothing).
    private func checkKey(into report: inout VerifyReport) throws -> [UInt8]? {
        let record = try logKeyRecord()
        var key: [UInt8]? = nil
        if case .usable(let bytes) = self.key.state { key = bytes }
        switch self.key.state {
        case .usable: break
        case .unreadable:
            report.notes.append(
                "the log key \(self.key.path) is readable by the database's owner only: entries and heads sealed with it were checked"
                    + " for order and count, not for their seals; the owner's `taser verify` checks those")
        case .missing:
            if record != nil {
                report.keyProblems.append(StoreError.logKeyMissing(path: self.key.path).description)
            } else {
                report.notes.append("the log is not keyed yet: the database owner's next taser run makes \(self.key.path) and signs every case's head")
            }
        case .unusable(let problem):
            report.keyProblems.append(StoreError.logKey(path: self.key.path, problem: problem).description)
        }
        guard let key else { return nil }
        guard let record else {
            report.keyProblems.append(StoreError.logKeyRecordMissing(path: path).description)
            return key
        }
        guard record.keyID == LogKeyRecord.keyID(key) else {
            report.keyProblems.append(StoreError.logKeyMismatch(path: self.key.path).description)
            return nil
        }
        if !record.signatureValid(key: key) {
            report.keyProblems.append("the log key record's signature does not match: it was changed outside taser")
        }
        let signed = try Int64.fetchOne(db, sql: "SELECT count(*) FROM log_heads WHERE signature IS NOT NULL") ?? 0
        if signed != record.signedCases {
            report.keyProblems.append(
                signed < record.signedCases
                    ? "\(record.signedCases - signed) signed case head(s) lost their signature or were removed with their case, outside taser"
                    : "\(signed - record.signedCases) case head(s) carry a signature taser did not count: they were added outside taser")
        }
        return key
    }

    /// SQLite's own checks: pages, indexes, foreign keys, and the link table's ends.
    private func checkIntegrity(quick: Bool, into report: inout VerifyReport) throws {
        do {
            let check = quick ? "PRAGMA quick_check" : "PRAGMA integrity_check"
            // Read line by line: on some damage SQLite reports a few lines and then fails, and
            // those lines are what says where the damage is.
            let lines = try String.fetchCursor(db, sql: check)
            do {
                while let text = try lines.next() {
                    // One problem a line; SQLite sometimes packs several into one row under a header.
                    for line in text.split(separator: "\n") where line != "ok" && !line.hasPrefix("*** in database") {
                        report.damaged = true
                        report.integrity.append(String(line))
                    }
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
                report.damaged = true
                report.integrity.append("SQLite's integrity check stopped: \(error.message ?? "the file is damaged")")
                return
            }
            report.integrity += try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { row in
                "foreign key violation in \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? 0)"
            }
            // Artifact links carry no foreign keys (they cost two lookups per link on ingest; see
            // SignalStorage), so their ends are checked here.
            let orphans = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM artifact_signals l
                WHERE NOT EXISTS (SELECT 1 FROM signals s WHERE s.id = l.signal_id)
                   OR NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = l.artifact_id)
                """) ?? 0
            if orphans > 0 { report.integrity.append("\(orphans) artifact links point at a missing signal or artifact") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            report.damaged = true
            report.integrity.append("SQLite's integrity check stopped: \(error.message ?? "the file is damaged")")
        }
    }

    /// The witness's heads against the log as it is now: every entry the witness counted must
    /// still be there, with the hash it holds. Neither the key nor the file's owner can undo that.
    private func compare(_ witness: LogWitness, visible: Set<Int64>?, into report: inout VerifyReport) throws {
        var problems: [VerifyReport.Broken] = []
        for head in witness.heads {
            let when = "the witness got \(head.entries) entries on \(witness.publishedAt)"
            var reason: String? = nil
            let caseExists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM cases WHERE id = ?)", arguments: [head.caseID]) ?? false
            if !caseExists {
                reason = "the case is gone (\(when))"
            } else if head.entries > 0 {
                let hash = try String.fetchOne(
                    db, sql: "SELECT hash FROM case_log WHERE case_id = ? AND seq = ?", arguments: [head.caseID, head.entries])
                if hash == nil {
                    let count = try Int64.fetchOne(db, sql: "SELECT count(*) FROM case_log WHERE case_id = ?", arguments: [head.caseID]) ?? 0
                    reason = "entries were removed: the log has \(count) (\(when))"
                } else if hash != head.hash {
                    reason = "entry #\(head.entries) is not the one the witness holds: history was rewritten (\(when))"
                }
            }
            guard let reason else { continue }
            if let visible, !visible.contains(head.caseID) {
                report.brokenUnreadable = true
            } else {
                problems.append(.init(caseID: head.caseID, entryID: nil, seq: head.entries, reason: reason))
            }
        }
        // One line per case: a witness finding adds to what the walk found only for cases the
        // walk passed.
        let known = Set(report.broken.map(\.caseID))
        report.broken += problems.filter { !known.contains($0.caseID) }
        report.broken.sort { $0.caseID < $1.caseID }
        report.witnessCompared = visible.map { v in witness.heads.filter { v.contains($0.caseID) }.count } ?? witness.heads.count
        report.witnessPublishedAt = witness.publishedAt
    }
}
