/// Slack channels per case. `case_channels` links a case to the channels made for it (a row
/// when an analyst asks, Slack's id and name once Sync created it), so `/slack/events` maps a
/// channel to its case. `slack_messages` maps each logged message (channel, ts) to its entry
/// and the entry of its latest version, so an edit or a deletion corrects the right entry and a
/// thread reply finds its parent. `slack_events` keeps the Events API deliveries already taken
/// (Slack retries a delivery it thinks failed; a restart must not log it twice).
/// `slack_users` caches `users.info` names.
enum SlackSchema {
    static let v16 = """
        CREATE TABLE case_channels (
          case_id INTEGER NOT NULL REFERENCES cases(id),
          number INTEGER NOT NULL,
          endpoint TEXT NOT NULL,
          requested_at INTEGER NOT NULL,
          requested_by TEXT NOT NULL,
          slack_id TEXT,
          name TEXT,
          created_at INTEGER,
          PRIMARY KEY (case_id, number)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX case_channels_by_slack_id ON case_channels(slack_id) WHERE slack_id IS NOT NULL;

        CREATE TABLE slack_messages (
          channel TEXT NOT NULL,
          ts TEXT NOT NULL,
          case_id INTEGER NOT NULL REFERENCES cases(id),
          entry_id INTEGER NOT NULL REFERENCES case_log(id),
          latest_entry_id INTEGER NOT NULL REFERENCES case_log(id),
          author TEXT NOT NULL,
          PRIMARY KEY (channel, ts)
        ) WITHOUT ROWID;

        CREATE TABLE slack_events (
          event_id TEXT PRIMARY KEY,
          received_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX slack_events_by_time ON slack_events(received_at);

        CREATE TABLE slack_users (
          user_id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          fetched_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        """
}
