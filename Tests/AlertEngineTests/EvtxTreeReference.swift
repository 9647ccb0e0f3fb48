import Foundation
import Model
@testable import AlertEngine

// The EVTX reader as it was (its BinXML, values and chunk loop, unchanged but for names), kept
// to check that the reader that writes JSON from templates gives the same records and problems.

enum TreeEvtx {
    /// Every record of a whole file's bytes.
    static func read(_ bytes: [UInt8]) -> EvtxFile.Read {
        var out = EvtxFile.Read()
        guard EvtxFile.looksLikeEvtx(bytes) else {
            out.problems.append("not an EVTX file (no ElfFile signature)")
            return out
        }
        var offset = EvtxFile.headerSize
        var index = 0
        let inUse = EvtxFile.chunksInUse(header: bytes)
        while offset < bytes.count {
            // A file still being written may end inside its last chunk: that chunk is read to
            // its last complete record.
            let available = min(EvtxFile.chunkSize, bytes.count - offset)
            var chunk = Array(bytes[offset..<(offset + available)])
            if available < EvtxFile.chunkSize { chunk += [UInt8](repeating: 0, count: EvtxFile.chunkSize - available) }
            if EvtxFile.isUnused(chunk, index: index, inUse: inUse) {
                offset += available
                index += 1
                continue
            }
            let got = TreeEvtx.chunk(chunk, index: index, available: available)
            out.records += got.records
            out.problems += got.problems
            offset += available
            index += 1
        }
        return out
    }

    static func chunk(_ chunk: [UInt8], index: Int, available: Int = EvtxFile.chunkSize) -> EvtxFile.Read {
        var out = EvtxFile.Read()
        let b = EvtxBytes(bytes: chunk)
        guard chunk.count == EvtxFile.chunkSize, available >= EvtxChunk.recordsStart, Array(chunk.prefix(8)) == EvtxChunk.magic else {
            // An all-zero chunk is space the log has not used yet, not damage.
            if !chunk.allSatisfy({ $0 == 0 }) { out.problems.append("chunk \(index): no ElfChnk signature; skipped") }
            return out
        }
        guard let free = try? Int(b.u32(48)), let headerCRC = try? b.u32(124), let dataCRC = try? b.u32(52) else { return out }
        let whole = available >= EvtxFile.chunkSize
        if whole, TreeCRC.of(chunk[0..<120], chunk[128..<512]) != headerCRC {
            out.problems.append("chunk \(index): its header checksum does not match; its records are read as far as they parse")
        }
        let end = min(max(free, EvtxChunk.recordsStart), chunk.count, max(available, EvtxChunk.recordsStart))
        if whole, TreeCRC.of(chunk[EvtxChunk.recordsStart..<end]) != dataCRC {
            out.problems.append("chunk \(index): its records' checksum does not match; its records are read as far as they parse")
        }
        var parser = TreeBinXML(b)
        var offset = EvtxChunk.recordsStart
        while offset + 28 <= end {
            guard let signature = try? b.u32(offset), signature == EvtxChunk.recordMagic, let size32 = try? b.u32(offset + 4) else {
                out.problems.append("chunk \(index): no record signature at offset \(offset); the rest of the chunk is skipped")
                break
            }
            let size = Int(size32)
            guard size >= 28, offset + size <= end else {
                out.problems.append("chunk \(index): a record at offset \(offset) claims \(size) bytes, past the chunk's end; the rest is skipped")
                break
            }
            do {
                let id = try b.u64(offset + 8)
                let written = EvtxValues.timestamp(filetime: try b.u64(offset + 16))
                let nodes = try parser.fragment(at: offset + 24, end: offset + size - 4)
                out.records.append(EvtxFile.Record(id: id, written: written, event: EvtxJSON.document(nodes)))
            } catch {
                out.problems.append("chunk \(index): the record at offset \(offset) does not parse (\(error)); skipped")
            }
            offset += size
        }
        return out
    }
}

/// Little-endian reads that never trap: a read past the end is an error the caller reports.
struct EvtxBytes {
    let bytes: [UInt8]

    struct OutOfRange: Error {}

    func u8(_ at: Int) throws -> UInt8 {
        guard at >= 0, at < bytes.count else { throw OutOfRange() }
        return bytes[at]
    }

    func u16(_ at: Int) throws -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { throw OutOfRange() }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    func u32(_ at: Int) throws -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { throw OutOfRange() }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[at + i]) << (8 * UInt32(i)) }
        return v
    }

    func u64(_ at: Int) throws -> UInt64 {
        guard at >= 0, at + 8 <= bytes.count else { throw OutOfRange() }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }

    func slice(_ at: Int, _ count: Int) throws -> ArraySlice<UInt8> {
        guard at >= 0, count >= 0, count <= bytes.count, at <= bytes.count - count else { throw OutOfRange() }
        return bytes[at..<(at + count)]
    }

    /// `count` UTF-16 code units from `at`, as a string (unpaired surrogates become U+FFFD).
    func utf16(_ at: Int, count: Int) throws -> String {
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: 2)
        guard !overflow else { throw OutOfRange() }
        let raw = try slice(at, bytesNeeded)
        var units: [UInt16] = []
        units.reserveCapacity(count)
        var i = raw.startIndex
        while i < raw.endIndex {
            units.append(UInt16(raw[i]) | UInt16(raw[i + 1]) << 8)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// CRC-32 (IEEE), as the EVTX header and chunk checksums use.
enum TreeCRC {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func of(_ parts: ArraySlice<UInt8>...) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for part in parts {
            for b in part { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}

/// The reader as it was before templates were written to JSON directly: BinXML parsed into a
/// tree of `XNode`s, each template filled per record, then `EvtxJSON` over the tree.
struct TreeBinXML {
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
        guard depth <= TreeBinXML.deepest else { throw Malformed("BinXML nested more than \(TreeBinXML.deepest) deep") }
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
        guard depth <= TreeBinXML.deepest else { throw Malformed("elements nested more than \(TreeBinXML.deepest) deep") }
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
                values.append([.value(TreeValues.decode(type: d.type, Array(data)))])
            }
            pos += d.size
        }
        return (TreeBinXML.fill(template, values), pos)
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

/// Substitution values by their BinXML type (libyal's value types). A value shorter than its
/// type needs is null, not a trap.
enum TreeValues {
    static func decode(type: UInt8, _ data: [UInt8]) -> EvtxValue {
        if type & 0x80 != 0 { return array(of: type & 0x7F, data) }
        let b = EvtxBytes(bytes: data)
        switch type {
        case 0x00: return .null
        case 0x01: return .string(trimmed(String(decoding: units(data), as: UTF16.self)))  // empty stays ""

        case 0x02: return .string(trimmed(String(decoding: data, as: UTF8.self)))
        case 0x03: return (try? b.u8(0)).map { .int(Int64(Int8(bitPattern: $0))) } ?? .null
        case 0x04: return (try? b.u8(0)).map { .int(Int64($0)) } ?? .null
        case 0x05: return (try? b.u16(0)).map { .int(Int64(Int16(bitPattern: $0))) } ?? .null
        case 0x06: return (try? b.u16(0)).map { .int(Int64($0)) } ?? .null
        case 0x07: return (try? b.u32(0)).map { .int(Int64(Int32(bitPattern: $0))) } ?? .null
        case 0x08: return (try? b.u32(0)).map { .int(Int64($0)) } ?? .null
        case 0x09: return (try? b.u64(0)).map { .int(Int64(bitPattern: $0)) } ?? .null
        case 0x0A: return (try? b.u64(0)).map { .uint($0) } ?? .null
        case 0x0B: return (try? b.u32(0)).map { .double(Double(Float(bitPattern: $0))) } ?? .null
        case 0x0C: return (try? b.u64(0)).map { .double(Double(bitPattern: $0)) } ?? .null
        case 0x0D: return (try? b.u32(0)).map { .bool($0 != 0) } ?? .null
        case 0x0E: return .text(data.map { hex2($0) }.joined())
        case 0x0F: return guid(data).map { .text($0) } ?? .null
        case 0x10: return data.count == 8 ? ((try? b.u64(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null)
            : ((try? b.u32(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null)
        case 0x11: return (try? b.u64(0)).map { .text(iso(filetime: $0)) } ?? .null
        case 0x12: return systemTime(data).map { .text($0) } ?? .null
        case 0x13: return sid(data).map { .text($0) } ?? .null
        case 0x14: return (try? b.u32(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null
        case 0x15: return (try? b.u64(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null
        default: return .text(data.map { hex2($0) }.joined())
        }
    }

    static func array(of type: UInt8, _ data: [UInt8]) -> EvtxValue {
        if type == 0x01 {
            // NUL-separated UTF-16 strings.
            let parts = units(data).split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF16.self) }
            return .array((parts.last == "" ? parts.dropLast() : parts[...]).map { .string($0) })
        }
        let sizes: [UInt8: Int] = [0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8, 0x0A: 8, 0x0B: 4, 0x0C: 8, 0x0D: 4,
                                    0x0F: 16, 0x11: 8, 0x12: 16, 0x14: 4, 0x15: 8]
        guard let size = sizes[type] else { return decode(type: 0x0E, data) }
        return .array(stride(from: 0, to: data.count - data.count % size, by: size).map { decode(type: type, Array(data[$0..<($0 + size)])) })
    }

    static func units(_ data: [UInt8]) -> [UInt16] {
        stride(from: 0, to: data.count - data.count % 2, by: 2).map { UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8 }
    }

    static func trimmed(_ s: String) -> String {
        var s = s
        while s.hasSuffix("\0") { s.removeLast() }
        return s
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    static func guid(_ d: [UInt8]) -> String? {
        guard d.count == 16 else { return nil }
        let first = [d[3], d[2], d[1], d[0]], second = [d[5], d[4]], third = [d[7], d[6]]
        let parts = [first, second, third, Array(d[8..<10]), Array(d[10..<16])]
        return parts.map { $0.map(hex2).joined() }.joined(separator: "-")
    }

    static func sid(_ d: [UInt8]) -> String? {
        guard d.count >= 8 else { return nil }
        let count = Int(d[1])
        guard d.count >= 8 + 4 * count else { return nil }
        var authority: UInt64 = 0
        for i in 2..<8 { authority = authority << 8 | UInt64(d[i]) }
        var out = "S-\(d[0])-\(authority)"
        for i in 0..<count {
            let at = 8 + 4 * i
            out += "-\(UInt32(d[at]) | UInt32(d[at + 1]) << 8 | UInt32(d[at + 2]) << 16 | UInt32(d[at + 3]) << 24)"
        }
        return out
    }

    /// `2017-12-26T13:10:29.136879Z`: microseconds, as evtx_dump writes them.
    static func iso(filetime: UInt64) -> String {
        let seconds = Int64(clamping: filetime / 10_000_000) - 11_644_473_600
        let micros = Int((filetime % 10_000_000) / 10)
        var t = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return "0x" + String(filetime, radix: 16) }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    static func systemTime(_ d: [UInt8]) -> String? {
        guard d.count >= 16 else { return nil }
        let v = units(d)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(v[0]), Int(v[1]), Int(v[3]), Int(v[4]), Int(v[5]), Int(v[6]), Int(v[7]))
    }
}
