import Foundation

/// The ingest path's ways into an object's keys: by a path's bytes, for format detection, and
/// in canonical order. Each runs for every field of every event, so none makes a `String` or
/// hashes one; each gives exactly the answer of the plain `String` comparisons.
extension JSONObject {
    /// The value of the key spelled by `name`'s bytes (one component of a dotted path).
    func value(utf8 name: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        // A Unicode key can equal a name spelled with other bytes (`String` takes canonical
        // equivalents as equal): then only `String`'s comparison gives the same answer.
        guard asciiKeys, !name.contains(where: { $0 >= 0x80 }) else {
            return self[String(decoding: name, as: UTF8.self)]
        }
        let tag = Member.tag(name)
        guard tagBits & Member.bit(tag) != 0 else { return nil }
        for m in members where m.tag == tag {
            let equal = m.key.utf8.withContiguousStorageIfAvailable { key in
                key.count == name.count && (name.isEmpty || memcmp(key.baseAddress!, name.baseAddress!, name.count) == 0)
            } ?? m.key.utf8.elementsEqual(name)
            if equal { return m.value }
        }
        return nil
    }

    /// Whether every one of the keys is present.
    func hasAll(_ a: String, _ b: String? = nil, _ c: String? = nil) -> Bool {
        func has(_ key: String) -> Bool { index(of: key, tag: Member.tag(of: key)) != nil }
        return has(a) && (b.map(has) ?? true) && (c.map(has) ?? true)
    }

    /// The members' positions in key order, the order `sorted` gives (`String`'s `<`).
    var sortedIndices: [Int] {
        guard asciiKeys else {
            var order = Array(members.indices)
            order.sort { members[$0].key < members[$1].key }
            return order
        }
        // ASCII keys: `String` orders them by their bytes, so each is sorted by its first 16
        // bytes as two integers, and only keys sharing those (or shorter ones padded with
        // zeros) are compared in full.
        var order = members.indices.map { i in
            let (hi, lo) = JSONObject.prefix(members[i].key)
            return (hi: hi, lo: lo, index: i)
        }
        order.sort { a, b in
            if a.hi != b.hi { return a.hi < b.hi }
            if a.lo != b.lo { return a.lo < b.lo }
            return members[a.index].key < members[b.index].key
        }
        return order.map(\.index)
    }

    /// The first 16 bytes of a key, big-endian, zero-padded.
    private static func prefix(_ key: String) -> (UInt64, UInt64) {
        func pack(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<8 { hi = hi << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            for i in 8..<16 { lo = lo << 8 | UInt64(i < bytes.count ? bytes[i] : 0) }
            return (hi, lo)
        }
        return key.utf8.withContiguousStorageIfAvailable(pack) ?? Array(key.utf8).withUnsafeBufferPointer(pack)
    }
}
