import Glibc

/// Templates a file's earlier chunks parsed, found again in a later chunk by their bytes: a log
/// defines the same few dozen templates anew in every chunk (security.evtx: 240 definitions in
/// 26 chunks, under a hundred distinct), and parsing each again, with its tree and its memo,
/// was a sixth of the reader's time.
///
/// A definition is the same template as one parsed before when everything the parse read is
/// the same: its bytes, except the chunk offsets of its names (the name each points at must be
/// the same text instead, and a name written inline must be inline again), and the answer to
/// each element's dependency-id question, which looks at bytes elsewhere in the chunk (re-asked
/// here). Templates whose parse reads anything else (template instances, entity and processing
/// instruction references) are not kept. The tree such a parse makes holds no chunk offsets;
/// its memo does, and starts afresh in each chunk (`BinXMLMemo.bind`).
struct EvtxTemplateCache {
    /// One parse of a template: what it read, and what it made.
    final class Entry {
        /// The definition's GUID and data size (bytes 4..<24), then its data.
        let header: [UInt8]
        let body: [UInt8]
        /// Byte ranges of `body` compared otherwise (name offsets) or not read (an inline
        /// name's chain offset and hash), in order.
        let skips: [Range<Int>]
        /// Name offsets, by where they are in `body`: inline (then the name follows the offset
        /// at once) or the name's UTF-16 text.
        let names: [(at: Int, inline: Bool, text: [UInt8])]
        /// Each element's start in `body` and whether it had a dependency id.
        let starts: [(at: Int, hasID: Bool)]
        /// How much deeper than the template its elements went (the parse refuses beyond
        /// `BinXML.deepest`).
        let depth: Int
        var tree: BinXMLTree

        init(header: [UInt8], body: [UInt8], skips: [Range<Int>], names: [(at: Int, inline: Bool, text: [UInt8])],
             starts: [(at: Int, hasID: Bool)], depth: Int, tree: BinXMLTree) {
            self.header = header
            self.body = body
            self.skips = skips
            self.names = names
            self.starts = starts
            self.depth = depth
            self.tree = tree
        }
    }

    struct Key: Hashable {
        var a: UInt64
        var b: UInt64
        var size: UInt32
    }

    private var entries: [Key: [Entry]] = [:]
    private var bytes = 0
    /// Bounds for a crafted file: the bodies kept, and parses kept per GUID and size.
    static let maximumBytes = 4 << 20
    static let variants = 4

    /// The key of the definition at `definition` (GUID and size), nil when out of the chunk.
    static func key(_ b: EvtxRaw, _ definition: Int) -> Key? {
        guard let a = try? b.u64(definition + 4), let c = try? b.u64(definition + 12), let size = try? b.u32(definition + 20) else { return nil }
        return Key(a: a, b: c, size: size)
    }

    /// A parse of the template defined at `definition` that this chunk's would repeat, for an
    /// instance `depth` deep.
    func find(_ b: EvtxRaw, at definition: Int, depth: Int) -> Entry? {
        guard let key = EvtxTemplateCache.key(b, definition), let candidates = entries[key] else { return nil }
        for e in candidates where e.matches(b, at: definition, depth: depth) { return e }
        return nil
    }

    /// Keeps the parse `built` made of the template at `definition` (`tree`), when it read
    /// nothing a later chunk's bytes could not confirm.
    mutating func add(_ built: BinXMLTree.Builder, tree: BinXMLTree, _ b: EvtxRaw, at definition: Int, depth: Int) -> Entry? {
        guard built.portable, let key = EvtxTemplateCache.key(b, definition) else { return nil }
        let base = definition + 24
        let size = Int(key.size)
        guard size > 0, built.reach <= base + size, bytes + size <= EvtxTemplateCache.maximumBytes,
              (entries[key]?.count ?? 0) < EvtxTemplateCache.variants,
              let header = try? b.slice(definition + 4, 20), let body = try? b.slice(base, size) else { return nil }
        var skips: [Range<Int>] = []
        var names: [(at: Int, inline: Bool, text: [UInt8])] = []
        skips.reserveCapacity(built.nameFields.count * 2)
        names.reserveCapacity(built.nameFields.count)
        for f in built.nameFields {
            let at = f.at - base
            guard at >= 0, at + 4 <= size else { return nil }
            skips.append(at..<(at + 4))
            if f.offset == f.at + 4 {
                // The name follows: its chain offset and hash are not read.
                guard at + 10 <= size else { return nil }
                skips.append((at + 4)..<(at + 10))
                names.append((at, true, []))
            } else {
                guard let count = try? b.u16(f.offset + 6), let text = try? b.slice(f.offset + 8, 2 * Int(count)) else { return nil }
                names.append((at, false, Array(text)))
            }
        }
        // In order and apart, as they are read (a crafted template could overlap them).
        for i in skips.indices.dropFirst() where skips[i].lowerBound < skips[i - 1].upperBound { return nil }
        let entry = Entry(
            header: Array(header), body: Array(body), skips: skips, names: names,
            starts: built.elementStarts.map { ($0.at - base, $0.hasID) }, depth: max(0, built.deepest - depth), tree: tree)
        entries[key, default: []].append(entry)
        bytes += size
        return entry
    }
}

extension EvtxTemplateCache.Entry {
    func matches(_ b: EvtxRaw, at definition: Int, depth: Int) -> Bool {
        guard depth + self.depth <= BinXML.deepest else { return false }
        let base = definition + 24
        guard let header = try? b.slice(definition + 4, 20), let body = try? b.slice(base, self.body.count),
              let h = header.baseAddress, let now = body.baseAddress else { return false }
        let same = self.header.withUnsafeBytes { $0.baseAddress.map { memcmp($0, h, 20) == 0 } ?? false }
            && self.body.withUnsafeBytes { before in
                guard let was = before.baseAddress else { return false }
                var from = 0
                for s in skips {
                    if s.lowerBound > from, memcmp(was + from, now + from, s.lowerBound - from) != 0 { return false }
                    from = s.upperBound
                }
                return from >= self.body.count || memcmp(was + from, now + from, self.body.count - from) == 0
            }
        guard same else { return false }
        for n in names {
            guard let offset = try? b.u32(base + n.at) else { return false }
            let o = Int(offset)
            if n.inline {
                guard o == base + n.at + 4 else { return false }
            } else {
                guard o != base + n.at + 4, let count = try? b.u16(o + 6), 2 * Int(count) == n.text.count,
                      let text = try? b.slice(o + 8, n.text.count) else { return false }
                if !text.isEmpty, let t = text.baseAddress, n.text.withUnsafeBytes({ $0.baseAddress.map { memcmp($0, t, n.text.count) } ?? 1 }) != 0 {
                    return false
                }
            }
        }
        for s in starts where b.hasDependencyID(base + s.at) != s.hasID { return false }
        return true
    }
}
