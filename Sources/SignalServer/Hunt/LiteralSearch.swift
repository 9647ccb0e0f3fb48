import Foundation

/// Many literals found in one pass over a text: exactly which of them occur anywhere in it.
/// The hunt uses it to skip, in one scan of an event, every rule whose necessary text is not
/// there, so thousands of rules cost little more than a hundred.
///
/// A filter on anchors, as Hyperscan's FDR does, not an automaton: each literal is known by
/// one of its 4-byte windows (its anchor; shorter literals by themselves), chosen to be the
/// window fewest other literals share. The anchors' hashes are bits in a table small enough
/// to stay in cache (a 2,400-rule set's automaton over the same 21,000 literals was 30 MiB,
/// and its scan waited on memory at every byte, each step waiting for the one before). The
/// scan hashes the text's window at every position, independently of the others, so the
/// processor overlaps the table reads; a set bit sends the position to the literals with
/// that anchor hash, each compared byte for byte where it would start. The answer is exact
/// both ways: a literal is reported found exactly when the text holds it.
struct LiteralSearch: Sendable {
    /// The anchor's width for literals this long or longer.
    static let anchorWidth = 4

    let count: Int
    /// The literals' bytes one after another: literal `i` from `start[i]` to `start[i + 1]`.
    private var bytes: [UInt8] = []
    private var start: [Int32] = []
    /// Per literal: where its anchor is within it.
    private var anchorAt: [Int32] = []
    /// One filter per anchor width in use (4 for long literals, the length of shorter ones),
    /// longest first; their bits, buckets and bucket items in shared arrays, so one scan opens
    /// each array once and tests every width at each position.
    private var filters: [Filter] = []
    private var tables: [UInt64] = []
    private var bucketStarts: [Int32] = []
    private var items: [Int32] = []
    /// Empty literals: in every text.
    private var empty: [Int32] = []

    /// The anchors of one width: a bit per hash (or per window, for 1 and 2 bytes), and per
    /// hash the literals anchored there.
    private struct Filter {
        var width: Int
        /// The window's bytes within a 4-byte word.
        var mask: UInt32
        /// The table has `1 << bits` bits; 1- and 2-byte windows are their own hash.
        var bits: Int
        var direct: Bool
        /// Where its bits start in `tables` (in words) and its buckets in `bucketStarts`:
        /// the literals anchored at hash `h` are `items` from `bucketStarts[buckets + h]` to
        /// `bucketStarts[buckets + h + 1]`.
        var table: Int
        var buckets: Int

        @inline(__always) func hash(_ word: UInt32) -> Int {
            let window = word & mask
            // Multiplicative (Knuth's constant), the top `bits` bits.
            return direct ? Int(window) : Int(truncatingIfNeeded: (window &* 0x9E37_79B1) >> UInt32(32 - bits))
        }
    }

    /// `literals` must be lower-cased as the texts searched will be. With `only`, just those
    /// literals (by their index) are looked for, under the same ids.
    init(_ literals: [[UInt8]], only: Set<Int>? = nil) {
        count = literals.count
        for literal in literals {
            start.append(Int32(truncatingIfNeeded: bytes.count))
            bytes += literal
        }
        start.append(Int32(truncatingIfNeeded: bytes.count))
        anchorAt = [Int32](repeating: 0, count: literals.count)

        // How many literals hold each window: a literal is anchored at its rarest one, so a
        // bucket holds few literals and a common stretch of text (`\windows\system32\`) sets
        // off few compares.
        let w = LiteralSearch.anchorWidth
        var holding: [UInt32: Int] = [:]
        for literal in literals where literal.count >= w {
            var seen = Set<UInt32>()
            for j in 0...(literal.count - w) where seen.insert(LiteralSearch.window(literal, j, w)).inserted {
                holding[LiteralSearch.window(literal, j, w), default: 0] += 1
            }
        }
        var byWidth: [Int: [Int32]] = [:]
        for (id, literal) in literals.enumerated() where only?.contains(id) ?? true {
            guard !literal.isEmpty else {
                empty.append(Int32(id))
                continue
            }
            let width = min(w, literal.count)
            if width == w {
                var best = 0, fewest = Int.max
                for j in 0...(literal.count - w) {
                    let n = holding[LiteralSearch.window(literal, j, w)] ?? 0
                    if n < fewest { (best, fewest) = (j, n) }
                }
                anchorAt[id] = Int32(best)
            }
            byWidth[width, default: []].append(Int32(id))
        }
        for (width, ids) in byWidth.sorted(by: { $0.key > $1.key }) {
            // About 64 bits per anchor: one position in 64 or fewer sets off a bucket look.
            let direct = width <= 2
            var bits = direct ? 8 * width : 10
            while !direct && bits < 20 && (1 << bits) < ids.count * 64 { bits += 1 }
            let filter = Filter(width: width, mask: width == 4 ? .max : (1 << UInt32(8 * width)) - 1, bits: bits, direct: direct,
                                table: tables.count, buckets: bucketStarts.count)
            var table = [UInt64](repeating: 0, count: max(1, (1 << bits) / 64))
            var lists = [[Int32]](repeating: [], count: 1 << bits)
            for id in ids {
                let literal = Array(bytes[Int(start[Int(id)])..<Int(start[Int(id) + 1])])
                let h = filter.hash(LiteralSearch.window(literal, Int(anchorAt[Int(id)]), width))
                table[h >> 6] |= 1 << UInt64(h & 63)
                lists[h].append(id)
            }
            tables += table
            for list in lists {
                bucketStarts.append(Int32(truncatingIfNeeded: items.count))
                items += list
            }
            bucketStarts.append(Int32(truncatingIfNeeded: items.count))
            filters.append(filter)
        }
    }

    /// The `width` bytes of `bytes` from `at`, little-endian, as the scan reads a window.
    private static func window(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<width { v |= UInt32(bytes[at + k]) << UInt32(8 * k) }
        return v
    }

    /// Anchors looked for and bytes the tables take.
    var size: (anchors: Int, bytes: Int) {
        (items.count, bytes.count + (start.count + anchorAt.count + bucketStarts.count + items.count) * 4 + tables.count * 8)
    }

    /// Sets in `found` every literal the text holds from `from` on, and appends each one's id
    /// to `hits` (once).
    ///
    /// Each position's window is hashed and tested on its own, not after the one before (as an
    /// automaton's step is), so the processor overlaps the table reads.
    func scan(_ text: [UInt8], from: Int = 0, into found: inout LiteralFlags, hits: inout [Int32]) {
        for id in empty where !found.contains(Int(id)) {
            found.withWords { $0[Int(id) >> 6] |= 1 << UInt64(id & 63) }
            hits.append(id)
        }
        let n = text.count
        guard from >= 0, from < n, !filters.isEmpty else { return }
        text.withUnsafeBufferPointer { text in
        bytes.withUnsafeBufferPointer { bytes in
        start.withUnsafeBufferPointer { start in
        anchorAt.withUnsafeBufferPointer { anchorAt in
        filters.withUnsafeBufferPointer { filters in
        tables.withUnsafeBufferPointer { tables in
        bucketStarts.withUnsafeBufferPointer { bucketStarts in
        items.withUnsafeBufferPointer { items in
        found.withWords { found in
            // Both are non-empty: the text holds `from`, and a filter holds a literal.
            guard let textBase = text.baseAddress, let literalBase = bytes.baseAddress else { return }
            // A pass per width: each pass's loop is short and its reads do not wait on each other.
            for f in filters where from + f.width <= n {
                for i in from...(n - f.width) {
                    var word: UInt32 = 0
                    if i + 4 <= n {
                        word = UnsafeRawPointer(textBase + i).loadUnaligned(as: UInt32.self).littleEndian
                    } else {
                        for k in 0..<(n - i) { word |= UInt32(text[i + k]) << UInt32(8 * k) }
                    }
                    let h = f.hash(word)
                    guard tables[f.table + (h >> 6)] & (1 << UInt64(h & 63)) != 0 else { continue }
                    for k in Int(bucketStarts[f.buckets + h])..<Int(bucketStarts[f.buckets + h + 1]) {
                        let id = Int(items[k])
                        let bit: UInt64 = 1 << UInt64(id & 63)
                        if found[id >> 6] & bit != 0 { continue }
                        let offset = Int(start[id]), length = Int(start[id + 1]) - offset
                        let at = i - Int(anchorAt[id])
                        guard at >= from, at + length <= n,
                              memcmp(textBase + at, literalBase + offset, length) == 0
                        else { continue }
                        found[id >> 6] |= bit
                        hits.append(Int32(id))
                    }
                }
            }
        }}}}}}}}}
    }
}
