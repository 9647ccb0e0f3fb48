/// A fixed set of names to test keys against many times over (every key of every event), by
/// their tags first: a key whose tag has no bit among the set's 1,024 is not in it, with no
/// look at its text. The few that pass are compared with the names of their bit only, tags
/// first. No `Set<String>`: its probes depend on the process's hash seed, and one key of an
/// event compared with fifteen names in one run and one in the next.
public struct JSONKeySet: Sendable {
    /// The names, grouped by bit: bit `b`'s are `names[starts[b]..<starts[b + 1]]`.
    private let names: [(name: String, tag: UInt32)]
    private let starts: [Int32]
    private let bits: [UInt64]
    /// A Unicode name can equal a key spelled with other bytes: then every name is compared.
    private let unicode: Bool

    public init(_ names: some Sequence<String>) {
        var byBit: [[(name: String, tag: UInt32)]] = Array(repeating: [], count: JSONKeySet.bitCount)
        var bits = [UInt64](repeating: 0, count: JSONKeySet.bitCount / 64)
        var unicode = false
        for name in Set(names).sorted() {
            let tag = JSONObject.Member.tag(of: name)
            let b = JSONKeySet.bit(tag)
            byBit[b].append((name, tag))
            bits[b >> 6] |= 1 << UInt64(b & 63)
            if tag & JSONObject.Member.nonASCII != 0 { unicode = true }
        }
        var starts: [Int32] = [0]
        for group in byBit { starts.append(starts[starts.count - 1] + Int32(group.count)) }
        self.names = byBit.flatMap { $0 }
        self.starts = starts
        self.bits = bits
        self.unicode = unicode
    }

    private static let bitCount = 1024

    /// One of 1,024 bits for a tag.
    private static func bit(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (tag &* 0x9E37_79B1) >> 22) }

    /// Whether a key of this tag may be in the set: false only when none is (a Unicode set, or
    /// key, may hold any).
    @inline(__always) func mayContain(tag: UInt32) -> Bool {
        guard tag & JSONObject.Member.nonASCII == 0, !unicode else { return true }
        let b = JSONKeySet.bit(tag)
        return bits[b >> 6] & (1 << UInt64(b & 63)) != 0
    }

    public func contains(_ key: JSONKey) -> Bool {
        // Unicode keys (and any key, when a name is Unicode) take `String`'s comparison alone.
        guard key.isASCII, !unicode else { return names.contains { $0.name == key.name } }
        let b = JSONKeySet.bit(key.tag)
        guard bits[b >> 6] & (1 << UInt64(b & 63)) != 0 else { return false }
        for i in Int(starts[b])..<Int(starts[b + 1]) where names[i].tag == key.tag && names[i].name == key.name { return true }
        return false
    }
}

extension JSONObject {
    /// Whether any key of the object is in `set`.
    public func holdsAny(of set: JSONKeySet) -> Bool {
        // Tags first, in place: most keys are told apart by their bit alone, and making a
        // `JSONKey` of each member (a copy of its key) cost forty instructions a member.
        members.withUnsafeBufferPointer { m in
            for i in m.indices where set.mayContain(tag: m[i].tag) && set.contains(JSONKey(name: m[i].key, tag: m[i].tag)) { return true }
            return false
        }
    }
}
