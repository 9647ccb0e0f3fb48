internal import GRDB
import Model

/// One outbox row: what changed, for whom, with the key that makes a redelivery harmless.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var createdAt: Timestamp
    /// `*` (every endpoint that takes the event) or one endpoint's name.
    public var endpoint: String
    public var entityType: String
    public var entityID: Int64
    public var event: String
    /// Canonical JSON text, as the change wrote it.
    public var payload: String
    public var idempotencyKey: String

    public init(
        id: Int64, createdAt: Timestamp, endpoint: String, entityType: String, entityID: Int64, event: String, payload: String,
        idempotencyKey: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.endpoint = endpoint
        self.entityType = entityType
        self.entityID = entityID
        self.event = event
        self.payload = payload
        self.idempotencyKey = idempotencyKey
    }
}

/// A delivery a worker holds the lease on: send it, then record what happened.
public struct ClaimedDelivery: Sendable {
    public var id: Int64
    public var endpoint: String
    /// Including this one.
    public var attempt: Int
    public var message: OutboxMessage
}

public enum DeliveryStatus: String, Codable, Sendable {
    case pending, delivered, dead
}

/// A delivery as `taser sync status` lists it.
public struct DeliveryRecord: Codable, Sendable {
    public var id: Int64
    public var outboxID: Int64
    public var endpoint: String
    public var entityType: String
    public var entityID: Int64
    public var event: String
    public var status: DeliveryStatus
    public var attempts: Int
    public var nextAttemptAt: Timestamp
    public var lastError: String?
    public var deliveredAt: Timestamp?
    public var createdAt: Timestamp
}

/// Counts per endpoint.
public struct EndpointTally: Codable, Sendable, Equatable {
    public var endpoint: String
    /// Not delivered yet, the retrying ones included.
    public var pending: Int
    /// Of the pending, those that failed at least once and wait for their next attempt.
    public var retrying: Int
    public var delivered: Int
    public var dead: Int
}

/// Where an outbox row goes: the endpoints that take it, and those that cannot (named but not
/// configured, or not taking that event), each with the reason it is dead at once.
public struct Route: Sendable {
    public var endpoints: [String]
    public var refused: [(endpoint: String, reason: String)]
    public init(endpoints: [String], refused: [(endpoint: String, reason: String)] = []) {
        self.endpoints = endpoints
        self.refused = refused
    }
}

extension Tx {
    /// Outbox rows not routed yet, oldest first.
    public func unroutedMessages(limit: Int) throws -> [OutboxMessage] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, created_at, endpoint, entity_type, entity_id, event, payload, idempotency_key
                FROM outbox WHERE routed_at IS NULL ORDER BY id LIMIT ?
                """, arguments: [limit]
        ).map(OutboxMessage.init(row:))
    }

    /// Outbox rows not routed yet, of those `actor` may know of (see `Access.entityVisible`).
    public func unroutedCount(visibleTo actor: Actor) throws -> Int {
        try Int.fetchOne(db, literal: "SELECT count(*) FROM outbox o WHERE o.routed_at IS NULL AND \(Access.entityVisible("o", actor))") ?? 0
    }

    /// Makes the deliveries of one outbox row. A row no endpoint takes is done (delivered to
    /// nobody); a refused endpoint gets a dead delivery that says why.
    public func route(_ message: OutboxMessage, _ route: Route, at now: Timestamp) throws {
        for endpoint in route.endpoints {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO outbox_deliveries (outbox_id, endpoint, entity_type, entity_id, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?)
                    """, arguments: [message.id, endpoint, message.entityType, message.entityID, now.ms])
        }
        for (endpoint, reason) in route.refused {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO outbox_deliveries (outbox_id, endpoint, entity_type, entity_id, status, next_attempt_at, last_error)
                    VALUES (?, ?, ?, ?, 'dead', ?, ?)
                    """, arguments: [message.id, endpoint, message.entityType, message.entityID, now.ms, reason])
        }
        try db.execute(sql: "UPDATE outbox SET routed_at = ? WHERE id = ? AND routed_at IS NULL", arguments: [now.ms, message.id])
        try summarize(outbox: message.id, at: now)
    }

    /// Takes the lease on up to `limit` due deliveries. Per endpoint and entity only the oldest
    /// unfinished delivery can be taken, so messages about one case arrive in the order they were
    /// written, and never two at once. A lease that expired (its worker died) is taken over.
    public func claimDue(now: Timestamp, limit: Int, owner: String, leaseUntil: Timestamp) throws -> [ClaimedDelivery] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.id AS delivery_id, d.endpoint AS delivery_endpoint, d.attempts,
                       o.id, o.created_at, o.endpoint, o.entity_type, o.entity_id, o.event, o.payload, o.idempotency_key
                FROM outbox_deliveries d JOIN outbox o ON o.id = d.outbox_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= :now
                  AND (d.lease_until IS NULL OR d.lease_until <= :now)
                  AND NOT EXISTS (
                    SELECT 1 FROM outbox_deliveries e
                    WHERE e.endpoint = d.endpoint AND e.entity_type = d.entity_type AND e.entity_id = d.entity_id
                      AND e.status = 'pending' AND e.outbox_id < d.outbox_id)
                ORDER BY d.next_attempt_at, d.outbox_id LIMIT :limit
                """, arguments: ["now": now.ms, "limit": limit])
        var claimed: [ClaimedDelivery] = []
        for row in rows {
            let id: Int64 = row["delivery_id"]
            try db.execute(
                sql: "UPDATE outbox_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?",
                arguments: [owner, leaseUntil.ms, id])
            let attempts: Int = row["attempts"]
            claimed.append(ClaimedDelivery(id: id, endpoint: row["delivery_endpoint"], attempt: attempts + 1, message: OutboxMessage(row: row)))
        }
        return claimed
    }

    /// When the next pending delivery falls due (leases included), for a worker deciding how long to sleep.
    public func nextDeliveryDue() throws -> Timestamp? {
        try Int64.fetchOne(
            db, sql: "SELECT min(max(next_attempt_at, coalesce(lease_until, 0))) FROM outbox_deliveries WHERE status = 'pending'"
        ).map(Timestamp.init(ms:))
    }

    /// Workers holding live leases.
    public func leaseOwners(at now: Timestamp) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT lease_owner FROM outbox_deliveries WHERE status = 'pending' AND lease_until > ?", arguments: [now.ms])
    }

    /// Frees a dead worker's leases: its deliveries are due again.
    public func releaseLeases(of owner: String) throws {
        try db.execute(
            sql: "UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'pending'",
            arguments: [owner])
    }

    /// Records a delivery's outcome, if `owner` still holds its lease (a worker that lost its
    /// lease to another must not overwrite what that one recorded). Returns whether it did.
    @discardableResult
    public func recordDelivery(
        _ id: Int64, owner: String, status: DeliveryStatus, error: String?, nextAttempt: Timestamp?, at now: Timestamp
    ) throws -> Bool {
        try db.execute(
            sql: """
                UPDATE outbox_deliveries
                SET status = ?, last_error = ?, next_attempt_at = coalesce(?, next_attempt_at),
                    delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END,
                    lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND lease_owner = ? AND status = 'pending'
                """,
            arguments: [status.rawValue, error, nextAttempt?.ms, status.rawValue, now.ms, id, owner])
        guard db.changesCount > 0 else { return false }
        if let outbox = try Int64.fetchOne(db, sql: "SELECT outbox_id FROM outbox_deliveries WHERE id = ?", arguments: [id]) {
            try summarize(outbox: outbox, at: now)
        }
        return true
    }

    /// Dead deliveries `actor` may know of back to pending, due now, with their attempts reset:
    /// `taser sync retry`. Nil retries every such dead delivery. Returns how many.
    public func retryDeadDeliveries(_ ids: [Int64]?, visibleTo actor: Actor, at now: Timestamp) throws -> Int {
        var which: SQL = "d.status = 'dead' AND \(Access.entityVisible("d", actor))"
        if let ids {
            guard !ids.isEmpty else { return 0 }
            which += " AND d.id IN \(ids)"
        }
        let chosen = try Row.fetchAll(db, literal: "SELECT d.id, d.outbox_id FROM outbox_deliveries d WHERE " + which)
        guard !chosen.isEmpty else { return 0 }
        let deliveryIDs: [Int64] = chosen.map { $0["id"] }
        try db.execute(
            literal: """
                UPDATE outbox_deliveries SET status = 'pending', attempts = 0, next_attempt_at = \(now.ms), lease_owner = NULL, lease_until = NULL
                WHERE id IN \(deliveryIDs)
                """)
        let n = db.changesCount
        for o in Set(chosen.map { $0["outbox_id"] as Int64 }).sorted() { try summarize(outbox: o, at: now) }
        return n
    }

    /// Which of these delivery ids exist, are dead and are about something `actor` may know of.
    public func deadDeliveryIDs(among ids: [Int64], visibleTo actor: Actor) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let sql: SQL = "SELECT d.id FROM outbox_deliveries d WHERE d.status = 'dead' AND d.id IN \(ids) AND \(Access.entityVisible("d", actor))"
        return Set(try Int64.fetchAll(db, SQLRequest<Int64>(literal: sql)))
    }

    /// Counts per endpoint of the deliveries `actor` may know of: an analyst counts the
    /// deliveries of the cases they may read and the alerts they may see, the admin all. The
    /// check runs once per endpoint and entity, not once per delivery (a case sends many).
    public func deliveryTallies(visibleTo actor: Actor) throws -> [EndpointTally] {
        try Row.fetchAll(
            db,
            literal: """
                SELECT e.endpoint, sum(e.pending) AS pending, sum(e.retrying) AS retrying, sum(e.delivered) AS delivered, sum(e.dead) AS dead
                FROM (SELECT d.endpoint, d.entity_type, d.entity_id, sum(d.status = 'pending') AS pending,
                             sum(d.status = 'pending' AND d.last_error IS NOT NULL) AS retrying,
                             sum(d.status = 'delivered') AS delivered, sum(d.status = 'dead') AS dead
                      FROM outbox_deliveries d GROUP BY d.endpoint, d.entity_type, d.entity_id) e
                WHERE \(Access.entityVisible("e", actor)) GROUP BY e.endpoint ORDER BY e.endpoint
                """
        ).map {
            EndpointTally(endpoint: $0["endpoint"], pending: $0["pending"], retrying: $0["retrying"], delivered: $0["delivered"], dead: $0["dead"])
        }
    }

    /// How many dead letters `actor` may know of: a count over the (status, next_attempt_at)
    /// index with the access check on the dead ones only, cheap enough for the console to run
    /// whenever the database changes.
    public func deadDeliveryCount(visibleTo actor: Actor) throws -> Int {
        try Int.fetchOne(
            db, literal: "SELECT count(*) FROM outbox_deliveries d WHERE d.status = 'dead' AND \(Access.entityVisible("d", actor))") ?? 0
    }

    /// Deliveries in a state, oldest first; with `failed`, only those with an error (the pending
    /// ones waiting for a retry, not the thousands that were never tried yet).
    public func deliveries(status: DeliveryStatus, failed: Bool = false, limit: Int = 1000, visibleTo actor: Actor) throws -> [DeliveryRecord] {
        try Row.fetchAll(
            db,
            literal: """
                SELECT d.id, d.outbox_id, d.endpoint, d.entity_type, d.entity_id, o.event, d.status, d.attempts, d.next_attempt_at,
                       d.last_error, d.delivered_at, o.created_at
                FROM outbox_deliveries d JOIN outbox o ON o.id = d.outbox_id
                WHERE d.status = \(status.rawValue)\(sql: failed ? " AND d.last_error IS NOT NULL" : "") AND \(Access.entityVisible("d", actor))
                ORDER BY d.outbox_id, d.endpoint LIMIT \(limit)
                """
        ).map { row in
            DeliveryRecord(
                id: row["id"], outboxID: row["outbox_id"], endpoint: row["endpoint"], entityType: row["entity_type"],
                entityID: row["entity_id"], event: row["event"], status: DeliveryStatus(rawValue: row["status"]) ?? .pending,
                attempts: row["attempts"], nextAttemptAt: Timestamp(ms: row["next_attempt_at"]), lastError: row["last_error"],
                deliveredAt: (row["delivered_at"] as Int64?).map(Timestamp.init(ms:)), createdAt: Timestamp(ms: row["created_at"]))
        }
    }

    /// What an endpoint calls one of ours (`case:12`, `alert:5`, `case:12:log-task`).
    public func remoteID(endpoint: String, ref: String) throws -> (id: String, key: String?)? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT remote_id, remote_key FROM sync_remote_ids WHERE endpoint = ? AND local_ref = ?", arguments: [endpoint, ref])
        else { return nil }
        return (row["remote_id"], row["remote_key"])
    }

    public func saveRemoteID(endpoint: String, ref: String, id: String, key: String?, at now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO sync_remote_ids (endpoint, local_ref, remote_id, remote_key, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (endpoint, local_ref) DO UPDATE SET remote_id = excluded.remote_id, remote_key = excluded.remote_key,
                  updated_at = excluded.updated_at
                """, arguments: [endpoint, ref, id, key, now.ms])
    }

    /// The outbox row's own status follows its deliveries: pending while any is, dead when one
    /// is dead, delivered when all are (or when nobody took it).
    private func summarize(outbox id: Int64, at now: Timestamp) throws {
        try db.execute(
            sql: """
                UPDATE outbox SET
                  status = CASE
                    WHEN routed_at IS NULL OR EXISTS (SELECT 1 FROM outbox_deliveries WHERE outbox_id = :id AND status = 'pending') THEN 'pending'
                    WHEN EXISTS (SELECT 1 FROM outbox_deliveries WHERE outbox_id = :id AND status = 'dead') THEN 'dead'
                    ELSE 'delivered' END,
                  attempts = coalesce((SELECT max(attempts) FROM outbox_deliveries WHERE outbox_id = :id), 0),
                  last_error = (SELECT last_error FROM outbox_deliveries WHERE outbox_id = :id AND last_error IS NOT NULL
                                ORDER BY status = 'dead' DESC LIMIT 1),
                  delivered_at = CASE WHEN NOT EXISTS (SELECT 1 FROM outbox_deliveries WHERE outbox_id = :id AND status != 'delivered')
                                      THEN coalesce(delivered_at, :now) ELSE NULL END
                WHERE id = :id
                """, arguments: ["id": id, "now": now.ms])
    }
}

extension OutboxMessage {
    init(row: Row) {
        self.init(
            id: row["id"], createdAt: Timestamp(ms: row["created_at"]), endpoint: row["endpoint"], entityType: row["entity_type"],
            entityID: row["entity_id"], event: row["event"], payload: row["payload"], idempotencyKey: row["idempotency_key"])
    }
}

extension Tx {
    /// The artifacts of an alert's signals and those added to it since, with their roles, for the
    /// remote copy's observables.
    public func artifactMentions(ofAlert id: Int64, limit: Int) throws -> [ArtifactMention] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT DISTINCT type, value, role FROM (
                  SELECT ar.type, ar.value, sa.role FROM alert_signals als
                  JOIN signal_artifacts sa ON sa.signal_id = als.signal_id JOIN artifacts ar ON ar.id = sa.artifact_id
                  WHERE als.alert_id = ?
                  UNION ALL
                  SELECT ar.type, ar.value, aa.role FROM alert_artifacts aa JOIN artifacts ar ON ar.id = aa.artifact_id
                  WHERE aa.alert_id = ?)
                ORDER BY type, value, role LIMIT ?
                """, arguments: [id, id, limit]
        ).map { ArtifactMention(ArtifactType(rawValue: $0["type"]) ?? .other, $0["value"], role: $0["role"]) }
    }
}

extension Tx {
    public func outboxKey(_ id: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT idempotency_key FROM outbox WHERE id = ?", arguments: [id])
    }

    /// pending, delivered or dead: the row's deliveries summed up.
    public func outboxStatus(_ id: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT status FROM outbox WHERE id = ?", arguments: [id])
    }
}
