internal import GRDB
import Model

/// What `taser verify` found.
public struct VerifyReport: Sendable {
    public struct Broken: Sendable, Equatable {
        public var entryID: Int64
        public var caseID: Int64
        public var seq: Int64
        public var reason: String
    }

    public var cases = 0
    public var entries = 0
    /// The first broken entry of each case whose chain is broken, in case order.
    public var broken: [Broken] = []
    /// Problems SQLite's own integrity check reported ("ok" is not listed).
    public var integrity: [String] = []
    /// Missing append-only triggers: the log could be rewritten without them.
    public var missingTriggers: [String] = []

    public var passed: Bool { broken.isEmpty && integrity.isEmpty && missingTriggers.isEmpty }
}

extension Tx {
    /// Walks every case's log chain and checks SQLite's integrity. `quick` uses
    /// `PRAGMA quick_check`, which skips the index-content cross-check on large files.
    public func verify(quick: Bool = false) throws -> VerifyReport {
        var report = VerifyReport()
        let rows = try Row.fetchCursor(db, sql: "SELECT \(LogEntry.columns) FROM case_log l ORDER BY l.case_id, l.seq, l.id")
        var currentCase: Int64? = nil
        var expectedSeq: Int64 = 1
        var prevHash = LogEntry.genesisHash
        var caseBroken = false
        while let row = try rows.next() {
            let id: Int64 = row["id"], caseID: Int64 = row["case_id"], seq: Int64 = row["seq"]
            if caseID != currentCase {
                currentCase = caseID
                expectedSeq = 1
                prevHash = LogEntry.genesisHash
                caseBroken = false
                report.cases += 1
            }
            report.entries += 1
            defer { expectedSeq = seq + 1 }
            guard !caseBroken else { continue }
            func fail(_ reason: String) {
                report.broken.append(.init(entryID: id, caseID: caseID, seq: seq, reason: reason))
                caseBroken = true
            }
            guard let entry = LogEntry(row: row) else {
                fail("unknown kind \(String(describing: row["kind"] as String?))")
                continue
            }
            if seq != expectedSeq {
                fail(seq > expectedSeq ? "entries \(expectedSeq)...\(seq - 1) are missing" : "sequence number repeats")
            } else if entry.prevHash != prevHash {
                fail("its previous-entry hash does not match entry \(seq - 1): an entry before it was altered or replaced")
            } else if Hashing.sha256Hex(entry.canonicalForm) != entry.hash {
                fail("its content does not match its hash: the entry was altered")
            }
            prevHash = entry.hash
        }
        let check = quick ? "PRAGMA quick_check" : "PRAGMA integrity_check"
        report.integrity = try String.fetchAll(db, sql: check).filter { $0 != "ok" }
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
        let triggers = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        report.missingTriggers = ["case_log_no_update", "case_log_no_delete", "case_log_correction_same_case"]
            .filter { !triggers.contains($0) }
        return report
    }
}
