import Credentials
import Foundation
import HTTPClient
import Model
import Store

/// Delivers the outbox. Each pass routes new outbox rows to the endpoints that take them, then
/// takes the lease on due deliveries in a transaction (so two workers, in one process or many,
/// never send the same delivery at once), sends them, and records each outcome. A worker killed
/// mid-send leaves its lease behind; it expires and the delivery is sent again, with the same
/// idempotency key: at least once, nothing lost.
public final class SyncWorker: Sendable {
    public let store: Store
    public let config: SyncConfig
    let secrets: Secrets
    let client: HTTPClient
    let clock: @Sendable () -> Timestamp
    /// Who holds a lease: host, process and this worker.
    public let owner: String
    let endpoints: [String: any Endpoint]
    /// Deliveries taken per claim: small, so one slow endpoint holds few leases.
    let batch: Int
    let stopFlag = StopFlag()
    private let threadDone = DispatchSemaphore(value: 0)
    /// Set by `start`: only its thread is waited for.
    private let started = StopFlag()
    /// Where changes pulled from TheHive (`pull:`) are applied: the Engine. Without it, no pull.
    let theHive: (any TheHiveChangeSink)?

    /// `version` is taser's, which the syslog endpoints put in each CEF event.
    public init(
        store: Store, config: SyncConfig, secrets: Secrets, client: HTTPClient = HTTPClient(), batch: Int = 8,
        version: String = "unknown", theHive: (any TheHiveChangeSink)? = nil, clock: @escaping @Sendable () -> Timestamp = { .now }
    ) {
        self.theHive = theHive
        self.store = store
        self.config = config
        self.secrets = secrets
        self.client = client
        self.clock = clock
        self.batch = batch
        owner = "\(localHostName()):\(getpid()):\(UUID().uuidString.prefix(8))"
        var endpoints: [String: any Endpoint] = [:]
        for e in config.endpoints {
            switch e.type {
            case .thehive: endpoints[e.name] = TheHiveEndpoint(config: e)
            case .slack: endpoints[e.name] = SlackEndpoint(config: e)
            case .jira: endpoints[e.name] = JiraEndpoint(config: e)
            case .webhook: endpoints[e.name] = WebhookEndpoint(config: e)
            case .splunkHEC: endpoints[e.name] = SplunkHECEndpoint(config: e)
            case .elasticsearch: endpoints[e.name] = ElasticsearchEndpoint(config: e)
            case .syslog: endpoints[e.name] = SyslogEndpoint(config: e, version: version)
            }
        }
        self.endpoints = endpoints
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        public var routed = 0
        public var delivered = 0
        public var retried = 0
        public var dead = 0
        /// Changes pulled from TheHive and applied (`pull:`).
        public var pulled = 0
        public var attempted: Int { delivered + retried + dead }
    }

    /// One pass: routes what is new, then delivers every delivery due at `now` (and those that
    /// fall due because the message before them in their entity's order got through), until
    /// none is left or `stop()` is called. Delivery waiting for a retry is left for later.
    @discardableResult
    public func deliverDue(now: Timestamp? = nil) throws -> Pass {
        var pass = Pass()
        pass.routed = try routeNew(at: now ?? clock())
        while !stopFlag.isSet {
            let at = now ?? clock()
            let longest = config.endpoints.map(\.policy.timeout).max() ?? config.policy.timeout
            // The lease outlives the slowest delivery (a few requests) by a margin, so a live worker
            // does not lose it; a dead one's lease expires soon after.
            let lease = Timestamp(ms: at.ms + Int64((longest * 2 + 10) * 1000))
            let claimed = try store.write { tx in
                try releaseLeasesOfDeadWorkers(tx, at: at)
                return try tx.claimDue(now: at, limit: batch, owner: owner, leaseUntil: lease)
            }
            if claimed.isEmpty { break }
            for delivery in claimed {
                switch try deliver(delivery) {
                case .delivered: pass.delivered += 1
                case .retry: pass.retried += 1
                case .dead: pass.dead += 1
                }
            }
        }
        return pass
    }

    /// Delivers until `stop()` or `until()` says so, sleeping while nothing is due (waking at
    /// least every `poll` seconds to see new outbox rows). For `taser sync run` and `taser serve`.
    public func run(poll: Double = 1, until: @Sendable () -> Bool = { false }, onPass: (Pass) -> Void = { _ in }) {
        while !stopFlag.isSet && !until() {
            do {
                var pass = try deliverDue()
                pass.pulled = pullDue()
                if pass.attempted > 0 || pass.routed > 0 || pass.pulled > 0 { onPass(pass) }
            } catch {
                // The database was busy or unreadable: try again on the next round.
                FileHandle.standardError.write(Data("taser sync: \(error)\n".utf8))
            }
            let next = (try? store.read { tx in try tx.nextDeliveryDue() }) ?? nil
            let wait = next.map { max(0.02, min(poll, Double($0.ms - clock().ms) / 1000)) } ?? poll
            stopFlag.wait(seconds: wait)
        }
    }

    /// `run` on its own thread; `stop()` ends it after the delivery in hand.
    public func start(poll: Double = 1) {
        let done = threadDone
        let thread = Thread { [self] in
            defer { done.signal() }
            self.run(poll: poll)
        }
        thread.name = "taser-sync"
        started.set()
        thread.start()
    }

    /// Ends `run` after the delivery in hand and, for `start`'s thread, waits (at most
    /// `seconds`, a minute unless said: a delivery has its own timeout) until it has ended, so a
    /// process exits only once no delivery is using the database. False when the thread was
    /// still delivering at the end of the wait.
    @discardableResult
    public func stop(within seconds: Double = 60) -> Bool {
        stopFlag.set()
        guard started.isSet else { return true }
        // Signalled again after the wait, so a second `stop()` returns at once.
        guard threadDone.wait(timeout: .now() + max(0, seconds)) == .success else { return false }
        threadDone.signal()
        return true
    }

    /// A lease held by a process on this host that no longer runs (killed mid-delivery) need not
    /// wait to expire. Leases of other hosts, or of a pid now reused, wait for their expiry.
    func releaseLeasesOfDeadWorkers(_ tx: Tx, at now: Timestamp) throws {
        let host = owner.split(separator: ":").first.map(String.init) ?? ""
        for other in try tx.leaseOwners(at: now) where other != owner {
            let parts = other.split(separator: ":")
            guard parts.count == 3, parts[0] == host, let pid = Int32(parts[1]), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { try tx.releaseLeases(of: other) }
        }
    }

    /// The deliveries of new outbox rows, in one transaction with marking the rows routed.
    func routeNew(at now: Timestamp) throws -> Int {
        var total = 0
        while true {
            let n = try store.write { tx in
                let messages = try tx.unroutedMessages(limit: 500)
                for m in messages { try tx.route(m, route(for: m), at: now) }
                return messages.count
            }
            total += n
            if n < 500 { return total }
        }
    }

    /// Which endpoints a message goes to. A message for one endpoint that is not configured or
    /// cannot take the event is dead at once, saying so.
    public func route(for m: OutboxMessage) -> Route {
        if m.endpoint == "*" {
            // A change pulled from an endpoint goes everywhere but back there: it came from there.
            let origin = SyncWorker.origin(of: m)
            return Route(endpoints: config.endpoints.filter { $0.events.takes(m.event) && $0.name != origin }.map(\.name))
        }
        guard let e = config.endpoint(named: m.endpoint) else {
            let known = config.endpoints.map(\.name).joined(separator: ", ")
            return Route(endpoints: [], refused: [(m.endpoint, "no endpoint named \(m.endpoint) in the sync config (endpoints: \(known.isEmpty ? "none" : known))")])
        }
        guard e.type.understands(m.event) else {
            return Route(endpoints: [], refused: [(m.endpoint, "endpoint \(e.name) is \(e.type.oneEndpoint), which cannot deliver \(m.event)")])
        }
        return Route(endpoints: [e.name])
    }

    /// The endpoint a message's change was pulled from (`origin.endpoint` in its payload), if any.
    static func origin(of m: OutboxMessage) -> String? {
        // Most messages have none: parse only those that may.
        guard m.payload.contains("\"origin\"") else { return nil }
        return (try? JSONValue.parse(m.payload))?["origin"]?["endpoint"]?.stringValue
    }

    /// One attempt, and its outcome recorded.
    func deliver(_ d: ClaimedDelivery) throws -> DeliveryOutcome {
        guard let endpoint = endpoints[d.endpoint], let settings = config.endpoint(named: d.endpoint) else {
            // Configured when routed, gone from the config since.
            let outcome = DeliveryOutcome.dead("endpoint \(d.endpoint) is no longer in the sync config")
            try record(d, outcome, policy: config.policy)
            return outcome
        }
        let transport = Transport(endpoint: d.endpoint, client: client, secrets: secrets, timeout: settings.policy.timeout)
        let context = DeliveryContext(transport: transport, store: store, clock: clock)
        var outcome = DeliveryOutcome.delivered
        do { try endpoint.deliver(d.message, context) } catch let failure as DeliveryFailure {
            outcome = failure.outcome
        } catch {
            outcome = .retry(secrets.redact("endpoint \(d.endpoint): \(error)"), after: nil)
        }
        return try record(d, outcome, policy: settings.policy)
    }

    /// Records the outcome and returns it as recorded: a retry past `max_attempts` is dead, and
    /// the pass must count it so.
    @discardableResult
    private func record(_ d: ClaimedDelivery, _ outcome: DeliveryOutcome, policy: RetryPolicy) throws -> DeliveryOutcome {
        let now = clock()
        var outcome = outcome
        if case .retry(let why, _) = outcome, d.attempt >= policy.maxAttempts {
            outcome = .dead("\(why) (gave up after \(d.attempt) attempts)")
        }
        try store.write { tx in
            switch outcome {
            case .delivered:
                try tx.recordDelivery(d.id, owner: owner, status: .delivered, error: nil, nextAttempt: nil, at: now)
            case .dead(let why):
                try tx.recordDelivery(d.id, owner: owner, status: .dead, error: why, nextAttempt: nil, at: now)
            case .retry(let why, let after):
                let wait = after ?? policy.delay(afterAttempt: d.attempt)
                try tx.recordDelivery(
                    d.id, owner: owner, status: .pending, error: why, nextAttempt: Timestamp(ms: now.ms + Int64(wait * 1000)), at: now)
            }
        }
        return outcome
    }
}

/// A flag another thread sets to stop the worker, waking it from its sleep.
final class StopFlag: @unchecked Sendable {
    private let condition = NSCondition()
    private var flag = false

    var isSet: Bool {
        condition.lock()
        defer { condition.unlock() }
        return flag
    }

    func set() {
        condition.lock()
        flag = true
        condition.broadcast()
        condition.unlock()
    }

    func wait(seconds: Double) {
        condition.lock()
        if !flag { _ = condition.wait(until: Date().addingTimeInterval(seconds)) }
        condition.unlock()
    }
}
