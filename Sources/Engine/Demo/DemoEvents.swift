import Model

extension Engine {
    /// The demo's background traffic as the vendors would send it: NDJSON of raw Okta, Duo,
    /// Carbon Black, Suricata, CloudTrail and GuardDuty events, the same for the same seed.
    /// `taser bench ingest` feeds it to ingest.
    public static func demoEvents(count: Int, seed: UInt64 = 1, end: Timestamp = Timestamp(ms: 1_795_910_400_000), days: Int = 30) -> [UInt8] {
        let world = DemoWorld(seed: seed)
        var rng = DemoRandom(seed: seed)
        var make = DemoSignals(world: world, rng: DemoRandom(seed: rng.next()))
        let start = end.ms - Int64(days) * 86_400_000
        let step = Double(end.ms - start) / Double(max(count, 1))
        var out: [UInt8] = []
        out.reserveCapacity(count * 800)
        for i in 0..<count {
            let t = Timestamp(ms: start + Int64(Double(i) * step))
            out += backgroundSignal(at: t, world: world, make: &make, rng: &rng).raw.utf8
            out.append(10)
        }
        return out
    }
}
