internal import GRDB

/// How signals and their artifact links are stored since v9, shaped by what one ingested signal
/// costs SQLite. Each B-tree entry written per signal is work on the one writer thread, and
/// links are nearly four per signal:
///
/// - A signal is found by `identity`, a 64-bit key of (source, source_ref) (`SignalIdentity`),
///   through a plain index, where a unique index of the 40-70 byte pair was the costliest index
///   of all: random keys dirtied nearly every page of it on every batch.
/// - A signal keeps its own artifact list in its row (`artifacts`, a JSON array of
///   `[artifact_id, role]`, in order of mention), and `artifact_signals` holds the same links
///   keyed by artifact, for pivots. One B-tree entry per link instead of two (the old
///   `signal_artifacts` table and its index by artifact), and no foreign-key lookups per link:
///   signals and artifacts are never deleted, only the writer adds links, with ids it has just
///   read or written, and `taser verify` checks that every link's ends exist.
/// - `signal_artifacts` is now a view over the rows' lists: reading a signal's (or an
///   alert's, or a case's) artifacts starts from signal ids and reads their rows. Queries
///   that start from an artifact use `artifact_signals` or `artifact_case_links`; a filter on
///   the view's `artifact_id` would read every signal.
enum SignalStorage {
    static func migrate(_ db: Database) throws {
        db.add(function: SignalIdentity.sqlFunction)
        defer { db.remove(function: SignalIdentity.sqlFunction) }
        try db.execute(sql: v9)
    }

    static let v9 = """
        CREATE TABLE signals_v9 (
          id INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          source TEXT NOT NULL,
          source_ref TEXT NOT NULL,
          kind TEXT NOT NULL,
          severity INTEGER NOT NULL,
          title TEXT NOT NULL,
          fields TEXT NOT NULL,
          raw TEXT NOT NULL,
          ingested_at INTEGER NOT NULL,
          identity INTEGER NOT NULL,
          artifacts TEXT NOT NULL DEFAULT '[]'
        );
        INSERT INTO signals_v9
          SELECT s.id, s.time, s.source, s.source_ref, s.kind, s.severity, s.title, s.fields, s.raw, s.ingested_at,
                 taser_signal_identity(s.source, s.source_ref),
                 coalesce((SELECT json_group_array(json_array(l.artifact_id, l.role))
                           FROM (SELECT artifact_id, role FROM signal_artifacts WHERE signal_id = s.id ORDER BY artifact_id, role) l), '[]')
          FROM signals s ORDER BY s.id;

        CREATE TABLE artifact_signals (
          artifact_id INTEGER NOT NULL,
          signal_id INTEGER NOT NULL,
          role TEXT NOT NULL,
          PRIMARY KEY (artifact_id, signal_id, role)
        ) WITHOUT ROWID;
        INSERT INTO artifact_signals SELECT artifact_id, signal_id, role FROM signal_artifacts ORDER BY artifact_id, signal_id, role;

        DROP VIEW case_artifact_links;
        DROP TABLE signal_artifacts;
        DROP TABLE signals;
        ALTER TABLE signals_v9 RENAME TO signals;
        CREATE INDEX signals_by_identity ON signals(identity);
        CREATE INDEX signals_by_time ON signals(time);
        CREATE INDEX signals_by_kind ON signals(kind, time);

        -- A signal's artifacts, read from its row.
        CREATE VIEW signal_artifacts (signal_id, artifact_id, role) AS
          SELECT s.id, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]')
          FROM signals s, json_each(s.artifacts) j;

        -- The one definition of "a case's artifacts": its alerts' artifacts plus those added by
        -- hand. Two views hold the same rows, each for queries that start from one end:
        -- case_artifact_links from a case (through its signals' rows), artifact_case_links from
        -- an artifact (through artifact_signals).
        CREATE VIEW case_artifact_links (case_id, artifact_id, role, signal_id, alert_id) AS
          SELECT ca.case_id, sa.artifact_id, sa.role, sa.signal_id, ca.alert_id
            FROM case_alerts ca
            JOIN alert_signals als ON als.alert_id = ca.alert_id
            JOIN signal_artifacts sa ON sa.signal_id = als.signal_id
          UNION ALL
          SELECT case_id, artifact_id, role, NULL, NULL FROM case_artifacts;
        CREATE VIEW artifact_case_links (case_id, artifact_id, role, signal_id, alert_id) AS
          SELECT ca.case_id, l.artifact_id, l.role, l.signal_id, ca.alert_id
            FROM artifact_signals l
            JOIN alert_signals als ON als.signal_id = l.signal_id
            JOIN case_alerts ca ON ca.alert_id = als.alert_id
          UNION ALL
          SELECT case_id, artifact_id, role, NULL, NULL FROM case_artifacts;
        """
}
