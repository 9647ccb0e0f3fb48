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
/// Most keys (a rule and a few short codes) are packed whole into 128 bits with their answer
/// (`Packer`), in a table that is read at one place: a hit is one cache line. The memo is
/// too big for the nearest caches, and its lookups had waited on memory twice (a slot, then
/// the answer it names), a twentieth of a hunt's time though a few hundred instructions.
/// Other keys go to `remembered`, compared code by code.
///
/// Bounded: at most `capacity` answers in each of the two tables (1 MiB of packed keys and
/// 3 MiB of others at most), all let go when either is full, and when the literal cache
/// lets go of its entries (their numbers then name other values).
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

        /// The key packed (`Packer`) when it fits.
        var packed: UInt128? {
            guard var packer = Packer(rule: rule) else { return nil }
            // Through a span: `codes[i]` copied all eight codes to read one.
            let codes = codes.span
            for i in 0..<count where !packer.append(codes[i]) { return nil }
            return packer.bits
        }

        var hash: UInt64 {
            let k: UInt64 = 0x9E37_79B9_7F4A_7C15
            var h = UInt64(UInt32(bitPattern: rule)) &* k ^ UInt64(count)
            let codes = codes.span
            for i in 0..<count {
                h = (h ^ codes[i]) &* k
                h ^= h >> 29
            }
            return h &* k ^ (h >> 32)
        }
    }

    /// A key as 128 bits with bit `answerBit` clear, built code by code: the rule + 1 (20
    /// bits, so never 0: an empty slot is 0), the count (4 bits), then each code as its kind
    /// (3 bits) and what follows it: nothing for missing, null, present and moot (their
    /// numbers are 0), a bit for a boolean, and for a string's entry or an integer whether it
    /// is wide (1 bit) and the number (16 or 32 bits). A code goes in the low word if it fits
    /// there whole, else it starts the high word. Each code's place and width follow from the
    /// ones before, so two keys pack alike exactly when they are the same. (A rule reads a
    /// field and its mapped name, which is mostly moot: eight codes are common, and at 36
    /// bits each most keys had not fitted.)
    struct Packer {
        private var low: UInt64
        private var high: UInt64 = 0
        private var at = 25  // 24 and below: rule, count, answer
        private var count: UInt64 = 0

        init?(rule: Int32) {
            guard rule >= 0, rule < (1 << 20) - 1 else { return nil }
            low = UInt64(rule) + 1
        }

        /// Adds a code; false when it does not fit (or is not a code `RuleMemo` makes).
        @inline(__always)
        mutating func append(_ code: UInt64) -> Bool {
            let kind = code >> 56, number = code & 0xFFFF_FFFF
            guard code & 0x00FF_FFFF_0000_0000 == 0, count < 8 else { return false }
            let part: UInt64, width: Int
            switch kind {
            case RuleMemo.stringKind, RuleMemo.integerKind:
                let wide = number >> 16 != 0
                (part, width) = (kind | (wide ? 8 : 0) | number << 4, wide ? 36 : 20)
            case RuleMemo.boolKind:
                guard number <= 1 else { return false }
                (part, width) = (kind | number << 3, 4)
            case 1...4:
                guard number == 0 else { return false }
                (part, width) = (kind, 3)
            default:
                return false
            }
            if at + width <= 64 {
                low |= part << UInt64(at)
            } else {
                if at < 64 { at = 64 }
                guard at + width <= 128 else { return false }
                high |= part << UInt64(at - 64)
            }
            at += width
            count += 1
            return true
        }

        var bits: UInt128 { UInt128(high) << 64 | UInt128(low | count << 20) }
    }

    // Codes: a kind in the top byte, a number below it. Strings' entries and integers are
    // 32-bit, so no two kinds' codes are equal.
    static let missing: UInt64 = 1 << 56
    static let null: UInt64 = 2 << 56
    static let present: UInt64 = 3 << 56
    static let moot: UInt64 = 4 << 56
    static let stringKind: UInt64 = 5, integerKind: UInt64 = 6, boolKind: UInt64 = 7
    static func string(entry: Int32) -> UInt64 { stringKind << 56 | UInt64(UInt32(bitPattern: entry)) }
    static func integer(_ n: Int32) -> UInt64 { integerKind << 56 | UInt64(UInt32(bitPattern: n)) }
    static func bool(_ b: Bool) -> UInt64 { boolKind << 56 | (b ? 1 : 0) }

    /// An answer and the key it was found for.
    private struct Remembered {
        var hash: UInt64
        var key: Key
        var answer: Bool
    }

    /// Packed keys with their answers (bit `answerBit`), open addressing over twice the
    /// capacity; 0: empty.
    private var packed: [UInt128] = []
    private var packedCount = 0
    static let answerBit = 24
    /// Open addressing over twice the capacity: per slot the answer's number + 1 (0: empty).
    private var slots: [Int32] = []
    private var remembered: [Remembered] = []
    /// Answers looked up and found, for the bench and tests.
    private(set) var found = 0

    /// How many answers it holds.
    var count: Int { packedCount + remembered.count }

    /// Where a packed key's probe starts.
    private static func start(_ bits: UInt128, mask: Int) -> Int {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = (UInt64(truncatingIfNeeded: bits) ^ UInt64(truncatingIfNeeded: bits >> 64) &* k) &* k
        h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// A key as it is looked up: packed when it fits, whole when not, or none (the rule runs).
    enum Lookup {
        case none
        case packed(UInt128)
        case whole(Key)
    }

    /// The keys of the rules one event runs (`RuleIndex`), kept from event to event.
    private var keys: [Lookup] = []

    /// An empty list for an event's keys, its room kept; to be given back.
    mutating func takeKeys() -> [Lookup] {
        var out: [Lookup] = []
        swap(&out, &keys)
        out.removeAll(keepingCapacity: true)
        return out
    }

    mutating func giveBack(_ list: consuming [Lookup]) { keys = list }

    /// Sum of the slots `touch` read, kept so that the reads are not optimized away.
    private var touched: UInt64 = 0

    /// Reads the slot where each packed key's probe starts, one read after another with none
    /// waiting on the one before, so that the processor overlaps their waits on memory; the
    /// lookups that follow find the slots in the nearest cache.
    mutating func touch(_ lookups: [Lookup]) {
        guard !packed.isEmpty else { return }
        let mask = packed.count - 1
        var sum: UInt64 = 0
        packed.withUnsafeBufferPointer { table in
            for case .packed(let bits) in lookups { sum &+= UInt64(truncatingIfNeeded: table[RuleMemo.start(bits, mask: mask)]) }
        }
        touched &+= sum
    }

    /// The remembered answer for `lookup`, nil when there is none.
    mutating func answer(_ lookup: Lookup) -> Bool? {
        switch lookup {
        case .none: return nil
        case .packed(let bits): return answer(packed: bits)
        case .whole(let key): return answer(key)
        }
    }

    mutating func remember(_ lookup: Lookup, _ answer: Bool) {
        switch lookup {
        case .none: return
        case .packed(let bits): remember(packed: bits, answer)
        case .whole(let key): remember(key, answer)
        }
    }

    private mutating func answer(packed bits: UInt128) -> Bool? {
        guard !packed.isEmpty else { return nil }
        let mask = packed.count - 1, answer = UInt128(1) << RuleMemo.answerBit
        return packed.withUnsafeBufferPointer { table in
            var i = RuleMemo.start(bits, mask: mask)
            while table[i] != 0 {
                if table[i] & ~answer == bits {
                    found &+= 1  // a count for the bench and tests: wraps rather than traps
                    return table[i] & answer != 0
                }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    private mutating func remember(packed bits: UInt128, _ answer: Bool) {
        if packed.isEmpty { packed = [UInt128](repeating: 0, count: 2 * RuleMemo.capacity) }
        if packedCount >= RuleMemo.capacity { clear() }
        let mask = packed.count - 1
        var i = RuleMemo.start(bits, mask: mask)
        while packed[i] != 0 { i = (i + 1) & mask }
        packed[i] = bits | (answer ? UInt128(1) << RuleMemo.answerBit : 0)
        packedCount += 1
    }

    /// The remembered answer for `key`, nil when there is none.
    mutating func answer(_ key: Key) -> Bool? {
        if let bits = key.packed { return answer(packed: bits) }
        guard !slots.isEmpty else { return nil }
        let hash = key.hash, mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 {
            let n = Int(slots[i]) - 1
            if remembered[n].hash == hash, RuleMemo.same(remembered[n].key, key) {
                found &+= 1
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
        if let bits = key.packed { return remember(packed: bits, answer) }
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
        if packedCount > 0 {
            for i in packed.indices { packed[i] = 0 }
            packedCount = 0
        }
        guard !remembered.isEmpty else { return }
        for i in slots.indices { slots[i] = 0 }
        remembered.removeAll(keepingCapacity: true)
    }
}
