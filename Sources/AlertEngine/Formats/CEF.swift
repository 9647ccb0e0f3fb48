import Model

/// ArcSight Common Event Format: `CEF:Version|Device Vendor|Device Product|Device Version|Signature
/// ID|Name|Severity|Extension`, alone on a line or after an RFC 3164/5424 syslog header.
///
/// - The source is `cef` for every vendor (a rule says `source=cef`); who sent it is in
///   `observer.vendor`, `observer.product`, `observer.version`, and the title says it too:
///   `<Device Vendor> <Device Product>: <Name>`.
/// - Header fields escape `\|` and `\\`; extension values escape `\=`, `\\`, `\n`, `\r`, may hold
///   spaces (a value runs until the next ` key=`), and unescaped `=` inside a value (URLs) stays.
/// - Severity 0-10 (0 info, 1-3 low, 4-6 medium, 7-8 high, 9-10 critical) or Unknown, Low,
///   Medium, High, Very-High.
/// - Time: `rt`, else `end`, else `start` (epoch ms or `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`), else
///   the syslog header's time; none of them is an error.
/// - Hosts: `shost` is `source.domain` (ECS: "may be a host name") plus a `host` artifact with the
///   role `src`, since a bare workstation name is no domain; `dhost` is `host.name`, the machine the
///   event is about for the endpoint products that send most CEF alerts, and `destination.domain`
///   too, so a proxy's destination `www.example.net` is a domain artifact as well.
/// - `cs1`...`cs6`, `cn1`...`cn3`, `cfp1`...`cfp4`, `c6a1`...`c6a4`, `flexString1/2`,
///   `deviceCustomDate1/2` with their `...Label` become `cef.<label>` (`cs1Label=Threat Name` ->
///   `cef.threat_name`); every extension stays, as sent, under `cef.extensions.<key>`.
/// - `externalId` is the vendor's event id (`sourceRef`); without it identity is the raw line.
struct CEFFormat: Format {
    let name = "cef"
    /// What a yearless date (RFC 3164, `MMM dd HH:mm:ss`) is read against; nil is the clock when
    /// the record is normalized.
    var reference: Timestamp? = nil

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, let start = Syslog.payloadStart(of: line, marker: "CEF:") else { return false }
        let header = CEF.splitHeader(line[start...].dropFirst(4))
        return header.fields.count >= 7 && CEF.isVersion(header.fields[0])
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line else { throw NormalizeError("cef: expected a text line") }
        guard let start = Syslog.payloadStart(of: line, marker: "CEF:") else { throw NormalizeError("cef: no 'CEF:' header in the line") }
        let (h, rest) = CEF.splitHeader(line[start...].dropFirst(4))
        guard h.count >= 7 else {
            throw NormalizeError(
                "cef: header has \(h.count) of the 7 fields (CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|)")
        }
        let reference = self.reference ?? .now
        let syslog = Syslog.parse(String(line[..<start]), reference: reference)
        let pairs = CEF.extensions(rest)
        var e: [String: String] = [:]
        for (key, value) in pairs { e[CEF.fullNames[key] ?? key] = value }

        var f: JSONObject = [:]
        let vendor = h[1], product = h[2], signature = h[4], title = h[5], severityText = h[6].trimmingCharacters(in: .whitespaces)
        f["cef.version"] = .string(h[0])
        f["cef.device_vendor"] = .string(vendor)
        f["cef.device_product"] = .string(product)
        f["cef.device_version"] = .string(h[3])
        f["cef.signature_id"] = .string(signature)
        f["cef.name"] = .string(title)
        f["cef.severity"] = .string(severityText)
        TextECS.set(vendor, "observer.vendor", into: &f)
        TextECS.set(product, "observer.product", into: &f)
        TextECS.set(h[3], "observer.version", into: &f)
        TextECS.set(signature, "event.code", into: &f)
        Syslog.fields(syslog, into: &f)
        TextECS.set(e["dvchost"], "observer.hostname", into: &f)
        TextECS.set(e["dvc"], "observer.ip", into: &f)
        TextECS.set(e["dvcmac"], "observer.mac", into: &f)

        TextECS.set(e["src"], "source.ip", into: &f)
        TextECS.set(e["dst"], "destination.ip", into: &f)
        TextECS.int(e["spt"], "source.port", into: &f)
        TextECS.int(e["dpt"], "destination.port", into: &f)
        TextECS.set(e["smac"], "source.mac", into: &f)
        TextECS.set(e["dmac"], "destination.mac", into: &f)
        TextECS.set(e["sourceTranslatedAddress"], "source.nat.ip", into: &f)
        TextECS.int(e["sourceTranslatedPort"], "source.nat.port", into: &f)
        TextECS.set(e["destinationTranslatedAddress"], "destination.nat.ip", into: &f)
        TextECS.int(e["destinationTranslatedPort"], "destination.nat.port", into: &f)
        TextECS.int(e["in"], "source.bytes", into: &f)
        TextECS.int(e["out"], "destination.bytes", into: &f)
        // ECS puts each side's user under source.user / destination.user. The source user is
        // also the event's actor, `user.*`, which rules group on (`WITH [username]`).
        for prefix in ["source.user", "user"] {
            TextECS.user(e["suser"], prefix: prefix, into: &f)
            TextECS.set(e["suid"], "\(prefix).id", into: &f)
            if f["\(prefix).domain"] == nil { TextECS.set(e["sntdom"], "\(prefix).domain", into: &f) }
        }
        TextECS.user(e["duser"], prefix: "destination.user", into: &f)
        TextECS.set(e["duid"], "destination.user.id", into: &f)
        if f["destination.user.domain"] == nil { TextECS.set(e["dntdom"], "destination.user.domain", into: &f) }
        var artifacts: [ArtifactMention] = []
        if let shost = TextECS.clean(e["shost"]) {
            f["source.domain"] = .string(shost)
            if !TextECS.looksLikeIP(shost), let host = ECS.mention(.host, shost, role: "src") { artifacts.append(host) }
        }
        if let dhost = TextECS.clean(e["dhost"]) {
            f["host.name"] = .string(dhost)
            f["destination.domain"] = .string(dhost)
        }
        TextECS.transport(e["proto"], into: &f)
        if let app = TextECS.clean(e["app"]) { f["network.protocol"] = .string(app.lowercased()) }
        TextECS.set(e["act"], "event.action", into: &f)
        if let outcome = TextECS.clean(e["outcome"]) { f["event.outcome"] = .string(outcome.lowercased()) }
        TextECS.set(e["reason"], "event.reason", into: &f)
        TextECS.set(e["request"], "url.original", into: &f)
        TextECS.set(e["requestMethod"], "http.request.method", into: &f)
        TextECS.set(e["requestContext"], "http.request.referrer", into: &f)
        TextECS.set(e["requestClientApplication"], "user_agent.original", into: &f)
        TextECS.set(e["fname"], "file.name", into: &f)
        TextECS.set(e["filePath"], "file.path", into: &f)
        TextECS.int(e["fsize"], "file.size", into: &f)
        if let hash = TextECS.hashField(e["fileHash"]) { f[hash.key] = .string(hash.value) }
        TextECS.set(e["dproc"], "process.name", into: &f)
        TextECS.int(e["dpid"], "process.pid", into: &f)
        TextECS.set(e["msg"], "message", into: &f)

        // Labeled custom fields, then every extension as sent.
        var texts: [String] = [e["msg"], e["reason"]].compactMap { TextECS.clean($0) }
        for (key, value) in pairs {
            f["cef.extensions.\(key)"] = .string(value)
            let canonical = CEF.fullNames[key] ?? key
            guard CEF.isCustom(canonical), let label = e["\(canonical)Label"] else { continue }
            let slug = TextECS.slug(label)
            guard !slug.isEmpty, let v = TextECS.clean(value) else { continue }
            if canonical.hasPrefix("cn") || canonical.hasPrefix("flexNumber"), let n = Int64(v) {
                f["cef.\(slug)"] = .int(n)
            } else if canonical.hasPrefix("cfp"), let d = Double(v) {
                f["cef.\(slug)"] = .double(d)
            } else {
                f["cef.\(slug)"] = .string(v)
                if canonical.hasPrefix("cs") || canonical.hasPrefix("flexString") { texts.append(v) }
            }
        }

        var time: Timestamp?
        for key in ["rt", "end", "start"] {
            guard let text = TextECS.clean(e[key]) else { continue }
            guard let t = LogTime.device(text, reference: reference) else {
                throw NormalizeError("cef: \(key) is not a time: \(text.prefix(60))")
            }
            time = t
            break
        }
        // No time anywhere (a bare CEF line from a file): the event is kept at the time taser
        // received it, and says so, rather than quarantined.
        let when = time ?? syslog.timestamp ?? ECS.received(into: &f)

        let severity: Severity
        if let n = Int(severityText), (0...10).contains(n) {
            severity = TextECS.severity(tenScale: n)
            f["event.severity"] = .int(Int64(n))
        } else {
            switch severityText.lowercased() {
            case "unknown": severity = .info
            case "low": severity = .low
            case "medium": severity = .medium
            case "high": severity = .high
            case "very-high", "very high", "veryhigh": severity = .critical
            default: severity = .low
            }
        }
        return [Normalized(
            time: when, source: "cef", sourceRef: TextECS.clean(e["externalId"]), kind: .cef, severity: severity,
            title: "\(vendor) \(product): \(title)", fields: f, raw: record.raw, artifacts: artifacts, texts: texts)]
    }
}

/// The pieces of CEF's syntax.
enum CEF {
    static func isVersion(_ s: String) -> Bool {
        !s.isEmpty && s.first!.isNumber && s.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." }
    }

    /// The header's fields (up to 7, unescaped) and the extension after the 7th `|`.
    static func splitHeader(_ s: Substring) -> (fields: [String], rest: Substring) {
        var fields: [String] = []
        var field = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "\\" {
                let n = s.index(after: i)
                if n < s.endIndex, s[n] == "|" || s[n] == "\\" {
                    field.append(s[n])
                    i = s.index(after: n)
                    continue
                }
                field.append(c)
            } else if c == "|" {
                fields.append(field)
                field = ""
                if fields.count == 7 { return (fields, s[s.index(after: i)...]) }
            } else {
                field.append(c)
            }
            i = s.index(after: i)
        }
        fields.append(field)
        return (fields, s[s.endIndex...])
    }

    static func isKeyScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-", "[", "]": true
        default: false
        }
    }

    /// `key=value` pairs in order. A key is a run of `[A-Za-z0-9_.\-\[\]]` after a space (or at
    /// the start) followed by an unescaped `=`; the value runs to the space before the next key.
    /// With `unescape`, CEF's `\=`, `\\`, `\n`, `\r` (and a stray `\|`) are undone.
    static func extensions(_ text: Substring, unescape: Bool = true) -> [(key: String, value: String)] {
        let u = Array(text.unicodeScalars)
        var keys: [(start: Int, eq: Int)] = []
        var i = 0
        while i < u.count {
            if u[i] == "\\" { i += 2; continue }
            if u[i] == "=" {
                var j = i
                while j > 0, isKeyScalar(u[j - 1]) { j -= 1 }
                if j < i, j == 0 || u[j - 1] == " " || u[j - 1] == "\t" { keys.append((j, i)) }
            }
            i += 1
        }
        var out: [(key: String, value: String)] = []
        for (n, k) in keys.enumerated() {
            let end = n + 1 < keys.count ? keys[n + 1].start : u.count
            var valueScalars = u[(k.eq + 1)..<max(k.eq + 1, end)]
            while let last = valueScalars.last, last == " " || last == "\t" { valueScalars = valueScalars.dropLast() }
            let key = String(String.UnicodeScalarView(u[k.start..<k.eq]))
            let raw = String(String.UnicodeScalarView(valueScalars))
            out.append((key, unescape ? unescapeValue(raw) : raw))
        }
        return out
    }

    static func unescapeValue(_ s: String) -> String {
        guard s.contains("\\") else { return s }
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.append(c); continue }
            guard let n = it.next() else { out.append(c); break }
            switch n {
            case "=", "\\", "|": out.append(n)
            case "n": out.append("\n")
            case "r": out.append("\r")
            default: out.append(c); out.append(n)
            }
        }
        return out
    }

    static func isCustom(_ key: String) -> Bool {
        for prefix in ["cs", "cn", "cfp", "c6a", "flexString", "flexNumber", "deviceCustomDate", "flexDate"] where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            return !rest.isEmpty && rest.allSatisfy(\.isNumber)
        }
        return false
    }

    /// Full names some products write instead of the key names (`sourceAddress=` for `src=`).
    static let fullNames: [String: String] = [
        "sourceAddress": "src", "destinationAddress": "dst", "sourcePort": "spt", "destinationPort": "dpt",
        "sourceHostName": "shost", "destinationHostName": "dhost", "sourceMacAddress": "smac", "destinationMacAddress": "dmac",
        "sourceUserName": "suser", "destinationUserName": "duser", "sourceUserId": "suid", "destinationUserId": "duid",
        "sourceNtDomain": "sntdom", "destinationNtDomain": "dntdom", "deviceAction": "act", "transportProtocol": "proto",
        "applicationProtocol": "app", "message": "msg", "receiptTime": "rt", "endTime": "end", "startTime": "start",
        "fileName": "fname", "fileSize": "fsize", "deviceAddress": "dvc", "deviceHostName": "dvchost",
        "deviceMacAddress": "dvcmac", "eventOutcome": "outcome", "bytesIn": "in", "bytesOut": "out",
        "destinationProcessName": "dproc", "destinationProcessId": "dpid", "deviceEventCategory": "cat",
        "baseEventCount": "cnt",
        "deviceCustomString1": "cs1", "deviceCustomString2": "cs2", "deviceCustomString3": "cs3",
        "deviceCustomString4": "cs4", "deviceCustomString5": "cs5", "deviceCustomString6": "cs6",
        "deviceCustomString1Label": "cs1Label", "deviceCustomString2Label": "cs2Label", "deviceCustomString3Label": "cs3Label",
        "deviceCustomString4Label": "cs4Label", "deviceCustomString5Label": "cs5Label", "deviceCustomString6Label": "cs6Label",
        "deviceCustomNumber1": "cn1", "deviceCustomNumber2": "cn2", "deviceCustomNumber3": "cn3",
        "deviceCustomNumber1Label": "cn1Label", "deviceCustomNumber2Label": "cn2Label", "deviceCustomNumber3Label": "cn3Label",
    ]
}
