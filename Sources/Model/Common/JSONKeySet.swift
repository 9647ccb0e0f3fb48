/// A fixed set of names to test keys against many times over (every key of every event), by
/// their tags first: a key whose tag has no bit among the set's 1,024 is not in it, with no
/// hashing of its text. The few that pass, and Unicode keys (which can equal a name spelled
/// with other bytes), are looked up by `String` equality.
public struct JSONKeySet: Sendable {
    private let names: Set<String>
    private let bits: [UInt64]

    public init(_ names: some Sequence<String>) {
        self.names = Set(names)
        var bits = [UInt64](repeating: 0, count: 16)
        for name in self.names {
            let b = JSONKeySet.bit(JSONObject.Member.tag(of: name))
            bits[b >> 6] |= 1 << UInt64(b & 63)
        }
        self.bits = bits
    }

    /// One of 1,024 bits for a tag.
    private static func bit(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (tag &* 0x9E37_79B1) >> 22) }

    public func contains(_ key: JSONKey) -> Bool {
        if key.isASCII {
            let b = JSONKeySet.bit(key.tag)
            guard bits[b >> 6] & (1 << UInt64(b & 63)) != 0 else { return false }
        }
        return names.contains(key.name)
    }
}

extension JSONObject {
    /// Whether any key of the object is in `set`.
    public func holdsAny(of set: JSONKeySet) -> Bool {
        members.contains { set.contains(JSONKey(name: $0.key, tag: $0.tag)) }
    }
}
