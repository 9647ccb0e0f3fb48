import Foundation

/// Whether the `count` bytes at `a` and at `b` are the same. Texts up to 32 bytes (JSON keys,
/// most field values, most literals) are compared a word at a time in place; libc's `memcmp`,
/// a call through the PLT, cost more than such a comparison itself, and the hunt compares a
/// few hundred such texts an event (cached keys and values, literals found). Longer texts go
/// to `memcmp`. Reads only the `count` bytes at each: short texts by overlapping loads.
@inlinable @inline(__always)
public func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count n: Int) -> Bool {
    if n >= 8 {
        if n > 32 { return memcmp(a, b, n) == 0 }
        var i = 0
        while i + 8 < n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 {
        return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    var i = 0
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
