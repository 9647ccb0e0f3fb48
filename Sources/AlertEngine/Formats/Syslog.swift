import Model

/// A syslog line taken apart. CEF and LEEF travel in syslog; the header says who sent the event
/// and, when the payload has no time of its own, when.
struct SyslogMessage: Sendable, Equatable {
    enum Header: String, Sendable { case rfc5424, rfc3164, none }

    var header: Header = .none
    /// PRI: facility * 8 + severity.
    var priority: Int?
    var version: Int?
    var timestamp: Timestamp?
    var hostname: String?
    var appName: String?
    var procID: String?
    var msgID: String?
    /// RFC 5424 structured data: SD-ID -> parameters (a repeated parameter keeps its last value).
    var structuredData: [String: [String: String]] = [:]
    /// What follows the header: the whole line when there is none.
    var message: String = ""

    var facility: Int? { priority.map { $0 / 8 } }
    var severity: Int? { priority.map { $0 % 8 } }
}

/// Reads the three shapes syslog lines come in:
///
/// - RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID k="v"]... MSG`, `-` for
///   an absent field;
/// - RFC 3164 (BSD): `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[pid]: MSG`, also without PRI (as files under
///   /var/log keep it), with a year after the time (`Nov  3 2026 09:12:44`, Cisco), or with an
///   RFC 3339 time instead (rsyslog's high-precision template). The BSD time has no year and no
///   zone: it is read as UTC, in the year `LogTime.inferYear` picks (the latest one that does not
///   put it more than a day after the reference time);
/// - no header at all (`CEF:0|...` written to a file by the product itself).
///
/// The header stops where a CEF or LEEF payload starts, so `host CEF:0|...` never reads `CEF:0|...`
/// as a tag.
enum Syslog {
    /// Where a payload such as `CEF:` or `LEEF:` starts: at the line's start, after a space or
    /// tab, or right after a syslog `<PRI>`; never inside another word.
    static func payloadStart(of line: String, marker: String) -> String.Index? {
        var from = line.startIndex
        while let r = line.range(of: marker, range: from..<line.endIndex) {
            if r.lowerBound == line.startIndex { return r.lowerBound }
            let before = line[line.index(before: r.lowerBound)]
            if before == " " || before == ">" || before == "\t" { return r.lowerBound }
            from = r.upperBound
        }
        return nil
    }

    static func parse(_ line: String, reference: Timestamp) -> SyslogMessage {
        let u = Array(line.utf8)
        var m = SyslogMessage()
        var i = 0
        func rest() -> String { String(decoding: u[Swift.min(i, u.count)...], as: UTF8.self) }
        func skipSpaces() { while i < u.count, u[i] == 32 { i += 1 } }
        func token() -> String? {
            let s = i
            while i < u.count, u[i] != 32 { i += 1 }
            return i > s ? String(decoding: u[s..<i], as: UTF8.self) : nil
        }
        func peekToken() -> String? {
            var j = i
            while j < u.count, u[j] != 32 { j += 1 }
            return j > i ? String(decoding: u[i..<j], as: UTF8.self) : nil
        }
        func isPayload(_ t: String) -> Bool { t.hasPrefix("CEF:") || t.hasPrefix("LEEF:") }

        // PRI
        if u.first == UInt8(ascii: "<") {
            var j = 1, v = 0
            while j < u.count, j <= 4, u[j] >= 48, u[j] <= 57 { v = v * 10 + Int(u[j] - 48); j += 1 }
            if j > 1, j <= 4, j < u.count, u[j] == UInt8(ascii: ">"), v <= 191 {
                m.priority = v
                i = j + 1
            }
        }

        // RFC 5424: VERSION SP right after PRI.
        if m.priority != nil, i < u.count, u[i] >= 49, u[i] <= 57 {
            var j = i, v = 0
            while j < u.count, j - i < 3, u[j] >= 48, u[j] <= 57 { v = v * 10 + Int(u[j] - 48); j += 1 }
            if j < u.count, u[j] == 32 {
                i = j + 1
                m.header = .rfc5424
                m.version = v
                func field() -> String? {
                    skipSpaces()
                    guard let t = token() else { return nil }
                    return t == "-" ? nil : t
                }
                if let t = field() { m.timestamp = Timestamp(parsing: t) }
                m.hostname = field()
                m.appName = field()
                m.procID = field()
                m.msgID = field()
                skipSpaces()
                if i < u.count, u[i] == UInt8(ascii: "-") {
                    i += 1
                } else {
                    while i < u.count, u[i] == UInt8(ascii: "[") {
                        guard let (id, params, end) = structuredElement(u, at: i) else { break }
                        m.structuredData[id] = params
                        i = end
                    }
                }
                if i < u.count, u[i] == 32 { i += 1 }
                var msg = rest()
                if msg.hasPrefix("\u{FEFF}") { msg.removeFirst() }
                m.message = msg
                return m
            }
        }

        // RFC 3164 time: `Mmm dd hh:mm:ss` (optionally with a year), or RFC 3339.
        let start = i
        var stamped = false
        for pattern in ["MMM d yyyy HH:mm:ss.SSS", "MMM d yyyy HH:mm:ss", "MMM d HH:mm:ss.SSS", "MMM d HH:mm:ss"] {
            if let (parts, end) = LogTime.scan(u, from: start, pattern: pattern, prefix: true), end == u.count || u[end] == 32 {
                m.timestamp = parts.timestamp(reference: reference)
                i = end
                stamped = true
                break
            }
        }
        if !stamped, let t = peekToken(), t.count >= 19, t.first?.isNumber == true, let ts = Timestamp(parsing: t) {
            _ = token()
            m.timestamp = ts
            stamped = true
        }
        guard stamped || m.priority != nil else {
            m.message = line
            return m
        }
        m.header = .rfc3164
        skipSpaces()
        if stamped, let host = peekToken(), !isPayload(host), !isTag(host) {
            m.hostname = host
            _ = token()
            skipSpaces()
        }
        if stamped || m.hostname != nil, let tag = peekToken(), !isPayload(tag), isTag(tag) {
            _ = token()
            var name = Substring(tag.dropLast())
            if let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                m.procID = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
                name = name[..<open]
            }
            m.appName = name.isEmpty ? nil : String(name)
            skipSpaces()
        }
        m.message = rest()
        return m
    }

    /// A BSD TAG: `sshd:`, `sshd[123]:`, `CEF:` excluded (checked by the caller).
    static func isTag(_ t: String) -> Bool {
        guard t.count >= 2, t.count <= 64, t.hasSuffix(":") else { return false }
        let body = t.dropLast()
        if let open = body.firstIndex(of: "[") {
            guard body.hasSuffix("]") else { return false }
            let pid = body[body.index(after: open)..<body.index(before: body.endIndex)]
            return open != body.startIndex && pid.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                && body[..<open].allSatisfy(isTagCharacter)
        }
        return body.allSatisfy(isTagCharacter)
    }

    static func isTagCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "-_./".contains(c))
    }

    /// `[id k="v" k2="v\"2"]` -> (id, params, index after `]`).
    static func structuredElement(_ u: [UInt8], at start: Int) -> (String, [String: String], Int)? {
        var i = start + 1
        let idStart = i
        while i < u.count, u[i] != 32, u[i] != UInt8(ascii: "]") { i += 1 }
        guard i < u.count, i > idStart else { return nil }
        let id = String(decoding: u[idStart..<i], as: UTF8.self)
        var params: [String: String] = [:]
        while i < u.count {
            while i < u.count, u[i] == 32 { i += 1 }
            guard i < u.count else { return nil }
            if u[i] == UInt8(ascii: "]") { return (id, params, i + 1) }
            let nameStart = i
            while i < u.count, u[i] != UInt8(ascii: "="), u[i] != 32, u[i] != UInt8(ascii: "]") { i += 1 }
            guard i + 1 < u.count, u[i] == UInt8(ascii: "="), u[i + 1] == UInt8(ascii: "\"") else { return nil }
            let name = String(decoding: u[nameStart..<i], as: UTF8.self)
            i += 2
            var value: [UInt8] = []
            while i < u.count, u[i] != UInt8(ascii: "\"") {
                if u[i] == UInt8(ascii: "\\"), i + 1 < u.count, [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]")].contains(u[i + 1]) {
                    i += 1
                }
                value.append(u[i])
                i += 1
            }
            guard i < u.count else { return nil }
            i += 1
            params[name] = String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    static let facilityNames = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security",
        "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]
    static let severityNames = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"]

    /// The header as ECS `log.syslog.*` fields; the sender is the observer (`observer.hostname`).
    static func fields(_ m: SyslogMessage, into f: inout JSONObject) {
        if let p = m.priority, let facility = m.facility, let severity = m.severity {
            f["log.syslog.priority"] = .int(Int64(p))
            f["log.syslog.facility.code"] = .int(Int64(facility))
            f["log.syslog.facility.name"] = .string(facilityNames[facility])
            f["log.syslog.severity.code"] = .int(Int64(severity))
            f["log.syslog.severity.name"] = .string(severityNames[severity])
        }
        if let v = m.version { f["log.syslog.version"] = .string(String(v)) }
        if let h = m.hostname {
            f["log.syslog.hostname"] = .string(h)
            f["observer.hostname"] = .string(h)
        }
        if let a = m.appName { f["log.syslog.appname"] = .string(a) }
        if let p = m.procID { f["log.syslog.procid"] = .string(p) }
        if let id = m.msgID { f["log.syslog.msgid"] = .string(id) }
        if !m.structuredData.isEmpty {
            f["log.syslog.structured_data"] = .object(m.structuredData.mapValues { .object($0.mapValues { .string($0) }) })
        }
    }
}
