import Model

/// IBM QRadar Log Event Extended Format, 1.0 and 2.0, alone on a line or after a syslog header:
///
///     LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value
///     LEEF:2.0|Vendor|Product|Version|EventID|^|key=value^key=value
///
/// LEEF 2.0's sixth field, when present, is the attribute delimiter: one character, or its code
/// in hex (`x5E`, `0x5E`); empty or absent means tab. LEEF 1.0 lines that use no tab at all but
/// separate attributes with spaces (common in the wild) are read like CEF extensions.
///
/// Like CEF, the source is `leef` and the sender goes to `observer.*`; the title is
/// `<Vendor> <Product>: <EventID>` (with ` (<cat>)` when the event has a category). Time is
/// `devTime` read with `devTimeFormat` (a Java date pattern) or, without it, as epoch ms, ISO 8601
/// or `MMM dd yyyy HH:mm:ss[.SSS] [zone]`; else the syslog header's time. `sev` is 1-10 (as CEF).
/// Every attribute stays under `leef.attributes.<key>`. LEEF has no event id: identity is the
/// raw line.
struct LEEFFormat: Format {
    let name = "leef"
    /// What a yearless date is read against; nil is the clock when the record is normalized.
    var reference: Timestamp? = nil

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, let start = Syslog.payloadStart(of: line, marker: "LEEF:") else { return false }
        let h = LEEF.header(line[start...].dropFirst(5))
        return h.fields.count >= 5 && (h.fields[0] == "1.0" || h.fields[0] == "2.0" || h.fields[0] == "1" || h.fields[0] == "2")
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line else { throw NormalizeError("leef: expected a text line") }
        guard let start = Syslog.payloadStart(of: line, marker: "LEEF:") else { throw NormalizeError("leef: no 'LEEF:' header in the line") }
        let h = LEEF.header(line[start...].dropFirst(5))
        guard h.fields.count >= 5 else {
            throw NormalizeError("leef: header has \(h.fields.count) of the 5 fields (LEEF:Version|Vendor|Product|Version|EventID|)")
        }
        let reference = self.reference ?? .now
        let syslog = Syslog.parse(String(line[..<start]), reference: reference)
        let pairs = LEEF.attributes(h.rest, delimiter: h.delimiter)
        var a: [String: String] = [:]
        for (key, value) in pairs { a[key] = value }

        var f: JSONObject = [:]
        let vendor = h.fields[1], product = h.fields[2], eventID = h.fields[4]
        f["leef.version"] = .string(h.fields[0])
        f["leef.vendor"] = .string(vendor)
        f["leef.product"] = .string(product)
        f["leef.product_version"] = .string(h.fields[3])
        f["leef.event_id"] = .string(eventID)
        if h.fields.count > 5 { f["leef.delimiter"] = .string(String(h.delimiter)) }
        TextECS.set(vendor, "observer.vendor", into: &f)
        TextECS.set(product, "observer.product", into: &f)
        TextECS.set(h.fields[3], "observer.version", into: &f)
        TextECS.set(eventID, "event.code", into: &f)
        Syslog.fields(syslog, into: &f)

        TextECS.set(a["src"], "source.ip", into: &f)
        TextECS.set(a["dst"], "destination.ip", into: &f)
        TextECS.int(a["srcPort"], "source.port", into: &f)
        TextECS.int(a["dstPort"], "destination.port", into: &f)
        TextECS.set(a["srcMAC"], "source.mac", into: &f)
        TextECS.set(a["dstMAC"], "destination.mac", into: &f)
        TextECS.set(a["srcPostNAT"], "source.nat.ip", into: &f)
        TextECS.int(a["srcPostNATPort"], "source.nat.port", into: &f)
        TextECS.set(a["dstPostNAT"], "destination.nat.ip", into: &f)
        TextECS.int(a["dstPostNATPort"], "destination.nat.port", into: &f)
        TextECS.int(a["srcBytes"], "source.bytes", into: &f)
        TextECS.int(a["dstBytes"], "destination.bytes", into: &f)
        TextECS.int(a["srcPackets"], "source.packets", into: &f)
        TextECS.int(a["dstPackets"], "destination.packets", into: &f)
        TextECS.transport(a["proto"], into: &f)
        TextECS.user(TextECS.clean(a["usrName"]) ?? TextECS.clean(a["accountName"]) ?? TextECS.clean(a["identUsrName"]), into: &f)
        if f["user.domain"] == nil { TextECS.set(a["domain"], "user.domain", into: &f) }
        TextECS.set(a["role"], "user.roles", into: &f)
        TextECS.set(a["identGrpName"], "group.name", into: &f)
        TextECS.set(a["identHostName"], "host.name", into: &f)
        TextECS.set(a["identNetBios"], "host.hostname", into: &f)
        TextECS.set(a["identMAC"], "host.mac", into: &f)
        // The address an identity event (a login) binds the user to.
        if let ident = TextECS.clean(a["identSrc"]) { f["related.ip"] = .array([.string(ident)]) }
        TextECS.set(a["url"], "url.original", into: &f)
        TextECS.set(a["policy"], "rule.name", into: &f)
        TextECS.set(a["cat"], "leef.category", into: &f)
        TextECS.set(a["msg"] ?? a["message"], "message", into: &f)
        if let hash = TextECS.hashField(a["fileHash"] ?? a["hash"]) { f[hash.key] = .string(hash.value) }
        TextECS.set(a["fileName"] ?? a["fname"], "file.name", into: &f)
        TextECS.set(a["action"] ?? a["act"], "event.action", into: &f)
        for (key, value) in pairs { f["leef.attributes.\(key)"] = .string(value) }

        var time: Timestamp?
        if let text = TextECS.clean(a["devTime"]) {
            if let pattern = TextECS.clean(a["devTimeFormat"]) {
                time = LogTime.parse(text, pattern: pattern, reference: reference) ?? LogTime.device(text, reference: reference)
                guard time != nil else { throw NormalizeError("leef: devTime '\(text.prefix(40))' does not match devTimeFormat '\(pattern)'") }
            } else {
                time = LogTime.device(text, reference: reference)
                guard time != nil else { throw NormalizeError("leef: devTime is not a time: \(text.prefix(60))") }
            }
        }
        // No time anywhere: kept at the time taser received it, marked so (as CEF).
        let when = time ?? syslog.timestamp ?? ECS.received(into: &f)

        var severity = Severity.low
        if let sevText = TextECS.clean(a["sev"]), let n = Int(sevText) {
            severity = TextECS.severity(tenScale: n)
            f["event.severity"] = .int(Int64(n))
        }
        let category = TextECS.clean(a["cat"])
        let title = "\(vendor) \(product): \(eventID)" + (category.map { " (\($0))" } ?? "")
        return [Normalized(
            time: when, source: "leef", sourceRef: nil, kind: .leef, severity: severity, title: title, fields: f, raw: record.raw,
            texts: [a["msg"] ?? a["message"]].compactMap { TextECS.clean($0) })]
    }
}

enum LEEF {
    /// The header fields (`Version|Vendor|Product|Version|EventID`, plus LEEF 2.0's delimiter
    /// field when there is one), the attribute delimiter, and the attributes' text.
    static func header(_ s: Substring) -> (fields: [String], delimiter: Character, rest: Substring) {
        var fields: [String] = []
        var field = ""
        var i = s.startIndex
        var rest = s[s.endIndex...]
        var closed = false
        while i < s.endIndex {
            let c = s[i]
            if c == "\\", s.index(after: i) < s.endIndex, s[s.index(after: i)] == "|" {
                field.append("|")
                i = s.index(i, offsetBy: 2)
                continue
            }
            if c == "|" {
                fields.append(field)
                field = ""
                rest = s[s.index(after: i)...]
                if fields.count == 5 {
                    closed = true
                    break
                }
            } else {
                field.append(c)
            }
            i = s.index(after: i)
        }
        if !closed {
            if !field.isEmpty { fields.append(field) }
            return (fields, "\t", s[s.endIndex...])
        }
        guard fields[0].hasPrefix("2") else { return (fields, "\t", rest) }
        // LEEF 2.0: an optional delimiter field, `^|`, `x5E|`, `0x5E|`, or `|` (empty: tab).
        if let bar = rest.firstIndex(of: "|") {
            let candidate = rest[..<bar]
            if let delimiter = delimiter(candidate) {
                return (fields + [String(candidate)], delimiter, rest[rest.index(after: bar)...])
            }
        }
        return (fields, "\t", rest)
    }

    static func delimiter(_ field: Substring) -> Character? {
        if field.isEmpty { return "\t" }
        if field.count == 1 { return field.first! }
        var hex = field
        if hex.lowercased().hasPrefix("0x") { hex = hex.dropFirst(2) } else if hex.lowercased().hasPrefix("x") { hex = hex.dropFirst() }
        guard (1...4).contains(hex.count), let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
        return Character(scalar)
    }

    /// `key=value` attributes split on the delimiter; a tab-delimited line without a tab is
    /// read like a CEF extension (values until the next ` key=`).
    static func attributes(_ text: Substring, delimiter: Character) -> [(key: String, value: String)] {
        if delimiter == "\t" && !text.contains("\t") {
            return CEF.extensions(text, unescape: false)
        }
        var out: [(key: String, value: String)] = []
        for piece in text.split(separator: delimiter, omittingEmptySubsequences: true) {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<eq].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { continue }
            out.append((key, String(piece[piece.index(after: eq)...])))
        }
        return out
    }
}
