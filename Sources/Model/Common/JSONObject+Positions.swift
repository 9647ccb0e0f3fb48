/// Members by position, for readers that look a key up once and then read its member many
/// times (the matchers of a ruleset reading one event).
extension JSONObject {
    /// Where `key` is among the members, nil when absent.
    public func position(of key: String) -> Int? {
        index(of: key, tag: Member.tag(of: key))
    }

    /// The member at `position` (0..<count).
    public func member(at position: Int) -> Element {
        let m = members[position]
        return (m.key, m.value)
    }

    /// The value at `position` (0..<count).
    public func value(at position: Int) -> JSONValue {
        members[position].value
    }
}
