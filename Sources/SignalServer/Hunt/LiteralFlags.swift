/// One flag per literal id: which literals a scan of an event found. Bits, not `Bool`s: a
/// 2,400-rule set has 21,000 literals, and every event starts with all of them cleared.
struct LiteralFlags {
    private(set) var words: [UInt64]
    /// How many literals there are; 0 when nobody searched.
    let count: Int

    init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    static let none = LiteralFlags(count: 0)

    /// Whether the scan looked and did not find literal `id` (false for ids it did not look for).
    func absent(_ id: Int) -> Bool {
        id >= 0 && id < count && words[id >> 6] & (1 << UInt64(id & 63)) == 0
    }

    func contains(_ id: Int) -> Bool { id >= 0 && id < count && !absent(id) }

    /// Sets the flags of `ids`, adding to `hits` each one that was clear. Written in place:
    /// through the array, each write was checked to be to words no one else held.
    mutating func insert(_ ids: UnsafeBufferPointer<Int32>, newlyInto hits: inout [Int32]) {
        words.withUnsafeMutableBufferPointer { words in
            for id in ids {
                let w = Int(id) >> 6, bit: UInt64 = 1 << UInt64(id & 63)
                guard w >= 0, w < words.count, words[w] & bit == 0 else { continue }
                words[w] |= bit
                hits.append(id)
            }
        }
    }

    /// Clears the flags of each word that holds one of `ids` (with the others in it), written in
    /// place: through the array, each write was checked to be to words no one else held.
    mutating func clearWords(of ids: [Int32]) {
        words.withUnsafeMutableBufferPointer { words in
            for id in ids {
                let w = Int(id) >> 6
                if w >= 0, w < words.count { words[w] = 0 }
            }
        }
    }

    /// The flags as words, for a scan to set in place.
    mutating func withWords<R>(_ body: (UnsafeMutableBufferPointer<UInt64>) -> R) -> R {
        words.withUnsafeMutableBufferPointer { body($0) }
    }

    /// `absent` over the words of a `withUnsafeBufferPointer` on `words`.
    static func absent(_ id: Int, in words: UnsafeBufferPointer<UInt64>, count: Int) -> Bool {
        id >= 0 && id < count && words[id >> 6] & (1 << UInt64(id & 63)) == 0
    }
}
