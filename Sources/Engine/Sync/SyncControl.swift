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
                unrouted: try tx.unroutedCount(visibleTo: actor))
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
