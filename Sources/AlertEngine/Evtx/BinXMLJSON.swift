import Model

/// A record's JSON written straight from its template and values, in the shape `EvtxJSON`
/// gives an event's XML tree (evtx_dump's): the same rules, with each hole resolved as it is
/// met instead of filling a copy of the template first. Filling is: a hole is its value (a
/// BinXML value is that fragment's elements); an optional hole whose value is null goes, as
/// does an attribute left with nothing; elements outside a template are not filled.
enum BinXMLJSON {
    /// What the parser read for the record: every instance's values (`BinXML.slots`), which
    /// instances refer to by position, and the chunk they are decoded from, as they are used.
    struct Record {
        let slots: UnsafeBufferPointer<BinXMLSlot>
        let fragments: UnsafeBufferPointer<BinXMLInstance>
        let chunk: UnsafeRawBufferPointer
        /// The parser's, borrowed while the record is written.
        let cache: UnsafeMutablePointer<EvtxValueCache>
    }

    /// An instance's values (nil outside any template), and the record's.
    struct Values {
        let slots: UnsafeBufferPointer<BinXMLSlot>?
        /// The BinXML values the slots point at.
        let fragments: UnsafeBufferPointer<BinXMLInstance>
        let record: Record

        /// A slot's value: BinXML as the parser read it, anything else decoded now.
        @inline(__always)
        func value(_ slot: BinXMLSlot) -> BinXMLValue {
            if slot.type == 0x21 {
                let f = Int(slot.fragment)
                return f >= 0 && f < fragments.count ? .fragment(fragments[f]) : .json(.null)
            }
            // What the cache keeps is text, whose BinXMLValue is its JSON.
            if EvtxValueCache.worthKeeping(type: slot.type, size: Int(slot.size)) { return .json(json(slot)) }
            return BinXMLValue(EvtxValues.decode(type: slot.type, UnsafeRawBufferPointer(rebasing: record.chunk[Int(slot.at)..<(Int(slot.at) + Int(slot.size))])))
        }

        /// The JSON of a slot that is not BinXML (`value(slot).json`, without wrapping it):
        /// most holes are filled with this.
        @inline(__always)
        func json(_ slot: BinXMLSlot) -> JSONValue {
            let type = slot.type
            return record.cache.pointee.value(type: type, at: Int(slot.at), size: Int(slot.size), in: record.chunk) {
                EvtxJSON.json(taking: EvtxValues.decode(type: type, $0))
            }
        }
    }

    static func document(_ body: BinXMLInstance, _ record: Record) -> JSONValue {
        var o = JSONObject()
        roots(body, record) { t, e, v in add(t, e, v, to: &o) }
        return .object(o)
    }

    /// The top-level elements of an instance, those of instances within it included.
    static func roots(_ instance: BinXMLInstance, _ record: Record, _ element: (BinXMLTree, Int, Values) -> Void) {
        instance.withValues(in: record.slots, record.fragments) { slots, fragments in
            let values = Values(slots: slots, fragments: fragments, record: record)
            for root in instance.tree.roots {
                switch root {
                case .element(let e): element(instance.tree, e, values)
                case .instance(let inner): roots(instance.tree.instances[inner], record, element)
                case .value, .substitution: break
                }
            }
        }
    }

    /// Content as filled: each element and value, in order.
    static func walk(
        _ items: Range<Int>, _ t: BinXMLTree, _ values: Values,
        element: (BinXMLTree, Int, Values) -> Void, value: (BinXMLValue) -> Void
    ) {
        for i in items {
            switch t.items[i] {
            case .element(let e): element(t, e, values)
            case .value(let v): value(t.literals[v])
            case .substitution(let id, let optional):
                guard let slots = values.slots, id < slots.count else { continue }
                let v = values.value(slots[id])
                if case .fragment(let f) = v {
                    roots(f, values.record, element)
                } else if !(optional && v.isNull) {
                    value(v)
                }
            case .instance(let inner): roots(t.instances[inner], values.record, element)
            }
        }
    }

    /// Text content being gathered: one value keeps its type, several join as text.
    struct Text {
        var count = 0
        var first = BinXMLValue.json(.null)
        var joined = ""

        mutating func add(_ v: BinXMLValue) {
            if count == 0 {
                first = v
            } else {
                if count == 1 { joined = first.plain }
                joined += v.plain
            }
            count += 1
        }

        /// `EvtxJSON.contentValue`. (Spelled out: JSONValue takes `nil` as a literal, so a
        /// conditional expression's `nil` would be `.null`.)
        var json: JSONValue? {
            if count == 0 { return Optional<JSONValue>.none }
            return count == 1 ? first.json : .string(joined)
        }
        /// `EvtxJSON.text`.
        var plain: String { count == 0 ? "" : count == 1 ? first.plain : joined }
    }

    /// An attribute's value when filling leaves it (something in it), else nil.
    static func attribute(_ a: BinXMLTree.Attribute, _ t: BinXMLTree, _ values: Values) -> Text? {
        var text = Text()
        var present = values.slots == nil
        walk(a.items, t, values, element: { _, _, _ in present = true }, value: {
            present = true
            text.add($0)
        })
        return present ? text : nil
    }

    static let attributesKey = JSONKey("#attributes")
    static let textKey = JSONKey("#text")

    /// `EvtxJSON.add`: `Data Name="X"` is `"X": value`; unnamed Data gathers under `#text`; a
    /// repeated name gets `_1`, `_2`.
    static func add(_ t: BinXMLTree, _ e: Int, _ values: Values, to o: inout JSONObject, distinct: Bool = false) {
        let el = t.elements[e]
        var key = t.names[el.name]
        var value: JSONValue
        if let name = el.dataName {
            key = t.names[name]
            value = content(el, t, values)
        } else if el.isData {
            var named: Text?
            var anyAttribute = false
            for i in el.attributes {
                guard let text = attribute(t.attributes[i], t, values) else { continue }
                anyAttribute = true
                if t.attributes[i].isName {
                    named = text
                    break
                }
            }
            var elements = 0
            var content = Text()
            walk(el.children, t, values, element: { _, _, _ in elements += 1 }, value: { content.add($0) })
            if let named {
                key = JSONKey(named.plain)
                value = content.json ?? .null
            } else if !anyAttribute, elements == 0 {
                // Unnamed data (a classic event's message inserts) keeps its text under #text,
                // and the inserts of one event gather there in order.
                let text = content.json ?? .string("")
                if case .object(let existing)? = o["Data"], let earlier = existing["#text"] {
                    let all: [JSONValue] = (earlier.arrayValue ?? [earlier]) + (text.arrayValue ?? [text])
                    o["Data"] = .object(["#text": .array(all)])
                    return
                }
                value = .object(["#text": text])
            } else {
                value = json(t, e, values)
            }
        } else {
            value = json(t, e, values)
        }
        if distinct {
            o.append(distinct: key, value)
            return
        }
        if o.insert(key, value) { return }
        var n = 0
        var unique: String
        repeat {
            n += 1
            unique = "\(key.name)_\(n)"
        } while o[unique] != nil
        o[unique] = value
    }

    /// The value of a lone hole, or nil when it is BinXML (elements, not text).
    static func hole(_ item: Int, _ t: BinXMLTree, _ values: Values) -> JSONValue?? {
        guard case .substitution(let id, let optional) = t.items[item] else { return .none }
        guard let slots = values.slots, id < slots.count else { return .some(.none) }
        let slot = slots[id]
        let j: JSONValue
        if slot.type == 0x21 {
            // BinXML (elements, not text); one the parser did not keep is null, as `value` has it.
            let f = Int(slot.fragment)
            if f >= 0 && f < values.fragments.count { return .none }
            j = .null
        } else {
            j = values.json(slot)
        }
        if optional, case .null = j { return .some(.none) }
        return .some(.some(j))
    }

    /// An element's text content as JSON (`contentValue(children) ?? null`).
    static func content(_ el: BinXMLTree.Element, _ t: BinXMLTree, _ values: Values) -> JSONValue {
        if let item = el.hole, let v = hole(item, t, values) { return v ?? .null }
        var content = Text()
        walk(el.children, t, values, element: { _, _, _ in }, value: { content.add($0) })
        return content.json ?? .null
    }

    /// An attribute's JSON value, nil when filling leaves nothing in it.
    static func attributeValue(_ a: BinXMLTree.Attribute, _ t: BinXMLTree, _ values: Values) -> JSONValue? {
        if values.slots != nil, let item = a.hole, let v = hole(item, t, values) {
            return v
        }
        guard let text = attribute(a, t, values) else { return Optional<JSONValue>.none }
        return .some(text.json ?? .null)
    }

    /// `EvtxJSON.json` of an element: its text alone when it has neither attributes nor
    /// elements, else an object with `#attributes`, its elements and `#text`.
    static func json(_ t: BinXMLTree, _ e: Int, _ values: Values) -> JSONValue {
        let el = t.elements[e]
        if el.attributes.isEmpty, let item = el.hole, let v = hole(item, t, values) { return v ?? .null }
        guard let memo = t.memo, let slots = values.slots else { return build(t, e, el, values) }
        if el.attributes.isEmpty, el.distinctChildren, let n = el.elementCount, n > 0, memo.reusable(e) {
            return patched(t, e, el, values, memo, slots)
        }
        guard memo.worthTrying(e) else { return build(t, e, el, values) }
        if let same = memo.reused(e, slots) { return same }
        let made = build(t, e, el, values)
        memo.keep(e, slots, made)
        return made
    }

    /// `json` of an element of elements alone, each with a key of its own (System, EventData):
    /// its last JSON with the members whose elements' values changed made again, the others
    /// shared. System changes with every record (its record id and time), so it was made anew
    /// each time, though a dozen of its fourteen members were the same as the last record's.
    /// The memo keeps each child's JSON and values as it keeps any element's (`keep`), so a
    /// child is the same when `unchanged` says so, and the element's last JSON holds those
    /// children's JSON. (Giving up on elements most of whose children change, as Sysmon's
    /// EventData, was tried: it saved nothing there and cost Security events 6 %.)
    private static func patched(
        _ t: BinXMLTree, _ e: Int, _ el: BinXMLTree.Element, _ values: Values, _ memo: BinXMLMemo, _ slots: UnsafeBufferPointer<BinXMLSlot>
    ) -> JSONValue {
        // Taken out of the memo, so that when the last record's tree is gone (a reader that
        // hands each record over and drops it) the members are replaced in place, not copied.
        if case .object(var o)? = memo.take(e), o.count == el.children.count {
            for (k, i) in el.children.enumerated() {
                guard case .element(let c) = t.items[i] else { continue }
                if memo.unchanged(c, slots) { continue }
                let v = child(t, c, values)
                memo.keep(c, slots, v)
                o.setValue(v, at: k)
            }
            let made = JSONValue.object(o)
            memo.keep(e, slots, made)
            return made
        }
        let made = build(t, e, el, values)
        guard case .object(let o) = made, o.count == el.children.count else { return made }
        for (k, i) in el.children.enumerated() {
            guard case .element(let c) = t.items[i] else { continue }
            memo.keep(c, slots, o.value(at: k))
        }
        memo.keep(e, slots, made)
        return made
    }

    /// The value `addDistinct` gives element `c`.
    private static func child(_ t: BinXMLTree, _ c: Int, _ values: Values) -> JSONValue {
        t.elements[c].isData ? content(t.elements[c], t, values) : json(t, c, values)
    }

    /// `json` made anew.
    private static func build(_ t: BinXMLTree, _ e: Int, _ el: BinXMLTree.Element, _ values: Values) -> JSONValue {
        var elements = el.elementCount ?? 0
        var content = Text()
        if el.elementCount == nil {
            walk(el.children, t, values, element: { _, _, _ in elements += 1 }, value: { content.add($0) })
        }
        var attributes = JSONObject()
        var anyAttribute = false
        for i in el.attributes {
            guard let value = attributeValue(t.attributes[i], t, values) else { continue }
            if !anyAttribute { attributes = JSONObject(capacity: el.attributes.count) }
            anyAttribute = true
            if el.distinctAttributes {
                attributes.append(distinct: t.names[t.attributes[i].name], value)
            } else {
                set(t.names[t.attributes[i].name], value, in: &attributes)
            }
        }
        if !anyAttribute, elements == 0 { return content.json ?? .null }
        // Just the room it takes: each record's objects stay in memory with it.
        let text = content.json
        var o = JSONObject(capacity: elements + (anyAttribute ? 1 : 0) + (text == nil ? 0 : 1))
        if anyAttribute { o.append(distinct: attributesKey, .object(attributes)) }
        if elements > 0 {
            if el.distinctChildren {
                addDistinct(el.children, t, values, to: &o)
            } else {
                walk(el.children, t, values, element: { add($0, $1, $2, to: &o) }, value: { _ in })
            }
        }
        if let text { set(textKey, text, in: &o) }
        return .object(o)
    }

    /// `add` of each element of `items`, whose keys the template says differ: such content is
    /// only elements and literal text (`Builder.distinctKeys`), so no hole here holds elements.
    /// An element that is not Data (System's) and a `Data Name="X"` filled by one hole (every
    /// field of a Sysmon event) go straight in, without copying the element or walking its
    /// content.
    private static func addDistinct(_ items: Range<Int>, _ t: BinXMLTree, _ values: Values, to o: inout JSONObject) {
        for i in items {
            guard case .element(let e) = t.items[i] else { continue }
            if !t.elements[e].isData {
                o.append(distinct: t.names[t.elements[e].name], json(t, e, values))
            } else if let name = t.elements[e].dataName, let item = t.elements[e].hole, let v = hole(item, t, values) {
                o.append(distinct: t.names[name], v ?? .null)
            } else {
                add(t, e, values, to: &o, distinct: true)
            }
        }
    }

    /// `o[key] = value`: added, or replacing the value of a key there already.
    static func set(_ key: JSONKey, _ value: JSONValue, in o: inout JSONObject) {
        if !o.insert(key, value) { o[key.name] = value }
    }
}
