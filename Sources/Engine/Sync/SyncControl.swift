import Credentials
import Model
import Store
import Sync

/// Where the outbox stands: per endpoint, the dead letters, what is not routed yet.
public struct SyncStatus: Codable, Sendable {
    public var endpoints: [EndpointTally]
    public var dead: [DeliveryRecord]
    /// Deliveries waiting for their next attempt, with the last error.
    public var retrying: [DeliveryRecord]
    /// Outbox rows no worker has routed yet (no endpoint known for them).
    public var unrouted: Int
    /// The TheHive pulls (`pull:`): the admin's to see, as they act on every team's cases.
    public var pulls: [TheHivePullRecord] = []

    enum CodingKeys: String, CodingKey { case endpoints, dead, retrying, unrouted, pulls }

    public init(endpoints: [EndpointTally], dead: [DeliveryRecord], retrying: [DeliveryRecord], unrouted: Int, pulls: [TheHivePullRecord] = []) {
        self.endpoints = endpoints
        self.dead = dead
        self.retrying = retrying
        self.unrouted = unrouted
        self.pulls = pulls
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        endpoints = try c.decode([EndpointTally].self, forKey: .endpoints)
        dead = try c.decode([DeliveryRecord].self, forKey: .dead)
        retrying = try c.decode([DeliveryRecord].self, forKey: .retrying)
        unrouted = try c.decode(Int.self, forKey: .unrouted)
        // A daemon older than pulls sends none.
        pulls = try c.decodeIfPresent([TheHivePullRecord].self, forKey: .pulls) ?? []
    }
}

/// One TheHive endpoint's pull, as `taser sync status` shows it.
public struct TheHivePullRecord: Codable, Sendable, Equatable {
    public var endpoint: String
    public var lastRunAt: Timestamp
    /// Why the last pull failed; nil when it went through.
    public var lastError: String?
}

/// Sync through the engine: the worker `taser sync run` and `taser serve` run, and what
/// `taser sync status` and `taser sync retry` show and change. An analyst sees and retries the
/// deliveries of the cases they may read and the alerts they may see, and counts only those:
/// a case they may not read sends nothing they can see. The admin sees them all.
extension Engine {
    /// A worker on this engine's database and clock; `run(until:)`, `start()` or `deliverDue()` it.
    public func syncWorker(config: SyncConfig, secrets: Secrets) -> SyncWorker {
        // The engine applies what a TheHive pull brings back (as its admin: see TheHivePullApply).
        SyncWorker(store: store, config: config, secrets: secrets, version: TaserVersion.current, theHive: self, clock: clock)
    }

    public func syncStatus(limit: Int = 1000) throws -> SyncStatus {
        try read { tx in
            SyncStatus(
                endpoints: try tx.deliveryTallies(visibleTo: actor), dead: try tx.deliveries(status: .dead, limit: limit, visibleTo: actor),
                retrying: try tx.deliveries(status: .pending, failed: true, limit: limit, visibleTo: actor),
                unrouted: try tx.unroutedCount(visibleTo: actor),
                pulls: actor.isAdmin
                    ? try tx.theHivePulls().map { TheHivePullRecord(endpoint: $0.endpoint, lastRunAt: $0.state.lastRunAt, lastError: $0.state.lastError) }
                    : [])
        }
    }

    /// The dead letters' count alone: what the console's status bar warns with.
    public func deadDeliveryCount() throws -> Int {
        try read { tx in try tx.deadDeliveryCount(visibleTo: actor) }
    }

    /// Dead deliveries back in the queue, due now. Every id must be a dead delivery (as
    /// `taser sync status` lists them); nothing changes otherwise.
    @discardableResult
    public func retryDeliveries(_ ids: [Int64]) throws -> Int {
        guard !ids.isEmpty else { throw EngineError.invalid("name the dead deliveries to retry (IDs from `taser sync status`) or --all-dead") }
        return try change { tx, now in
            let dead = try tx.deadDeliveryIDs(among: ids, visibleTo: actor)
            let missing = ids.filter { !dead.contains($0) }
            guard missing.isEmpty else {
                throw EngineError.invalid(
                    "no dead delivery \(missing.map(String.init).joined(separator: ", ")); `taser sync status` lists the dead ones with their IDs")
            }
            return try tx.retryDeadDeliveries(ids, visibleTo: actor, at: now)
        }
    }

    @discardableResult
    public func retryAllDeadDeliveries() throws -> Int {
        try change { tx, now in try tx.retryDeadDeliveries(nil, visibleTo: actor, at: now) }
    }
}
