import Model

/// BinXML, the binary XML of an EVTX record, parsed within its chunk. Templates (an event's
/// XML with numbered holes) are parsed once per chunk into a `BinXMLTree`; a record is then its
/// template's offset and its values, decoded in place from the chunk's bytes.
struct BinXML {
    let b: EvtxRaw
    private var templates: [Int: BinXMLTree] = [:]
    /// Templates of the file's earlier chunks (`EvtxTemplateCache`), and those of this chunk's
    /// that came from there or went there, by their definition's offset (a memo made for one
    /// of them is kept there too).
    var shared: EvtxTemplateCache
    private var sharedHere: [Int: EvtxTemplateCache.Entry] = [:]
    /// This chunk, for the memos of shared templates (`BinXMLMemo.bind`).
    let generation: Int
    /// Names by their offset, as JSON keys (their tags worked out once).
    private var names: [Int: JSONKey] = [:]
    /// Reused for each template the chunk defines.
    private var scratch = BinXMLTree.Builder()
    private var cache = EvtxValueCache()
    /// The values of the record being read, every instance's in one array kept from record to
    /// record (an array per instance was two mallocs and frees a record); instances refer to
    /// theirs by position.
    private var slots: [BinXMLSlot] = []
    /// The record's BinXML values (instances within it), which their slots point at: apart, so
    /// that slots are plain data, copied and dropped without reference counting.
    private var fragments: [BinXMLInstance] = []
    /// Templates being defined: values read meanwhile belong to the template, which outlives
    /// the record, so they are kept with it instead.
    private var defining = 0
    /// Elements within elements, templates and BinXML values within values: at most this deep,
    /// so crafted input cannot exhaust the stack.
    static let deepest = 128

    struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    init(_ b: EvtxRaw, shared: EvtxTemplateCache = EvtxTemplateCache(), generation: Int = 0) {
        self.b = b
        self.shared = shared
        self.generation = generation
    }

    /// A record's body as `{"Event": ...}` (`BinXMLJSON`).
    mutating func event(at: Int, end: Int) throws(Malformed) -> JSONValue {
        slots.removeAll(keepingCapacity: true)
        fragments.removeAll(keepingCapacity: true)
        let body = try record(at: at, end: end)
        let chunk = b.bytes
        return slots.withUnsafeBufferPointer { record in
            fragments.withUnsafeBufferPointer { fragments in
                withUnsafeMutablePointer(to: &cache) { cache in
                    BinXMLJSON.document(body, BinXMLJSON.Record(slots: record, fragments: fragments, chunk: chunk, cache: cache))
                }
            }
        }
    }

    /// A record's body (or a BinXML value) from `at` to its end-of-fragment token (or `end`).
    mutating func record(at: Int, end: Int, depth: Int = 0, nested: Bool = false) throws(Malformed) -> BinXMLInstance {
        // Nearly always a fragment header and one template instance: that instance is the
        // record, with no tree around it.
        // A BinXML value often has no fragment header, only the instance.
        if depth <= BinXML.deepest, let t = try? b.u8(at) {
            let start = t & 0xBF == 0x0F ? at + 4 : at
            if start < end, let ti = try? b.u8(start), ti & 0xBF == 0x0C {
                let (instance, next) = try templateInstance(at: start, depth: depth)
                if next >= end || (try? b.u8(next)) == 0x00 { return instance }
            }
        }
        var tree = BinXMLTree.Builder()
        try fragment(at: at, end: end, depth: depth, nested: nested, into: &tree)
        // Nearly always one template instance, which needs no tree around it.
        if tree.roots.count == 1, case .instance(let only) = tree.roots[0] { return tree.instances[only] }
        return BinXMLInstance(tree: BinXMLTree(tree))
    }

    /// The top-level elements and template instances of a fragment, appended to `tree.roots`.
    private mutating func fragment(at: Int, end: Int, depth: Int, nested: Bool, into tree: inout BinXMLTree.Builder) throws(Malformed) {
        guard depth <= BinXML.deepest else { throw Malformed("BinXML nested more than \(BinXML.deepest) deep") }
        tree.deepest = max(tree.deepest, depth)
        var pos = at
        defer { tree.reach = max(tree.reach, pos + 1) }
        while pos < end {
            let token = try r(b.u8(pos))
            switch token & 0xBF {
            case 0x00: return
            case 0x0F: pos += 4  // fragment header: token, major, minor, flags
            case 0x0C:
                tree.portable = false
                let (instance, next) = try templateInstance(at: pos, depth: depth)
                tree.roots.append(tree.instance(instance))
                pos = next
            case 0x01:
                let (element, next) = try self.element(at: pos, depth: depth, nested: nested, into: &tree)
                tree.roots.append(.element(element))
                pos = next
            default:
                throw Malformed("token 0x\(String(token, radix: 16)) at offset \(pos) where an element or template was expected")
            }
        }
    }

    private func hasDependencyID(_ start: Int) -> Bool { b.hasDependencyID(start) }

    /// A read past the chunk's end, said as the records' problems say it.
    @inline(__always)
    private func r<T>(_ read: @autoclosure () throws(EvtxRaw.OutOfRange) -> T) throws(Malformed) -> T {
        do { return try read() } catch { throw Malformed("a read past the chunk's end") }
    }

    /// A name by its offset in the chunk: unknown u32, hash u16, count u16, UTF-16, NUL.
    private mutating func name(at offset: Int) throws(Malformed) -> JSONKey {
        if let known = names[offset] { return known }
        let count = Int(try r(b.u16(offset + 6)))
        let name = JSONKey(try r(b.utf16(offset + 8, count: count)))
        names[offset] = name
        return name
    }

    /// Skips a name written inline (where its offset points at the bytes that follow).
    private func skipInlineName(_ offset: Int, at pos: Int) throws(Malformed) -> Int {
        guard offset == pos else { return pos }
        let count = Int(try r(b.u16(pos + 6)))
        return pos + 8 + count * 2 + 2
    }

    /// An element: token, a dependency id (not in BinXML that is a substitution's value), its
    /// size, its name's offset (the name inline when it points just past), attributes, content.
    private mutating func element(at start: Int, depth: Int, nested: Bool, into tree: inout BinXMLTree.Builder) throws(Malformed) -> (Int, Int) {
        guard depth <= BinXML.deepest else { throw Malformed("elements nested more than \(BinXML.deepest) deep") }
        let token = try r(b.u8(start))
        let head = nested || !hasDependencyID(start) ? 9 : 11
        // What a later chunk's copy of this template must agree on (`EvtxTemplateCache`).
        tree.deepest = max(tree.deepest, depth)
        tree.reach = max(tree.reach, start + 11)
        if !nested { tree.elementStarts.append((start, head == 11)) }
        let nameOffset = Int(try r(b.u32(start + head - 4)))
        tree.nameFields.append((start + head - 4, nameOffset))
        var pos = try skipInlineName(nameOffset, at: start + head)
        let name = try self.name(at: nameOffset)
        // This element's attributes gather on a stack shared with the elements within (which
        // take theirs off before this one goes on), so no array is made per element.
        let mark = tree.pendingAttributes.count
        if token & 0x40 != 0 {
            pos += 4  // the attribute list's size
            while true {
                let t = try r(b.u8(pos))
                guard t & 0xBF == 0x06 else { break }
                let attributeName = Int(try r(b.u32(pos + 1)))
                tree.nameFields.append((pos + 1, attributeName))
                pos = try skipInlineName(attributeName, at: pos + 5)
                let (value, next) = try content(at: pos, depth: depth, attribute: true, nested: nested, into: &tree)
                let n = try self.name(at: attributeName)
                tree.pendingAttributes.append(BinXMLTree.Attribute(name: tree.name(n), isName: n.name == "Name", items: value, hole: tree.hole(value)))
                pos = next
                if t & 0x40 == 0 { break }
            }
        }
        var children = 0..<0
        let close = try r(b.u8(pos))
        switch close {
        case 0x03: pos += 1
        case 0x02:
            let (items, next) = try content(at: pos + 1, depth: depth, attribute: false, nested: nested, into: &tree)
            guard try r(b.u8(next)) == 0x04 else { throw Malformed("an element at offset \(start) is not closed") }
            children = items
            pos = next + 1
        default:
            throw Malformed("token 0x\(String(close, radix: 16)) at offset \(pos) where an element's start closes")
        }
        let first = tree.attributes.count
        tree.attributes += tree.pendingAttributes[mark...]
        tree.pendingAttributes.removeSubrange(mark...)
        let isData = name.name == "Data"
        // A literal Name is present whether or not the element is filled, so it is the key.
        let dataName = isData ? tree.attributes[first...].first(where: \.isName).flatMap { tree.literalText($0.items) }.map { tree.name(JSONKey($0)) } : nil
        tree.elements.append(BinXMLTree.Element(
            name: tree.name(name), attributes: first..<tree.attributes.count, children: children,
            hole: tree.hole(children), dataName: dataName, elementCount: tree.elementCount(children), isData: isData,
            distinctAttributes: tree.distinctNames(first..<tree.attributes.count), distinctChildren: tree.distinctKeys(children)))
        return (tree.elements.count - 1, pos)
    }

    /// Content: values, substitutions, references and (not in an attribute) elements, up to
    /// the token that ends it (left for the caller). Its items go to the end of `tree.items`
    /// together, after those of elements within it.
    private mutating func content(
        at start: Int, depth: Int, attribute: Bool, nested: Bool, into tree: inout BinXMLTree.Builder
    ) throws(Malformed) -> (Range<Int>, Int) {
        var pos = start
        // As attributes: a stack shared with the content of elements within.
        let mark = tree.pending.count
        loop: while true {
            let token = try r(b.u8(pos))
            switch token & 0xBF {
            case 0x01 where !attribute:
                let (child, next) = try element(at: pos, depth: depth + 1, nested: nested, into: &tree)
                tree.pending.append(.element(child))
                pos = next
            case 0x05:
                let type = try r(b.u8(pos + 1))
                guard type == 0x01 else { throw Malformed("a value token of type 0x\(String(type, radix: 16)) at offset \(pos)") }
                let count = Int(try r(b.u16(pos + 2)))
                tree.pending.append(tree.literal(try r(b.utf16(pos + 4, count: count))))
                pos += 4 + count * 2
            case 0x0D, 0x0E:
                let id = Int(try r(b.u16(pos + 1)))
                _ = try r(b.u8(pos + 3))  // the value's type: each value says its own
                tree.pending.append(.substitution(id: id, optional: token == 0x0E))
                pos += 4
            case 0x07:
                let count = Int(try r(b.u16(pos + 1)))
                tree.pending.append(tree.literal(try r(b.utf16(pos + 3, count: count))))
                pos += 3 + count * 2
            case 0x08:
                let code = try r(b.u16(pos + 1))
                tree.pending.append(tree.literal(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}")))
                pos += 3
            case 0x09:
                tree.portable = false
                let entity = Int(try r(b.u32(pos + 1)))
                let text = try name(at: entity).name
                pos = try skipInlineName(entity, at: pos + 5)
                let expanded = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"][text] ?? "&\(text);"
                tree.pending.append(tree.literal(expanded))
            case 0x0A:
                tree.portable = false
                let target = Int(try r(b.u32(pos + 1)))
                pos = try skipInlineName(target, at: pos + 5)
            case 0x0B:
                let count = Int(try r(b.u16(pos + 1)))
                pos += 3 + count * 2
            default:
                break loop
            }
        }
        let first = tree.items.count
        tree.items += tree.pending[mark...]
        tree.pending.removeSubrange(mark...)
        return (first..<tree.items.count, pos)
    }

    /// A template instance: the template (inline the first time the chunk uses it), then the
    /// record's values, which fill its holes.
    private mutating func templateInstance(at start: Int, depth: Int) throws(Malformed) -> (BinXMLInstance, Int) {
        let definition = Int(try r(b.u32(start + 6)))
        var pos = start + 10
        if definition == pos {
            let size = Int(try r(b.u32(pos + 20)))
            pos += 24 + size
        }
        let template: BinXMLTree
        if let known = templates[definition] {
            // Its elements' JSON is kept for reuse from the template's second record on: many
            // templates serve one record of a chunk, and the memo would cost them more than
            // it saved.
            if known.memo == nil {
                template = BinXMLTree(known, reusing: b.bytes)
                template.memo?.bind(b.bytes, generation: generation)
                templates[definition] = template
                sharedHere[definition]?.tree = template
            } else {
                template = known
            }
        } else if defining == 0, let entry = shared.find(b, at: definition, depth: depth) {
            // Parsed in an earlier chunk: its memo (if it has one) starts afresh in this one.
            template = entry.tree
            template.memo?.bind(b.bytes, generation: generation)
            templates[definition] = template
            sharedHere[definition] = entry
        } else {
            let size = Int(try r(b.u32(definition + 20)))
            // The reused builder; a template defined inside this one gets a new one meanwhile.
            var built = BinXMLTree.Builder()
            swap(&built, &scratch)
            built.clear()
            defining += 1
            defer {
                swap(&built, &scratch)
                defining -= 1
            }
            try fragment(at: definition + 24, end: definition + 24 + size, depth: depth + 1, nested: false, into: &built)
            template = BinXMLTree(built)
            templates[definition] = template
            if defining == 1, let entry = shared.add(built, tree: template, b, at: definition, depth: depth) {
                sharedHere[definition] = entry
            }
        }
        let count = Int(try r(b.u32(pos)))
        guard count <= 4096 else { throw Malformed("a template instance with \(count) values") }
        pos += 4
        // Each value's size (u16) and type (u8), then a byte of padding; all must be there.
        let descriptors = pos
        if count > 0 { _ = try r(b.u8(descriptors + 4 * count - 2)) }
        pos += 4 * count
        // The values go to the record's slots, reserved first: a BinXML value among them is
        // read meanwhile, and its own instance's values go after.
        let own = defining > 0
        var kept: [BinXMLSlot] = []
        var keptFragments: [BinXMLInstance] = []
        let first = slots.count
        if own {
            kept.reserveCapacity(count)
        } else {
            // The record's values; a template's own (being defined) are read below.
            // One at a time: `append(contentsOf: repeatElement(...))` went through a generic copy
            // that cost more than the values.
            for _ in 0..<count { slots.append(BinXMLSlot(at: 0, size: 0, type: 0)) }
            // Then filled through a pointer (writing `slots[i]` checked the array's uniqueness
            // at each value), up to and with each BinXML value, which is parsed before the
            // next descriptor is read: in the order the tree reader read them, so a damaged
            // record reports the problem it reported (EvtxTests compares them). A BinXML value's
            // own values go after the record's, so the pointer is let go before it is parsed.
            let b = self.b
            var i = 0
            while i < count {
                (i, pos) = try slots.withUnsafeMutableBufferPointer { (slots) throws(Malformed) -> (Int, Int) in
                    var i = i, pos = pos
                    do throws(EvtxRaw.OutOfRange) {
                        while i < count {
                            let size = Int(try b.u16(descriptors + 4 * i))
                            let type = try b.u8(descriptors + 4 * i + 2)
                            _ = try b.slice(pos, size)  // the value must be within the chunk
                            slots[first + i] = BinXMLSlot(at: pos, size: size, type: type)
                            pos += size
                            i += 1
                            if type == 0x21 { break }
                        }
                    } catch {
                        throw Malformed("a read past the chunk's end")
                    }
                    return (i, pos)
                }
                let last = first + i - 1
                guard slots[last].type == 0x21 else { continue }
                let at = Int(slots[last].at), size = Int(slots[last].size)
                let inner = size == 0
                    ? BinXMLInstance(tree: BinXMLTree(BinXMLTree.Builder()))
                    : try record(at: at, end: at + size, depth: depth + 1, nested: true)
                slots[last].fragment = Int32(truncatingIfNeeded: fragments.count)
                fragments.append(inner)
            }
            return (BinXMLInstance(tree: template, first: first, count: count), pos)
        }
        for i in 0..<count {
            let size = Int(try r(b.u16(descriptors + 4 * i)))
            let type = try r(b.u8(descriptors + 4 * i + 2))
            _ = try r(b.slice(pos, size))  // the value must be within the chunk
            // Values are decoded when the JSON is written (`BinXMLJSON.Values.value`), and only
            // if they are: a value whose element's JSON is reused is never decoded. BinXML is
            // read now, so that what does not parse is found with the record.
            var slot = BinXMLSlot(at: pos, size: size, type: type)
            if type == 0x21 {
                let inner = size == 0
                    ? BinXMLInstance(tree: BinXMLTree(BinXMLTree.Builder()))
                    : try record(at: pos, end: pos + size, depth: depth + 1, nested: true)
                slot.fragment = Int32(truncatingIfNeeded: keptFragments.count)
                keptFragments.append(inner)
            }
            kept.append(slot)
            pos += size
        }
        return (BinXMLInstance(tree: template, own: kept, fragments: keptFragments), pos)
    }
}

/// Little-endian reads over a chunk's bytes, borrowed for as long as the chunk is parsed, that
/// never trap: a read past the end is an error the caller reports.
struct EvtxRaw {
    let bytes: UnsafeRawBufferPointer

    struct OutOfRange: Error {}

    var count: Int { bytes.count }

    @inline(__always)
    func u8(_ at: Int) throws(OutOfRange) -> UInt8 {
        guard at >= 0, at < bytes.count else { throw OutOfRange() }
        return bytes[at]
    }

    @inline(__always)
    func u16(_ at: Int) throws(OutOfRange) -> UInt16 {
        guard at >= 0, at <= bytes.count - 2 else { throw OutOfRange() }
        return bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian
    }

    @inline(__always)
    func u32(_ at: Int) throws(OutOfRange) -> UInt32 {
        guard at >= 0, at <= bytes.count - 4 else { throw OutOfRange() }
        return bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian
    }

    @inline(__always)
    func u64(_ at: Int) throws(OutOfRange) -> UInt64 {
        guard at >= 0, at <= bytes.count - 8 else { throw OutOfRange() }
        return bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian
    }

    func slice(_ at: Int, _ count: Int) throws(OutOfRange) -> UnsafeRawBufferPointer {
        guard at >= 0, count >= 0, count <= bytes.count, at <= bytes.count - count else { throw OutOfRange() }
        return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + count)])
    }

    /// Whether an element's start has the two-byte dependency id. Event logs written by some
    /// writers (Windows Event Collector's forwarded events) leave it out; the name's offset
    /// tells: it points just past itself when the name is inline, else back into the chunk at
    /// a name whose length fits.
    func hasDependencyID(_ start: Int) -> Bool {
        let b = self
        guard let withID = try? b.u32(start + 7), let without = try? b.u32(start + 5) else { return true }
        if Int(withID) == start + 11 { return true }
        if Int(without) == start + 9 { return false }
        func plausible(_ offset: UInt32) -> Bool {
            let o = Int(offset)
            guard o >= EvtxChunk.recordsStart, o < start, let count = try? b.u16(o + 6) else { return false }
            return count > 0 && o + 8 + Int(count) * 2 <= b.count
        }
        return plausible(withID) || !plausible(without)
    }

    /// `count` UTF-16 code units from `at`, as a string (unpaired surrogates become U+FFFD).
    func utf16(_ at: Int, count: Int) throws(OutOfRange) -> String {
        let (size, overflow) = count.multipliedReportingOverflow(by: 2)
        guard !overflow else { throw OutOfRange() }
        return EvtxText.utf16(try slice(at, size))
    }
}
