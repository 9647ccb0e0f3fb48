/// A JSON document as taser handles it: normalized signal fields, custom fields, log entry data,
/// export documents. Integers stay exact (`int`); objects print with sorted keys, so the same
/// value always has the same text, which the case log's hashes rely on.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public subscript(key: JSONKey) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONValue.format(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o.dictionary }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Compact canonical text: no whitespace, keys sorted by their UTF-8 bytes.
    public var text: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func write(to out: inout String) {
        out += text
    }

    /// Canonical JSON as bytes: the ingest path writes every signal's fields this way, and
    /// appending bytes is several times cheaper than appending to a `String`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let i): JSONValue.digits(i, into: &out)
        case .double(let d): out += JSONValue.format(d).utf8
        case .string(let s): JSONValue.quote(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                v.encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            // String order: byte order for the ASCII keys vendors use, and consistent with the
            // object's own notion of which keys are equal for the rest.
            for (n, i) in o.sortedIndices.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.quote(o.members[i].key, into: &out)
                out.append(UInt8(ascii: ":"))
                o.members[i].value.encode(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Indented text for people (exports, `--json` documents meant to be read).
    public func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let a) where !a.isEmpty:
            return "[\n" + a.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o) where !o.isEmpty:
            return "{\n" + o.sorted.map { inner + JSONValue.quoted($0.key) + ": " + $0.value.pretty(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return text
        }
    }

    /// An integer's decimal text, as `String(i)` spells it, written straight into `out`.
    static func digits(_ i: Int64, into out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = i.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var k = 20
            repeat {
                k -= 1
                buffer[k] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[k..<20]))
        }
    }

    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        quote(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// JSON string escaping per RFC 8259: quote, backslash and control characters.
    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most values need no escaping: copied whole. Scanned through a buffer pointer, since a
        // generic walk of `utf8` costs more than the rest of encoding a signal's fields.
        let copied = s.utf8.withContiguousStorageIfAvailable { b in
            guard !b.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.append(contentsOf: b)
            return true
        }
        if copied == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        let hex: StaticString = "0123456789abcdef"
        func escaped(_ c: Character) {
            out.append(UInt8(ascii: "\\"))
            out.append(c.asciiValue!)
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): escaped("\"")
            case UInt8(ascii: "\\"): escaped("\\")
            case 0x0A: escaped("n")
            case 0x0D: escaped("r")
            case 0x09: escaped("t")
            case ..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex.utf8Start[Int(b >> 4)])
                out.append(hex.utf8Start[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (key, value) in elements { o[key] = value }
        self = .object(o)
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// An object from a dictionary: how code builds one (fields, exports).
    public static func object(_ dictionary: [String: JSONValue]) -> JSONValue { .object(JSONObject(dictionary)) }

    public init(_ s: String?) { self = s.map { .string($0) } ?? .null }
    public init(_ i: Int64?) { self = i.map { .int($0) } ?? .null }
    public init(_ t: Timestamp?) { self = t.map { .string($0.iso8601) } ?? .null }
}

/// Codable as its canonical text (one string), so a value crosses the daemon's wire exactly as
/// taser prints and hashes it: integers stay exact and keys keep their order.
extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try JSONValue.parse(text)
        } catch {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not JSON: \(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
