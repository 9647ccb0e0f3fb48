import Model

/// One line of auditd's raw log (`/var/log/audit/audit.log`, or the dispatcher's output with
/// `node=HOST ` in front):
///
///     node=web1 type=SYSCALL msg=audit(1492037291.036:59): arch=c000003e syscall=59 ... exe="/usr/bin/grep" key="user_commands"
///
/// The body is `name=value` pairs. A value is `"quoted"` (auditd never escapes inside), or
/// bare; strings auditd does not trust (arguments, paths, `comm`, `exe`, `proctitle`, `cmd`,
/// TTY `data`...) are written bare as hex when they hold a space, a quote or a control byte,
/// and are decoded here as `ausearch -i` does. User-space records nest their own pairs in
/// `msg='...'`; auditd's ENRICHED log format adds translated pairs (`AUID="alice"`,
/// `SYSCALL=execve`) after a 0x1D separator. Bare words (`user pid=1`, `old auid=...`) carry
/// nothing and are skipped.
struct AuditdRecord: Sendable, Equatable {
    var node: String?
    var type: String
    /// `TIME:SERIAL` as written in `msg=audit(...)`: the event this record belongs to.
    var stamp: String
    /// The pairs in order, hex decoded, `?`/`(null)`/`(none)` left out.
    var pairs: [(String, String)]

    static func == (a: AuditdRecord, b: AuditdRecord) -> Bool {
        a.node == b.node && a.type == b.type && a.stamp == b.stamp && a.pairs.map(\.0) == b.pairs.map(\.0) && a.pairs.map(\.1) == b.pairs.map(\.1)
    }

    /// Keys whose values auditd writes as hex when they hold anything unsafe.
    static let encodedKeys: Set<String> = [
        "name", "exe", "comm", "cwd", "proctitle", "key", "data", "cmd", "acct", "path", "ocomm", "watch", "dir", "file", "vm",
        "old-chardev", "new-chardev", "root_dir", "sw", "grp", "new_group", "old_group",
    ]

    /// Values that mean "none" in auditd's records.
    static func isAbsent(_ value: String) -> Bool { value == "?" || value == "(null)" || value == "(none)" || value.isEmpty }

    enum ParseError: Error { case notAuditd(String) }

    /// Reads one line; nil when it is not an auditd record (no `type=` and `msg=audit(...)`).
    static func parse(_ line: Substring) -> AuditdRecord? {
        var rest = line.drop { $0 == " " }
        var node: String? = nil
        if rest.hasPrefix("node=") {
            let value = rest.dropFirst(5).prefix { $0 != " " }
            node = String(value)
            rest = rest.dropFirst(5 + value.count).drop { $0 == " " }
        }
        guard rest.hasPrefix("type=") else { return nil }
        let type = rest.dropFirst(5).prefix { $0 != " " }
        guard !type.isEmpty, type.count <= 40 else { return nil }
        rest = rest.dropFirst(5 + type.count).drop { $0 == " " }
        guard rest.hasPrefix("msg=audit("), let close = rest.firstIndex(of: ")") else { return nil }
        let stamp = rest[rest.index(rest.startIndex, offsetBy: 10)..<close]
        guard !stamp.isEmpty, stamp.count <= 40, stamp.contains(":") else { return nil }
        var body = rest[rest.index(after: close)...]
        if body.hasPrefix(":") { body = body.dropFirst() }
        return AuditdRecord(node: node, type: String(type), stamp: String(stamp), pairs: pairs(body))
    }

    /// The `name=value` pairs of a record body (and of a nested `msg='...'`, in its place).
    static func pairs(_ body: Substring) -> [(String, String)] {
        var out: [(String, String)] = []
        var i = body.startIndex
        func isSeparator(_ c: Character) -> Bool { c == " " || c == "\u{1D}" || c == "\t" || c == "," }
        while i < body.endIndex {
            while i < body.endIndex, isSeparator(body[i]) { i = body.index(after: i) }
            guard i < body.endIndex else { break }
            // A name runs to '=', or to a separator for a bare word.
            let nameStart = i
            while i < body.endIndex, body[i] != "=", !isSeparator(body[i]) { i = body.index(after: i) }
            guard i < body.endIndex, body[i] == "=" else { continue }
            let name = String(body[nameStart..<i])
            i = body.index(after: i)
            var value: Substring
            var quoted = false
            if i < body.endIndex, body[i] == "\"" || body[i] == "'" || body[i] == "{" {
                let open = body[i]
                let closing: Character = open == "{" ? "}" : open
                let start = body.index(after: i)
                let end = body[start...].firstIndex(of: closing) ?? body.endIndex
                value = body[start..<end]
                i = end < body.endIndex ? body.index(after: end) : end
                quoted = true
                if open == "'" && name == "msg" {
                    // A user-space record's own pairs, in place of the msg.
                    out += pairs(value)
                    continue
                }
                if open == "{" {
                    // The enriched SADDR={ saddr_fam=inet laddr=... lport=... }: its pairs.
                    out += pairs(value).map { ("\(name).\($0.0)", $0.1) }
                    continue
                }
            } else {
                let start = i
                while i < body.endIndex, !isSeparator(body[i]) { i = body.index(after: i) }
                value = body[start..<i]
            }
            guard !name.isEmpty, name.count <= 64 else { continue }
            var text = String(value)
            if !quoted, isEncoded(name) { text = decodeHex(text) ?? text }
            if isAbsent(text) { continue }
            out.append((name, text))
        }
        return out
    }

    /// `a0`, `a12`, `a1[0]` (a long argument's pieces) and the untrusted-string keys.
    static func isEncoded(_ name: String) -> Bool {
        if encodedKeys.contains(name) { return true }
        guard name.first == "a", name.count >= 2 else { return false }
        let rest = name.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return false }
        let tail = rest.dropFirst(digits.count)
        return tail.isEmpty || (tail.hasPrefix("[") && tail.hasSuffix("]"))
    }

    /// Hex as auditd writes untrusted strings; NULs (between `proctitle`'s arguments) become
    /// spaces. Nil when the text is not even-length hex.
    static func decodeHex(_ text: String) -> String? {
        let u = Array(text.utf8)
        guard !u.isEmpty, u.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(u.count / 2)
        var i = 0
        while i + 1 < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            let b = hi << 4 | lo
            bytes.append(b == 0 ? 32 : b)
            i += 2
        }
        while bytes.last == 32 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// `1492037291.036:59` as a time; nil when it is not seconds and up to milliseconds.
    static func time(_ stamp: String) -> Timestamp? {
        guard let colon = stamp.firstIndex(of: ":") else { return nil }
        let parts = stamp[..<colon].split(separator: ".", omittingEmptySubsequences: false)
        guard let secondsText = parts.first, (1...12).contains(secondsText.count), secondsText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let seconds = Int64(secondsText)
        else { return nil }
        var millis: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1].prefix(3)
            guard !fraction.isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(fraction) else { return nil }
            millis = n * Int64([1, 100, 10, 1][fraction.count])
        } else if parts.count > 2 {
            return nil
        }
        // Twelve digits of seconds times 1000 stays far inside Int64.
        let ms = seconds * 1000 + millis
        guard Timestamp.plausible.contains(ms) else { return nil }
        return Timestamp(ms: ms)
    }
}
