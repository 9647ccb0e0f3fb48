import Glibc
import Model

/// A template (or a fragment's inline elements) as BinXML parsing leaves it: flat arrays of
/// elements, attributes and content items that index each other. A template is parsed once per
/// chunk; each record only decodes its values and writes JSON by walking this with them
/// (`BinXMLJSON`), so no per-record tree is built.
///
/// Elements, attributes and items are plain data (names, literal text and inner instances sit
/// in side tables, referred to by position): walking them for every record then copies no
/// references, which would each cost a retain and a release.
final class BinXMLTree {
    // Optional positions are stored as -1 for none: `Int?` fields pack unaligned, and
    // copying an element then stalled every read that followed (a store that cannot forward).
    struct Element {
        /// In `names`.
        var name: Int
        var attributes: Range<Int>
        var children: Range<Int>
        private var holeItem: Int
        private var dataNameIndex: Int
        private var knownElementCount: Int
        /// `Data`, whose `Name` attribute names its value in the JSON.
        var isData: Bool
        /// Its attributes' names differ, and so do its elements' keys (all known from the
        /// template): its JSON members go in without looking for a repeat.
        var distinctAttributes: Bool
        var distinctChildren: Bool

        init(name: Int, attributes: Range<Int>, children: Range<Int>, hole: Int?, dataName: Int?, elementCount: Int?,
             isData: Bool, distinctAttributes: Bool, distinctChildren: Bool) {
            self.name = name
            self.attributes = attributes
            self.children = children
            holeItem = hole ?? -1
            dataNameIndex = dataName ?? -1
            knownElementCount = elementCount ?? -1
            self.isData = isData
            self.distinctAttributes = distinctAttributes
            self.distinctChildren = distinctChildren
        }

        /// When the content is one hole (`<EventID>%1</EventID>`, most elements): that item,
        /// whose value is then the element's text without gathering.
        var hole: Int? { holeItem >= 0 ? holeItem : nil }
        /// A Data element whose first Name attribute is literal text: that name, in `names`.
        var dataName: Int? { dataNameIndex >= 0 ? dataNameIndex : nil }
        /// How many elements its content has, when the template alone says (no holes, which
        /// may hold elements, and no text): then writing it need not look through its content
        /// first.
        var elementCount: Int? { knownElementCount >= 0 ? knownElementCount : nil }
    }

    struct Attribute {
        /// In `names`.
        var name: Int
        var items: Range<Int>
        private var holeItem: Int
        var isName: Bool

        init(name: Int, isName: Bool, items: Range<Int>, hole: Int?) {
            self.name = name
            self.items = items
            holeItem = hole ?? -1
            self.isName = isName
        }

        /// When the value is one hole (`ProcessID="%4"`): that item.
        var hole: Int? { holeItem >= 0 ? holeItem : nil }
    }

    enum Item {
        case element(Int)
        /// In `literals`.
        case value(Int)
        /// A hole that the instance's value `id` fills; an optional one with no value goes.
        case substitution(id: Int, optional: Bool)
        /// A template instance inside a template or fragment, already filled; in `instances`.
        case instance(Int)
    }

    // Constants once built (a class's variables would be checked for exclusive access on
    // every read).
    let elements: [Element]
    let attributes: [Attribute]
    let items: [Item]
    /// The top level: elements and template instances, in order.
    let roots: [Item]
    /// Element and attribute names as JSON keys, their tags worked out once per chunk.
    let names: [JSONKey]
    let literals: [BinXMLValue]
    let instances: [BinXMLInstance]

    /// Each element's last JSON and the values it was made from (`BinXMLMemo`); nil for a tree
    /// that is not a template (its holes are never filled, and it serves one record).
    let memo: BinXMLMemo?

    /// Copies of the builder's arrays, just as large as they need to be (the builder is
    /// reused).
    init(_ b: Builder) {
        elements = Array(b.elements[...])
        attributes = Array(b.attributes[...])
        items = Array(b.items[...])
        roots = Array(b.roots[...])
        names = Array(b.names[...])
        literals = Array(b.literals[...])
        instances = Array(b.instances[...])
        memo = nil
    }

    /// The same template, sharing its arrays, whose elements' JSON is kept to be reused by the
    /// next record that fills them with the same bytes of `chunk`.
    init(_ t: BinXMLTree, reusing chunk: UnsafeRawBufferPointer) {
        elements = t.elements
        attributes = t.attributes
        items = t.items
        roots = t.roots
        names = t.names
        literals = t.literals
        instances = t.instances
        memo = BinXMLMemo(chunk: chunk, elements: t.elements, attributes: t.attributes, items: t.items)
    }

    /// What the parser appends to as it goes.
    struct Builder {
        var elements: [Element] = []
        var attributes: [Attribute] = []
        var items: [Item] = []
        var roots: [Item] = []
        var names: [JSONKey] = []
        var literals: [BinXMLValue] = []
        var instances: [BinXMLInstance] = []
        /// Content and attributes of the elements being parsed, not yet placed.
        var pending: [Item] = []
        var pendingAttributes: [Attribute] = []
        /// What the parse read beyond the bytes it went through, for `EvtxTemplateCache`: name
        /// offsets (where each is and what it holds), elements' starts and whether they had a
        /// dependency id, the deepest it went, the furthest byte it needed, and whether it
        /// read anything else outside (a template instance, an entity or a processing
        /// instruction's name), which keeps it from being shared.
        var nameFields: [(at: Int, offset: Int)] = []
        var elementStarts: [(at: Int, hasID: Bool)] = []
        var deepest = 0
        var reach = 0
        var portable = true

        mutating func name(_ key: JSONKey) -> Int {
            names.append(key)
            return names.count - 1
        }

        mutating func literal(_ text: String) -> Item {
            literals.append(.json(.string(text)))
            return .value(literals.count - 1)
        }

        /// The item of `items` when it is a lone hole.
        func hole(_ items: Range<Int>) -> Int? {
            guard items.count == 1, case .substitution = self.items[items.lowerBound] else { return nil }
            return items.lowerBound
        }

        /// The text of `items` when they are all literal (and there are some), else nil.
        func literalText(_ items: Range<Int>) -> String? {
            guard !items.isEmpty else { return nil }
            var text = ""
            for i in items {
                guard case .value(let v) = self.items[i] else { return nil }
                text += literals[v].plain
            }
            return text
        }

        /// Whether the element keys of `items` are all known now (no holes, which may hold
        /// elements; no unnamed Data, which gathers) and differ from each other and from
        /// `#attributes`.
        func distinctKeys(_ items: Range<Int>) -> Bool {
            var count = 0
            for i in items {
                switch self.items[i] {
                case .value: continue
                case .substitution, .instance: return false
                case .element(let e):
                    if elements[e].isData && elements[e].dataName == nil { return false }
                    if key(e).name == "#attributes" { return false }
                    count += 1
                }
            }
            guard count > 1 else { return true }
            guard count <= 64 else {
                var seen = Set<String>()
                for i in items { if case .element(let e) = self.items[i], !seen.insert(key(e).name).inserted { return false } }
                return true
            }
            for i in items {
                guard case .element(let a) = self.items[i] else { continue }
                for j in items.lowerBound..<i {
                    if case .element(let b) = self.items[j], key(b).name == key(a).name { return false }
                }
            }
            return true
        }

        /// An element's key in its parent's JSON (the Data name when it has one).
        private func key(_ e: Int) -> JSONKey { names[elements[e].dataName ?? elements[e].name] }

        /// `Element.elementCount`.
        func elementCount(_ items: Range<Int>) -> Int? {
            for i in items {
                guard case .element = self.items[i] else { return nil }
            }
            return items.count
        }

        /// Whether the attributes' names differ: pairwise, as elements have a few at most (a set
        /// beyond).
        func distinctNames(_ range: Range<Int>) -> Bool {
            guard range.count > 1 else { return true }
            guard range.count <= 64 else {
                var seen = Set<String>()
                return range.allSatisfy { seen.insert(names[attributes[$0].name].name).inserted }
            }
            for i in range {
                for j in range.lowerBound..<i where names[attributes[j].name].name == names[attributes[i].name].name { return false }
            }
            return true
        }

        /// Empty again, keeping the room: the parser reuses one builder for the templates of a
        /// chunk, and each tree takes copies of just what it holds.
        mutating func clear() {
            elements.removeAll(keepingCapacity: true)
            attributes.removeAll(keepingCapacity: true)
            items.removeAll(keepingCapacity: true)
            roots.removeAll(keepingCapacity: true)
            names.removeAll(keepingCapacity: true)
            literals.removeAll(keepingCapacity: true)
            instances.removeAll(keepingCapacity: true)
            pending.removeAll(keepingCapacity: true)
            pendingAttributes.removeAll(keepingCapacity: true)
            nameFields.removeAll(keepingCapacity: true)
            elementStarts.removeAll(keepingCapacity: true)
            deepest = 0
            reach = 0
            portable = true
        }

        mutating func instance(_ i: BinXMLInstance) -> Item {
            instances.append(i)
            return .instance(instances.count - 1)
        }
    }
}

/// A tree with the values that fill its holes; none for elements outside any template, whose
/// holes (if any) stay empty and whose attributes all stay.
struct BinXMLInstance {
    let tree: BinXMLTree
    /// Values read while a template was being defined, kept with it (they outlive the record),
    /// and the BinXML values among them.
    let own: [BinXMLSlot]?
    let ownFragments: [BinXMLInstance]
    /// Else `count` of the record's values (`BinXML.slots`) from `first`; `count` -1 for none.
    let first: Int
    let count: Int

    init(tree: BinXMLTree) {
        self.tree = tree
        own = nil
        ownFragments = []
        first = 0
        count = -1
    }

    init(tree: BinXMLTree, own: [BinXMLSlot], fragments: [BinXMLInstance]) {
        self.tree = tree
        self.own = own
        ownFragments = fragments
        first = 0
        count = own.count
    }

    init(tree: BinXMLTree, first: Int, count: Int) {
        self.tree = tree
        own = nil
        ownFragments = []
        self.first = first
        self.count = count
    }

    /// Calls `body` with this instance's values among the record's (`slots`), nil when it has
    /// none, and the BinXML values they point at.
    @inline(__always)
    func withValues<R>(
        in slots: UnsafeBufferPointer<BinXMLSlot>, _ fragments: UnsafeBufferPointer<BinXMLInstance>,
        _ body: (UnsafeBufferPointer<BinXMLSlot>?, UnsafeBufferPointer<BinXMLInstance>) -> R
    ) -> R {
        if let own {
            return own.withUnsafeBufferPointer { values in ownFragments.withUnsafeBufferPointer { body(values, $0) } }
        }
        // Positions the parser gave out for this record; checked all the same, so a mistake
        // leaves holes empty rather than reading out of bounds.
        guard count >= 0, first >= 0, first <= slots.count, count <= slots.count - first else { return body(nil, fragments) }
        return body(UnsafeBufferPointer(rebasing: slots[first..<(first + count)]), fragments)
    }
}

/// A substitution value: where its bytes are in the chunk and its type (the same bytes of the
/// same type are the same value, which is what lets an element's JSON be reused), and for
/// BinXML, the instance it holds. Plain data, so the record's slots cost no reference counting.
struct BinXMLSlot {
    var at: Int32
    var size: UInt16
    var type: UInt8
    /// Where its instance is among the record's (or the template's) BinXML values; -1 for none.
    var fragment: Int32 = -1

    /// Within a chunk (64 KiB) and a u16 size, so the narrow fields hold them.
    init(at: Int, size: Int, type: UInt8) {
        self.at = Int32(truncatingIfNeeded: at)
        self.size = UInt16(truncatingIfNeeded: size)
        self.type = type
    }
}

/// Each template element's JSON as last written, with the bytes of the values it was made
/// from. An element's JSON depends only on its template and on the values of the holes within
/// it, so the next record whose values there are byte for byte the same (an event's Provider,
/// its Execution, `xmlns`, a Security UserID: most of System, record after record) shares it
/// instead of building it again: each object it saves is an allocation, and a free when the
/// record goes, which were most of the reader's time.
///
/// Storage is by pointer, allocated once per template: it changes on every record, and a
/// class's arrays would be checked for exclusive access and uniqueness at each write.
final class BinXMLMemo {
    /// A value as the key holds it: where its bytes are, their count and its type; `size` -1
    /// when the record has no value for that hole.
    struct Key {
        var at: Int32 = 0
        var size: Int32 = -1
        var type: UInt8 = 0
    }

    /// The chunk its keys' offsets are in, and which chunk of the file that is: a template
    /// shared across chunks (`EvtxTemplateCache`) takes its memo along, which forgets what it
    /// kept when it comes to another chunk. Held by pointer, as the rest.
    private let chunk: UnsafeMutablePointer<UnsafeRawPointer?>
    private let generation: UnsafeMutablePointer<Int>
    /// Per element: where its holes' ids start in `ids` and how many; `count` -1 when its JSON
    /// cannot be reused (a template instance inside it, whose values are not the record's).
    let first: [Int32]
    let count: [Int32]
    /// The holes of each element (attributes and elements within included), distinct, sorted.
    let ids: [Int]
    private let json: UnsafeMutablePointer<JSONValue?>
    private let keys: UnsafeMutablePointer<Key>
    /// Per element, misses in a row: an element that changes with every record (System, with
    /// its record id and time) stops being compared and kept after a few, and is tried again
    /// after a couple of hundred records.
    private let misses: UnsafeMutablePointer<UInt8>
    private let elementCount: Int
    private let idCount: Int

    init(chunk: UnsafeRawBufferPointer, elements: [BinXMLTree.Element], attributes: [BinXMLTree.Attribute], items: [BinXMLTree.Item]) {
        self.chunk = .allocate(capacity: 1)
        self.chunk.initialize(to: chunk.baseAddress)
        generation = .allocate(capacity: 1)
        generation.initialize(to: -1)
        var first = [Int32](repeating: 0, count: elements.count)
        var count = [Int32](repeating: -1, count: elements.count)
        var ids: [Int] = []
        // One scratch list for every element, sorted in place by insertion (a few holes
        // each): this runs for every template of every chunk, and arrays or sets per element
        // made it cost more mallocs than the records that use the template.
        var found: [Int] = []
        for e in elements.indices {
            found.removeAll(keepingCapacity: true)
            guard BinXMLMemo.collect(e, depth: 0, elements, attributes, items, into: &found) else { continue }
            var unique = 0
            for i in found.indices {
                let id = found[i]
                var j = unique
                while j > 0, found[j - 1] > id { j -= 1 }
                if j > 0, found[j - 1] == id { continue }
                var k = unique
                while k > j {
                    found[k] = found[k - 1]
                    k -= 1
                }
                found[j] = id
                unique += 1
            }
            first[e] = Int32(truncatingIfNeeded: ids.count)
            count[e] = Int32(truncatingIfNeeded: unique)
            ids += found[0..<unique]
        }
        self.first = first
        self.count = count
        self.ids = ids
        elementCount = elements.count
        idCount = ids.count
        json = .allocate(capacity: max(elementCount, 1))
        json.initialize(repeating: nil, count: elementCount)
        keys = .allocate(capacity: max(idCount, 1))
        keys.initialize(repeating: Key(), count: idCount)
        misses = .allocate(capacity: max(elementCount, 1))
        misses.initialize(repeating: 0, count: elementCount)
    }

    /// Whether element `e`'s JSON is worth looking up and keeping this time.
    @inline(__always)
    func worthTrying(_ e: Int) -> Bool {
        let c = misses[e]
        if c < 8 { return true }
        misses[e] = c &+ 1  // from 255 back to 0: tried again
        return false
    }

    /// Appends the holes within `e` to `found`; false when its JSON cannot be reused. (A
    /// static function: a nested one capturing `found` cost a heap box per template.)
    private static func collect(
        _ e: Int, depth: Int, _ elements: [BinXMLTree.Element], _ attributes: [BinXMLTree.Attribute], _ items: [BinXMLTree.Item],
        into found: inout [Int]
    ) -> Bool {
        guard depth <= BinXML.deepest else { return false }
        for a in elements[e].attributes where !scan(attributes[a].items, depth, elements, attributes, items, into: &found) { return false }
        return scan(elements[e].children, depth, elements, attributes, items, into: &found)
    }

    private static func scan(
        _ range: Range<Int>, _ depth: Int, _ elements: [BinXMLTree.Element], _ attributes: [BinXMLTree.Attribute], _ items: [BinXMLTree.Item],
        into found: inout [Int]
    ) -> Bool {
        for i in range {
            switch items[i] {
            case .value: continue
            case .substitution(let id, _): found.append(id)
            case .instance: return false
            case .element(let c): if !collect(c, depth: depth + 1, elements, attributes, items, into: &found) { return false }
            }
        }
        return true
    }

    deinit {
        json.deinitialize(count: elementCount)
        json.deallocate()
        keys.deinitialize(count: idCount)
        keys.deallocate()
        misses.deallocate()
        chunk.deallocate()
        generation.deallocate()
    }

    /// Makes the memo's keys offsets in `chunk`, the file's chunk `generation`: what it kept
    /// from another chunk goes.
    func bind(_ chunk: UnsafeRawBufferPointer, generation: Int) {
        guard self.generation.pointee != generation else { return }
        if self.generation.pointee != -1 {
            for e in 0..<elementCount {
                json[e] = nil
                misses[e] = 0
            }
        }
        self.chunk.pointee = chunk.baseAddress
        self.generation.pointee = generation
    }

    /// Element `e`'s JSON when the values of its holes are the bytes they were last time.
    @inline(__always)
    func reused(_ e: Int, _ values: UnsafeBufferPointer<BinXMLSlot>) -> JSONValue? {
        unchanged(e, values) ? json[e] : nil
    }

    /// Whether element `e` has JSON kept and the values of its holes are the bytes it was made
    /// from (`reused` without taking a copy of the JSON).
    @inline(__always)
    func unchanged(_ e: Int, _ values: UnsafeBufferPointer<BinXMLSlot>) -> Bool {
        let n = Int(count[e])
        guard n >= 0, json[e] != nil else { return false }
        let start = Int(first[e])
        for k in 0..<n {
            let id = ids[start + k]
            let key = keys[start + k]
            guard id < values.count else {
                if key.size == -1 { continue }
                return false
            }
            let v = values[id]
            guard key.type == v.type, key.size == Int32(v.size), v.type != 0x21 else { return false }
            if key.at == v.at || v.size == 0 { continue }
            guard let base = chunk.pointee,
                  memcmp(base + Int(key.at), base + Int(v.at), Int(v.size)) == 0 else { return false }
        }
        misses[e] = 0
        return true
    }

    /// Whether element `e`'s JSON can be kept at all (no template instance inside it).
    @inline(__always)
    func reusable(_ e: Int) -> Bool { count[e] >= 0 }

    /// Element `e`'s JSON as last kept, whatever values it was made from, taken out of the
    /// memo (which holds none for `e` until the next `keep`).
    @inline(__always)
    func take(_ e: Int) -> JSONValue? { json[e].take() }

    /// Keeps `value` as element `e`'s JSON for these values (not when one is BinXML, whose
    /// bytes may point at templates defined in place).
    @inline(__always)
    func keep(_ e: Int, _ values: UnsafeBufferPointer<BinXMLSlot>, _ value: JSONValue) {
        let n = Int(count[e])
        guard n >= 0 else { return }
        misses[e] &+= 1
        let start = Int(first[e])
        for k in 0..<n {
            let id = ids[start + k]
            if id < values.count {
                let v = values[id]
                if v.type == 0x21 {
                    json[e] = nil
                    return
                }
                keys[start + k] = Key(at: v.at, size: Int32(v.size), type: v.type)
            } else {
                keys[start + k] = Key()
            }
        }
        json[e] = value
    }
}

/// A substitution value (or literal text): as JSON, or as it was typed when its text is not
/// its JSON's, or BinXML (a fragment, usually another template instance such as an event's
/// EventData). Values are turned into JSON once, when read, not at each use.
enum BinXMLValue {
    /// Text, integers, booleans, null: its text is `plain`'s of this JSON.
    case json(JSONValue)
    /// Reals and arrays, whose text (`EvtxJSON.plain`) is not their JSON's.
    case typed(EvtxValue)
    case fragment(BinXMLInstance)

    /// `EvtxJSON.json`'s conversion, taking the value's string rather than sharing it.
    init(_ v: consuming EvtxValue) {
        switch consume v {
        case .null: self = .json(.null)
        case .string(let s), .text(let s): self = .json(.string(s))
        case .int(let n): self = .json(.int(n))
        // An unsigned beyond Int64 is its digits in JSON as in text.
        case .uint(let n): self = .json(n <= UInt64(Int64.max) ? .int(Int64(n)) : .string(String(n)))
        case .bool(let b): self = .json(.bool(b))
        case .double(let d): self = .typed(.double(d))
        case .array(let a): self = .typed(.array(a))
        }
    }

    /// `EvtxJSON.json` of the value.
    var json: JSONValue {
        switch self {
        case .json(let j): j
        case .typed(let v): EvtxJSON.json(v)
        case .fragment: .null
        }
    }

    /// `EvtxJSON.plain` of the value.
    var plain: String {
        switch self {
        case .json(let j):
            switch j {
            case .string(let s): s
            case .int(let n): String(n)
            case .bool(let b): b ? "true" : "false"
            default: ""
            }
        case .typed(let v): EvtxJSON.plain(v)
        case .fragment: ""
        }
    }

    var isNull: Bool {
        if case .json(.null) = self { return true }
        return false
    }
}
