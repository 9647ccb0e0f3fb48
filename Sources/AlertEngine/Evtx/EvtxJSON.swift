import Model

/// An event's XML as a tree: elements with attributes and content. Event XML written as text
/// (`EventXML`) is read into it; BinXML is not (it is written to JSON from its templates,
/// `BinXMLJSON`), but comes out in the same JSON shape.
indirect enum XNode: Sendable {
    case element(XElement)
    case value(EvtxValue)
    case substitution(id: Int, type: UInt8, optional: Bool)
}

struct XElement: Sendable {
    var name: String
    var attributes: [(name: String, value: [XNode])]
    var children: [XNode]
}

/// A record's XML as the JSON evtx_dump writes: an element with only text is its value; one
/// with attributes gets `#attributes` (and `#text`); `<Data Name="X">v</Data>` is `"X": v`; a
/// name that repeats gets `_1`, `_2` after it; an empty element is null.
enum EvtxJSON {
    static func document(_ nodes: [XNode]) -> JSONValue {
        var o = JSONObject()
        for case .element(let e) in nodes { add(e, to: &o) }
        return .object(o)
    }

    static func add(_ e: XElement, to o: inout JSONObject) {
        var key = e.name
        var value = json(e)
        if e.name == "Data", let name = e.attributes.first(where: { $0.name == "Name" }) {
            key = text(name.value)
            value = contentValue(e.children) ?? .null
        } else if e.name == "Data", e.attributes.isEmpty, !e.children.contains(where: { if case .element = $0 { true } else { false } }) {
            // Unnamed data (a classic event's message inserts) keeps its text under #text, and
            // the inserts of one event gather there in order.
            let text = contentValue(e.children) ?? ""
            if case .object(let existing)? = o["Data"], let earlier = existing["#text"] {
                let all: [JSONValue] = (earlier.arrayValue ?? [earlier]) + (text.arrayValue ?? [text])
                o["Data"] = .object(["#text": .array(all)])
                return
            }
            value = .object(["#text": text])
        }
        var unique = key
        var n = 0
        while o[unique] != nil {
            n += 1
            unique = "\(key)_\(n)"
        }
        o[unique] = value
    }

    static func json(_ e: XElement) -> JSONValue {
        let elements = e.children.compactMap { if case .element(let c) = $0 { c } else { nil } }
        let content = contentValue(e.children)
        if e.attributes.isEmpty && elements.isEmpty { return content ?? .null }
        var o = JSONObject()
        if !e.attributes.isEmpty {
            var attributes = JSONObject()
            for a in e.attributes { attributes[a.name] = contentValue(a.value) ?? .null }
            o["#attributes"] = .object(attributes)
        }
        for child in elements { add(child, to: &o) }
        if let content { o["#text"] = content }
        return .object(o)
    }

    /// The text content: one value as its own type, several joined as text, none nil.
    static func contentValue(_ nodes: [XNode]) -> JSONValue? {
        let values = nodes.compactMap { if case .value(let v) = $0 { v } else { nil } }
        switch values.count {
        case 0: return nil
        case 1: return json(values[0])
        default: return .string(values.map(plain).joined())
        }
    }

    static func text(_ nodes: [XNode]) -> String {
        nodes.compactMap { if case .value(let v) = $0 { plain(v) } else { nil } }.joined()
    }

    static func json(_ v: EvtxValue) -> JSONValue {
        switch v {
        case .null: .null
        case .string(let s), .text(let s): .string(s)
        case .int(let n): .int(n)
        case .uint(let n): n <= UInt64(Int64.max) ? .int(Int64(n)) : .string(String(n))
        case .double(let d): .double(d)
        case .bool(let b): .bool(b)
        // A one-element array is its element, as evtx_dump writes it.
        case .array(let a): a.count == 1 ? json(a[0]) : .array(a.map { json($0) })
        }
    }

    /// `json(v)`, taking the value's string rather than sharing it (a retain, and a release
    /// when the value goes).
    static func json(taking v: consuming EvtxValue) -> JSONValue {
        switch consume v {
        case .null: .null
        case .string(let s), .text(let s): .string(s)
        case .int(let n): .int(n)
        case .bool(let b): .bool(b)
        case .double(let d): .double(d)
        case .uint(let n): json(.uint(n))
        case .array(let a): json(.array(a))
        }
    }

    static func plain(_ v: EvtxValue) -> String {
        switch v {
        case .null: ""
        case .string(let s), .text(let s): s
        case .int(let n): String(n)
        case .uint(let n): String(n)
        case .double(let d): String(d)
        case .bool(let b): b ? "true" : "false"
        case .array(let a): a.map(plain).joined(separator: ",")
        }
    }
}
