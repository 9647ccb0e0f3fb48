extension Schema {
    /// Outbox delivery. An outbox row names one endpoint or `*`; the worker routes it once
    /// (`routed_at`) into one delivery per endpoint that takes it, and each delivery keeps its own
    /// attempts, lease and last error, so a slow Jira never holds back Slack. A lease (owner and
    /// expiry) lets several workers share the table: a delivery is sent by one at a time, and a
    /// worker killed mid-send leaves a lease that expires, after which the delivery is sent again.
    /// `sync_remote_ids` remembers what each remote system called our alerts, cases and tasks,
    /// so an update goes to the object the create made.
    static let v7Sync = """
        ALTER TABLE outbox ADD COLUMN routed_at INTEGER;
        CREATE INDEX outbox_unrouted ON outbox(id) WHERE routed_at IS NULL;

        CREATE TABLE outbox_deliveries (
          id INTEGER PRIMARY KEY,
          outbox_id INTEGER NOT NULL REFERENCES outbox(id),
          endpoint TEXT NOT NULL,
          entity_type TEXT NOT NULL,
          entity_id INTEGER NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          lease_owner TEXT,
          lease_until INTEGER,
          last_error TEXT,
          delivered_at INTEGER,
          UNIQUE (outbox_id, endpoint)
        );
        CREATE INDEX outbox_deliveries_due ON outbox_deliveries(status, next_attempt_at);
        CREATE INDEX outbox_deliveries_by_entity ON outbox_deliveries(endpoint, entity_type, entity_id, status, outbox_id);

        CREATE TABLE sync_remote_ids (
          endpoint TEXT NOT NULL,
          local_ref TEXT NOT NULL,
          remote_id TEXT NOT NULL,
          remote_key TEXT,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (endpoint, local_ref)
        ) WITHOUT ROWID;
        """
}
