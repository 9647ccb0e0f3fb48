import Glibc
import Model

/// Values a chunk has already decoded, found again by their bytes: an event log repeats the
/// same provider names, GUIDs, SIDs, account and process names in record after record, and
/// decoding one again costs a new string (an allocation, and a release when the record goes)
/// where a hit costs a hash and a comparison and shares the first one's storage.
///
/// Direct-mapped: a value's slot is its hash's; a newer value takes the slot over.
struct EvtxValueCache {
    /// What a slot holds the value of, apart from the value: plain data, compared without
    /// copying the value (a copy of an optional entry with its value cost a retain and a
    /// release at every look-up, hit or miss). `size` -1 for an empty slot.
    private struct Entry {
        var type: UInt8 = 0
        /// Where the bytes are in the chunk (which outlives the cache).
        var at: Int = 0
        var size: Int = -1
    }

    private static let slots = 256
    private var entries: [Entry] = []
    private var values: [JSONValue] = []

    /// Only values whose decoding makes a string too long to be held inline (15 UTF-8 bytes).
    static func worthKeeping(type: UInt8, size: Int) -> Bool {
        switch type {
        case 0x01: size > 30  // UTF-16: more than 15 code units
        case 0x0E: size >= 8  // binary: two hex digits a byte
        case 0x0F, 0x15: true  // GUID, 64-bit hex
        case 0x13: size > 12  // SIDs past two sub-authorities
        default: false
        }
    }

    /// The value of `size` bytes at `at` of type `type`, from the cache or `decode`.
    mutating func value(
        type: UInt8, at: Int, size: Int, in chunk: UnsafeRawBufferPointer, decode: (UnsafeRawBufferPointer) -> JSONValue
    ) -> JSONValue {
        let data = UnsafeRawBufferPointer(rebasing: chunk[at..<(at + size)])
        guard EvtxValueCache.worthKeeping(type: type, size: size) else { return decode(data) }
        if entries.isEmpty {
            entries = Array(repeating: Entry(), count: EvtxValueCache.slots)
            values = Array(repeating: .null, count: EvtxValueCache.slots)
        }
        let slot = Int(truncatingIfNeeded: EvtxValueCache.hash(type: type, data) % UInt64(EvtxValueCache.slots))
        let e = entries[slot]
        if e.size == size, e.type == type, same(data, UnsafeRawBufferPointer(rebasing: chunk[e.at..<(e.at + e.size)])) {
            return values[slot]
        }
        let value = decode(data)
        entries[slot] = Entry(type: type, at: at, size: size)
        values[slot] = value
        return value
    }

    private func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return a.count == 0 }
        return memcmp(pa, pb, a.count) == 0
    }

    /// FNV-1a over the type, the size and up to the first 64 bytes, eight at a time.
    private static func hash(type: UInt8, _ d: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01B3 }
        mix(UInt64(type) << 32 | UInt64(d.count))
        let n = min(d.count, 64)
        var i = 0
        while i + 8 <= n {
            mix(d.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        while i < n {
            mix(UInt64(d[i]))
            i += 1
        }
        return h ^ (h >> 29)
    }
}
