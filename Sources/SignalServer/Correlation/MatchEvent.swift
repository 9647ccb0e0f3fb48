import Model

/// The field names a set of matchers read, each given a slot: a matcher names a field by its
/// slot, and an event finds each slot's member once however many rules and tests read it.
public struct MatchFields: Sendable {
    public private(set) var names: [String] = []
    private var slots: [String: Int32] = [:]

    public init() {}

    mutating func slot(_ name: String) -> Int32 {
        if let s = slots[name] { return s }
        names.append(name)
        let s = Int32(names.count - 1)
        slots[name] = s
        return s
    }
}

/// One event as matchers read it: each field found once (by slot) and each text value
/// lower-cased once, however many rules and tests read them. Lower-casing every value for
/// every test was a fifth of a hunt's time.
public struct MatchEvent {
    public let fields: JSONObject
    /// Per slot: the member's position, `MatchEvent.missing`, or `unresolved`.
    private var positions: [Int32]
    private let names: [String]
    /// Lower-cased text of the string members, one after another (each followed by a 0 byte),
    /// and of every other value too once `searchText` was asked for.
    private(set) var text: [UInt8] = []
    /// Per member: where its lower-cased text is, when it is a string that was lowered.
    private var spans: [Span]
    /// Per literal the program numbered (`MatchProgram.numberNeedles`): whether the search
    /// text holds it. Empty when nobody searched: then every test looks at its value.
    var literalsFound: [Bool] = []

    struct Span {
        var start: Int
        var count: Int
        /// All ASCII: bytes compare exactly as the strings do.
        var ascii: Bool
        static let none = Span(start: -1, count: 0, ascii: true)
        var lowered: Bool { start >= 0 }
    }

    static let missing: Int32 = -1
    static let unresolved: Int32 = -2

    public init(_ fields: JSONObject, reading: MatchFields) {
        self.fields = fields
        names = reading.names
        positions = [Int32](repeating: MatchEvent.unresolved, count: reading.names.count)
        spans = [Span](repeating: .none, count: fields.count)
    }

    /// The member position of a slot's field, nil when the event has no such field.
    mutating func position(_ slot: Int32) -> Int? {
        let s = Int(slot)
        var p = positions[s]
        if p == MatchEvent.unresolved {
            p = fields.position(of: names[s]).map { Int32(truncatingIfNeeded: $0) } ?? MatchEvent.missing
            positions[s] = p
        }
        return p < 0 ? nil : Int(p)
    }

    /// The lower-cased text of the string member at `position`, nil when it is not a string.
    mutating func lowered(_ position: Int) -> Span? {
        let span = spans[position]
        if span.lowered { return span }
        guard case .string(let s) = fields.value(at: position) else { return nil }
        let made = append(s)
        spans[position] = made
        return made
    }

    /// Every value of the event as lower-cased text, one after another: what a rule's text
    /// tests can read (a test reads one field, so a literal it needs is in this text). Numbers
    /// and booleans are in it as the text tests read them (`stringValue`).
    public mutating func searchText() -> [UInt8] {
        text.removeAll(keepingCapacity: true)
        text.reserveCapacity(1024)
        for p in 0..<fields.count {
            let value = fields.value(at: p)
            if case .string(let s) = value {
                spans[p] = append(s)
            } else {
                spans[p] = .none
                add(value)
            }
        }
        return text
    }

    private mutating func add(_ v: JSONValue) {
        switch v {
        case .string(let s): _ = append(s)
        case .array(let items): for item in items { add(item) }
        case .int, .double, .bool: _ = append(v.stringValue ?? "")
        case .null, .object: break
        }
    }

    private mutating func append(_ s: String) -> Span {
        let start = text.count
        var ascii = true
        for b in s.utf8 {
            if b >= 0x80 { ascii = false; break }
            text.append(b >= 65 && b <= 90 ? b | 0x20 : b)
        }
        if !ascii {
            text.removeSubrange(start...)
            text += s.lowercased().utf8
        }
        let count = text.count - start
        text.append(0)
        return Span(start: start, count: count, ascii: ascii)
    }
}
