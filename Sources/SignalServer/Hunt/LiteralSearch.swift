import Foundation

/// Many literals found in one pass over a text: exactly which of them occur anywhere in it.
/// The hunt uses it to skip, in one scan of an event, every rule whose necessary text is not
/// there, so thousands of rules cost little more than a hundred.
///
/// A filter on anchors, as Hyperscan's FDR does, not an automaton: each literal is known by
/// one of its 4-byte windows (its anchor; shorter literals by themselves), chosen to be the
/// window fewest other literals share. The anchors' hashes are bits in a table small enough
/// to stay in the nearest cache (a 2,400-rule set's automaton over the same 21,000 literals
/// was 30 MiB, and its scan waited on memory at every byte, each step waiting for the one
/// before; a 128 KiB table still had the scan wait on the table at a third of its time). The
/// scan hashes the text's window at every position, independently of the others, so the
/// processor overlaps the table reads; a set bit sends the position to the literals with
/// that anchor hash, each compared byte for byte where it would start. The answer is exact
/// both ways: a literal is reported found exactly when the text holds it.
///
/// A class, its tables `let`s: a rule index hands its searches to every event, and a copy of
/// a struct of eight arrays retained and released each of them (four copies an event).
final class LiteralSearch: Sendable {
    /// The anchor's width for literals this long or longer.
    static let anchorWidth = 4
    /// At most this many 1- and 2-byte literals are found with `memchr`; more get tables.
    static let fewShort = 8
    /// A table's size: about this many bits per anchor, at most `2^maxBits` bits (32 KiB, the
    /// nearest cache's size here). Fuller tables send more positions to their buckets; bigger
    /// ones wait on the cache at every position.
    static let bitsPerAnchor = 32
    static let maxBits = 18

    let count: Int
    /// The literals' bytes one after another.
    private let bytes: [UInt8]
    /// One filter per anchor width in use (4 for long literals, the length of shorter ones),
    /// longest first; their bits, ranks, buckets and items in shared arrays, so one scan opens
    /// each array once and tests every width at each position.
    private let filters: [Filter]
    private let tables: [UInt64]
    /// Per table word: how many bits of its filter's table are set before it, so a set bit's
    /// bucket is found by counting (buckets only for the hashes in use, not one per hash).
    private let ranks: [UInt32]
    private let bucketStarts: [Int32]
    /// What the scan needs of a literal where its anchor was seen, side by side.
    private let items: [Item]
    /// Empty literals: in every text.
    private let empty: [Int32]
    /// 1- and 2-byte literals when there are few of them: each found with `memchr` on its
    /// first byte, not with a table tested at every position.
    private let short: [Item]

    private struct Item {
        var id: Int32
        /// Where its anchor is within it.
        var anchorAt: Int32
        /// Its bytes in `bytes` (full-width: the literals' bytes are not bounded by the rules).
        var offset: Int
        var length: Int
    }

    /// The anchors of one width: a bit per hash (or per window, for 1 and 2 bytes), and per
    /// hash in use the literals anchored there.
    private struct Filter {
        var width: Int
        /// The window's bytes within a 4-byte word.
        var mask: UInt32
        /// The table has `1 << bits` bits; 1- and 2-byte windows are their own hash.
        var bits: Int
        var direct: Bool
        /// Where its words start in `tables` and `ranks`, and its buckets in `bucketStarts`:
        /// the literals anchored at the hash whose bit is the `r`th set one are `items` from
        /// `bucketStarts[buckets + r]` to `bucketStarts[buckets + r + 1]`.
        var table: Int
        var buckets: Int

        @inline(__always) func hash(_ word: UInt32) -> Int {
            let window = word & mask
            // Multiplicative (Knuth's constant), the top `bits` bits.
            return direct ? Int(window) : Int(truncatingIfNeeded: (window &* 0x9E37_79B1) >> UInt32(32 - bits))
        }
    }

    /// `literals` must be lower-cased as the texts searched will be. With `only`, just those
    /// literals (by their index, in any order, repeats ignored) are looked for, under the same
    /// ids. A rule index builds one search per kind over a few of its 25,000 literals: they
    /// are walked by those ids, not by asking a set about every literal (a tenth of the hunt's
    /// start-up did that).
    init(_ literals: [[UInt8]], only: [Int]? = nil) {
        count = literals.count
        // Built in locals, then kept.
        var bytes: [UInt8] = [], filters: [Filter] = [], tables: [UInt64] = [], ranks: [UInt32] = []
        var bucketStarts: [Int32] = [], items: [Item] = [], empty: [Int32] = [], short: [Item] = []
        var ids = only?.sorted() ?? Array(literals.indices)
        if only != nil {
            var kept = 0
            for id in ids where literals.indices.contains(id) && (kept == 0 || ids[kept - 1] != id) {
                ids[kept] = id
                kept += 1
            }
            ids.removeLast(ids.count - kept)
        }
        // How many literals hold each window: a literal is anchored at its rarest one, so a
        // bucket holds few literals and a common stretch of text (`\windows\system32\`) sets
        // off few compares.
        let w = LiteralSearch.anchorWidth
        var holding: [UInt32: Int] = [:]
        var seen = Set<UInt32>()
        for id in ids where literals[id].count >= w {
            let literal = literals[id]
            seen.removeAll(keepingCapacity: true)
            for j in 0...(literal.count - w) where seen.insert(LiteralSearch.window(literal, j, w)).inserted {
                holding[LiteralSearch.window(literal, j, w), default: 0] += 1
            }
        }
        var byWidth: [Int: [Item]] = [:]
        for id in ids {
            let literal = literals[id]
            guard !literal.isEmpty else {
                empty.append(Int32(id))
                continue
            }
            var item = Item(id: Int32(truncatingIfNeeded: id), anchorAt: 0, offset: bytes.count, length: literal.count)
            bytes += literal
            let width = min(w, literal.count)
            if width == w {
                var fewest = Int.max
                for j in 0...(literal.count - w) {
                    let n = holding[LiteralSearch.window(literal, j, w)] ?? 0
                    if n < fewest { (item.anchorAt, fewest) = (Int32(j), n) }
                }
            }
            byWidth[width, default: []].append(item)
        }
        let shortItems = (byWidth[1] ?? []) + (byWidth[2] ?? [])
        if shortItems.count <= LiteralSearch.fewShort {
            short = shortItems
            byWidth[1] = nil
            byWidth[2] = nil
        }
        for (width, anchored) in byWidth.sorted(by: { $0.key > $1.key }) {
            let direct = width <= 2
            var bits = direct ? 8 * width : 10
            while !direct && bits < LiteralSearch.maxBits && (1 << bits) < anchored.count * LiteralSearch.bitsPerAnchor { bits += 1 }
            let filter = Filter(width: width, mask: width == 4 ? .max : (1 << UInt32(8 * width)) - 1, bits: bits, direct: direct,
                                table: tables.count, buckets: bucketStarts.count)
            var table = [UInt64](repeating: 0, count: max(1, (1 << bits) / 64))
            var lists: [Int: [Item]] = [:]
            for item in anchored {
                let h = filter.hash(LiteralSearch.window(literals[Int(item.id)], Int(item.anchorAt), width))
                table[h >> 6] |= 1 << UInt64(h & 63)
                lists[h, default: []].append(item)
            }
            var rank: UInt32 = 0
            for word in table {
                ranks.append(rank)
                rank += UInt32(word.nonzeroBitCount)
            }
            tables += table
            for h in lists.keys.sorted() {
                bucketStarts.append(Int32(truncatingIfNeeded: items.count))
                items += lists[h] ?? []
            }
            bucketStarts.append(Int32(truncatingIfNeeded: items.count))
            filters.append(filter)
        }
        (self.bytes, self.filters, self.tables, self.ranks) = (bytes, filters, tables, ranks)
        (self.bucketStarts, self.items, self.empty, self.short) = (bucketStarts, items, empty, short)
    }

    /// The `width` bytes of `bytes` from `at`, little-endian, as the scan reads a window.
    private static func window(_ bytes: [UInt8], _ at: Int, _ width: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<width { v |= UInt32(bytes[at + k]) << UInt32(8 * k) }
        return v
    }

    /// Anchors looked for and bytes the tables take.
    var size: (anchors: Int, bytes: Int) {
        (items.count + short.count,
         bytes.count + (items.count + short.count) * MemoryLayout<Item>.stride + (ranks.count + bucketStarts.count) * 4 + tables.count * 8)
    }

    /// Sets in `found` every literal the text holds from `from` on, and appends each one's id
    /// to `hits` (once).
    ///
    /// A pass per anchor width in use, each a tight loop over the text's positions: a load, a
    /// multiply and a bit test, each independent of the one before (not an automaton's step),
    /// so the processor overlaps the table reads. The few 1- and 2-byte literals are found by
    /// `memchr` instead, which costs less than a table test at every position.
    func scan(_ text: [UInt8], from: Int = 0, into found: inout LiteralFlags, hits: inout [Int32]) {
        empty.withUnsafeBufferPointer { found.insert($0, newlyInto: &hits) }
        let n = text.count
        guard from >= 0, from < n, !filters.isEmpty || !short.isEmpty else { return }
        text.withUnsafeBufferPointer { text in
        bytes.withUnsafeBufferPointer { bytes in
        filters.withUnsafeBufferPointer { filters in
        tables.withUnsafeBufferPointer { tables in
        ranks.withUnsafeBufferPointer { ranks in
        bucketStarts.withUnsafeBufferPointer { bucketStarts in
        items.withUnsafeBufferPointer { items in
        found.withWords { found in
            // Both are non-empty: the text holds `from`, and the search holds a literal.
            guard let textBase = text.baseAddress, let literalBase = bytes.baseAddress else { return }
            /// `item`'s literal starts at `at`: its bytes are there and it was not found before.
            /// Compared by libc's `memcmp`, not the inline `sameBytes`: few anchors get this far,
            /// and inlined here the compare grew the loop by 0.3k instructions an event.
            @inline(__always) func check(_ item: Item, at: Int) {
                let id = Int(item.id)
                let bit: UInt64 = 1 << UInt64(id & 63)
                guard found[id >> 6] & bit == 0, at >= from, at + item.length <= n,
                      memcmp(textBase + at, literalBase + item.offset, item.length) == 0
                else { return }
                found[id >> 6] |= bit
                hits.append(item.id)
            }
            for item in short {
                let first = literalBase[item.offset]
                var at = from
                while at < n, let p = memchr(textBase + at, Int32(first), n - at) {
                    at = textBase.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    check(item, at: at)
                    at += 1
                }
            }
            // A pass per filter, its table, shift and mask in registers: the loop is a load, a
            // multiply and a bit test per position, each independent of the one before. (One
            // loop over every filter per position reloaded each filter's fields at each step.)
            guard let tableBase = tables.baseAddress, let rankBase = ranks.baseAddress else { return }
            for f in filters where from + f.width <= n {
                let table = tableBase + f.table, rank = rankBase + f.table
                let mask = f.mask, shift = UInt32(truncatingIfNeeded: 32 &- f.bits), direct = f.direct, buckets = f.buckets
                /// The literals anchored at hash `h` are looked for where the window is at `i`.
                @inline(__always) func test(_ h: Int, at i: Int) {
                    let bits = table[h &>> 6], below: UInt64 = 1 &<< UInt64(h & 63)
                    guard bits & below != 0 else { return }
                    let r = buckets &+ Int(rank[h &>> 6]) &+ (bits & (below &- 1)).nonzeroBitCount
                    for k in Int(bucketStarts[r])..<Int(bucketStarts[r &+ 1]) {
                        check(items[k], at: i &- Int(items[k].anchorAt))
                    }
                }
                // Whole words up to the last position a 4-byte read fits; the last few by bytes.
                // Positions whose bit is clear (most) are passed over by `nextSet`.
                var i = from
                let last = n &- 3
                i = LiteralSearch.nextSet(textBase, i, last, table, mask, shift, direct)
                while i < last {
                    test(f.hash(UnsafeRawPointer(textBase + i).loadUnaligned(as: UInt32.self).littleEndian), at: i)
                    i = LiteralSearch.nextSet(textBase, i &+ 1, last, table, mask, shift, direct)
                }
                i = max(i, from)
                while i &+ f.width <= n {
                    var word: UInt32 = 0
                    for k in 0..<(n &- i) { word |= UInt32(textBase[i &+ k]) &<< UInt32(8 &* k) }
                    test(f.hash(word), at: i)
                    i &+= 1
                }
            }
        }}}}}}}}
    }

    /// The first position from `i` before `end` whose window (its 4 bytes under `mask`,
    /// hashed unless `direct`) has its bit set in `table`; `end` when none has. The scan's
    /// inner loop, on its own so that its few values stay in registers: inside the scan's
    /// nest of closures, four of them were reloaded from the stack at every position.
    @inline(never)
    private static func nextSet(
        _ text: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ table: UnsafePointer<UInt64>, _ mask: UInt32, _ shift: UInt32, _ direct: Bool
    ) -> Int {
        var i = i
        if direct {
            while i < end {
                let h = Int(UnsafeRawPointer(text + i).loadUnaligned(as: UInt32.self).littleEndian & mask)
                if table[h &>> 6] &>> UInt64(h & 63) & 1 != 0 { return i }
                i &+= 1
            }
        } else {
            while i < end {
                let window = UnsafeRawPointer(text + i).loadUnaligned(as: UInt32.self).littleEndian & mask
                let h = Int(truncatingIfNeeded: (window &* 0x9E37_79B1) &>> shift)
                if table[h &>> 6] &>> UInt64(h & 63) & 1 != 0 { return i }
                i &+= 1
            }
        }
        return end
    }
}
