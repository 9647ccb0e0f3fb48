import AlertEngine
import Foundation
import Model
import Store

/// What `taser demo` builds.
public struct DemoOptions: Sendable {
    public var signals: Int
    public var seed: UInt64
    /// The end of the demo's time range; it covers `days` before it.
    public var end: Timestamp
    public var days: Int

    /// The most signals and days a demo makes: a 10-million-signal demo is about 10 GB and an
    /// hour here; past that it is a typo, and `--signals 9223372036854775807` must not run for ever.
    public static let fewestSignals = 1000
    public static let mostSignals = 10_000_000
    public static let mostDays = 3650

    public init(signals: Int = 100_000, seed: UInt64 = 1, end: Timestamp = Timestamp.now.startOfDay, days: Int = 30) {
        self.signals = signals
        self.seed = seed
        self.end = end
        self.days = days
    }
}

public struct DemoSummary: Sendable {
    public var signals: Int
    public var alerts: Int
    public var cases: Int
}

/// The clock the demo's engine reads: story time, not wall time, so a seed gives the same
/// database (log hashes included) on every run.
final class DemoClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time = Timestamp(ms: 0)
    var now: Timestamp {
        get { lock.withLock { time } }
        set { lock.withLock { time = newValue } }
    }
}

extension Engine {
    /// Fills an empty database with a realistic, deterministic world. `progress` gets
    /// (signals written, total) after each batch.
    public func buildDemo(_ options: DemoOptions, progress: ((Int, Int) -> Void)? = nil) throws -> DemoSummary {
        try requireAdmin("build demo data")
        guard (DemoOptions.fewestSignals...DemoOptions.mostSignals).contains(options.signals) else {
            throw EngineError.invalid("--signals must be from \(DemoOptions.fewestSignals) to \(DemoOptions.mostSignals) (got \(options.signals))")
        }
        guard (1...DemoOptions.mostDays).contains(options.days) else {
            throw EngineError.invalid("--days must be from 1 to \(DemoOptions.mostDays) (got \(options.days))")
        }
        // The whole range, and the stories placed a little past its end, within 1970...9999.
        guard options.end.ms - Int64(options.days) * 86_400_000 >= Timestamp.plausible.lowerBound,
              options.end.ms <= Timestamp.plausible.upperBound - 366 * 86_400_000
        else {
            throw EngineError.invalid("--end \(options.end) with --days \(options.days) reaches outside 1970 to 9998; pick an end within it")
        }
        guard try read({ tx in try tx.signalCount() }) == 0 else {
            throw EngineError.invalid("\(store.path) already holds signals; the demo needs an empty database (pass a new --db path)")
        }
        let clock = DemoClock()
        let world = DemoWorld(seed: options.seed)
        let start = Timestamp(ms: options.end.ms - Int64(options.days) * 86_400_000)
        var rng = DemoRandom(seed: options.seed)
        var stories = DemoStories(world: world, signals: options.signals, start: start, end: options.end, rng: &rng)
        let demo = Engine(store: store, actor: actor, clock: { clock.now })

        clock.now = start.adding(seconds: -86_400)
        try demo.addPeople(world)
        try demo.acting(as: Actor(name: "maya.ortiz", isAdmin: false)).addDemoRules()
        let written = try demo.writeSignals(options.signals, world: world, stories: &stories, start: start, end: options.end, rng: &rng, progress: progress)
        var alerts = 0
        for (name, _) in DemoWorld.rules { alerts += try demo.backfill(ruleNamed: name) }
        let cases = try demo.workCases(stories.stories, world: world, clock: clock)
        return DemoSummary(signals: written, alerts: alerts, cases: cases)
    }

    /// The user's three rules, enabled: the demo's alerts are what they raise.
    private func addDemoRules() throws {
        for (name, text) in DemoWorld.rules { _ = try addRule(name: name, text: text, enable: true) }
    }

    private func addPeople(_ world: DemoWorld) throws {
        for team in DemoWorld.teams { try addTeam(team.name, description: team.description) }
        for a in DemoWorld.analysts {
            try addAnalyst(Analyst(name: a.login, displayName: a.name, email: "\(a.login)@\(DemoWorld.domain)", manager: a.manager, teams: a.teams))
        }
    }

    /// Generation and writing overlap: a producer thread builds batches (string work) while
    /// this thread writes the previous one (SQLite work), which on two cores is most of the
    /// difference between a minute and half of one.
    private func writeSignals(
        _ total: Int, world: DemoWorld, stories: inout DemoStories, start: Timestamp, end: Timestamp, rng: inout DemoRandom,
        progress: ((Int, Int) -> Void)?
    ) throws -> Int {
        let writer = SignalWriter(store: store)
        let events = stories.events
        let producerRNG = rng
        var written = 0
        try HandOff<DemoBatch>().run(produce: { queue in
            var rng = producerRNG
            var make = DemoSignals(world: world, rng: DemoRandom(seed: rng.next()))
            let background = max(total - events.count, 0)
            let step = Double(end.ms - start.ms) / Double(max(background, 1))
            let batchSize = 50_000
            var batch = DemoBatch()
            var nextEvent = 0
            func emit(_ event: DemoStories.Event) {
                batch.signals.append(Engine.storySignal(event, world: world, make: &make))
                batch.stories.append(event.story)
            }
            for i in 0..<background {
                if queue.cancelled { return }
                let t = Timestamp(ms: start.ms + Int64(Double(i) * step) + Int64(rng.below(max(Int(step), 1))))
                while nextEvent < events.count, events[nextEvent].time <= t {
                    emit(events[nextEvent])
                    nextEvent += 1
                }
                batch.signals.append(Engine.backgroundSignal(at: t, world: world, make: &make, rng: &rng))
                batch.stories.append(nil)
                if batch.signals.count >= batchSize {
                    queue.put(batch)
                    batch = DemoBatch()
                }
            }
            while nextEvent < events.count {
                emit(events[nextEvent])
                nextEvent += 1
            }
            if !batch.signals.isEmpty { queue.put(batch) }
        }, consume: { batch in
            let result = try writer.write(batch.signals)
            for (id, story) in zip(result.ids, batch.stories) {
                if let id, let story { stories.stories[story].signalIDs.append(id) }
            }
            written += result.inserted
            progress?(written, total)
        })
        return written
    }

    private static func storySignal(_ event: DemoStories.Event, world: DemoWorld, make: inout DemoSignals) -> NewSignal {
        switch event.make {
        case .newLocationLogin(let person, let place, let ip):
            make.okta(world.people[person], at: event.time, .newLocation(place, ip: ip))
        case .duo(let person, let result, let place, let ip):
            make.duo(world.people[person], at: event.time, result, from: place, ip: ip)
        case .carbonBlack(let host, let user, let threat, let hash):
            make.carbonBlack(host, user: user, at: event.time, threat: threat, hash: hash)
        case .idsAlert(let source, let target, let port):
            make.idsAlert(src: source, srcPort: 40_000 + Int(event.time.ms % 20_000), dst: target, dstPort: port, at: event.time, signature: DemoStories.scanSignature)
        case .guardDuty(let server, let source, let port):
            make.guardDuty(server, from: source, port: port, at: event.time, count: 12)
        }
    }

    static func backgroundSignal(at t: Timestamp, world: DemoWorld, make: inout DemoSignals, rng: inout DemoRandom) -> NewSignal {
        let p = world.people[rng.below(world.people.count)]
        let roll = rng.below(1000)
        switch roll {
        case 0..<300: return make.okta(p, at: t, .normal)
        case 300..<320: return make.okta(p, at: t, .failed)
        case 320..<517: return make.duo(p, at: t, .approved)
        case 517..<520: return make.duo(p, at: t, .timeout)
        case 520..<670: return make.dns(p, at: t, name: rng.chance(0.3) ? "\(rng.pick(["wiki", "jira", "mail", "vpn", "git"])).corp.\(DemoWorld.domain)" : rng.pick(DemoWorld.externalDomains))
        case 670..<770: return make.http(p, at: t, host: rng.pick(DemoWorld.externalDomains))
        case 770..<890: return make.tls(p, at: t, sni: rng.pick(DemoWorld.externalDomains))
        case 890..<975: return make.cloudTrail(p, at: t, consoleLogin: rng.chance(0.05))
        case 975..<985:
            // Background EDR noise: low-grade detections on random laptops.
            return make.carbonBlack(p.laptop, user: p.login, at: t, threat: 3, hash: rng.hex(64))
        case 985..<997:
            let sig = rng.pick([
                (id: 2_013_028, text: "ET POLICY curl User-Agent Outbound", category: "Attempted Information Leak"),
                (id: 2_027_865, text: "ET INFO Observed DNS Query to .cloud TLD", category: "Potentially Bad Traffic"),
                (id: 2_210_054, text: "SURICATA STREAM excessive retransmissions", category: "Generic Protocol Command Decode"),
            ])
            let server = world.servers[rng.below(world.servers.count)]
            return make.idsAlert(src: p.laptop.ip, srcPort: rng.between(1024, 65000), dst: server.ip, dstPort: rng.pick([80, 443, 8080]), at: t, signature: sig)
        default:
            let server = world.servers[rng.below(world.servers.count)]
            return make.guardDuty(server, from: "\(rng.pick(DemoWorld.hostilePrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))", port: 22, at: t, count: rng.between(1, 5))
        }
    }
}

/// A batch of demo signals and, for each, the story it belongs to (if any).
struct DemoBatch: Sendable {
    var signals: [NewSignal] = []
    var stories: [Int?] = []
}
