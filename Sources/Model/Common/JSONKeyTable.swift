import Foundation

/// A fixed set of keys (an extractor's field names) to find in objects by their tags rather than
/// by hashing each member's key, in the set's `String` order, one pass over the members.
public struct JSONKeyTable: Sendable {
    /// The keys in `String` order: the order `forEachValue` reports them in.
    public let keys: [String]
    /// ASCII keys by their tags, open addressing: per slot the tag in the high half and the
    /// key's position in `keys` + 1 in the low half, 0 for an empty slot. At most a quarter
    /// full, so a key not there (half an event's keys) is told by the first slot or two.
    private let slots: [UInt64]
    private let mask: Int

    public init(_ keys: [String]) {
        let sorted = Array(Set(keys)).sorted()
        precondition(sorted.count <= 64, "a key table holds at most 64 keys")
        self.keys = sorted
        var size = 16
        while size < sorted.count * 4 { size *= 2 }
        var slots = [UInt64](repeating: 0, count: size)
        for (k, key) in sorted.enumerated() {
            let tag = JSONObject.Member.tag(of: key)
            precondition(tag & JSONObject.Member.nonASCII == 0, "key table keys are ASCII")
            var i = JSONKeyTable.start(tag, mask: size - 1)
            while slots[i] != 0 { i = (i + 1) & (size - 1) }
            slots[i] = UInt64(tag) << 32 | UInt64(k + 1)
        }
        self.slots = slots
        mask = size - 1
    }

    private static func start(_ tag: UInt32, mask: Int) -> Int { Int(truncatingIfNeeded: (tag &* 0x9E37_79B1) >> 16) & mask }

    /// The position in `keys` of the key equal to `member`'s, if any.
    fileprivate func position(of member: JSONObject.Member) -> Int? {
        // A Unicode key can equal an ASCII one spelled with other bytes (a Kelvin sign is
        // canonically a `K`): only `String`'s comparison gives the same answer.
        guard member.isASCII else { return keys.firstIndex { $0 == member.key } }
        let tag = member.tag
        var i = JSONKeyTable.start(tag, mask: mask)
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let slot = slots[i]
                if slot == 0 { return nil }
                if UInt32(truncatingIfNeeded: slot >> 32) == tag {
                    // Tags are equal for keys of equal length, first, middle and last bytes.
                    let k = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                    if keys[k] == member.key { return k }
                }
                i = (i + 1) & mask
            }
        }
    }
}

extension JSONObject {
    /// Calls `body` with the position in `table.keys` and the value of each of the table's keys
    /// this object holds, in the table's order (what sorting the found keys would give).
    public func forEachValue(of table: JSONKeyTable, _ body: (Int, JSONValue) -> Void) {
        // Read in place, as `forEachMember` reads (`enumerated()` copied each member out).
        let members = self.members
        withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(table.keys.count, 1)) { at in
            members.withUnsafeBufferPointer { members in
                var found: UInt64 = 0
                for i in members.indices {
                    guard let k = table.position(of: members[i]) else { continue }
                    found |= 1 << UInt64(k)
                    at[k] = i
                }
                while found != 0 {
                    let k = found.trailingZeroBitCount
                    found &= found - 1
                    body(k, members[at[k]].value)
                }
            }
        }
    }

    /// Calls `body` with each member in order: its key (with its tag, to write it into another
    /// object without working the tag out again), its value, and the position of its key in
    /// `table.keys` when the table holds it.
    public func forEachMember(in table: JSONKeyTable, _ body: (consuming JSONKey, consuming JSONValue, Int?) throws -> Void) rethrows {
        // Read in place: `for m in members` copied each member out (its key and value retained,
        // then released), and normalizing an event walks its data this way. The local keeps
        // the storage alive and unchanged should `body` write to the object it came from.
        // Key and value are given to `body` to keep: one that writes them into another object
        // (the fields) takes these copies, where a borrowed argument was copied for the
        // closure, copied again to be kept, and the first copy released.
        let members = self.members
        try members.withUnsafeBufferPointer { members in
            for i in members.indices {
                try body(JSONKey(name: members[i].key, tag: members[i].tag), members[i].value, table.position(of: members[i]))
            }
        }
    }

    /// `forEachMember(in:)` of an object that is not kept: each member is moved out of it to
    /// `body`, not copied, so a writer that keeps them all (a Windows event's data going into
    /// its fields) retains nothing, and the object's end releases nothing but empty members.
    public consuming func forEachMemberMoved(in table: JSONKeyTable, _ body: (consuming JSONKey, consuming JSONValue, Int?) -> Void) {
        var members = takeMembers()
        // Unique, or made so by the mutable access: the moves take what only this copy holds.
        // The key and the value are moved out of the member one by one: a member moved out
        // whole and then taken apart had both copied (retained) and the member released.
        guard let keyAt = MemoryLayout<Member>.offset(of: \Member.key),
              let valueAt = MemoryLayout<Member>.offset(of: \Member.value)
        else {
            for (i, m) in members.enumerated() { body(JSONKey(name: m.key, tag: m.tag), m.value, table.position(of: members[i])) }
            return
        }
        members.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for i in 0..<buffer.count {
                let position = table.position(of: base[i])
                let tag = base[i].tag
                let raw = UnsafeMutableRawPointer(base + i)
                let key = (raw + keyAt).assumingMemoryBound(to: String.self).move()
                let value = (raw + valueAt).assumingMemoryBound(to: JSONValue.self).move()
                // The member's memory is whole again, and what the array releases holds nothing.
                (base + i).initialize(to: Member(key: "", value: .null, tag: 0))
                body(JSONKey(name: key, tag: tag), value, position)
            }
        }
    }

    /// Calls `body` with each member in order, its key with its tag (to write it into another
    /// object without working the tag out again).
    public func forEachMember(_ body: (JSONKey, JSONValue) throws -> Void) rethrows {
        let members = self.members  // read in place, as above
        try members.withUnsafeBufferPointer { members in
            for i in members.indices { try body(JSONKey(name: members[i].key, tag: members[i].tag), members[i].value) }
        }
    }
}

/// A set of keys that a member's key is tested against by its tag alone: one bit test, no
/// string compare. It may say yes for a key it does not hold (one with the same tag, or any
/// Unicode key), never no for one it holds: for readers that only need a superset, such as
/// the hunt's search text, which holds the values of every field a rule reads.
public struct JSONKeyFilter: Sendable {
    @usableFromInline private(set) var bits = [UInt64](repeating: 0, count: 64)
    /// A Unicode key was inserted: it may equal an ASCII key spelled with other bytes (a Kelvin
    /// sign is canonically a `K`), whose tag is not its tag, so every key may be held.
    @usableFromInline private(set) var unicode = false

    public init(_ keys: some Sequence<String> = []) {
        for key in keys { insert(key) }
    }

    public mutating func insert(_ key: String) {
        let tag = JSONObject.Member.tag(of: key)
        if tag & JSONObject.Member.nonASCII != 0 { unicode = true }
        let bit = JSONKeyFilter.bit(tag)
        bits[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    /// One of 4,096 bits per tag.
    @inlinable static func bit(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (tag &* 0x9E37_79B1) >> 20) }

    @inlinable func mayHold(_ member: JSONObject.Member) -> Bool {
        guard member.isASCII, !unicode else { return true }
        let bit = JSONKeyFilter.bit(member.tag)
        return bits[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }
}

extension JSONObject {
    /// Whether the key of the member at `position` (0..<count) may be one of `filter`'s.
    @inlinable public func key(at position: Int, mayBeIn filter: JSONKeyFilter) -> Bool {
        filter.mayHold(members[position])
    }
}

/// Keys numbered, a member's key found by its tag (no hashing of its text: a binary search
/// of the tags) and confirmed by comparing the key: exact, unlike `JSONKeyFilter`, and of any
/// size, unlike `JSONKeyTable`. For readers that look up a few members of every event and
/// keep what they know of each key in an array by its number. Not generic: across modules a
/// generic one ran unspecialized, through metadata look-ups, at every member.
public struct JSONKeyIndex: Sendable {
    /// Sorted by tag, and beside them each key and its number.
    private var tags: [UInt32] = []
    private var keys: [String] = []
    private var numbers: [Int] = []
    /// A Unicode key was set: it may equal an ASCII key spelled with other bytes (a Kelvin
    /// sign is canonically a `K`), so every look-up compares every key as `String`s.
    private var unicode = false

    public init() {}

    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> Int? {
        get { place(of: key).map { numbers[$0] } }
        set {
            let tag = JSONObject.Member.tag(of: key)
            if tag & JSONObject.Member.nonASCII != 0 { unicode = true }
            switch (place(of: key), newValue) {
            case (let k?, let n?): numbers[k] = n
            case (let k?, nil): tags.remove(at: k); keys.remove(at: k); numbers.remove(at: k)
            case (nil, let n?):
                let k = first(tag)
                tags.insert(tag, at: k); keys.insert(key, at: k); numbers.insert(n, at: k)
            case (nil, nil): break
            }
        }
    }

    /// Where the key equal to `key` (as `String`s are) is.
    private func place(of key: String) -> Int? {
        let tag = JSONObject.Member.tag(of: key)
        guard tag & JSONObject.Member.nonASCII == 0, !unicode else { return keys.firstIndex { $0 == key } }
        var k = first(tag)
        while k < tags.count, tags[k] == tag {
            if keys[k] == key { return k }
            k += 1
        }
        return nil
    }

    /// The first place whose tag is not below `tag`.
    private func first(_ tag: UInt32) -> Int {
        var low = 0, high = tags.count
        while low < high {
            let mid = (low + high) / 2
            if tags[mid] < tag { low = mid + 1 } else { high = mid }
        }
        return low
    }

    fileprivate func number(for member: JSONObject.Member) -> Int? {
        guard member.isASCII, !unicode else {
            for k in keys.indices where keys[k] == member.key { return numbers[k] }
            return nil
        }
        var k = first(member.tag)
        while k < tags.count, tags[k] == member.tag {
            if keys[k] == member.key { return numbers[k] }
            k += 1
        }
        return nil
    }
}

extension JSONObject {
    /// The number `index` gives the key of the member at `position` (0..<count).
    public func number(forKeyAt position: Int, in index: JSONKeyIndex) -> Int? {
        index.number(for: members[position])
    }
}
