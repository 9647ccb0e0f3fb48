internal import GRDB
import Model

/// What a TheHive endpoint's pull remembers (see `Schema.v17TheHiveSync`).
public struct TheHivePullState: Sendable, Equatable {
    /// TheHive's `_updatedAt` (its clock, epoch ms) from which the next pull lists changes.
    public var since: Int64
    public var lastRunAt: Timestamp
    public var lastError: String?

    public init(since: Int64, lastRunAt: Timestamp, lastError: String? = nil) {
        self.since = since
        self.lastRunAt = lastRunAt
        self.lastError = lastError
    }
}

/// A remote object taser made, as the pull walks them: its ref (`case:12`), TheHive's id, and
/// what taser last sent or saw of it (nil: never recorded).
public struct TheHiveTracked: Sendable {
    public var ref: String
    public var remoteID: String
    public var seen: JSONValue?
}

extension Tx {
    public func theHiveSeen(endpoint: String, ref: String) throws -> JSONValue? {
        let text = try String.fetchOne(
            db, sql: "SELECT state FROM thehive_seen WHERE endpoint = ? AND local_ref = ?", arguments: [endpoint, ref])
        return text.flatMap { try? JSONValue.parse($0) }
    }

    public func saveTheHiveSeen(endpoint: String, ref: String, remoteID: String, state: JSONValue, at now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO thehive_seen (endpoint, local_ref, remote_id, state, checked_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (endpoint, local_ref) DO UPDATE SET remote_id = excluded.remote_id, state = excluded.state,
                  checked_at = excluded.checked_at
                """, arguments: [endpoint, ref, remoteID, state.text, now.ms])
    }

    /// Our ref for a TheHive id (`~123` -> `case:12`), when taser made that object.
    public func localRef(endpoint: String, remoteID: String) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT local_ref FROM sync_remote_ids WHERE endpoint = ? AND remote_id = ? ORDER BY local_ref LIMIT 1",
            arguments: [endpoint, remoteID])
    }

    /// The open cases (`kind` "case": new, in progress, on hold) or alerts ("alert": new or
    /// acknowledged) taser made on the endpoint, those checked longest ago first, at most `limit`.
    /// Closed ones still get their status, tags and severity pulled; only their new task logs and
    /// observables are no longer looked for.
    public func theHiveTracked(endpoint: String, kind: String, limit: Int) throws -> [TheHiveTracked] {
        let open: String
        switch kind {
        case "case":
            open = "EXISTS (SELECT 1 FROM cases c WHERE c.id = CAST(substr(r.local_ref, 6) AS INTEGER) AND c.status IN ('new', 'in_progress', 'on_hold'))"
        case "alert":
            open = "EXISTS (SELECT 1 FROM alerts a WHERE a.id = CAST(substr(r.local_ref, 7) AS INTEGER) AND a.status IN ('new', 'acknowledged'))"
        default: return []
        }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT r.local_ref, r.remote_id, s.state FROM sync_remote_ids r
                LEFT JOIN thehive_seen s ON s.endpoint = r.endpoint AND s.local_ref = r.local_ref
                WHERE r.endpoint = ? AND r.local_ref GLOB ? AND r.local_ref NOT GLOB ? AND \(open)
                ORDER BY coalesce(s.checked_at, 0), r.local_ref LIMIT ?
                """, arguments: [endpoint, kind + ":[0-9]*", kind + ":*:*", limit]
        ).map { row in
            let state: String? = row["state"]
            return TheHiveTracked(ref: row["local_ref"], remoteID: row["remote_id"], seen: state.flatMap { try? JSONValue.parse($0) })
        }
    }

    /// When the endpoint first made something remote: where a first pull starts.
    public func firstRemoteID(endpoint: String) throws -> Timestamp? {
        try Int64.fetchOne(db, sql: "SELECT min(updated_at) FROM sync_remote_ids WHERE endpoint = ?", arguments: [endpoint])
            .map(Timestamp.init(ms:))
    }

    public func theHivePull(endpoint: String) throws -> TheHivePullState? {
        try Row.fetchOne(db, sql: "SELECT since, last_run_at, last_error FROM thehive_pulls WHERE endpoint = ?", arguments: [endpoint])
            .map { TheHivePullState(since: $0["since"], lastRunAt: Timestamp(ms: $0["last_run_at"]), lastError: $0["last_error"]) }
    }

    /// Every endpoint's pull, by name.
    public func theHivePulls() throws -> [(endpoint: String, state: TheHivePullState)] {
        try Row.fetchAll(db, sql: "SELECT endpoint, since, last_run_at, last_error FROM thehive_pulls ORDER BY endpoint").map {
            ($0["endpoint"], TheHivePullState(since: $0["since"], lastRunAt: Timestamp(ms: $0["last_run_at"]), lastError: $0["last_error"]))
        }
    }

    public func saveTheHivePull(endpoint: String, _ state: TheHivePullState) throws {
        try db.execute(
            sql: """
                INSERT INTO thehive_pulls (endpoint, since, last_run_at, last_error) VALUES (?, ?, ?, ?)
                ON CONFLICT (endpoint) DO UPDATE SET since = excluded.since, last_run_at = excluded.last_run_at, last_error = excluded.last_error
                """, arguments: [endpoint, state.since, state.lastRunAt.ms, state.lastError])
    }
}
