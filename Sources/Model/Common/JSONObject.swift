import Foundation

/// A JSON object: its members in arrival order, keys unique, looked up by scanning.
///
/// Vendor events are objects of a few to a few dozen keys, parsed once and read by a handful of
/// paths. A scan over short keys beats hashing every key into a `Dictionary` (which was a third
/// of ingest's parsing time), and keeps the members' order for whoever wants it. Equality and
/// hashing ignore order, as JSON's do; canonical text sorts the keys (`JSONValue.write`).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    // Usable from inline code: the hunt reads an event's members by position some sixty
    // times an event from another module, and a call per read copied each value out.
    @usableFromInline struct Member: Sendable, Hashable {
        @usableFromInline let key: String
        @usableFromInline var value: JSONValue
        /// The key's length and first and last bytes, and whether it is all ASCII: a scan for
        /// an ASCII key compares this integer first and the key only when it matches.
        @usableFromInline let tag: UInt32

        init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
            tag = Member.tag(of: key)
        }

        /// A member whose key's tag the parser computed as it read the key.
        init(key: String, value: JSONValue, tag: UInt32) {
            self.key = key
            self.value = value
            self.tag = tag
        }

        @usableFromInline static let nonASCII: UInt32 = 1 << 31

        /// One of 64 bits for a tag (`JSONObject.tagBits`).
        @inlinable static func bit(_ tag: UInt32) -> UInt64 { 1 << UInt64((tag &* 0x9E37_79B1) >> 26) }

        static func bits(_ members: [Member]) -> UInt64 {
            var bits: UInt64 = 0
            for m in members { bits |= bit(m.tag) }
            return bits
        }
        @inlinable var isASCII: Bool { tag & Member.nonASCII == 0 }

        static func tag(of key: String) -> UInt32 {
            key.utf8.withContiguousStorageIfAvailable(Member.tag) ?? Array(key.utf8).withUnsafeBufferPointer(Member.tag)
        }

        static func tag(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
            // One OR over the bytes rather than a search that may stop early: keys are short,
            // and a loop without an exit runs several bytes at a time.
            var high: UInt8 = 0
            for b in bytes { high |= b }
            return tag(bytes, ascii: high < 0x80)
        }

        /// A key's tag: its length (mod 128), its first, middle and last bytes, and whether it
        /// is all ASCII; 0 for the empty key. Equal for equal keys, and seldom for others:
        /// without the middle byte, `SystemTime`, `ServerName` and `SourceName` shared one, and
        /// each filter by tags (a hunt's fields to search) let the others through with the one
        /// it held.
        @inline(__always) static func tag(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool) -> UInt32 {
            guard let first = bytes.first, let last = bytes.last else { return 0 }
            let middle = bytes[bytes.count / 2]
            return (ascii ? 0 : nonASCII) | UInt32(truncatingIfNeeded: bytes.count & 0x7F) << 24
                | UInt32(first) << 16 | UInt32(middle) << 8 | UInt32(last)
        }
    }

    @usableFromInline private(set) var members: [Member]
    /// Whether every key is ASCII (false may be stale after a removal, which only costs speed):
    /// then a key equals a name exactly when their bytes do, which lets paths be looked up by
    /// their bytes. Unicode keys can equal a name spelled with other bytes (`String` compares
    /// canonical equivalents as equal), so they take `String`'s comparison.
    private(set) var asciiKeys: Bool
    /// A bit for each member's tag (`Member.bit`), so that looking up a key no member has
    /// (most lookups: format detection, a normalizer's optional fields, a new key being
    /// written) usually takes no scan. It may hold bits of removed members, which only costs
    /// speed.
    private(set) var tagBits: UInt64

    public init() {
        members = []
        asciiKeys = true
        tagBits = 0
    }

    /// The members, taken out: the object is left empty (`forEachMemberMoved`).
    mutating func takeMembers() -> [Member] {
        var taken: [Member] = []
        swap(&taken, &members)
        asciiKeys = true
        tagBits = 0
        return taken
    }

    public init(_ dictionary: [String: JSONValue]) {
        members = dictionary.map { Member(key: $0.key, value: $0.value) }
        asciiKeys = members.allSatisfy(\.isASCII)
        tagBits = Member.bits(members)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = []
        asciiKeys = true
        tagBits = 0
        for (key, value) in elements { self[key] = value }
    }

    /// Members as a parser read them: a repeated key keeps its last value, as in a `Dictionary`.
    init(parsed: [Member]) {
        members = parsed
        asciiKeys = parsed.allSatisfy(\.isASCII)
        tagBits = Member.bits(parsed)
        guard parsed.count > 1, Self.hasRepeatedKey(parsed, ascii: asciiKeys) else { return }
        var last: [String: Int] = [:]
        for (i, m) in parsed.enumerated() { last[m.key] = i }
        members = parsed.enumerated().filter { last[$0.element.key] == $0.offset }.map(\.element)
    }

    private static func hasRepeatedKey(_ members: [Member], ascii: Bool) -> Bool {
        // Pairwise for the small objects vendors send (ASCII keys differing in their tags
        // differ); a set beyond that.
        if members.count <= 24 {
            for i in members.indices {
                for j in (i + 1)..<members.count
                where (!ascii || members[i].tag == members[j].tag) && members[i].key == members[j].key { return true }
            }
            return false
        }
        var seen = Set<String>(minimumCapacity: members.count)
        return !members.allSatisfy { seen.insert($0.key).inserted }
    }

    public subscript(key: String) -> JSONValue? {
        get {
            index(of: key, tag: Member.tag(of: key)).map { members[$0].value }
        }
        set { set(key, tag: Member.tag(of: key), newValue) }
    }

    /// As the `String` subscript, without working out the key's tag again.
    public subscript(key: JSONKey) -> JSONValue? {
        get { index(of: key.name, tag: key.tag).map { members[$0].value } }
        set { set(key.name, tag: key.tag, newValue) }
    }

    private mutating func set(_ key: String, tag: UInt32, _ newValue: JSONValue?) {
        if let i = index(of: key, tag: tag) {
            if let newValue { members[i].value = newValue } else { members.remove(at: i) }
        } else if let newValue {
            let member = Member(key: key, value: newValue, tag: tag)
            members.append(member)
            tagBits |= Member.bit(tag)
            if asciiKeys && !member.isASCII { asciiKeys = false }
        }
    }

    /// An empty object with room for `capacity` members.
    public init(capacity: Int) {
        self.init()
        members.reserveCapacity(capacity)
    }

    /// Adds `value` under `key` unless the key is there already (`self[key] == nil` then
    /// `self[key] = value`, with one scan); whether it was added.
    public mutating func insert(_ key: JSONKey, _ value: consuming JSONValue) -> Bool {
        guard index(of: key.name, tag: key.tag) == nil else { return false }
        add(key, value)
        return true
    }

    /// Whether a member has the key.
    public func contains(_ key: JSONKey) -> Bool { index(of: key.name, tag: key.tag) != nil }

    /// Adds `value` under `key`, which the caller knows is not there (it has checked its keys
    /// to differ), without looking.
    public mutating func append(distinct key: consuming JSONKey, _ value: consuming JSONValue) {
        assert(index(of: key.name, tag: key.tag) == nil, "append(distinct:) of a key already there")
        add(key, value)
    }

    /// Replaces the value of the member at `position` (0..<count), keeping its key.
    public mutating func setValue(_ value: consuming JSONValue, at position: Int) {
        members[position].value = value
    }

    /// The one place a new member is added by key: the key summary (`tagBits`) and the ASCII
    /// flag must learn of it, or lookups would not find it.
    private mutating func add(_ key: consuming JSONKey, _ value: consuming JSONValue) {
        let tag = key.tag
        tagBits |= Member.bit(tag)
        if asciiKeys && tag & Member.nonASCII != 0 { asciiKeys = false }
        members.append(Member(key: key.name, value: value, tag: tag))
    }

    /// Where `key` is. ASCII keys are equal only when their bytes are, so their tags rule out
    /// most members without comparing strings; Unicode keys take `String`'s comparison alone.
    func index(of key: String, tag: UInt32) -> Int? {
        guard asciiKeys, tag & Member.nonASCII == 0 else { return members.firstIndex { $0.key == key } }
        guard tagBits & Member.bit(tag) != 0 else { return nil }
        // Read in place, without a bounds check for each member.
        return members.withUnsafeBufferPointer { m in
            for i in m.indices where m[i].tag == tag && m[i].key == key { return i }
            return nil
        }
    }

    @inlinable public var count: Int { members.count }
    @inlinable public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }
    public var dictionary: [String: JSONValue] {
        Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Members by key in byte order, as canonical JSON text writes them.
    public var sorted: [Element] {
        members.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The members in order, without the closure and box of an `AnyIterator` (every normalizer
    /// walks its event's objects this way).
    public struct Iterator: IteratorProtocol {
        var members: IndexingIterator<[Member]>

        public mutating func next() -> Element? {
            guard let m = members.next() else { return nil }
            return (m.key, m.value)
        }
    }

    public func makeIterator() -> Iterator { Iterator(members: members.makeIterator()) }

    public var underestimatedCount: Int { members.count }

    /// Room for `n` members in all, for code that builds an object of a known size.
    public mutating func reserveCapacity(_ n: Int) { members.reserveCapacity(n) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.count == b.count && a.members.allSatisfy { b[$0.key] == $0.value }
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        hasher.combine(count)
        hasher.combine(members.reduce(0) { $0 ^ $1.hashValue })
    }
}

/// A key whose tag is worked out once: for the names a normalizer looks up or writes in
/// every event, or a key taken from another object (`forEachMember(in:)`).
public struct JSONKey: Sendable {
    public let name: String
    @usableFromInline let tag: UInt32

    public init(_ name: String) {
        self.name = name
        tag = JSONObject.Member.tag(of: name)
    }

    init(name: String, tag: UInt32) {
        self.name = name
        self.tag = tag
    }

    /// Whether the key is all ASCII: then it equals another key exactly when their bytes do.
    public var isASCII: Bool { tag & JSONObject.Member.nonASCII == 0 }

    /// Whether the keys are equal as their `String`s are, comparing the strings only when the
    /// tags allow it: two ASCII keys with different tags differ, but a Unicode key can equal
    /// an ASCII one spelled with other bytes (a Kelvin sign is canonically a `K`). For a
    /// normalizer's `switch` over an object's keys, which ran `String`'s `==` once per case.
    public func equals(_ other: JSONKey) -> Bool {
        if tag == other.tag { return name == other.name }
        return (tag | other.tag) & JSONObject.Member.nonASCII != 0 && name == other.name
    }
}
