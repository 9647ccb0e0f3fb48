extension Schema {
    /// Automation: where each playbook has read up to (cursors over alerts and the case log, so
    /// a restart neither repeats nor skips), the work a trigger started (jobs, resumed step by
    /// step), each playbook's variables per case (runs), the questions asked and when an answer
    /// is due (the stored timers), and the Slack signatures already seen (replays refused).
    static let v7Automation = """
        CREATE TABLE automation_cursors (
          playbook TEXT NOT NULL,
          source TEXT NOT NULL CHECK (source IN ('alerts', 'case_log')),
          position INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (playbook, source)
        ) WITHOUT ROWID;
        CREATE TABLE automation_runs (
          playbook TEXT NOT NULL,
          case_id INTEGER NOT NULL REFERENCES cases(id),
          vars TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (playbook, case_id)
        ) WITHOUT ROWID;
        CREATE TABLE automation_jobs (
          id INTEGER PRIMARY KEY,
          playbook TEXT NOT NULL,
          handler INTEGER NOT NULL,
          handler_name TEXT NOT NULL,
          trigger TEXT NOT NULL,
          case_id INTEGER REFERENCES cases(id),
          alert_id INTEGER REFERENCES alerts(id),
          vars TEXT NOT NULL,
          next_step INTEGER NOT NULL DEFAULT 0,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
          error TEXT,
          dedup TEXT NOT NULL UNIQUE,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX automation_jobs_by_status ON automation_jobs(status, id);
        CREATE TABLE automation_asks (
          id INTEGER PRIMARY KEY,
          playbook TEXT NOT NULL,
          case_id INTEGER NOT NULL REFERENCES cases(id),
          role TEXT NOT NULL,
          login TEXT NOT NULL,
          email TEXT NOT NULL,
          namespace TEXT NOT NULL,
          asked_at INTEGER NOT NULL,
          due_at INTEGER,
          status TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'answered', 'expired')),
          answer TEXT,
          closed_at INTEGER
        );
        CREATE INDEX automation_asks_due ON automation_asks(status, due_at);
        CREATE INDEX automation_asks_by_case ON automation_asks(case_id, id);
        CREATE TABLE slack_replays (
          signature TEXT PRIMARY KEY,
          seen_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """
}
