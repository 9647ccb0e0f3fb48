internal import GRDB

/// The schema, as versioned migrations that run at open. Add a migration; never edit a shipped one.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in try db.execute(sql: v1) }
        migrator.registerMigration("v2-ingest") { db in try db.execute(sql: v2) }
        migrator.registerMigration("v3-rules") { db in try db.execute(sql: v3) }
        migrator.registerMigration("v4-console") { db in try db.execute(sql: v4) }
        migrator.registerMigration("v5-positron") { db in try db.execute(sql: v5) }
        migrator.registerMigration("v6-enrichment") { db in try db.execute(sql: v6) }
        migrator.registerMigration("v7-automation") { db in try db.execute(sql: v7Automation) }
        migrator.registerMigration("v8-sync") { db in try db.execute(sql: v7Sync) }
        migrator.registerMigration("v9-signal-storage", migrate: SignalStorage.migrate)
        migrator.registerMigration("v10-keyed-log", migrate: Schema.v10KeyedLog)
        migrator.registerMigration("v11-quarantine-size") { db in try db.execute(sql: v11QuarantineSize) }
        migrator.registerMigration("v12-signal-revisions") { db in try db.execute(sql: SignalRevisions.v12) }
        migrator.registerMigration("v13-identities") { db in try db.execute(sql: IdentitySchema.v13) }
        migrator.registerMigration("v14-alert-close-reason") { db in try db.execute(sql: v14AlertCloseReason) }
        migrator.registerMigration("v15-signal-text") { db in try db.execute(sql: SignalText.v15) }
        migrator.registerMigration("v16-slack-channels") { db in try db.execute(sql: SlackSchema.v16) }
        migrator.registerMigration("v17-thehive-sync") { db in try db.execute(sql: v17TheHiveSync) }
        return migrator
    }()

    /// Refuses files that are not taser's and schemas newer than this build knows.
    static func check(_ db: Database, path: String, writable: Bool) throws {
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'") ?? 0
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        if tables > 0 && appID != Store.applicationID { throw StoreError.notTaser(path: path) }
        guard tables > 0 else {
            if !writable { throw StoreError.readOnly(path: path) }
            return
        }
        let applied = try migrator.appliedIdentifiers(db)
        let unknown = applied.subtracting(migrator.migrations).sorted()
        if !unknown.isEmpty { throw StoreError.newerSchema(path: path, unknown: unknown) }
        if !writable && !applied.isSuperset(of: migrator.migrations) {
            // An older schema needs a migration, which a read-only file cannot take.
            throw StoreError.readOnly(path: path)
        }
    }

    static let v1 = """
        PRAGMA application_id = \(Store.applicationID);

        CREATE TABLE analysts (
          name TEXT PRIMARY KEY,
          display_name TEXT NOT NULL DEFAULT '',
          email TEXT,
          manager TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE teams (
          name TEXT PRIMARY KEY,
          description TEXT NOT NULL DEFAULT '',
          created_at INTEGER NOT NULL
        );
        CREATE TABLE team_members (
          team TEXT NOT NULL REFERENCES teams(name),
          analyst TEXT NOT NULL REFERENCES analysts(name),
          PRIMARY KEY (team, analyst)
        ) WITHOUT ROWID;
        CREATE INDEX team_members_by_analyst ON team_members(analyst, team);

        -- Signals: identity is (source, source_ref); without a vendor id, source_ref is the
        -- SHA-256 of the raw body, so the same input twice is stored once. (v9 replaces the
        -- unique index by a key of the pair and moves links: SignalStorage.swift.)
        CREATE TABLE signals (
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
          UNIQUE (source, source_ref)
        );
        CREATE INDEX signals_by_time ON signals(time);
        CREATE INDEX signals_by_kind ON signals(kind, time);

        CREATE TABLE artifacts (
          id INTEGER PRIMARY KEY,
          type TEXT NOT NULL,
          value TEXT NOT NULL,
          first_seen INTEGER NOT NULL,
          last_seen INTEGER NOT NULL,
          UNIQUE (type, value)
        );
        CREATE TABLE signal_artifacts (
          signal_id INTEGER NOT NULL REFERENCES signals(id),
          artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
          role TEXT NOT NULL,
          PRIMARY KEY (signal_id, artifact_id, role)
        ) WITHOUT ROWID;
        CREATE INDEX signal_artifacts_by_artifact ON signal_artifacts(artifact_id, signal_id);

        CREATE TABLE cases (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          title TEXT NOT NULL,
          description TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL,
          severity INTEGER NOT NULL,
          tlp TEXT NOT NULL,
          pap TEXT NOT NULL,
          owner TEXT REFERENCES analysts(name),
          team TEXT REFERENCES teams(name),
          tags TEXT NOT NULL DEFAULT '[]',
          custom_fields TEXT NOT NULL DEFAULT '{}',
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          updated_at INTEGER NOT NULL,
          closed_at INTEGER,
          resolution TEXT,
          merged_into INTEGER REFERENCES cases(id)
        );
        CREATE INDEX cases_by_team ON cases(team);
        CREATE INDEX cases_by_status ON cases(status, id);

        CREATE TABLE alerts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          rule TEXT NOT NULL,
          group_key TEXT NOT NULL,
          first_signal_at INTEGER,
          last_signal_at INTEGER,
          status TEXT NOT NULL,
          severity INTEGER NOT NULL,
          title TEXT NOT NULL,
          team TEXT REFERENCES teams(name),
          case_id INTEGER REFERENCES cases(id),
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          signal_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX alerts_by_rule ON alerts(rule, group_key);
        CREATE INDEX alerts_by_case ON alerts(case_id);
        CREATE INDEX alerts_by_time ON alerts(last_signal_at);
        CREATE TABLE alert_signals (
          alert_id INTEGER NOT NULL REFERENCES alerts(id),
          signal_id INTEGER NOT NULL REFERENCES signals(id),
          PRIMARY KEY (alert_id, signal_id)
        ) WITHOUT ROWID;
        CREATE INDEX alert_signals_by_signal ON alert_signals(signal_id, alert_id);

        -- Every alert a case ever held, including those it got by merging another case.
        CREATE TABLE case_alerts (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          alert_id INTEGER NOT NULL REFERENCES alerts(id),
          added_at INTEGER NOT NULL,
          added_by TEXT NOT NULL,
          PRIMARY KEY (case_id, alert_id)
        ) WITHOUT ROWID;
        CREATE INDEX case_alerts_by_alert ON case_alerts(alert_id, case_id);
        -- Artifacts an analyst added by hand.
        CREATE TABLE case_artifacts (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
          role TEXT NOT NULL DEFAULT 'related',
          added_at INTEGER NOT NULL,
          added_by TEXT NOT NULL,
          PRIMARY KEY (case_id, artifact_id, role)
        ) WITHOUT ROWID;
        CREATE INDEX case_artifacts_by_artifact ON case_artifacts(artifact_id, case_id);
        CREATE TABLE case_shares (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          team TEXT NOT NULL REFERENCES teams(name),
          level TEXT NOT NULL CHECK (level IN ('read', 'write')),
          PRIMARY KEY (case_id, team)
        ) WITHOUT ROWID;

        -- The one definition of "a case's artifacts": its alerts' artifacts plus those added by hand.
        CREATE VIEW case_artifact_links (case_id, artifact_id, role, signal_id, alert_id) AS
          SELECT ca.case_id, sa.artifact_id, sa.role, sa.signal_id, ca.alert_id
            FROM case_alerts ca
            JOIN alert_signals als ON als.alert_id = ca.alert_id
            JOIN signal_artifacts sa ON sa.signal_id = als.signal_id
          UNION ALL
          SELECT case_id, artifact_id, role, NULL, NULL FROM case_artifacts;

        -- The append-only case log. Entries chain by hash within a case; see LogEntry.
        CREATE TABLE case_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id INTEGER NOT NULL REFERENCES cases(id),
          seq INTEGER NOT NULL,
          time INTEGER NOT NULL,
          author TEXT NOT NULL,
          kind TEXT NOT NULL,
          body TEXT NOT NULL,
          data TEXT,
          corrects INTEGER REFERENCES case_log(id),
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          UNIQUE (case_id, seq)
        );
        CREATE TRIGGER case_log_no_update BEFORE UPDATE ON case_log
          BEGIN SELECT RAISE(ABORT, 'case_log is append-only: write a correction instead'); END;
        CREATE TRIGGER case_log_no_delete BEFORE DELETE ON case_log
          BEGIN SELECT RAISE(ABORT, 'case_log is append-only: entries cannot be deleted'); END;
        CREATE TRIGGER case_log_correction_same_case BEFORE INSERT ON case_log
          WHEN NEW.corrects IS NOT NULL
           AND (SELECT case_id FROM case_log WHERE id = NEW.corrects) IS NOT NEW.case_id
          BEGIN SELECT RAISE(ABORT, 'a correction must point at an entry of the same case'); END;

        -- Input that could not be parsed: kept with the reason, replayable after a fix.
        CREATE TABLE quarantine (
          id INTEGER PRIMARY KEY,
          received_at INTEGER NOT NULL,
          source TEXT NOT NULL,
          format TEXT,
          reason TEXT NOT NULL,
          raw BLOB NOT NULL,
          replayed_at INTEGER
        );

        -- Messages for remote systems, written in the same transaction as the change they report.
        CREATE TABLE outbox (
          id INTEGER PRIMARY KEY,
          created_at INTEGER NOT NULL,
          endpoint TEXT NOT NULL,
          entity_type TEXT NOT NULL,
          entity_id INTEGER NOT NULL,
          event TEXT NOT NULL,
          payload TEXT NOT NULL,
          idempotency_key TEXT NOT NULL UNIQUE,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          last_error TEXT,
          delivered_at INTEGER
        );
        CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
        """
}

extension Schema {
    /// Quarantine keeps an oversize record as a sample: `size` is the record's whole size when
    /// `raw` holds only its first bytes (NULL: `raw` is all of it).
    /// Why an alert was closed, by whom and when (shown in the alert view and `alert show`).
    static let v14AlertCloseReason = """
        ALTER TABLE alerts ADD COLUMN close_reason TEXT;
        ALTER TABLE alerts ADD COLUMN closed_by TEXT;
        ALTER TABLE alerts ADD COLUMN closed_at INTEGER;
        """

    static let v11QuarantineSize = """
        ALTER TABLE quarantine ADD COLUMN size INTEGER;
        """

    /// Ingest: quarantine rows get an identity (so re-running an ingest does not quarantine the
    /// same line twice) and where in the input they were; drop folders remember the files they
    /// took; pollers keep their cursors.
    static let v2 = """
        ALTER TABLE quarantine ADD COLUMN origin TEXT NOT NULL DEFAULT '';
        ALTER TABLE quarantine ADD COLUMN digest TEXT NOT NULL DEFAULT '';
        CREATE UNIQUE INDEX quarantine_identity ON quarantine(source, digest);

        CREATE TABLE ingested_files (
          folder TEXT NOT NULL,
          name TEXT NOT NULL,
          size INTEGER NOT NULL,
          digest TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
          started_at INTEGER NOT NULL,
          finished_at INTEGER,
          summary TEXT,
          PRIMARY KEY (folder, digest)
        ) WITHOUT ROWID;

        CREATE TABLE poll_cursors (
          poller TEXT PRIMARY KEY,
          cursor TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        """
}

extension Schema {
    /// Correlation rules with their whole history: a rule is a name and a current version;
    /// versions and changes are append-only. Alerts remember when they fired (dedup runs from
    /// then) and which version fired them.
    static let v3 = """
        CREATE TABLE rules (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          language TEXT NOT NULL CHECK (language IN ('taser', 'sigma')),
          enabled INTEGER NOT NULL DEFAULT 0,
          version INTEGER NOT NULL,
          late_signals INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE rule_versions (
          rule_id INTEGER NOT NULL REFERENCES rules(id),
          version INTEGER NOT NULL,
          text TEXT NOT NULL,
          compiled TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          created_by TEXT NOT NULL,
          PRIMARY KEY (rule_id, version)
        ) WITHOUT ROWID;
        CREATE TABLE rule_changes (
          id INTEGER PRIMARY KEY,
          rule_id INTEGER NOT NULL REFERENCES rules(id),
          time INTEGER NOT NULL,
          author TEXT NOT NULL,
          change TEXT NOT NULL CHECK (change IN ('created', 'edited', 'enabled', 'disabled')),
          version INTEGER NOT NULL
        );
        CREATE INDEX rule_changes_by_rule ON rule_changes(rule_id, id);
        CREATE TRIGGER rule_versions_no_update BEFORE UPDATE ON rule_versions
          BEGIN SELECT RAISE(ABORT, 'rule versions are kept as written: save a new version instead'); END;
        CREATE TRIGGER rule_versions_no_delete BEFORE DELETE ON rule_versions
          BEGIN SELECT RAISE(ABORT, 'rule versions are kept as written'); END;
        CREATE TRIGGER rule_changes_no_update BEFORE UPDATE ON rule_changes
          BEGIN SELECT RAISE(ABORT, 'rule history is append-only'); END;
        CREATE TRIGGER rule_changes_no_delete BEFORE DELETE ON rule_changes
          BEGIN SELECT RAISE(ABORT, 'rule history is append-only'); END;

        ALTER TABLE alerts ADD COLUMN fired_at INTEGER;
        ALTER TABLE alerts ADD COLUMN rule_version INTEGER;
        CREATE INDEX alerts_by_rule_fired ON alerts(rule, fired_at);
        """
}

extension Schema {
    /// The console's queue sorts by severity as well as by time, paging by key either way.
    static let v4 = """
        CREATE INDEX alerts_by_severity ON alerts(severity, last_signal_at);
        """
}

extension Schema {
    /// Every Positron query, allowed or not: who asked what, when, which plugins answered and
    /// how many answers came back. Append-only, like the case log.
    static let v5 = """
        CREATE TABLE query_audit (
          id INTEGER PRIMARY KEY,
          time INTEGER NOT NULL,
          analyst TEXT NOT NULL,
          query TEXT NOT NULL,
          input TEXT NOT NULL,
          allowed INTEGER NOT NULL,
          plugins TEXT NOT NULL DEFAULT '',
          answers INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX query_audit_by_time ON query_audit(time);
        CREATE TRIGGER query_audit_no_update BEFORE UPDATE ON query_audit
          BEGIN SELECT RAISE(ABORT, 'the query audit is append-only'); END;
        CREATE TRIGGER query_audit_no_delete BEFORE DELETE ON query_audit
          BEGIN SELECT RAISE(ABORT, 'the query audit is append-only'); END;
        """
}

extension Schema {
    /// What Positron said about an artifact: each answer with the query, the plugins, and when.
    /// Newer answers are added, never replace older ones, so an artifact's history shows.
    static let v6 = """
        CREATE TABLE enrichments (
          id INTEGER PRIMARY KEY,
          artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
          query TEXT NOT NULL,
          plugins TEXT NOT NULL,
          answer TEXT NOT NULL,
          time INTEGER NOT NULL
        );
        CREATE INDEX enrichments_by_artifact ON enrichments(artifact_id, time);
        """
}

extension Store {
    /// The schema migrations this build knows, oldest first.
    public static var schemaVersions: [String] { Schema.migrator.migrations }
}
