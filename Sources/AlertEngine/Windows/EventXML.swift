/// The XML of one Windows event as text (`<Event xmlns=...><System>...</System><EventData>
/// <Data Name='Image'>...</Data></EventData></Event>`), as Splunk's XmlWinEventLog, Windows
/// Event Forwarding and Sysmon for Linux write it, read into the same nodes as BinXML so that
/// `EvtxJSON` turns both into one JSON shape.
///
/// Only what event XML uses: elements, attributes in either quote, text, CDATA, the five named
/// entities and numeric character references. Declarations, comments and processing
/// instructions are skipped. Nesting is bounded, and anything else is an error with its offset.
enum EventXML {
    struct Failure: Error, Sendable {
        var reason: String
    }

    static let maxDepth = 64

    /// The elements of the text (usually one `Event`).
    static func parse(_ text: String) throws(Failure) -> [XNode] {
        var p = Parser(bytes: Array(text.utf8))
        return try p.nodes(until: nil, depth: 0)
    }

    /// Whether a text starts like event XML (after blanks, an optional declaration).
    static func looksLikeEvent(_ text: Substring) -> Bool {
        // XML's blanks, and CRLF: "\r\n" is one Character, equal to neither "\r" nor "\n".
        func blank(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" }
        var s = text.drop { blank($0) || $0 == "\u{FEFF}" }
        if s.hasPrefix("<?xml"), let end = s.range(of: "?>") {
            s = s[end.upperBound...].drop(while: blank)
        }
        return s.hasPrefix("<Event>") || s.hasPrefix("<Event ")
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func fail(_ what: String) -> Failure { Failure(reason: "event XML: \(what) at byte \(i)") }

        /// Nodes up to the closing tag of `parent` (or the end when nil).
        mutating func nodes(until parent: String?, depth: Int) throws(Failure) -> [XNode] {
            guard depth <= EventXML.maxDepth else { throw fail("elements nest deeper than \(EventXML.maxDepth)") }
            var out: [XNode] = []
            var text: [UInt8] = []
            func flush() {
                if !text.isEmpty, !text.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) {
                    out.append(.value(.text(String(decoding: text, as: UTF8.self))))
                }
                text = []
            }
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "&") {
                    text += try entity()
                    continue
                }
                guard c == UInt8(ascii: "<") else {
                    text.append(c)
                    i += 1
                    continue
                }
                if starts("<![CDATA[") {
                    i += 9
                    guard let end = find("]]>") else { throw fail("a CDATA section does not end") }
                    text += bytes[i..<end]
                    i = end + 3
                    continue
                }
                if starts("<!--") {
                    guard let end = find("-->") else { throw fail("a comment does not end") }
                    i = end + 3
                    continue
                }
                if starts("<?") || starts("<!") {
                    guard let end = find(">") else { throw fail("a declaration does not end") }
                    i = end + 1
                    continue
                }
                if starts("</") {
                    i += 2
                    let name = self.name()
                    skipBlanks()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("a closing tag does not end") }
                    i += 1
                    guard name == parent else {
                        throw fail("</\(name)> closes \(parent.map { "<\($0)>" } ?? "nothing")")
                    }
                    flush()
                    return out
                }
                flush()
                out.append(.element(try element(depth: depth)))
            }
            if let parent { throw fail("<\(parent)> is not closed") }
            flush()
            return out
        }

        mutating func element(depth: Int) throws(Failure) -> XElement {
            i += 1
            let name = self.name()
            guard !name.isEmpty else { throw fail("a tag has no name") }
            var attributes: [(name: String, value: [XNode])] = []
            while true {
                skipBlanks()
                guard i < bytes.count else { throw fail("<\(name) does not end") }
                if bytes[i] == UInt8(ascii: "/") {
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw fail("a stray / in <\(name)>") }
                    i += 2
                    return XElement(name: name, attributes: attributes, children: [])
                }
                if bytes[i] == UInt8(ascii: ">") {
                    i += 1
                    let children = try nodes(until: name, depth: depth + 1)
                    return XElement(name: name, attributes: attributes, children: children)
                }
                let attribute = self.name()
                guard !attribute.isEmpty else { throw fail("an attribute of <\(name)> has no name") }
                skipBlanks()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("attribute \(attribute) has no value") }
                i += 1
                skipBlanks()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw fail("attribute \(attribute)'s value is not quoted")
                }
                let quote = bytes[i]
                i += 1
                var value: [UInt8] = []
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == UInt8(ascii: "&") {
                        value += try entity()
                    } else {
                        value.append(bytes[i])
                        i += 1
                    }
                }
                guard i < bytes.count else { throw fail("attribute \(attribute)'s value does not end") }
                i += 1
                // Namespace declarations are not data.
                if attribute == "xmlns" || attribute.hasPrefix("xmlns:") { continue }
                attributes.append((attribute, [.value(.text(String(decoding: value, as: UTF8.self)))]))
            }
        }

        /// `&amp;` and the rest, `&#65;`, `&#x41;`: the bytes they stand for.
        mutating func entity() throws(Failure) -> [UInt8] {
            guard let end = find(";"), end - i <= 12 else { throw fail("an & starts no entity") }
            let body = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
            i = end + 1
            switch body {
            case "amp": return [UInt8(ascii: "&")]
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var code: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    code = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    code = UInt32(body.dropFirst())
                }
                guard let code, let scalar = Unicode.Scalar(code) else { throw fail("&\(body); is not an entity event XML uses") }
                return Array(String(Character(scalar)).utf8)
            }
        }

        mutating func name() -> String {
            let start = i
            while i < bytes.count {
                let c = bytes[i]
                if c == 32 || c == 9 || c == 10 || c == 13 || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") || c == UInt8(ascii: "=") { break }
                i += 1
            }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func skipBlanks() {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        }

        func starts(_ s: StaticString) -> Bool {
            let n = s.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            return s.withUTF8Buffer { buffer in
                for k in 0..<n where bytes[i + k] != buffer[k] { return false }
                return true
            }
        }

        func find(_ s: StaticString) -> Int? {
            let n = s.utf8CodeUnitCount
            guard n > 0, bytes.count >= n else { return nil }
            return s.withUTF8Buffer { buffer -> Int? in
                var k = i
                while k + n <= bytes.count {
                    if bytes[k] == buffer[0] {
                        var all = true
                        for j in 1..<n where bytes[k + j] != buffer[j] {
                            all = false
                            break
                        }
                        if all { return k }
                    }
                    k += 1
                }
                return nil
            }
        }
    }
}
