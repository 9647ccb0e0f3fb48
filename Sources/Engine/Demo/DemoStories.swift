import Model

/// The incidents hidden in the demo's noise, each the kind the rule examples describe:
/// an account takeover (a login from a new country, then failed Duo pushes), a host with
/// repeated EDR alerts, and a scanner hitting one port across many hosts.
struct DemoStories {
    enum Kind {
        case takeover(person: Int)
        case edr(host: DemoWorld.Host, user: String)
        case scan(source: String, port: Int)
        /// A benign trip: a new-location login with an approved push (no alert).
        case travel
    }

    struct Story {
        var kind: Kind
        var start: Timestamp
        var signalIDs: [Int64] = []
    }

    /// One signal a story contributes, placed in time among the background.
    struct Event {
        var time: Timestamp
        var story: Int
        var make: Planned
    }

    enum Planned {
        case newLocationLogin(person: Int, place: DemoWorld.Place, ip: String)
        case duo(person: Int, result: DemoSignals.DuoResult, place: DemoWorld.Place, ip: String)
        case carbonBlack(host: DemoWorld.Host, user: String, threat: Int, hash: String)
        case idsAlert(source: String, target: String, port: Int)
        case guardDuty(server: DemoWorld.Host, source: String, port: Int)
    }

    static let scanSignature = (id: 2_001_219, text: "ET SCAN Potential SSH Scan", category: "Attempted Information Leak")
    /// One hash shared by the first two EDR stories, so their cases relate (and get merged).
    static let campaignHash = "9f2c7d1e5b8a4c3f6e0d2b1a7c9e8f4d3b2a1c0e9f8d7c6b5a4f3e2d1c0b9a8f"

    var stories: [Story] = []
    var events: [Event] = []

    init(world: DemoWorld, signals: Int, start: Timestamp, end: Timestamp, rng: inout DemoRandom) {
        let span = end.ms - start.ms
        func at(_ fraction: Double) -> Timestamp { Timestamp(ms: start.ms + Int64(Double(span) * fraction)) }
        let takeovers = min(max(signals / 25_000, 3), 30)
        let edrHosts = min(max(signals / 50_000, 2), 15)
        let scanners = min(max(signals / 100_000, 1), 8)

        for n in 0..<takeovers {
            let person = (n * 37 + 11) % world.people.count
            let t0 = Timestamp(ms: at(0.15 + 0.8 * Double(n) / Double(takeovers)).ms + Int64(rng.below(3_600_000)))
            let place = rng.pick(DemoWorld.foreignPlaces)
            let ip = "\(rng.pick(DemoWorld.hostilePrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))"
            let story = stories.count
            stories.append(Story(kind: .takeover(person: person), start: t0))
            events.append(Event(time: t0, story: story, make: .newLocationLogin(person: person, place: place, ip: ip)))
            var t = t0
            for k in 0..<rng.between(2, 4) {
                t = t.adding(seconds: Int64(rng.between(40, 900)))
                let result: DemoSignals.DuoResult = k == 0 ? .timeout : rng.chance(0.5) ? .fraud : .denied
                events.append(Event(time: t, story: story, make: .duo(person: person, result: result, place: place, ip: ip)))
            }
        }
        for n in 0..<takeovers * 2 {
            let person = (n * 53 + 5) % world.people.count
            let t0 = Timestamp(ms: at(0.05 + 0.9 * Double(n) / Double(takeovers * 2)).ms + Int64(rng.below(3_600_000)))
            let place = rng.pick(DemoWorld.travelPlaces)
            let ip = "\(rng.pick(DemoWorld.ispPrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))"
            let story = stories.count
            stories.append(Story(kind: .travel, start: t0))
            events.append(Event(time: t0, story: story, make: .newLocationLogin(person: person, place: place, ip: ip)))
            events.append(Event(time: t0.adding(seconds: 20), story: story, make: .duo(person: person, result: .approved, place: place, ip: ip)))
        }
        for n in 0..<edrHosts {
            let person = world.people[(n * 29 + 3) % world.people.count]
            let t0 = Timestamp(ms: at(0.2 + 0.75 * Double(n) / Double(edrHosts)).ms + Int64(rng.below(3_600_000)))
            let hash = n < 2 ? DemoStories.campaignHash : rng.hex(64)
            let story = stories.count
            stories.append(Story(kind: .edr(host: person.laptop, user: person.login), start: t0))
            var t = t0
            for _ in 0..<rng.between(3, 6) {
                events.append(Event(time: t, story: story, make: .carbonBlack(host: person.laptop, user: person.login, threat: rng.below(DemoSignals.threats.count), hash: hash)))
                t = t.adding(seconds: Int64(rng.between(600, 14_400)))
            }
        }
        for n in 0..<scanners {
            let source = "\(rng.pick(DemoWorld.hostilePrefixes)).\(rng.between(1, 254)).\(rng.between(1, 254))"
            let port = n % 2 == 0 ? 22 : 3389
            let t0 = Timestamp(ms: at(0.3 + 0.6 * Double(n) / Double(scanners)).ms)
            let story = stories.count
            stories.append(Story(kind: .scan(source: source, port: port), start: t0))
            var t = t0
            let targets = world.allHosts
            for k in 0..<rng.between(25, 60) {
                let target = targets[(k * 7 + n) % targets.count]
                events.append(Event(time: t, story: story, make: .idsAlert(source: source, target: target.ip, port: port)))
                t = t.adding(seconds: Int64(rng.between(5, 240)))
            }
            let server = world.servers[n % world.servers.count]
            events.append(Event(time: t, story: story, make: .guardDuty(server: server, source: source, port: port)))
        }
        // Sorted by time, ties kept in the order planned: the same seed gives the same stream.
        events = events.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }
}
