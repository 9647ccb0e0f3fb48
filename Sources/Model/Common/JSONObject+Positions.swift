/// Members by position, for readers that look a key up once and then read its member many
/// times (the matchers of a ruleset reading one event).
extension JSONObject {
    /// Where `key` is among the members, nil when absent.
    public func position(of key: String) -> Int? {
        index(of: key, tag: Member.tag(of: key))
    }

    /// Where `key` is among the members, its tag worked out once (a reader of many events).
    public func position(of key: JSONKey) -> Int? {
        index(of: key.name, tag: key.tag)
    }

    /// Whether one of the first `count` members has the key: for a writer that appends to an
    /// object it was handed and asks only about what the object held (a dozen members, not
    /// the thirty it grows to).
    public func contains(_ key: JSONKey, before count: Int) -> Bool {
        let n = Swift.min(Swift.max(count, 0), members.count)
        // A Unicode key can equal another spelled with other bytes: then `String`'s comparison.
        guard asciiKeys, key.tag & Member.nonASCII == 0 else { return members[0..<n].contains { $0.key == key.name } }
        for i in 0..<n where members[i].tag == key.tag && members[i].key == key.name { return true }
        return false
    }

    /// The member at `position` (0..<count).
    public func member(at position: Int) -> Element {
        let m = members[position]
        return (m.key, m.value)
    }

    /// The key at `position` (0..<count).
    @inlinable public func key(at position: Int) -> String {
        members[position].key
    }

    /// A summary of the key at `position` (its length, first and last bytes): equal for equal
    /// keys, and seldom for others, for readers that keep statistics per field cheaply.
    @inlinable public func keyTag(at position: Int) -> UInt32 {
        members[position].tag
    }

    /// The value at `position` when the member there has the key `key`; nil when it has
    /// another or there is none: for a reader that noted where a member was and makes sure
    /// it is still there.
    public func value(at position: Int, ifKeyIs key: JSONKey) -> JSONValue? {
        guard position >= 0, position < members.count, members[position].tag == key.tag, members[position].key == key.name else { return nil }
        return members[position].value
    }

    /// The value at `position` (0..<count).
    @inlinable public func value(at position: Int) -> JSONValue {
        members[position].value
    }
}
