import Foundation
import Model
import Store

/// The TheHive pulls (`pull:` on a thehive endpoint), run by the worker between deliveries.
extension SyncWorker {
    /// Runs every pull that is due; returns how many changes were applied. A pull is taken
    /// in a transaction (its next run time moved forward), so two workers never run the same
    /// one; a failed pull records its error and waits for its next turn, as a delivery would.
    @discardableResult
    public func pullDue(now: Timestamp? = nil) -> Int {
        guard let sink = theHive else { return 0 }
        var applied = 0
        for e in config.endpoints where e.type == .thehive && !stopFlag.isSet {
            guard let every = e.pullEvery else { continue }
            let at = now ?? clock()
            do {
                guard let since = try claimPull(e.name, every: every, at: at) else { continue }
                let transport = Transport(endpoint: e.name, client: client, secrets: secrets, timeout: e.policy.timeout)
                let pull = TheHivePull(config: e, transport: transport, store: store, sink: sink, clock: clock)
                do {
                    let outcome = try pull.run(since: since)
                    applied += outcome.changes
                    try store.write { tx in try tx.saveTheHivePull(endpoint: e.name, TheHivePullState(since: outcome.since, lastRunAt: at)) }
                    for note in outcome.notes { FileHandle.standardError.write(Data("taser sync: \(e.name) pull: \(note)\n".utf8)) }
                } catch {
                    let why = secrets.redact(SyncWorker.describe(error))
                    try store.write { tx in try tx.saveTheHivePull(endpoint: e.name, TheHivePullState(since: since, lastRunAt: at, lastError: why)) }
                    FileHandle.standardError.write(Data("taser sync: \(e.name) pull failed: \(why)\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("taser sync: \(e.name) pull: \(secrets.redact("\(error)"))\n".utf8))
            }
        }
        return applied
    }

    /// The cursor to pull from when the endpoint's pull is due, marking it run; nil when not due.
    func claimPull(_ endpoint: String, every: Double, at now: Timestamp) throws -> Int64? {
        try store.write { tx in
            let state = try tx.theHivePull(endpoint: endpoint)
            if let state, now.ms - state.lastRunAt.ms < Int64(every * 1000) { return nil }
            // A first pull starts where taser first made something there (TheHive's and
            // taser's clocks agree well enough for a start; the cursor is TheHive's from then on).
            let since = try state?.since ?? tx.firstRemoteID(endpoint: endpoint)?.ms ?? now.ms
            try tx.saveTheHivePull(endpoint: endpoint, TheHivePullState(since: since, lastRunAt: now, lastError: state?.lastError))
            return since
        }
    }

    static func describe(_ error: any Error) -> String {
        if let failure = error as? DeliveryFailure {
            switch failure.outcome {
            case .delivered: return "no error"
            case .retry(let why, _), .dead(let why): return why
            }
        }
        return "\(error)"
    }
}
