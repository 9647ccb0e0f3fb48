/// Rules' answers remembered by what they read. A rule reads a few fields (`MatchProgram
/// .reads`), and a host's events repeat their images, parents, command lines and users; so
/// the rules that run on an event have mostly run before on the same values. Running one
/// again (the same dozen `endswith` tests over the same image) was a sixth of a hunt; looking
/// its answer up is a hash of a few numbers.
///
/// A read's part of the key (`MatchEvent.memoCode`) is what the rule can learn from it: a
/// string value by its entry in the `LiteralCache` (one per value's bytes, so equal entries
/// are equal bytes), a small integer or a boolean by itself, and whether the field is missing
/// or null. A value with none of these (a string the cache does not keep, a list) leaves the
/// rule to run. Keys are compared whole, never by their hash alone.
///
/// Bounded: at most `capacity` answers, all let go when it is full, and when the literal
/// cache lets go of its entries (their numbers then name other values).
struct RuleMemo {
    static let capacity = 1 << 15
    static let maxReads = 8

    /// What one event's reads say, for one rule.
    struct Key {
        var rule: Int32
        var count = 0
        var codes = InlineArray<8, UInt64>(repeating: 0)

        init(rule: Int32) { self.rule = rule }

        mutating func append(_ code: UInt64) {
            codes[count] = code
            count += 1
        }

        var hash: UInt64 {
            let k: UInt64 = 0x9E37_79B9_7F4A_7C15
            var h = UInt64(UInt32(bitPattern: rule)) &* k ^ UInt64(count)
            for i in 0..<count {
                h = (h ^ codes[i]) &* k
                h ^= h >> 29
            }
            return h &* k ^ (h >> 32)
        }
    }

    // Codes: a kind in the top byte, a number below it. Strings' entries and integers are
    // 32-bit, so no two kinds' codes are equal.
    static let missing: UInt64 = 1 << 56
    static let null: UInt64 = 2 << 56
    static let present: UInt64 = 3 << 56
    static let moot: UInt64 = 4 << 56
    static func string(entry: Int32) -> UInt64 { 5 << 56 | UInt64(UInt32(bitPattern: entry)) }
    static func integer(_ n: Int32) -> UInt64 { 6 << 56 | UInt64(UInt32(bitPattern: n)) }
    static func bool(_ b: Bool) -> UInt64 { 7 << 56 | (b ? 1 : 0) }

    /// An answer and the key it was found for.
    private struct Remembered {
        var hash: UInt64
        var key: Key
        var answer: Bool
    }

    /// Open addressing over twice the capacity: per slot the answer's number + 1 (0: empty).
    private var slots: [Int32] = []
    private var remembered: [Remembered] = []
    /// Answers looked up and found, for the bench and tests.
    private(set) var found = 0

    /// The remembered answer for `key`, nil when there is none.
    mutating func answer(_ key: Key) -> Bool? {
        guard !slots.isEmpty else { return nil }
        let hash = key.hash, mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 {
            let n = Int(slots[i]) - 1
            if remembered[n].hash == hash, RuleMemo.same(remembered[n].key, key) {
                found &+= 1  // a count for the bench and tests: wraps rather than traps
                return remembered[n].answer
            }
            i = (i + 1) & mask
        }
        return nil
    }

    private static func same(_ a: Key, _ b: Key) -> Bool {
        guard a.rule == b.rule, a.count == b.count else { return false }
        for k in 0..<a.count where a.codes[k] != b.codes[k] { return false }
        return true
    }

    mutating func remember(_ key: Key, _ answer: Bool) {
        if slots.isEmpty { slots = [Int32](repeating: 0, count: 2 * RuleMemo.capacity) }
        if remembered.count >= RuleMemo.capacity { clear() }
        let hash = key.hash, mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = Int32(remembered.count + 1)
        remembered.append(Remembered(hash: hash, key: key, answer: answer))
    }

    /// Lets every answer go (the literal cache let go of the entries their keys name).
    mutating func clear() {
        guard !remembered.isEmpty else { return }
        for i in slots.indices { slots[i] = 0 }
        remembered.removeAll(keepingCapacity: true)
    }
}
