import Model

/// The field names a set of matchers read, each given a slot: a matcher names a field by its
/// slot, and an event finds each slot's member once however many rules and tests read it.
public struct MatchFields: Sendable {
    public private(set) var names: [String] = []
    /// The names with their tags, for looking them up in event after event.
    private(set) var keys: [JSONKey] = []
    private var slots: [String: Int32] = [:]
    /// The fields a text test reads whatever else the event holds, to tell an event's members
    /// whose values go into the hunt's search text from those no text test reads.
    private(set) var filter = JSONKeyFilter()
    /// Fields text tests read only when another field is missing or null: per such field, the
    /// slots of those others. A Sigma field's ECS name is read only when the event lacks the
    /// Sigma name (`SigmaOwnFields`), so a Windows event's ECS copies of its values, half of
    /// what tests name, need not be searched.
    private(set) var guarded = JSONKeyIndex()
    private(set) var guards: [[Int32]] = []
    private(set) var guardedFilter = JSONKeyFilter()
    /// Fields some text test reads unguarded.
    private var unguarded: Set<String> = []
    /// Made anew whenever the list changes, so that what an event reader holds of it and
    /// learnt of it (`MatchEvent.start`) is known to be of this one.
    private(set) var version = Version()

    final class Version: Sendable {}

    public init() {}

    mutating func slot(_ name: String) -> Int32 {
        if let s = slots[name] { return s }
        version = Version()
        names.append(name)
        keys.append(JSONKey(name))
        let s = Int32(names.count - 1)
        slots[name] = s
        return s
    }

    /// A text test reads field `name`, in a part of a filter that is false unless each slot
    /// of `guards` is missing or null (none: always).
    mutating func textRead(_ name: String, guards: [Int32]) {
        if unguarded.contains(name) { return }
        version = Version()
        if guards.isEmpty {
            unguarded.insert(name)
            filter.insert(name)
            guarded[name] = nil
        } else {
            // A read under several guards needs them all missing; one of them is enough to
            // say the field may be read, which is what the search text must know.
            let innermost = guards[guards.count - 1]
            if let n = guarded[name] {
                if !self.guards[n].contains(innermost) { self.guards[n].append(innermost) }
            } else {
                guarded[name] = self.guards.count
                self.guards.append([innermost])
            }
            guardedFilter.insert(name)
        }
    }
}

/// One event as matchers read it: each field found once (by slot) and each text value
/// lower-cased once, however many rules and tests read them. Lower-casing every value for
/// every test was a fifth of a hunt's time.
public struct MatchEvent {
    // No stored property has an initial value; `init` sets each. With initial values the
    // optimizer built the event, copied it whole (retaining each array) and destroyed the
    // first, at every event: a hundredth of a hunt.
    public private(set) var fields: JSONObject
    /// Per slot: the member's position, `MatchEvent.missing`, or unresolved (`unresolved`, or a hint).
    private var positions: [Int32]
    /// The slots resolved, to be made unresolved again when the event is done (`finish`).
    private var resolved: [Int32]
    /// What the event reads of its fields list, and the version of the list it is.
    private var list: List

    private struct List {
        let names: [JSONKey]
        let read: JSONKeyFilter
        let guardedRead: JSONKeyFilter
        let guarded: JSONKeyIndex
        let guards: [[Int32]]
        let version: MatchFields.Version

        init(_ fields: borrowing MatchFields) {
            names = fields.keys
            read = fields.filter
            guardedRead = fields.guardedFilter
            guarded = fields.guarded
            guards = fields.guards
            version = fields.version
        }
    }
    /// Per member position, the key last found there and its number in `guarded` (-1: not
    /// guarded; -2: not known), kept from event to event: a reader's events put the same keys
    /// (the same strings) at the same places, and a key found the same needs no look-up.
    private var guardedAt: [GuardedKey]

    struct GuardedKey {
        var key: String
        var number: Int32
        static let unknown = GuardedKey(key: "", number: -2)
    }
    /// Lower-cased text of string members as tests read them, one after another (each followed
    /// by a 0 byte); after `searchText`, first the text of every field a test names.
    private(set) var text: [UInt8]
    /// Per member: where its lower-cased text is, when it is a string that was lowered.
    private var spans: [Span]
    /// Per literal the program numbered (`MatchProgram.numberNeedles`): whether the search
    /// text holds it. Empty when nobody searched: then every test looks at its value.
    var literalsFound: LiteralFlags
    /// Whether the search text is all ASCII (see `RegexLiterals.Needed.caseless`).
    private(set) var searchTextIsASCII: Bool
    /// The long strings whose literals were found this event, by address and length, with
    /// their entries in the literal cache. Sixteen of 16 bytes: an event has a dozen strings
    /// searched, and the event is made, moved and copied whole (at 32 of 24 bytes, copying
    /// it was a tenth of matching an event that needs no rule run).
    private var searched: InlineArray<16, (UInt, UInt32, Int32)>
    private var searchedCount: Int
    /// A bit per address `searched` holds (bits 4-9 of it: strings' storage is 16-byte
    /// aligned), so that most strings, searched first, are told so without a look at each.
    private var searchedBits: UInt64

    struct Span {
        var start: Int
        var count: Int
        /// All ASCII: bytes compare exactly as the strings do.
        var ascii: Bool
        /// The value's entry in the literal cache when the search looked it up there
        /// (`LiteralCache.lastEntry`), -1 otherwise: its number for `memoCode`.
        var entry: Int32 = -1
        static let none = Span(start: -1, count: 0, ascii: true)
        /// Searched, its literals found apart from the text (`LiteralCache`, whose entry for
        /// it is `entry`): not lowered yet.
        static func searchedApart(entry: Int32) -> Span { Span(start: -2, count: 0, ascii: true, entry: entry) }
        var lowered: Bool { start >= 0 }
        /// Its literals were looked for, in the text or apart.
        var searched: Bool { start != -1 }
    }

    /// A slot's position when the event has no such field.
    static let missing: Int32 = -1
    /// A slot not looked up yet this event, with nothing known. Below -1 but this, a slot not
    /// looked up yet whose field was at `-2 - value` in the event before (`hint`): a reader's
    /// events put the same keys at the same places, and a key found there again needs no
    /// look-up (5 an event in a hunt, each a scan of thirty members).
    static let unresolved = Int32.min

    /// What a slot found at `p` (a position or `missing`) says to the next event.
    private static func hint(_ p: Int32) -> Int32 { p >= 0 && p < Int32.max - 2 ? -2 - p : unresolved }

    // `borrowing`: an initializer takes its arguments owned, so each event copied the fields
    // list (and retained its arrays) only to read it.
    public init(_ fields: JSONObject, reading: borrowing MatchFields) {
        self.fields = fields
        list = List(reading)
        positions = [Int32](repeating: MatchEvent.unresolved, count: reading.names.count)
        resolved = []
        guardedAt = []
        text = []
        spans = [Span](repeating: .none, count: fields.count)
        literalsFound = .none
        searchTextIsASCII = true
        searched = InlineArray(repeating: (0, 0, -1))
        searchedCount = 0
        searchedBits = 0
    }

    /// The event read next by a reader that reads one at a time with this one (kept in its
    /// `LiteralCache`), all but the fields it read before (`finish`) kept: its arrays (a slot
    /// per field any rule reads, hundreds, and a span per member), the fields list's parts it
    /// holds while the list is the same, and where the keys were, as hints. Making an event
    /// for each, and freeing it, cost as much as a tenth of finding its candidates.
    mutating func start(_ fields: JSONObject, reading: borrowing MatchFields) {
        if list.version !== reading.version {
            list = List(reading)
            positions = [Int32](repeating: MatchEvent.unresolved, count: reading.names.count)
            resolved.removeAll()
            guardedAt.removeAll()
        }
        self.fields = fields
        // Made `fields.count` long, every span `.none`: in place (an append of each one, or a
        // new array when the count changed, cost more than the arrays saved).
        let n = fields.count
        if spans.count > n { spans.removeLast(spans.count - n) }
        spans.withUnsafeMutableBufferPointer { $0.update(repeating: .none) }
        if spans.count < n { spans.append(contentsOf: repeatElement(Span.none, count: n - spans.count)) }
        if !text.isEmpty { text.removeAll(keepingCapacity: true) }
        literalsFound = .none
        searchTextIsASCII = true
        searchedCount = 0
        searchedBits = 0
    }

    /// Done with the event: its fields let go (a reference kept would make the next change
    /// to them copy them all), every slot unresolved again, with a hint of where it was.
    mutating func finish() {
        for s in resolved { positions[Int(s)] = MatchEvent.hint(positions[Int(s)]) }
        resolved.removeAll(keepingCapacity: true)
        fields = JSONObject()
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
        if p < MatchEvent.missing {
            let was = p == MatchEvent.unresolved ? -1 : -2 - Int(p)
            let key = list.names[s]
            if was >= 0, was < fields.count, fields.key(at: was) == key.name {
                p = Int32(truncatingIfNeeded: was)  // keys are unique in an object: this is its member
            } else {
                p = fields.position(of: key).map { Int32(truncatingIfNeeded: $0) } ?? MatchEvent.missing
            }
            positions[s] = p
            resolved.append(slot)
        }
        return p < 0 ? nil : Int(p)
    }

    /// Whether the slot's field is there and not null.
    mutating func holdsValue(_ slot: Int32) -> Bool {
        guard let p = position(slot) else { return false }
        if case .null = fields.value(at: p) { return false }
        return true
    }

    /// The lower-cased text of the string member at `position`, nil when it is not a string.
    mutating func lowered(_ position: Int) -> Span? {
        let span = spans[position]
        if span.lowered { return span }
        guard case .string(let s) = fields.value(at: position) else { return nil }
        var made = append(s)
        made.entry = span.entry  // still the value's number for `memoCode`
        spans[position] = made
        return made
    }

    /// The values of every field a text test may read, as lower-cased text, one after
    /// another: a field test's literal, if it passes, is in this text. Numbers and booleans
    /// are in it as the text tests read them (`stringValue`). Fields no text test names are
    /// left out, and so are those read only when another field is missing (`MatchFields
    /// .guarded`) while it is there: an event carries each value twice, under its own name and
    /// ECS's, and rules read one. Keywords (`anyField`) read every field, so
    /// `searchTextOfEveryField` adds the rest for keywords' literals.
    ///
    /// The hunt does not build this text for string values: `searchText(cache:_:id:)` has a
    /// `LiteralCache` find their literals, remembered from value to value. This one is what
    /// that must agree with.
    mutating func searchText() -> [UInt8] {
        startSearch()
        for p in 0..<fields.count where searches(p) {
            let value = fields.value(at: p)
            if case .string(let s) = value { put(s, at: p) } else { add(value) }
        }
        return text
    }

    /// `searchText`'s, with string values' literals found by `cache` in `search` (known to it
    /// as `id`) and only the other values (and strings it does not keep) in the text
    /// returned, for the caller to scan.
    mutating func searchText(cache: inout LiteralCache, _ search: LiteralSearch, id: Int32) -> [UInt8] {
        startSearch()
        for p in 0..<fields.count where searches(p) {
            let value = fields.value(at: p)
            if case .string(let s) = value { find(s, at: p, &cache, search, id) } else { add(value) }
        }
        return text
    }

    /// `searchText` followed by the text of every other field a keyword reads (strings, and
    /// lists' strings): for keywords' literals, which may be in any field.
    mutating func searchTextOfEveryField() -> [UInt8] {
        for p in 0..<fields.count where !spans[p].searched && !fields.key(at: p, mayBeIn: list.read) {
            switch fields.value(at: p) {
            case .string(let s): put(s, at: p)
            case .array(let items): for case .string(let s) in items where !append(s).ascii { searchTextIsASCII = false }
            default: break
            }
        }
        return text
    }

    /// `searchTextOfEveryField`'s, with string values' literals found as
    /// `searchText(cache:_:id:)` finds them. `search` looks for some of the literals the
    /// search given to `searchText(cache:_:id:)` looked for (keywords' among all the kind's),
    /// so a string both read is searched once.
    mutating func searchTextOfEveryField(cache: inout LiteralCache, _ search: LiteralSearch, id: Int32) -> [UInt8] {
        for p in 0..<fields.count where !spans[p].searched && !fields.key(at: p, mayBeIn: list.read) {
            switch fields.value(at: p) {
            case .string(let s): find(s, at: p, &cache, search, id)
            case .array(let items): for case .string(let s) in items where !cache.add(s, search, id: id) { searchTextIsASCII = false }
            default: break
            }
        }
        return text
    }

    private mutating func startSearch() {
        searchedCount = 0
        searchedBits = 0
        text.removeAll(keepingCapacity: true)
        text.reserveCapacity(256)
        spans.withUnsafeMutableBufferPointer { $0.update(repeating: .none) }
    }

    /// Whether a search reads the member at `p`.
    private mutating func searches(_ p: Int) -> Bool {
        fields.key(at: p, mayBeIn: list.read) || (fields.key(at: p, mayBeIn: list.guardedRead) && mayBeRead(p))
    }

    /// The string member at `p` into the text.
    private mutating func put(_ s: String, at p: Int) {
        spans[p] = append(s)
        if !spans[p].ascii { searchTextIsASCII = false }
    }

    /// The string member at `p`'s literals found by the cache; or, for a value the cache does
    /// not keep (`LiteralCache.scansApart`), the member put in the text.
    private mutating func find(_ s: String, at p: Int, _ cache: inout LiteralCache, _ search: LiteralSearch, _ id: Int32) {
        // A string searched already this event (the same bytes in memory: an ECS copy such as
        // `process.executable` is `Image`'s string) has had its literals found. Keywords'
        // literals are among the kind's, so the first search found whatever the second seeks.
        // Only strings too long to be stored inline have an address of their own.
        let count = s.utf8.count
        var remembered = -1
        var address: UInt = 0
        if count > 15, let a = s.utf8.withContiguousStorageIfAvailable({ UInt(bitPattern: $0.baseAddress) }) {
            address = a
            let bit: UInt64 = 1 << UInt64(truncatingIfNeeded: (address >> 4) & 63)
            if searchedBits & bit != 0 {
                for i in 0..<searchedCount where searched[i].0 == address && Int(searched[i].1) == count {
                    spans[p] = .searchedApart(entry: searched[i].2)
                    return
                }
            }
            if searchedCount < searched.count, let length = UInt32(exactly: count) {
                searchedBits |= bit
                searched[searchedCount] = (address, length, -1)
                remembered = searchedCount
                searchedCount += 1
            }
        }
        let field = fields.keyTag(at: p)
        if cache.scansApart(field: field, count: count) {
            put(s, at: p)  // into the text the caller scans whole
            return
        }
        // A value with storage of its own is looked up by where it is first
        // (`LiteralCache.add(_:at:)`), a short one by its bytes as words (`add(short:)`).
        let ascii = address != 0
            ? cache.add(s, at: address, count: count, search, id: id, field: field)
            : count <= LiteralCache.longestShort
            ? cache.add(short: s, search, id: id, field: field)
            : cache.add(s, search, id: id, field: field, counted: true)
        if !ascii { searchTextIsASCII = false }
        let entry = cache.lastEntry
        spans[p] = .searchedApart(entry: entry)
        if remembered >= 0 { searched[remembered].2 = entry }
    }

    /// A read's part of the key its rule's answer is remembered by (`RuleMemo`); nil when the
    /// value has none (a string the literal cache did not keep, a list, a large number).
    mutating func memoCode(_ read: MatchProgram.Read) -> UInt64? {
        if read.moot >= 0, holdsValue(read.moot) { return RuleMemo.moot }
        guard let p = position(read.slot) else { return RuleMemo.missing }
        switch fields.value(at: p) {
        case .null: return RuleMemo.null
        case _ where !read.value: return RuleMemo.present
        case .string: return spans[p].entry >= 0 ? RuleMemo.string(entry: spans[p].entry) : nil
        case .int(let n): return Int32(exactly: n).map(RuleMemo.integer)
        case .bool(let b): return RuleMemo.bool(b)
        case .double, .array, .object: return nil
        }
    }

    /// Whether the member at `p`, read only under guards, has one of them missing or null.
    private mutating func mayBeRead(_ p: Int) -> Bool {
        let n = guardedNumber(p)
        guard n >= 0 else { return false }
        for g in list.guards[n] where !holdsValue(g) { return true }
        return false
    }

    /// The number in `guarded` of the key of the member at `p`, -1 when it is not guarded.
    private mutating func guardedNumber(_ p: Int) -> Int {
        let key = fields.key(at: p)
        // The same string as last time compares without reading its bytes.
        if p < guardedAt.count, guardedAt[p].number != GuardedKey.unknown.number, guardedAt[p].key == key {
            return Int(guardedAt[p].number)
        }
        let n = fields.number(forKeyAt: p, in: list.guarded).map { Int32(truncatingIfNeeded: $0) } ?? -1
        if p >= guardedAt.count { guardedAt.append(contentsOf: repeatElement(.unknown, count: p + 1 - guardedAt.count)) }
        guardedAt[p] = GuardedKey(key: key, number: n)
        return Int(n)
    }

    private mutating func add(_ v: JSONValue) {
        switch v {
        case .string(let s): if !append(s).ascii { searchTextIsASCII = false }
        case .array(let items): for item in items { add(item) }
        case .int(let n): appendDigits(n)
        case .double, .bool: _ = append(v.stringValue ?? "")
        case .null, .object: break
        }
    }

    /// An integer as `stringValue` writes it (`String(n)`), straight into the text: making
    /// the `String` for a record number or a process id cost more than the rest of its search.
    private mutating func appendDigits(_ n: Int64) {
        // Written from the end of a buffer on the stack (20 bytes hold any Int64's), then
        // appended at once: an append per digit checked the array each time.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var i = digits.count
            var magnitude = n.magnitude
            repeat {
                i -= 1
                digits[i] = UInt8(truncatingIfNeeded: 48 &+ magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if n < 0 {
                i -= 1
                digits[i] = UInt8(ascii: "-")
            }
            text.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[i...]))
        }
        text.append(0)
    }

    private mutating func append(_ s: String) -> Span {
        let start = text.count
        let ascii = Matcher.lower(s, onto: &text)
        let count = text.count - start
        text.append(0)
        return Span(start: start, count: count, ascii: ascii)
    }
}
