internal import GRDB
import Model

/// Vendors update alerts in place: Carbon Black Cloud changes `workflow.status` on the same
/// alert id, GuardDuty counts a finding up on the same finding id. The same identity with
/// different content is a new revision of the stored signal, never a duplicate: the signal
/// keeps its id (alerts and cases hold it), its row holds the latest revision, and each
/// earlier revision (raw body and what it read as) moves to `signal_revisions`, where nothing
/// rewrites it.
///
/// Content is what the event says once read (time, kind, severity, normalized fields), not
/// its bytes: the same alert fetched through two API versions, or a GuardDuty finding wrapped
/// by EventBridge, is the same event and stays a duplicate; so is a copy with fewer fields
/// (an older API version) that says nothing the signal did not. Receipt-time fields
/// (`event.ingested`, `taser.time`) say when taser read it, not what happened, so they are
/// left out of the comparison.
enum SignalRevisions {
    static let v12 = """
        ALTER TABLE signals ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE signal_revisions (
          signal_id INTEGER NOT NULL,
          revision INTEGER NOT NULL,
          time INTEGER NOT NULL,
          kind TEXT NOT NULL,
          severity INTEGER NOT NULL,
          fields TEXT NOT NULL,
          raw TEXT NOT NULL,
          ingested_at INTEGER NOT NULL,
          PRIMARY KEY (signal_id, revision)
        ) WITHOUT ROWID;
        CREATE TRIGGER signal_revisions_no_update BEFORE UPDATE ON signal_revisions
          BEGIN SELECT RAISE(ABORT, 'signal_revisions is append-only: a change is a new revision'); END;
        CREATE TRIGGER signal_revisions_no_delete BEFORE DELETE ON signal_revisions
          BEGIN SELECT RAISE(ABORT, 'signal_revisions is append-only'); END;
        """
}

/// One revision of a signal as its tool sent it.
public struct SignalRevision: Codable, Sendable, Hashable {
    public var revision: Int
    public var raw: String
    public var ingestedAt: Timestamp
}

extension Tx {
    /// Every revision of a signal, oldest first; the last is the signal's own row.
    public func revisions(ofSignal id: Int64) throws -> [SignalRevision] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT revision, raw, ingested_at FROM signal_revisions WHERE signal_id = ?
                UNION ALL SELECT revision, raw, ingested_at FROM signals WHERE id = ?
                ORDER BY revision
                """,
            arguments: [id, id])
        return rows.map { SignalRevision(revision: $0["revision"], raw: $0["raw"], ingestedAt: Timestamp(ms: $0["ingested_at"])) }
    }
}
