import Foundation

/// String values of 16 to 128 bytes read before, by their JSON text (escapes and all): one
/// slot per hash, a new value taking the slot of the one before (bounded: 2,048 values,
/// 256 KiB of text). A file's events repeat their values as they repeat their keys (the same
/// channel, provider, computer, images, command lines and users event after event), and
/// making each one's `String` again (an allocation, a copy, a Windows path's unescaping, and
/// freeing it with the event) was the largest part of reading an event that is not matching.
/// A value found here is the same `String`, shared: equal to what parsing it gives.
///
/// Shorter values are stored inline in their `String` (no allocation to save); longer ones
/// (a script block, a long command line) seldom repeat. Only text that parsed into its value
/// before is kept, so a value found here is one the parser reads from those bytes alike:
/// the text before the closing quote says everything about the string (no control
/// characters, the same escapes).
final class ValueCache {
    static let slots = 2048, width = 128, shortest = 16
    // Memory of its own rather than arrays, as `KeyCache` does: a class's array is checked
    // for exclusive access at every use.
    private let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: ValueCache.slots * ValueCache.width)
    /// Per slot the text's length, 0 for an empty slot (texts cached are never empty).
    private let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: ValueCache.slots)
    private let values = UnsafeMutablePointer<String>.allocate(capacity: ValueCache.slots)

    init() {
        lengths.initialize(repeating: 0, count: ValueCache.slots)
        values.initialize(repeating: "", count: ValueCache.slots)
    }

    deinit {
        values.deinitialize(count: ValueCache.slots)
        values.deallocate()
        lengths.deallocate()
        bytes.deallocate()
    }

    /// Whether a value whose JSON text is `count` bytes is looked for here.
    @inline(__always) static func keeps(_ count: Int) -> Bool { count >= shortest && count <= width }

    /// The slot for `text` (of a length `keeps`): eight bytes a step, multiplied and folded.
    func slot(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        let n = text.count
        guard let base = text.baseAddress else { return 0 }
        var h = UInt64(n) &* k
        var i = 0
        while i + 8 <= n {
            h = (h ^ UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) &* k
            h ^= h >> 29
            i += 8
        }
        // The last eight bytes again, overlapping: every length `keeps` is at least eight.
        h = (h ^ UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)) &* k
        return Int(truncatingIfNeeded: h >> 53)  // the top 11 bits: 0..<2048
    }

    /// The value read before from `text` at `slot`, nil when the slot holds another.
    func value(_ text: UnsafeBufferPointer<UInt8>, slot: Int) -> String? {
        guard let base = text.baseAddress, Int(lengths[slot]) == text.count,
              memcmp(bytes + slot * ValueCache.width, base, text.count) == 0 else { return nil }
        return values[slot]
    }

    /// Keeps `value`, read from `text`, at `slot`.
    func keep(_ value: String, _ text: UnsafeBufferPointer<UInt8>, slot: Int) {
        guard let base = text.baseAddress, ValueCache.keeps(text.count) else { return }
        (bytes + slot * ValueCache.width).update(from: base, count: text.count)
        lengths[slot] = UInt8(truncatingIfNeeded: text.count)
        values[slot] = value
    }
}
