internal import GRDB
import Model

/// A stored signal as correlation reads it: the fields still as JSON text.
public struct CorrelationRow: Sendable {
    public var id: Int64
    public var time: Int64
    public var kind: String
    public var fields: String
}

/// A stored alert of a rule that may still be open for attachments.
public struct StoredOpenAlert: Sendable {
    public var id: Int64
    public var groupKey: String
    public var firedAt: Int64
}

extension Tx {
    /// Signals of these kinds in `[from, to]`, oldest first. With `unclaimedBy`, only those no
    /// alert of that rule holds (a signal an alert holds never counts toward another).
    public func correlationRows(kinds: [String], from: Int64, to: Int64, unclaimedBy rule: String? = nil) throws -> [CorrelationRow] {
        var sql: SQL = "SELECT s.id, s.time, s.kind, s.fields FROM signals s WHERE s.kind IN \(kinds) AND s.time BETWEEN \(from) AND \(to)"
        if let rule {
            sql += """
                 AND NOT EXISTS (SELECT 1 FROM alert_signals x JOIN alerts a ON a.id = x.alert_id
                                 WHERE x.signal_id = s.id AND a.rule = \(rule))
                """
        }
        sql += " ORDER BY s.time, s.id"
        return try Row.fetchAll(db, literal: sql).map { CorrelationRow(id: $0[0], time: $0[1], kind: $0[2], fields: $0[3]) }
    }

    /// Which of these signals an alert of `rule` already holds.
    public func signalsClaimed(by rule: String, among ids: [Int64]) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let sql: SQL = """
            SELECT DISTINCT x.signal_id FROM alert_signals x JOIN alerts a ON a.id = x.alert_id
            WHERE a.rule = \(rule) AND x.signal_id IN \(ids)
            """
        let claimed = try Int64.fetchAll(db, SQLRequest<Int64>(literal: sql))
        return Set(claimed)
    }

    /// The latest time among signals of these kinds stored before signal `before` (ids grow
    /// with arrival): how far live evaluation has come, for judging lateness.
    public func latestSignalTime(kinds: [String], before id: Int64) throws -> Int64? {
        try Int64.fetchOne(db, literal: "SELECT max(time) FROM signals WHERE kind IN \(kinds) AND id < \(id)")
    }

    /// Alerts of `rule` that fired at or after `since`.
    public func alertsFired(rule: String, since: Int64) throws -> [StoredOpenAlert] {
        try Row.fetchAll(
            db, sql: "SELECT id, group_key, fired_at FROM alerts WHERE rule = ? AND fired_at >= ? ORDER BY fired_at",
            arguments: [rule, since]
        ).map { StoredOpenAlert(id: $0[0], groupKey: $0[1], firedAt: $0[2]) }
    }

    /// A message for the remote systems, in the caller's transaction (Sync delivers it).
    /// `endpoint` `*` means every configured endpoint. The idempotency key makes a retried
    /// transaction harmless.
    public func enqueue(endpoint: String = "*", entity: String, id: Int64, event: String, payload: JSONValue, key: String, at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO outbox (created_at, endpoint, entity_type, entity_id, event, payload, idempotency_key, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [time.ms, endpoint, entity, id, event, payload.text, key, time.ms])
    }

    public func outboxCount(entity: String? = nil) throws -> Int {
        if let entity { return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE entity_type = ?", arguments: [entity]) ?? 0 }
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0
    }
}
