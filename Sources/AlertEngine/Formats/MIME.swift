import Foundation

/// A small RFC 5322 / MIME reader for email alerts: enough to get the envelope headers, the text
/// and HTML bodies and the attachments (with their decoded bytes) out of a message, not a mail
/// client. Lenient: broken parts are skipped rather than failing the message.
struct MIMEPart {
    /// Unfolded headers in order, values as written (encoded words not yet decoded).
    var headers: [(name: String, value: String)]
    var body: Substring

    init(_ text: Substring) {
        var headers: [(name: String, value: String)] = []
        var i = text.startIndex
        var current: (name: String, value: String)? = nil
        var bodyStart = text.endIndex
        while i < text.endIndex {
            let lineEnd = text[i...].firstIndex(of: "\n") ?? text.endIndex
            var line = text[i..<lineEnd]
            if line.hasSuffix("\r") { line = line.dropLast() }
            let next = lineEnd < text.endIndex ? text.index(after: lineEnd) : text.endIndex
            if line.isEmpty {
                bodyStart = next
                break
            }
            if line.first == " " || line.first == "\t" {
                // Folding: the line break goes, the whitespace stays.
                if current != nil { current!.value += line }
            } else if let colon = line.firstIndex(of: ":"), colon != line.startIndex, !line[..<colon].contains(" ") {
                if let c = current { headers.append(c) }
                current = (String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                           String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            i = next
        }
        if let c = current { headers.append(c) }
        self.headers = headers
        self.body = text[bodyStart...]
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    func all(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    /// `type/subtype` lowercased (default `text/plain`) and its parameters.
    var contentType: (type: String, params: [String: String]) {
        guard let value = header("Content-Type") else { return ("text/plain", [:]) }
        let parsed = MIME.parameterized(value)
        return (parsed.value.isEmpty || !parsed.value.contains("/") ? "text/plain" : parsed.value, parsed.params)
    }

    var disposition: (type: String, params: [String: String]) {
        guard let value = header("Content-Disposition") else { return ("", [:]) }
        let parsed = MIME.parameterized(value)
        return (parsed.value, parsed.params)
    }

    var transferEncoding: String {
        (header("Content-Transfer-Encoding") ?? "7bit").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The file name a part gives itself, decoded: `Content-Disposition: filename` or
    /// `Content-Type: name`.
    var filename: String? {
        let name = disposition.params["filename"] ?? contentType.params["name"]
        guard let name, !name.isEmpty else { return nil }
        return MIME.decodeWords(name)
    }

    /// The body's bytes after Content-Transfer-Encoding.
    var decodedBody: [UInt8] {
        switch transferEncoding {
        case "base64": MIME.base64(body)
        case "quoted-printable": MIME.quotedPrintable(body)
        default: Array(body.utf8)
        }
    }
}

enum MIME {
    /// What the walk of a message collects.
    struct Content {
        struct Attachment { var name: String?; var mimeType: String; var bytes: [UInt8] }
        var plain: [String] = []
        var html: [String] = []
        var attachments: [Attachment] = []
    }

    /// Walks a part: multiparts recurse by boundary, attached messages (message/rfc822) are
    /// read as messages of their own (a reported phish is usually forwarded as one), text parts
    /// without a file name are bodies, everything else is an attachment.
    static func walk(_ part: MIMEPart, into content: inout Content, depth: Int = 0) {
        guard depth < 32 else { return }
        let (type, params) = part.contentType
        if type.hasPrefix("multipart/") {
            guard let boundary = params["boundary"], !boundary.isEmpty else {
                content.plain.append(String(part.body))
                return
            }
            for sub in split(part.body, boundary: boundary) { walk(MIMEPart(sub), into: &content, depth: depth + 1) }
            return
        }
        let bytes = part.decodedBody
        if type == "message/rfc822" || type == "message/global" {
            walk(MIMEPart(Substring(String(decoding: bytes, as: UTF8.self))), into: &content, depth: depth + 1)
            return
        }
        let filename = part.filename
        let isAttachment = part.disposition.type.lowercased() == "attachment" || filename != nil || !type.hasPrefix("text/")
        if isAttachment {
            content.attachments.append(.init(name: filename, mimeType: type, bytes: bytes))
            return
        }
        let text = decode(bytes, charset: params["charset"])
        if type == "text/html" { content.html.append(text) } else if type == "text/plain" { content.plain.append(text) }
    }

    /// The parts between `--boundary` lines, up to `--boundary--`; preamble and epilogue dropped.
    /// The line break before a boundary belongs to the boundary (RFC 2046).
    static func split(_ body: Substring, boundary: String) -> [Substring] {
        let delimiter = "--" + boundary
        var parts: [Substring] = []
        var partStart: Substring.Index? = nil
        var i = body.startIndex
        while i < body.endIndex {
            let lineEnd = body[i...].firstIndex(of: "\n") ?? body.endIndex
            var line = body[i..<lineEnd]
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line = line.dropLast() }
            if line.hasPrefix(delimiter) {
                let tail = line.dropFirst(delimiter.count)
                if tail.isEmpty || tail == "--" {
                    if let s = partStart {
                        var end = i
                        if end > s, body[body.index(before: end)] == "\n" { end = body.index(before: end) }
                        if end > s, body[body.index(before: end)] == "\r" { end = body.index(before: end) }
                        parts.append(body[s..<max(s, end)])
                    }
                    if tail == "--" { return parts }
                    partStart = lineEnd < body.endIndex ? body.index(after: lineEnd) : body.endIndex
                }
            }
            i = lineEnd < body.endIndex ? body.index(after: lineEnd) : body.endIndex
        }
        if let s = partStart, s < body.endIndex { parts.append(body[s...]) }  // no closing delimiter
        return parts
    }

    // MARK: Header values

    /// `value; name=token; name="quoted"` with RFC 2231 `name*=charset'lang'%XX` and
    /// continuations (`name*0=`, `name*1*=`). Names lowercased; the value lowercased too.
    static func parameterized(_ header: String) -> (value: String, params: [String: String]) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for ch in header {
            if escaped { current.append(ch); escaped = false; continue }
            if quoted && ch == "\\" { current.append(ch); escaped = true; continue }
            if ch == "\"" { quoted.toggle() }
            if ch == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        pieces.append(current)
        let value = pieces.removeFirst().trimmingCharacters(in: .whitespaces).lowercased()
        var plain: [String: String] = [:]
        var sections: [String: [(n: Int, extended: Bool, text: String)]] = [:]
        for piece in pieces {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var v = piece[piece.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if v.hasPrefix("\"") {
                v = String(v.dropFirst())
                if v.hasSuffix("\"") { v = String(v.dropLast()) }
                var unescaped = ""
                var esc = false
                for ch in v {
                    if esc { unescaped.append(ch); esc = false } else if ch == "\\" { esc = true } else { unescaped.append(ch) }
                }
                v = unescaped
            }
            guard !name.isEmpty else { continue }
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                let spec = name[name.index(after: star)...]
                let extended = spec.hasSuffix("*") || spec.isEmpty
                let number = Int(spec.filter(\.isNumber)) ?? 0
                sections[base, default: []].append((number, extended, v))
            } else {
                plain[name] = v
            }
        }
        for (base, parts) in sections {
            var charset = "utf-8"
            var bytes: [UInt8] = []
            for (k, part) in parts.sorted(by: { $0.n < $1.n }).enumerated() {
                var text = Substring(part.text)
                if part.extended {
                    if k == 0 {
                        let fields = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                        if fields.count == 3 {
                            if !fields[0].isEmpty { charset = String(fields[0]) }
                            text = fields[2]
                        }
                    }
                    bytes += percentDecoded(text)
                } else {
                    bytes += Array(text.utf8)
                }
            }
            plain[base] = decode(bytes, charset: charset)
        }
        return (value, plain)
    }

    static func percentDecoded(_ s: Substring) -> [UInt8] {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = hexValue(u[i + 1]), let l = hexValue(u[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        return out
    }

    /// RFC 2047: `=?UTF-8?B?...?=` and `=?iso-8859-1?Q?...?=` decoded; whitespace between two
    /// adjacent encoded words dropped.
    static func decodeWords(_ s: String) -> String {
        guard s.contains("=?") else { return s }
        var out = ""
        var pendingSpace = ""
        var lastWasEncoded = false
        var rest = Substring(s)
        while let open = rest.range(of: "=?") {
            let before = rest[..<open.lowerBound]
            let afterOpen = rest[open.upperBound...]
            guard let q1 = afterOpen.firstIndex(of: "?"),
                  case let afterCharset = afterOpen[afterOpen.index(after: q1)...],
                  afterCharset.count >= 2,
                  afterCharset[afterCharset.index(after: afterCharset.startIndex)] == "?",
                  let close = afterCharset.dropFirst(2).range(of: "?=")
            else {
                out += pendingSpace + before + "=?"
                pendingSpace = ""
                lastWasEncoded = false
                rest = afterOpen
                continue
            }
            var charset = String(afterOpen[..<q1])
            if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
            let encoding = afterCharset.first!.uppercased()
            let text = afterCharset.dropFirst(2)[..<close.lowerBound]
            let bytes: [UInt8]?
            switch encoding {
            case "B": bytes = base64(text)
            case "Q": bytes = quotedPrintable(text, underscoreIsSpace: true)
            default: bytes = nil
            }
            guard let bytes, !text.contains(" ") else {
                out += pendingSpace + before + "=?"
                pendingSpace = ""
                lastWasEncoded = false
                rest = afterOpen
                continue
            }
            if !(lastWasEncoded && before.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })) {
                out += before
            }
            out += decode(bytes, charset: charset)
            lastWasEncoded = true
            rest = afterCharset.dropFirst(2)[close.upperBound...]
        }
        out += rest
        return out
    }

    /// RFC 5322 address lists: `Name <a@b>`, `"Last, First" <c@d>`, `e@f (comment)`, groups
    /// (`team: g@h, i@j;`). Addresses as written (artifacts fold their case); names decoded.
    static func addresses(_ s: String) -> [(name: String?, address: String)] {
        var out: [(name: String?, address: String)] = []
        var buffer = ""
        var angle: String? = nil
        var i = s.startIndex
        func flush() {
            let name = buffer.trimmingCharacters(in: .whitespaces)
            if let a = angle {
                var address = a.trimmingCharacters(in: .whitespaces)
                if let colon = address.firstIndex(of: ":"), address.hasPrefix("@") { address = String(address[address.index(after: colon)...]) }
                if address.contains("@") {
                    out.append((name.isEmpty ? nil : decodeWords(name), address))
                }
            } else {
                let bare = name.filter { $0 != " " }
                if bare.contains("@") { out.append((nil, bare)) }
            }
            buffer = ""
            angle = nil
        }
        while i < s.endIndex {
            let c = s[i]
            switch c {
            case "\"":
                var j = s.index(after: i)
                while j < s.endIndex, s[j] != "\"" {
                    if s[j] == "\\", s.index(after: j) < s.endIndex { j = s.index(after: j) }
                    buffer.append(s[j])
                    j = s.index(after: j)
                }
                i = j < s.endIndex ? s.index(after: j) : j
                continue
            case "(":
                var depth = 0
                while i < s.endIndex {
                    if s[i] == "(" { depth += 1 } else if s[i] == ")" { depth -= 1; if depth == 0 { break } }
                    i = s.index(after: i)
                }
            case "<":
                let close = s[i...].firstIndex(of: ">") ?? s.endIndex
                angle = String(s[s.index(after: i)..<close])
                i = close
            case ",", ";":
                flush()
            case ":":
                buffer = ""  // a group's display name
            default:
                buffer.append(c)
            }
            if i < s.endIndex { i = s.index(after: i) }
        }
        flush()
        return out
    }

    // MARK: Transfer encodings

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// Base64, skipping whitespace and anything outside the alphabet; stops at padding.
    static func base64(_ s: Substring) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43, 45: v = 62  // + (and URL-safe -)
            case 47, 95: v = 63  // / (and URL-safe _)
            case 61: return out
            default: continue
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    /// Quoted-printable: `=XX` bytes, `=` at a line end joins lines (soft break); RFC 2047's
    /// Q form also reads `_` as a space.
    static func quotedPrintable(_ s: Substring, underscoreIsSpace: Bool = false) -> [UInt8] {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: "=") {
                if i + 2 < u.count, let h = hexValue(u[i + 1]), let l = hexValue(u[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                // Soft line break: `=` then optional whitespace then the line end.
                var j = i + 1
                while j < u.count, u[j] == 32 || u[j] == 9 || u[j] == 13 { j += 1 }
                if j == u.count { break }
                if u[j] == 10 { i = j + 1; continue }
                out.append(c)
                i += 1
            } else if underscoreIsSpace && c == UInt8(ascii: "_") {
                out.append(32)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }

    /// Bytes as text in the part's charset; UTF-8 (and ASCII) by default, Latin-1 when the bytes
    /// are not valid UTF-8.
    static func decode(_ bytes: [UInt8], charset: String?) -> String {
        let name = (charset ?? "utf-8").trimmingCharacters(in: .whitespaces).lowercased()
        let encoding: String.Encoding? = switch name {
        case "utf-8", "utf8", "us-ascii", "ascii", "": .utf8
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "iso-8859-15", "iso8859-15": .isoLatin1
        case "windows-1252", "cp1252": .windowsCP1252
        case "utf-16": .utf16
        case "utf-16le": .utf16LittleEndian
        case "utf-16be": .utf16BigEndian
        default: nil
        }
        if let encoding, encoding != .utf8, let s = String(data: Data(bytes), encoding: encoding) { return s }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return String(data: Data(bytes), encoding: .isoLatin1) ?? String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Bodies

    /// Links in HTML (`href` values, entities decoded) and in text (`http://`, `https://`).
    static func urls(html: String) -> [String] {
        var out: [String] = []
        let u = Array(html.utf8)
        var i = 0
        let href = Array("href".utf8)
        while i + 5 < u.count {
            var match = true
            for k in 0..<4 where u[i + k] | 0x20 != href[k] { match = false; break }
            let boundaryOK = i == 0 || !(u[i - 1] | 0x20 >= 97 && u[i - 1] | 0x20 <= 122) && u[i - 1] != UInt8(ascii: "-")
            guard match, boundaryOK else { i += 1; continue }
            var j = i + 4
            while j < u.count, u[j] == 32 || u[j] == 9 || u[j] == 10 || u[j] == 13 { j += 1 }
            guard j < u.count, u[j] == UInt8(ascii: "=") else { i += 4; continue }
            j += 1
            while j < u.count, u[j] == 32 || u[j] == 9 || u[j] == 10 || u[j] == 13 { j += 1 }
            guard j < u.count else { break }
            let start: Int, end: Int
            if u[j] == UInt8(ascii: "\"") || u[j] == UInt8(ascii: "'") {
                let quote = u[j]
                start = j + 1
                var k = start
                while k < u.count, u[k] != quote { k += 1 }
                end = k
            } else {
                start = j
                var k = j
                while k < u.count, u[k] != 32, u[k] != UInt8(ascii: ">"), u[k] != 9, u[k] != 10 { k += 1 }
                end = k
            }
            let value = entities(String(decoding: u[start..<end], as: UTF8.self)).trimmed
            let lower = value.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("ftp://") { out.append(value) }
            i = end
        }
        return out + urls(text: text(html: html))
    }

    static func urls(text: String) -> [String] {
        var out: [String] = []
        let stops: Set<Character> = [" ", "\t", "\n", "\r", "<", ">", "\"", "'", "`", "{", "}", "|", "\\", "^"]
        var rest = Substring(text)
        while let r = rest.range(of: "http", options: .caseInsensitive) {
            let tail = rest[r.lowerBound...]
            let lower = tail.prefix(8).lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
                rest = rest[r.upperBound...]
                continue
            }
            if let prev = text[..<r.lowerBound].last, prev.isLetter || prev.isNumber {
                rest = rest[r.upperBound...]
                continue
            }
            let end = tail.firstIndex(where: { stops.contains($0) }) ?? tail.endIndex
            var url = String(tail[..<end])
            while let last = url.last, ".,;:!?)]}*".contains(last) {
                if last == ")" && url.contains("(") { break }
                url.removeLast()
            }
            let scheme = url.lowercased().hasPrefix("https://") ? 8 : 7
            if url.count > scheme { out.append(url) }
            rest = tail[end...]
        }
        return out
    }

    /// HTML as readable text: scripts and styles dropped, tags to spaces (line breaks for
    /// blocks), entities decoded, blank runs collapsed.
    static func text(html: String) -> String {
        var out = ""
        var i = html.startIndex
        while i < html.endIndex {
            let c = html[i]
            guard c == "<" else { out.append(c); i = html.index(after: i); continue }
            let close = html[i...].firstIndex(of: ">") ?? html.endIndex
            let tag = html[html.index(after: i)..<close].lowercased()
            let tagName = tag.prefix { $0.isLetter || $0.isNumber || $0 == "/" || $0 == "!" }
            if tagName == "script" || tagName == "style" {
                if let end = html.range(of: "</\(tagName)", options: .caseInsensitive, range: close..<html.endIndex) {
                    i = html[end.upperBound...].firstIndex(of: ">").map { html.index(after: $0) } ?? html.endIndex
                } else {
                    i = html.endIndex
                }
                continue
            }
            let blocks: Set<String> = ["br", "p", "/p", "div", "/div", "tr", "/tr", "li", "h1", "h2", "h3", "/h1", "/h2", "/h3", "table", "/table"]
            out.append(blocks.contains(String(tagName)) ? "\n" : " ")
            i = close < html.endIndex ? html.index(after: close) : close
        }
        let decoded = entities(out)
        var lines: [String] = []
        for line in decoded.split(separator: "\n", omittingEmptySubsequences: true) {
            let collapsed = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{00A0}" }).joined(separator: " ")
            if !collapsed.isEmpty { lines.append(collapsed) }
        }
        return lines.joined(separator: "\n")
    }

    static func entities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}"]
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let name = s[s.index(after: i)..<semi]
                var replacement: String? = named[name.lowercased()]
                if name.hasPrefix("#") {
                    let num = name.dropFirst()
                    let code = num.first == "x" || num.first == "X" ? UInt32(num.dropFirst(), radix: 16) : UInt32(num)
                    replacement = code.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
                if let replacement {
                    out += replacement
                    i = s.index(after: semi)
                    continue
                }
            }
            out.append(s[i])
            i = s.index(after: i)
        }
        return out
    }
}
