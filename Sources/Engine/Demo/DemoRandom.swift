/// A seeded generator (SplitMix64): the same seed gives the same demo database on every
/// machine and Swift version, which `SystemRandomNumberGenerator` and hashing seeds do not.
struct DemoRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<n without modulo bias worth caring about for n far below 2^32.
    mutating func below(_ n: Int) -> Int { Int((next() >> 32) % UInt64(n)) }

    mutating func between(_ low: Int, _ high: Int) -> Int { low + below(high - low + 1) }

    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    mutating func hex(_ count: Int) -> String {
        let digits = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(count)
        var bits: UInt64 = 0
        for i in 0..<count {
            if i % 16 == 0 { bits = next() }
            out.append(digits[Int(bits & 15)])
            bits >>= 4
        }
        return out
    }

    mutating func uuid() -> String {
        let h = hex(32)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-a" + String(c[17..<20]) + "-"
            + String(c[20..<32])
    }
}
