import Foundation
import Model

/// The literals found in each field value seen before, so that a value an event repeats is
/// neither lower-cased nor scanned again. A host's logs say the same things over and over: the
/// same images, parents, users, directories, hashes and service command lines in event after
/// event, and the hunt's literal scan of their text was its largest single cost.
///
/// Values are known by their bytes exactly (two spellings of one Unicode text are two
/// values: the scan reads bytes too), per literal search. A value's literals are those a scan
/// of the value alone finds (`LiteralSearch` is exact), which are those a scan of an event's
/// whole text finds in it: the whole text finds more only across the 0 byte it puts between
/// values, for a literal holding a 0 byte, and such a find was never in a value.
///
/// Bounded: values of at most `longest` bytes are kept, and when the entries or their bytes
/// reach their limits everything is let go and filling starts again, so a file of unique
/// values costs one insert per value and never more memory. One per reader: not for sharing
/// between threads, and not copied to be used twice (copies share how often each field's
/// values were new, `fields`, which only steers what is cached, never what is found).
public struct LiteralCache {
    static let maxEntries = 1 << 16
    static let maxKeyBytes = 8 << 20
    static let maxFound = 1 << 20
    /// Longer values are scanned each time (a PowerShell script block is seldom repeated).
    static let longest = 4096

    private struct Entry {
        var hash: UInt64
        var keyStart: Int
        var keyCount: Int
        var foundStart: Int32
        var foundCount: Int32
        var search: Int32
        var ascii: Bool
    }

    /// Open addressing, a power of two at least twice the entries: per slot the entry number
    /// + 1 in the low half (0: empty) and the top of its hash in the high half, so a probe
    /// reads an entry (another cache line) only when its hash agrees.
    private var slots: [UInt64] = []
    private var entries: [Entry] = []
    private var keys: [UInt8] = []
    /// Per entry, the literals its value holds.
    private var known: [Int32] = []
    /// Scratch for a value not seen before: its lower-cased text, and flags cleared after
    /// each scan (only the bits it set).
    private var lowered: [UInt8] = []
    private var scratchFlags = LiteralFlags(count: 0)
    private var scratchHits: [Int32] = []

    /// The event being searched: which literals it holds, and their ids as they were found.
    private(set) var found = LiteralFlags(count: 0)
    private(set) var hits: [Int32] = []
    /// The entry of the value `add` was last given, -1 when it was scanned without the cache:
    /// a value's number while the cache keeps it (`RuleMemo`).
    private(set) var lastEntry: Int32 = -1
    /// How often the cache let go of its entries: an entry's number names one value only
    /// within one generation.
    private(set) var generation = 0
    /// Rules' answers by the entries of the values they read, let go with the entries.
    var memo = RuleMemo()
    /// The event the reader's events are read as, one after another (`MatchEvent.start` and
    /// `finish`), in a box of its own: a rule index reads it and this cache at once, and
    /// moving it out of the cache and back copied its 400 bytes four times an event. (Copies of
    /// the cache share it, one more reason a cache is for one reader.)
    let reading = Reading()

    final class Reading {
        /// Of no fields list yet: the first `start` takes the index's. Unchecked: one reader
        /// holds the cache, nothing a rule index runs on the event reaches the box again, and
        /// the run-time checks of each access cost more than the copies did.
        @exclusivity(unchecked) var event = MatchEvent(JSONObject(), reading: MatchFields())
    }
    /// The room for an event's candidate rules (`RuleIndex.candidates`), kept between events.
    var candidates: [Int] = []
    /// The kinds an index found by name for this reader's events.
    var kinds = KindMemo()

    /// An index's kinds by name (`RuleIndex.kind(_:cache:)`), a few of them, compared in turn
    /// by their byte counts and then as strings: a reader's kind names are mostly the same
    /// strings event after event, which compare at once. A name equal to one met but spelled
    /// with other bytes (Unicode) is only looked up again, never taken for another. For one
    /// index at a time (`owner`); when full, or asked for another index, it starts again.
    struct KindMemo {
        private var owner: RuleIndex.KindsOwner?
        private var names: [String] = []
        private var kinds: [RuleIndex.Kind?] = []
        static let most = 16

        enum Lookup {
            /// Not looked up in this index before.
            case unknown
            /// The kind found before, nil when the index has none of that name.
            case known(RuleIndex.Kind?)
        }

        /// The kind named `name` in the index `owner` names, as found before.
        func find(_ name: String, owner: RuleIndex.KindsOwner) -> Lookup {
            guard self.owner === owner else { return .unknown }
            // Lengths first: names of other lengths are told apart without a call to compare them.
            let count = name.utf8.count
            for i in names.indices where names[i].utf8.count == count && names[i] == name { return .known(kinds[i]) }
            return .unknown
        }

        mutating func add(_ name: String, _ kind: RuleIndex.Kind?, owner: RuleIndex.KindsOwner) {
            if self.owner !== owner || names.count >= KindMemo.most {
                self.owner = owner
                names.removeAll()
                kinds.removeAll()
            }
            names.append(name)
            kinds.append(kind)
        }
    }

    public init() {}

    /// How many values it holds.
    var values: Int { entries.count }

    /// Clears what the last event found, for an index of `literals` literals.
    mutating func startEvent(literals: Int) {
        if found.count != literals {
            found = LiteralFlags(count: literals)
        } else {
            // Every flag set is one of the hits: cleared by them, not by clearing every word.
            found.clearWords(of: hits)
        }
        hits.removeAll(keepingCapacity: true)
    }

    /// How often a field's values were new (`field` of `add`): per slot, by the field's key
    /// tag, the values sampled and those not found. A field whose values are nearly all new
    /// (a time, a GUID, a record number) is scanned without the cache: looking each value up
    /// and keeping it cost more than the scan, and its entries pushed out the values that
    /// repeat. One value in `resample` still goes through the cache, so a field whose values
    /// start to repeat is cached again.
    private let fields = FieldTable()
    static let resample: UInt32 = 16

    /// `FieldStats` of up to 256 fields, in memory of their own: in an array, each write (two
    /// for most values) was checked to be to an array no one else held. Found by the key's tag
    /// with a short probe: with one field a slot, fields whose tags shared a slot reset each
    /// other's figures (Sysmon's `ProcessGuid` and Security's `SubjectUserSid`, or `IpAddress`
    /// and `SubjectUserName` of one logon event), so a field of new values was never known as
    /// one, and each of its values went into the cache, a hundred thousand an hour's file.
    private final class FieldTable {
        private let stats: UnsafeMutablePointer<FieldStats>
        static let size = 256
        /// Slots a field is looked for in before it takes the first (a full table: every one
        /// held by another field).
        static let probes = 8

        init() {
            stats = .allocate(capacity: FieldTable.size)
            stats.initialize(repeating: FieldStats(), count: FieldTable.size)
        }

        deinit { stats.deallocate() }

        /// The slot of the field whose key tag is `field`: its own, an empty one it now holds,
        /// or when the probe finds neither the first, whose figures it starts again.
        @inline(__always) func slot(_ field: UInt32) -> Int {
            let start = Int(truncatingIfNeeded: (field &* 0x9E37_79B1) >> 24)
            var i = start
            for _ in 0..<FieldTable.probes {
                let tag = stats[i].tag
                if tag == field { return i }
                if tag == FieldStats.unused {
                    stats[i] = FieldStats(tag: field)
                    return i
                }
                i = (i &+ 1) & (FieldTable.size - 1)
            }
            stats[start] = FieldStats(tag: field)
            return start
        }

        subscript(slot: Int) -> FieldStats {
            get { stats[slot & (FieldTable.size - 1)] }
            set { stats[slot & (FieldTable.size - 1)] = newValue }
        }
    }

    private struct FieldStats {
        /// No key's tag: its first byte would be 0xFF, never a byte of UTF-8.
        static let unused = UInt32.max
        var tag: UInt32 = unused
        var seen: UInt32 = 0
        var sampled: UInt32 = 0
        var missed: UInt32 = 0

        /// Seven in eight of at least 32 values sampled were new.
        var mostlyNew: Bool { sampled >= 32 && missed &* 8 >= sampled &* 7 }
    }

    /// Whether values of the field whose key tag is `field` are scanned without the cache.
    func scansWithoutCache(field: UInt32) -> Bool {
        let stats = fields[fields.slot(field)]
        return field != 0 && stats.mostlyNew
    }

    /// Adds to the event the literals of `search` (known to the cache as `id`) in the value
    /// `s` of the field whose key tag is `field` (0: unknown); returns whether it is all ASCII.
    /// `counted`: `scansApart` has counted the value already, and said it goes through the cache.
    mutating func add(_ s: String, _ search: LiteralSearch, id: Int32, field: UInt32 = 0, counted: Bool = false) -> Bool {
        // Native strings are contiguous: read in place, not copied to be made so.
        if let ascii = s.utf8.withContiguousStorageIfAvailable({ add($0, search, id: id, field: field, counted: counted) }) { return ascii }
        var copy = s
        return copy.withUTF8 { add($0, search, id: id, field: field, counted: counted) }
    }

    /// Counts a value of the field whose key tag is `field`, `count` bytes long, and says
    /// whether it is scanned without the cache: too long to keep, or of a field whose values
    /// are nearly all new (`fields`). `MatchEvent` puts such a value in the text it scans
    /// whole after the event's other values (one scan for a time, a GUID and a record number,
    /// not a scan each, each with its own start-up); the others go to `add(counted: true)`.
    mutating func scansApart(field: UInt32, count: Int) -> Bool {
        guard count <= LiteralCache.longest else { return true }
        let slot = fields.slot(field)
        var stats = fields[slot]
        stats.seen &+= 1
        fields[slot] = stats
        return field != 0 && stats.mostlyNew && stats.seen % LiteralCache.resample != 0
    }

    /// `add` of a value's UTF-8.
    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, _ search: LiteralSearch, id: Int32, field: UInt32, counted: Bool) -> Bool {
        if !counted && scansApart(field: field, count: bytes.count) {
            lastEntry = -1
            return LiteralCache.scan(bytes, search, lowered: &lowered, into: &found, hits: &hits)
        }
        let hash = LiteralCache.hash(bytes, id)
        let entry: Int
        if let known = find(bytes, hash, id) {
            entry = known
            sample(field: field, new: false)
        } else {
            entry = insert(bytes, hash, id, search)
            sample(field: field, new: true)
        }
        return post(entry)
    }

    /// Counts a value of the field whose key tag is `field` looked up in the cache, and
    /// whether it was new there (`FieldStats`).
    @inline(__always) private mutating func sample(field: UInt32, new: Bool) {
        // The field's figures read and written back once, not at each use.
        let slot = fields.slot(field)
        var stats = fields[slot]
        // Halved now and then, so the figures follow what the file says now.
        if stats.sampled >= 1024 {
            stats.sampled /= 2
            stats.missed /= 2
        }
        stats.sampled &+= 1
        if new { stats.missed &+= 1 }
        fields[slot] = stats
    }

    /// Adds to the event the literals of the value at `entry`; whether it is all ASCII.
    @inline(__always) private mutating func post(_ entry: Int) -> Bool {
        lastEntry = Int32(truncatingIfNeeded: entry)
        let e = entries[entry]
        if e.foundCount > 0 {
            let range = Int(e.foundStart)..<Int(e.foundStart + e.foundCount)
            known.withUnsafeBufferPointer { found.insert(UnsafeBufferPointer(rebasing: $0[range]), newlyInto: &hits) }
        }
        return e.ascii
    }

    // MARK: values known by their storage

    /// Values met before, known by where their bytes are (a `String` of more than 15 bytes has
    /// its own storage) rather than by the bytes: the JSON reader gives the same `String` for
    /// a value it read before (`ValueCache`), so a value an event repeats is found without
    /// hashing and comparing its bytes, which was most of looking it up.
    /// One value a slot, a new one taking the slot of the one before (bounded, no probing).
    /// Each slot holds its `String` (`pinned`), so its storage cannot be freed and given to
    /// other bytes while the slot names it; a `String`'s storage never changes while it is
    /// referenced. Cleared with the entries (`letGo`).
    private struct Pin {
        /// The storage's address, with the search's id above bit 48; 0 for an empty slot.
        var key: UInt64 = 0
        var count: Int32 = 0
        var entry: Int32 = -1
    }
    private static let pinSlots = 4096
    /// Longer values are never the same `String` twice from the JSON reader (it hands out
    /// again values of at most `ValueCache.width`, 128 bytes): each would take a slot, and hold
    /// its storage there, only to be missed (a file's hashes were, event after event).
    static let longestPinned = 128
    private var pins: [Pin] = []
    private var pinned: [String] = []

    /// The pin's key for a value stored at `address` searched by `id`; nil when they do not
    /// fit in one word (never, in practice: user addresses have 47 bits, ids are few).
    @inline(__always) private static func pinKey(_ address: UInt, _ id: Int32) -> UInt64? {
        let a = UInt64(address)
        guard a != 0, a >> 48 == 0, id >= 0, id < 1 << 15 else { return nil }
        return a | UInt64(id) << 48
    }

    @inline(__always) private static func pinSlot(_ key: UInt64, _ count: Int) -> Int {
        let h = (key ^ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 52)  // the top 12 bits: 0..<4096
    }

    /// `add(_:_:id:field:counted: true)` of a value whose storage is at `address` (its UTF-8
    /// is `count` bytes there): looked up by where it is first, then by its bytes, and then
    /// remembered where it is.
    mutating func add(_ s: String, at address: UInt, count: Int, _ search: LiteralSearch, id: Int32, field: UInt32) -> Bool {
        guard count <= LiteralCache.longestPinned, let key = LiteralCache.pinKey(address, id) else {
            return add(s, search, id: id, field: field, counted: true)
        }
        let slot = LiteralCache.pinSlot(key, count)
        if !pins.isEmpty {
            let pin = pins[slot]
            if pin.key == key, Int(pin.count) == count {
                sample(field: field, new: false)
                return post(Int(pin.entry))
            }
        } else {
            pins = [Pin](repeating: Pin(), count: LiteralCache.pinSlots)
            pinned = [String](repeating: "", count: LiteralCache.pinSlots)
        }
        let ascii = add(s, search, id: id, field: field, counted: true)
        if lastEntry >= 0 {
            pins[slot] = Pin(key: key, count: Int32(truncatingIfNeeded: count), entry: lastEntry)
            pinned[slot] = s
        }
        return ascii
    }

    // MARK: short values known by their bytes as words

    /// Values of at most 15 bytes (`User`, `IntegrityLevel`, an IP, `tcp`), which a `String`
    /// holds in itself, so there is no storage to know them by: known here by their bytes read
    /// as two words, with their length and search, in a table small enough to stay in the
    /// processor's cache. Looked up by the bytes in the value table, each was a hash and three
    /// reads at random in tables of megabytes (the slot, the entry, its bytes), four or five
    /// an event. One value a slot, a new one taking the slot of the one before; cleared with
    /// the entries (`letGo`).
    private struct ShortPin {
        var low: UInt64 = 0
        var high: UInt64 = 0
        /// The length in the low half, the search's id in the high; 0 for an empty slot
        /// (values kept here are never empty).
        var countAndID: UInt64 = 0
        var entry: Int32 = -1
    }
    private static let shortPinSlots = 1024
    static let longestShort = 15
    private var shortPins: [ShortPin] = []

    /// The bytes of a value of 1...15 bytes as two words, zero past its end: equal for equal
    /// bytes of one length, and different for different ones.
    @inline(__always) private static func words(_ b: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        guard let base = b.baseAddress else { return (0, 0) }
        let raw = UnsafeRawPointer(base), n = b.count
        func upTo8(_ p: UnsafeRawPointer, _ k: Int) -> UInt64 {
            if k >= 8 { return p.loadUnaligned(as: UInt64.self) }
            if k >= 4 {
                let low = UInt64(p.loadUnaligned(as: UInt32.self))
                let high = UInt64(p.loadUnaligned(fromByteOffset: k - 4, as: UInt32.self))
                return low | high << UInt64(8 * (k - 4))  // the bytes both hold are the same bytes
            }
            var v: UInt64 = 0
            for i in 0..<k { v |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
            return v
        }
        if n <= 8 { return (upTo8(raw, n), 0) }
        // The high word: the bytes after the first eight, read as the last eight shifted down.
        let last = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) >> UInt64(8 * (16 - n))
        return (raw.loadUnaligned(as: UInt64.self), last)
    }

    /// `add(_:_:id:field:counted: true)` of a value of 1...15 bytes (`longestShort`): looked
    /// up by its bytes as words first, then in the value table, and then remembered by them.
    mutating func add(short s: String, _ search: LiteralSearch, id: Int32, field: UInt32) -> Bool {
        var key: (UInt64, UInt64, UInt64)?
        _ = s.utf8.withContiguousStorageIfAvailable { b in
            guard b.count > 0, b.count <= LiteralCache.longestShort, id >= 0 else { return }
            let (low, high) = LiteralCache.words(b)
            key = (low, high, UInt64(b.count) | UInt64(UInt32(bitPattern: id)) << 32)
        }
        guard let (low, high, countAndID) = key else { return add(s, search, id: id, field: field, counted: true) }
        let h = (low &+ high &* 0x9E37_79B9_7F4A_7C15 ^ countAndID) &* 0xBF58_476D_1CE4_E5B9
        let slot = Int(truncatingIfNeeded: h >> 54)  // the top 10 bits: 0..<1024
        if !shortPins.isEmpty {
            let pin = shortPins[slot]
            if pin.countAndID == countAndID, pin.low == low, pin.high == high {
                sample(field: field, new: false)
                return post(Int(pin.entry))
            }
        } else {
            shortPins = [ShortPin](repeating: ShortPin(), count: LiteralCache.shortPinSlots)
        }
        let ascii = add(s, search, id: id, field: field, counted: true)
        if lastEntry >= 0 { shortPins[slot] = ShortPin(low: low, high: high, countAndID: countAndID, entry: lastEntry) }
        return ascii
    }

    /// Adds to the event the literals of `search` in lower-cased `text` from `from` on.
    mutating func add(text: [UInt8], from: Int, _ search: LiteralSearch) {
        search.scan(text, from: from, into: &found, hits: &hits)
    }

    /// A value's literals, scanned from its lower-cased text; whether it is all ASCII.
    private static func scan(_ utf8: UnsafeBufferPointer<UInt8>, _ search: LiteralSearch, lowered: inout [UInt8],
                             into flags: inout LiteralFlags, hits: inout [Int32]) -> Bool {
        lowered.removeAll(keepingCapacity: true)
        let ascii = Matcher.lower(utf8: utf8, onto: &lowered)
        search.scan(lowered, from: 0, into: &flags, hits: &hits)
        return ascii
    }

    private func find(_ bytes: UnsafeBufferPointer<UInt8>, _ hash: UInt64, _ id: Int32) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let top = hash & 0xFFFF_FFFF_0000_0000
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 {
            let slot = slots[i]
            if slot & 0xFFFF_FFFF_0000_0000 == top {
                let n = Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1
                let e = entries[n]
                if e.hash == hash, e.search == id, e.keyCount == bytes.count, keys.withUnsafeBufferPointer({ k in
                    guard let kb = k.baseAddress, let bb = bytes.baseAddress else { return true }  // both empty
                    return sameBytes(kb + e.keyStart, bb, count: bytes.count)
                }) {
                    return n
                }
            }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Scans a value not seen before and keeps what it found; returns its entry.
    private mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, _ hash: UInt64, _ id: Int32, _ search: LiteralSearch) -> Int {
        if entries.count >= LiteralCache.maxEntries || keys.count + bytes.count > LiteralCache.maxKeyBytes
            || known.count + search.count > LiteralCache.maxFound
        {
            letGo()
        }
        if (entries.count + 1) * 2 > slots.count { grow() }
        if scratchFlags.count < search.count { scratchFlags = LiteralFlags(count: search.count) }
        scratchHits.removeAll(keepingCapacity: true)
        let ascii = LiteralCache.scan(bytes, search, lowered: &lowered, into: &scratchFlags, hits: &scratchHits)
        // Cleared again for the next value: every flag the scan set is one it reported.
        scratchFlags.clearWords(of: scratchHits)
        entries.append(Entry(hash: hash, keyStart: keys.count, keyCount: bytes.count, foundStart: Int32(known.count),
                             foundCount: Int32(scratchHits.count), search: id, ascii: ascii))
        keys.append(contentsOf: bytes)
        known.append(contentsOf: scratchHits)
        place(entries.count - 1)
        return entries.count - 1
    }

    /// Lets every value go, and the answers remembered by their entries.
    mutating func letGo() {
        entries.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        known.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
        // Their entries are gone, and the strings they held are let go.
        for i in pins.indices { pins[i] = Pin() }
        for i in pinned.indices { pinned[i] = "" }
        for i in shortPins.indices { shortPins[i] = ShortPin() }
        generation &+= 1
        memo.clear()
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: max(64, slots.count * 2))
        for n in entries.indices { place(n) }
    }

    private mutating func place(_ n: Int) {
        let mask = slots.count - 1, hash = entries[n].hash
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(n + 1)
    }

    /// Eight bytes a step, multiplied and folded (as wyhash and FxHash do): values are short,
    /// and a table of them needs spread, not resistance to chosen collisions (a collision
    /// costs a comparison, never a wrong answer).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ id: Int32) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(bytes.count) &* k ^ UInt64(UInt32(bitPattern: id))
        guard let base = bytes.baseAddress else { return h &* k }
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            h = (h ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* k
            h ^= h >> 29
            i += 8
        }
        if i < n {
            h = (h ^ tail(base + i, n - i, whole: n)) &* k
            h ^= h >> 29
        }
        return h &* k ^ (h >> 32)
    }

    /// The `rest` (1...7) bytes at `p` as one little-endian number, read as whole words rather
    /// than byte by byte: the word that ends with them when the value (`whole` bytes, ending
    /// with them) has eight, else two overlapping halves, else three bytes that may repeat.
    @inline(__always) private static func tail(_ p: UnsafePointer<UInt8>, _ rest: Int, whole: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        if whole >= 8 {
            return UInt64(littleEndian: (raw + rest - 8).loadUnaligned(as: UInt64.self)) >> UInt64(8 * (8 - rest))
        }
        if rest >= 4 {
            let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: (raw + rest - 4).loadUnaligned(as: UInt32.self)))
            return low | high << UInt64(8 * (rest - 4))  // the bytes both hold are the same bytes
        }
        let mid = rest >> 1
        return UInt64(p[0]) | UInt64(p[mid]) << UInt64(8 * mid) | UInt64(p[rest - 1]) << UInt64(8 * (rest - 1))
    }
}
