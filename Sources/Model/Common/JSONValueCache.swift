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
    static let width = 128, shortest = 16
    private let slots = TextSlots(count: 2048, width: ValueCache.width)

    /// Whether a value whose JSON text is `count` bytes is looked for here.
    @inline(__always) static func keeps(_ count: Int) -> Bool { count >= shortest && count <= width }

    /// The slot for `text` (of a length `keeps`): eight bytes a step, multiplied and folded.
    func slot(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        let n = text.count
        guard let base = text.baseAddress, n >= 8 else { return 0 }
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
    func value(_ text: UnsafeBufferPointer<UInt8>, slot: Int) -> String? { slots.string(text, at: slot) }

    /// Keeps `value`, read from `text`, at `slot`.
    func keep(_ value: String, _ text: UnsafeBufferPointer<UInt8>, slot: Int) {
        if ValueCache.keeps(text.count) { slots.keep(value, text, at: slot) }
    }
}

/// Strings by the text they were read from, one per slot (the caller's hash picks it), a new
/// one taking the place of the one before: `KeyCache`'s and `ValueCache`'s storage. Memory of
/// its own rather than arrays: a class's array is checked for exclusive access at every use,
/// which cost more than making the string.
final class TextSlots {
    let count: Int, width: Int
    private let bytes: UnsafeMutablePointer<UInt8>
    /// Per slot the text's length, 0 for an empty slot (texts kept are never empty).
    private let lengths: UnsafeMutablePointer<UInt8>
    private let strings: UnsafeMutablePointer<String>

    init(count: Int, width: Int) {
        precondition(count > 0 && width > 0 && width <= Int(UInt8.max), "a slot's length is a byte")
        self.count = count
        self.width = width
        bytes = .allocate(capacity: count * width)
        lengths = .allocate(capacity: count)
        lengths.initialize(repeating: 0, count: count)
        strings = .allocate(capacity: count)
        strings.initialize(repeating: "", count: count)
    }

    deinit {
        strings.deinitialize(count: count)
        strings.deallocate()
        lengths.deallocate()
        bytes.deallocate()
    }

    /// The string kept at `slot` (0..<count) when it was read from `text`.
    @inline(__always) func string(_ text: UnsafeBufferPointer<UInt8>, at slot: Int) -> String? {
        guard let base = text.baseAddress, !text.isEmpty, Int(lengths[slot]) == text.count,
              sameBytes(bytes + slot * width, base, count: text.count) else { return nil }
        return strings[slot]
    }

    /// The length of the text kept at `slot` when `bytes` from `i` on begin with it; nil when
    /// they do not or the slot is empty.
    @inline(__always) func length(ofTextAt slot: Int, in bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        let n = Int(lengths[slot])
        guard n > 0, i >= 0, n <= bytes.count - i, let base = bytes.baseAddress,
              sameBytes(self.bytes + slot * width, base + i, count: n) else { return nil }
        return n
    }

    /// The string kept at `slot`.
    @inline(__always) func string(at slot: Int) -> String { strings[slot] }

    /// Keeps `string`, read from `text` (1...width bytes), at `slot`.
    func keep(_ string: String, _ text: UnsafeBufferPointer<UInt8>, at slot: Int) {
        guard let base = text.baseAddress, text.count <= width else { return }
        (bytes + slot * width).update(from: base, count: text.count)
        lengths[slot] = UInt8(truncatingIfNeeded: text.count)
        strings[slot] = string
    }
}
