extension Schema {
    /// TheHive both ways (issue 17). Alerts get what TheHive's alerts have and taser's had not:
    /// tags, observables added after the alert was raised, and a log of who changed them (an
    /// API client, an analyst, a TheHive user through the pull), append-only like the case log.
    /// `thehive_seen` keeps what taser last sent to or saw of each remote object, so a pull
    /// applies only what changed on the other side (never taser's own changes coming back);
    /// `thehive_pulls` keeps each endpoint's cursor on TheHive's clock.
    static let v17TheHiveSync = """
        ALTER TABLE alerts ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

        CREATE TABLE alert_log (
          id INTEGER PRIMARY KEY,
          alert_id INTEGER NOT NULL REFERENCES alerts(id),
          time INTEGER NOT NULL,
          author TEXT NOT NULL,
          kind TEXT NOT NULL,
          body TEXT NOT NULL,
          data TEXT
        );
        CREATE INDEX alert_log_by_alert ON alert_log(alert_id, id);
        CREATE TRIGGER alert_log_no_update BEFORE UPDATE ON alert_log
          BEGIN SELECT RAISE(ABORT, 'alert_log is append-only'); END;
        CREATE TRIGGER alert_log_no_delete BEFORE DELETE ON alert_log
          BEGIN SELECT RAISE(ABORT, 'alert_log is append-only: entries cannot be deleted'); END;
        CREATE TRIGGER alert_log_no_replace BEFORE INSERT ON alert_log
          WHEN EXISTS (SELECT 1 FROM alert_log WHERE id = NEW.id)
          BEGIN SELECT RAISE(ABORT, 'alert_log is append-only: entries cannot be replaced'); END;

        CREATE TABLE alert_artifacts (
          alert_id INTEGER NOT NULL REFERENCES alerts(id),
          artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
          role TEXT NOT NULL,
          added_by TEXT NOT NULL,
          added_at INTEGER NOT NULL,
          PRIMARY KEY (alert_id, artifact_id, role)
        ) WITHOUT ROWID;
        CREATE INDEX alert_artifacts_by_artifact ON alert_artifacts(artifact_id);

        CREATE TABLE thehive_seen (
          endpoint TEXT NOT NULL,
          local_ref TEXT NOT NULL,
          remote_id TEXT NOT NULL,
          state TEXT NOT NULL,
          checked_at INTEGER NOT NULL,
          PRIMARY KEY (endpoint, local_ref)
        ) WITHOUT ROWID;

        CREATE TABLE thehive_pulls (
          endpoint TEXT PRIMARY KEY,
          since INTEGER NOT NULL,
          last_run_at INTEGER NOT NULL,
          last_error TEXT
        );

        CREATE INDEX sync_remote_ids_by_remote ON sync_remote_ids(endpoint, remote_id);
        """
}
