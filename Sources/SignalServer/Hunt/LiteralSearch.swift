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
    /// One filter per anchor width in use (4 for long literals, the length of shorter ones).
    private var filters: [Filter] = []
    /// Empty literals: in every text.
    private var empty: [Int32] = []

    /// The anchors of one width: a bit per hash, and per hash the literals anchored there.
    private struct Filter {
        var width: Int
        /// Hash bits: the table has `1 << bits` bits.
        var bits: Int
        var table: [UInt64]
        /// Literals whose anchor hashes to `h`: `items` from `bucketStart[h]` to `bucketStart[h + 1]`.
        var bucketStart: [Int32]
        var items: [Int32]

        /// A window's hash: multiplicative (Knuth's constant), the top `bits` bits.
        @inline(__always) static func hash(_ window: UInt32, bits: Int) -> Int {
            Int(truncatingIfNeeded: (window &* 0x9E37_79B1) >> UInt32(32 - bits))
        }

        var bytes: Int { table.count * 8 + bucketStart.count * 4 + items.count * 4 }
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
            var bits = 10
            while bits < 20 && (1 << bits) < ids.count * 64 { bits += 1 }
            var table = [UInt64](repeating: 0, count: max(1, (1 << bits) / 64))
            var lists = [[Int32]](repeating: [], count: 1 << bits)
            for id in ids {
                let literal = Array(bytes[Int(start[Int(id)])..<Int(start[Int(id) + 1])])
                let h = Filter.hash(LiteralSearch.window(literal, Int(anchorAt[Int(id)]), width), bits: bits)
                table[h >> 6] |= 1 << UInt64(h & 63)
                lists[h].append(id)
            }
            var bucketStart: [Int32] = [], items: [Int32] = []
            bucketStart.reserveCapacity(lists.count + 1)
            for list in lists {
                bucketStart.append(Int32(truncatingIfNeeded: items.count))
                items += list
            }
            bucketStart.append(Int32(truncatingIfNeeded: items.count))
            filters.append(Filter(width: width, bits: bits, table: table, bucketStart: bucketStart, items: items))
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
        (filters.reduce(0) { $0 + $1.items.count }, filters.reduce(bytes.count + start.count * 4 + anchorAt.count * 4) { $0 + $1.bytes })
    }

    /// Marks in `found` (one flag per literal id) every literal the text holds from `from` on,
    /// and appends each one's id to `hits` (once).
    func scan(_ text: [UInt8], from: Int = 0, into found: inout [Bool], hits: inout [Int32]) {
        for id in empty where !found[Int(id)] {
            found[Int(id)] = true
            hits.append(id)
        }
        text.withUnsafeBufferPointer { text in
        bytes.withUnsafeBufferPointer { bytes in
        start.withUnsafeBufferPointer { start in
        anchorAt.withUnsafeBufferPointer { anchorAt in
        found.withUnsafeMutableBufferPointer { found in
            // Both are non-empty when a filter has a literal that fits in the text.
            guard let textBase = text.baseAddress, let literalBase = bytes.baseAddress else { return }
            for filter in filters where text.count >= filter.width {
                filter.table.withUnsafeBufferPointer { table in
                filter.bucketStart.withUnsafeBufferPointer { bucketStart in
                filter.items.withUnsafeBufferPointer { items in
                    let n = text.count, width = filter.width, bits = filter.bits
                    // The window at i as one little-endian word; narrower anchors keep its low bytes.
                    let mask: UInt32 = width == 4 ? .max : (1 << UInt32(8 * width)) - 1
                    var i = max(0, from)
                    while i <= n - width {
                        let word: UInt32
                        if i + 4 <= n {
                            word = UnsafeRawPointer(textBase + i).loadUnaligned(as: UInt32.self).littleEndian & mask
                        } else {
                            var v: UInt32 = 0
                            for k in 0..<width { v |= UInt32(text[i + k]) << UInt32(8 * k) }
                            word = v
                        }
                        let h = Filter.hash(word, bits: bits)
                        if table[h >> 6] & (1 << UInt64(h & 63)) != 0 {
                            for k in Int(bucketStart[h])..<Int(bucketStart[h + 1]) {
                                let id = Int(items[k])
                                if found[id] { continue }
                                let offset = Int(start[id]), length = Int(start[id + 1]) - offset
                                let at = i - Int(anchorAt[id])
                                guard at >= from, at + length <= n,
                                      memcmp(textBase + at, literalBase + offset, length) == 0
                                else { continue }
                                found[id] = true
                                hits.append(Int32(id))
                            }
                        }
                        i += 1
                    }
                }}}
            }
        }}}}}
    }
}
