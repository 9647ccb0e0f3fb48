import Foundation
import Model

/// What BinXML builds: elements with attributes and content, where content and attribute
/// values are values or, in a template, substitutions filled in per record.
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

/// BinXML, the binary XML of an EVTX record, parsed within its chunk. Templates (an event's
/// XML with numbered holes) are parsed once per chunk and filled with each record's values.
struct BinXML {
    let b: EvtxBytes
    private var templates: [Int: [XNode]] = [:]
    private var names: [Int: String] = [:]
    /// Elements within elements, templates and BinXML values within values: at most this deep,
    /// so crafted input cannot exhaust the stack.
    static let deepest = 128

    struct Malformed: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    init(_ b: EvtxBytes) { self.b = b }

    /// The nodes of a fragment from `at` to its end-of-fragment token (or `end`).
    mutating func fragment(at: Int, end: Int, depth: Int = 0, nested: Bool = false) throws -> [XNode] {
        guard depth <= BinXML.deepest else { throw Malformed("BinXML nested more than \(BinXML.deepest) deep") }
        var pos = at
        var out: [XNode] = []
        while pos < end {
            let token = try r { try b.u8(pos) }
            switch token & 0xBF {
            case 0x00: return out
            case 0x0F: pos += 4  // fragment header: token, major, minor, flags
            case 0x0C:
                let (nodes, next) = try templateInstance(at: pos, depth: depth)
                out += nodes
                pos = next
            case 0x01:
                let (element, next) = try self.element(at: pos, depth: depth, nested: nested)
                out.append(.element(element))
                pos = next
            default:
                throw Malformed("token 0x\(String(token, radix: 16)) at offset \(pos) where an element or template was expected")
            }
        }
        return out
    }

    /// Whether an element's start has the two-byte dependency id. Event logs written by some
    /// writers (Windows Event Collector's forwarded events) leave it out; the name's offset
    /// tells: it points just past itself when the name is inline, else back into the chunk at
    /// a name whose length fits.
    private func hasDependencyID(_ start: Int) -> Bool {
        guard let withID = try? b.u32(start + 7), let without = try? b.u32(start + 5) else { return true }
        if Int(withID) == start + 11 { return true }
        if Int(without) == start + 9 { return false }
        func plausible(_ offset: UInt32) -> Bool {
            let o = Int(offset)
            guard o >= EvtxChunk.recordsStart, o < start, let count = try? b.u16(o + 6) else { return false }
            return count > 0 && o + 8 + Int(count) * 2 <= b.bytes.count
        }
        return plausible(withID) || !plausible(without)
    }

    private func r<T>(_ read: () throws -> T) throws -> T {
        do { return try read() } catch { throw Malformed("a read past the chunk's end") }
    }

    /// A name by its offset in the chunk: unknown u32, hash u16, count u16, UTF-16, NUL.
    private mutating func name(at offset: Int) throws -> String {
        if let known = names[offset] { return known }
        let count = Int(try r { try b.u16(offset + 6) })
        let name = try r { try b.utf16(offset + 8, count: count) }
        names[offset] = name
        return name
    }

    /// Skips a name written inline (where its offset points at the bytes that follow).
    private func skipInlineName(_ offset: Int, at pos: Int) throws -> Int {
        guard offset == pos else { return pos }
        let count = Int(try r { try b.u16(pos + 6) })
        return pos + 8 + count * 2 + 2
    }

    /// An element: token, a dependency id (not in BinXML that is a substitution's value), its
    /// size, its name's offset (the name inline when it points just past), attributes, content.
    private mutating func element(at start: Int, depth: Int, nested: Bool) throws -> (XElement, Int) {
        guard depth <= BinXML.deepest else { throw Malformed("elements nested more than \(BinXML.deepest) deep") }
        let token = try r { try b.u8(start) }
        let head = nested || !hasDependencyID(start) ? 9 : 11
        let nameOffset = Int(try r { try b.u32(start + head - 4) })
        var pos = try skipInlineName(nameOffset, at: start + head)
        var element = XElement(name: try name(at: nameOffset), attributes: [], children: [])
        if token & 0x40 != 0 {
            pos += 4  // the attribute list's size
            while true {
                let t = try r { try b.u8(pos) }
                guard t & 0xBF == 0x06 else { break }
                let attributeName = Int(try r { try b.u32(pos + 1) })
                pos = try skipInlineName(attributeName, at: pos + 5)
                let (value, next) = try content(at: pos, depth: depth, attribute: true, nested: nested)
                element.attributes.append((try name(at: attributeName), value))
                pos = next
                if t & 0x40 == 0 { break }
            }
        }
        let close = try r { try b.u8(pos) }
        switch close {
        case 0x03: return (element, pos + 1)
        case 0x02:
            let (children, next) = try content(at: pos + 1, depth: depth, attribute: false, nested: nested)
            element.children = children
            guard try r({ try b.u8(next) }) == 0x04 else { throw Malformed("an element at offset \(start) is not closed") }
            return (element, next + 1)
        default:
            throw Malformed("token 0x\(String(close, radix: 16)) at offset \(pos) where an element's start closes")
        }
    }

    /// Content: values, substitutions, references and (not in an attribute) elements, up to
    /// the token that ends it (left for the caller).
    private mutating func content(at start: Int, depth: Int, attribute: Bool, nested: Bool) throws -> ([XNode], Int) {
        var pos = start
        var out: [XNode] = []
        while true {
            let token = try r { try b.u8(pos) }
            switch token & 0xBF {
            case 0x01 where !attribute:
                let (child, next) = try element(at: pos, depth: depth + 1, nested: nested)
                out.append(.element(child))
                pos = next
            case 0x05:
                let type = try r { try b.u8(pos + 1) }
                guard type == 0x01 else { throw Malformed("a value token of type 0x\(String(type, radix: 16)) at offset \(pos)") }
                let count = Int(try r { try b.u16(pos + 2) })
                out.append(.value(.string(try r { try b.utf16(pos + 4, count: count) })))
                pos += 4 + count * 2
            case 0x0D, 0x0E:
                let id = Int(try r { try b.u16(pos + 1) })
                out.append(.substitution(id: id, type: try r { try b.u8(pos + 3) }, optional: token == 0x0E))
                pos += 4
            case 0x07:
                let count = Int(try r { try b.u16(pos + 1) })
                out.append(.value(.string(try r { try b.utf16(pos + 3, count: count) })))
                pos += 3 + count * 2
            case 0x08:
                let code = try r { try b.u16(pos + 1) }
                out.append(.value(.string(String(UnicodeScalar(code).map(Character.init) ?? "\u{FFFD}"))))
                pos += 3
            case 0x09:
                let entity = Int(try r { try b.u32(pos + 1) })
                let text = try name(at: entity)
                pos = try skipInlineName(entity, at: pos + 5)
                let expanded = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"][text] ?? "&\(text);"
                out.append(.value(.string(expanded)))
            case 0x0A:
                let target = Int(try r { try b.u32(pos + 1) })
                pos = try skipInlineName(target, at: pos + 5)
            case 0x0B:
                let count = Int(try r { try b.u16(pos + 1) })
                pos += 3 + count * 2
            default:
                return (out, pos)
            }
        }
    }

    /// A template instance: the template (inline the first time the chunk uses it), then the
    /// record's values, which fill its holes.
    private mutating func templateInstance(at start: Int, depth: Int) throws -> ([XNode], Int) {
        let definition = Int(try r { try b.u32(start + 6) })
        var pos = start + 10
        if definition == pos {
            let size = Int(try r { try b.u32(pos + 20) })
            pos += 24 + size
        }
        let template: [XNode]
        if let known = templates[definition] {
            template = known
        } else {
            let size = Int(try r { try b.u32(definition + 20) })
            template = try fragment(at: definition + 24, end: definition + 24 + size, depth: depth + 1)
            templates[definition] = template
        }
        let count = Int(try r { try b.u32(pos) })
        guard count <= 4096 else { throw Malformed("a template instance with \(count) values") }
        pos += 4
        var descriptors: [(size: Int, type: UInt8)] = []
        for i in 0..<count {
            descriptors.append((Int(try r { try b.u16(pos + 4 * i) }), try r { try b.u8(pos + 4 * i + 2) }))
        }
        pos += 4 * count
        var values: [[XNode]] = []
        for d in descriptors {
            let data = try r { try b.slice(pos, d.size) }
            if d.type == 0x21 {
                values.append(d.size == 0 ? [] : try fragment(at: pos, end: pos + d.size, depth: depth + 1, nested: true))
            } else {
                values.append([.value(EvtxValues.decode(type: d.type, Array(data)))])
            }
            pos += d.size
        }
        return (BinXML.fill(template, values), pos)
    }

    /// The template with each hole filled; an optional hole with no value goes.
    static func fill(_ nodes: [XNode], _ values: [[XNode]]) -> [XNode] {
        nodes.flatMap { node -> [XNode] in
            switch node {
            case .value: return [node]
            case .substitution(let id, _, let optional):
                guard values.indices.contains(id) else { return [] }
                let value = values[id]
                // An optional hole with no value (type null) goes; an empty string stays.
                if optional, value.isEmpty || value.allSatisfy({ if case .value(.null) = $0 { true } else { false } }) { return [] }
                return value
            case .element(var e):
                e.attributes = e.attributes.compactMap { a in
                    let filled = fill(a.value, values)
                    return filled.isEmpty ? nil : (a.name, filled)
                }
                e.children = fill(e.children, values)
                return [.element(e)]
            }
        }
    }
}
