import Model

/// The field names a set of matchers read, each given a slot: a matcher names a field by its
/// slot, and an event finds each slot's member once however many rules and tests read it.
public struct MatchFields: Sendable {
    public private(set) var names: [String] = []
    private var slots: [String: Int32] = [:]
    /// The names, to tell an event's members that may be read from those no test reads.
    private(set) var filter = JSONKeyFilter()

    public init() {}

    mutating func slot(_ name: String) -> Int32 {
        if let s = slots[name] { return s }
        names.append(name)
        filter.insert(name)
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
    private let read: JSONKeyFilter
    /// Lower-cased text of string members as tests read them, one after another (each followed
    /// by a 0 byte); after `searchText`, first the text of every field a test names.
    private(set) var text: [UInt8] = []
    /// Per member: where its lower-cased text is, when it is a string that was lowered.
    private var spans: [Span]
    /// Per literal the program numbered (`MatchProgram.numberNeedles`): whether the search
    /// text holds it. Empty when nobody searched: then every test looks at its value.
    var literalsFound = LiteralFlags.none
    /// Whether the search text is all ASCII (see `RegexLiterals.Needed.caseless`).
    private(set) var searchTextIsASCII = true

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
        read = reading.filter
        positions = [Int32](repeating: MatchEvent.unresolved, count: reading.names.count)
        spans = [Span](repeating: .none, count: fields.count)
    }

    /// Whether the search text may hold what a regex check cannot match without: false only
    /// when it was searched and none of its literals is there.
    func holds(_ check: MatchProgram.Check, _ literals: [Int32]) -> Bool {
        guard check.literalCount > 0, literalsFound.count > 0 else { return true }
        let from = Int(check.literalStart)
        for k in from..<(from + Int(check.literalCount)) where !literalsFound.absent(Int(literals[k])) { return true }
        return check.literalNeedsASCII && !searchTextIsASCII
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

    /// The values of every field a test reads, as lower-cased text, one after another: a
    /// field test's literal, if it passes, is in this text. Numbers and booleans are in it as
    /// the text tests read them (`stringValue`). Fields no test names are left out (an event
    /// carries each value twice, under its own name and ECS's, and rules read one); keywords
    /// (`anyField`) read them too, so `searchTextOfEveryField` adds them for keywords' literals.
    public mutating func searchText() -> [UInt8] {
        text.removeAll(keepingCapacity: true)
        text.reserveCapacity(1024)
        for p in 0..<fields.count {
            spans[p] = .none
            guard fields.key(at: p, mayBeIn: read) else { continue }
            let value = fields.value(at: p)
            if case .string(let s) = value {
                spans[p] = append(s)
                if !spans[p].ascii { searchTextIsASCII = false }
            } else {
                add(value)
            }
        }
        return text
    }

    /// `searchText` followed by the text of every other field a keyword reads (strings, and
    /// lists' strings): for keywords' literals, which may be in any field.
    mutating func searchTextOfEveryField() -> [UInt8] {
        for p in 0..<fields.count where !fields.key(at: p, mayBeIn: read) {
            switch fields.value(at: p) {
            case .string(let s):
                spans[p] = append(s)
                if !spans[p].ascii { searchTextIsASCII = false }
            case .array(let items):
                for case .string(let s) in items where !append(s).ascii { searchTextIsASCII = false }
            default:
                break
            }
        }
        return text
    }

    private mutating func add(_ v: JSONValue) {
        switch v {
        case .string(let s): if !append(s).ascii { searchTextIsASCII = false }
        case .array(let items): for item in items { add(item) }
        case .int, .double, .bool: _ = append(v.stringValue ?? "")
        case .null, .object: break
        }
    }

    private mutating func append(_ s: String) -> Span {
        let start = text.count
        let ascii = Matcher.lower(s, onto: &text)
        let count = text.count - start
        text.append(0)
        return Span(start: start, count: count, ascii: ascii)
    }
}
