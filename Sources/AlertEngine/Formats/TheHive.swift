import Model

/// Alerts in TheHive's shape, as tools send them to TheHive 5 (`POST /api/v1/alert`, with
/// `observables`) or TheHive 4 (`POST /api/alert`, with `artifacts`): `type`, `source`,
/// `sourceRef`, `title`, `description`, `severity` (1 low to 4 critical), `date` (epoch ms),
/// `tags`, `tlp` (0 clear to 4 red), `pap` (0 to 3), `externalLink`, and observables with
/// `dataType`, `data`, `message`, `tlp`, `ioc`, `tags`. `taser serve` takes them on TheHive's own
/// paths, so tools that already feed TheHive feed taser unchanged; `taser ingest` reads the same
/// JSON from files.
///
/// Identity: TheHive refuses a second alert with the same (type, source, sourceRef), so that
/// triple is the signal's source reference (written as a JSON array, which no two triples share).
///
/// Kind: the alert's `type` when it names one of taser's kinds exactly (`okta.sso.new_location`),
/// so a forwarder can say what it sends; otherwise `thehive.alert` with the type in
/// `thehive.type` (TheHive's types are free words such as `external` or `phishing`, which rules
/// filter on: `(2 TheHive alerts WHERE thehive.type = "phishing")`).
///
/// Time: `date` when present; TheHive itself takes the time of arrival otherwise, and so does
/// taser (identity does not depend on it, so a re-sent alert is still stored once).
public struct TheHiveFormat: Format {
    public let name = "thehive"
    public var jsonMarks: [[String]] { [["type", "source", "sourceRef", "title"]] }

    public init() {}

    public func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("type", "source", "sourceRef", "title") else { return false }
        return e.has("description") || e.has("observables") || e.has("artifacts") || e.has("severity")
    }

    public func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let alert = try TheHiveAlert(e)
        var f: JSONObject = [:]
        f["thehive.type"] = .string(alert.type)
        f["thehive.source"] = .string(alert.source)
        f["thehive.source_ref"] = .string(alert.sourceRef)
        f["event.provider"] = .string(alert.source)
        f["message"] = .string(alert.description)
        f["thehive.tlp"] = .int(Int64(alert.tlp))
        f["thehive.pap"] = .int(Int64(alert.pap))
        if !alert.tags.isEmpty { f["tags"] = .array(alert.tags.map { .string($0) }) }
        ECS.copy(e, "externalLink", to: "thehive.external_link", into: &f)
        ECS.copy(e, "summary", to: "thehive.summary", into: &f)
        ECS.copy(e, "caseTemplate", to: "thehive.case_template", into: &f)
        if !alert.observables.isEmpty {
            f["thehive.observables"] = .array(alert.observables.map(\.json))
        }

        // Observables as artifacts, and the first user and host as the ECS fields rules group on.
        var mentions: [ArtifactMention] = []
        for o in alert.observables {
            guard let mention = TheHiveFormat.artifact(dataType: o.dataType, data: o.data) else { continue }
            mentions.append(mention)
            switch mention.type {
            case .user where f["user.name"] == nil: ECS.user(o.data, into: &f)
            case .host where f["host.name"] == nil: f["host.name"] = .string(mention.value)
            case .ip: f["related.ip"] = .array((f["related.ip"]?.arrayValue ?? []) + [.string(mention.value)])
            default: break
            }
        }

        let kind = SignalKind.catalog.first { $0.name == alert.type } ?? .theHive
        return [Normalized(
            time: alert.date ?? .now, source: "thehive", sourceRef: alert.identity, kind: kind, severity: alert.severity,
            title: alert.title, fields: f, raw: record.raw, artifacts: mentions,
            texts: [alert.description] + alert.observables.compactMap(\.message))]
    }

    /// A TheHive observable as an artifact, checked as ingest checks one: a value that is not what
    /// its data type says (an "ip" of "n/a") is kept as `other`; nil for what carries no value to
    /// pivot on (a file) or no valid value at all.
    public static func artifact(dataType: String, data: String) -> ArtifactMention? {
        guard let (type, role) = artifactType(dataType, data) else { return nil }
        return ArtifactExtractor.validate(data, as: type).map { ArtifactMention(type, $0, role: role) }
            ?? ArtifactExtractor.validate(data, as: .other).map { ArtifactMention(.other, $0, role: role) }
    }

    /// TheHive's data types as taser's artifact types, with the part the artifact plays. Nil for
    /// what carries no value to pivot on (an attached file's content).
    static func artifactType(_ dataType: String, _ data: String) -> (ArtifactType, String)? {
        switch dataType.lowercased() {
        case "ip": return (.ip, "related")
        case "domain", "fqdn": return (.domain, "related")
        case "hostname", "host": return (.host, "host")
        case "url", "uri": return (.url, "url")
        case "mail", "email", "mail-address": return (.email, "related")
        case "hash":
            switch data.count {
            case 32: return (.md5, "file")
            case 40: return (.sha1, "file")
            case 64: return (.sha256, "file")
            default: return (.other, "file")
            }
        case "filename": return (.filename, "file")
        case "user-agent", "user_agent": return (.userAgent, "src")
        case "user", "username", "user-account", "account": return (.user, "user")
        case "cve": return (.cve, "related")
        case "file": return nil
        default: return (.other, "related")
        }
    }
}

/// A TheHive alert as sent, checked the way TheHive checks it: the first missing or wrong
/// attribute is the error.
public struct TheHiveAlert: Sendable {
    public struct Observable: Sendable {
        public var dataType: String
        public var data: String
        public var message: String?
        public var tlp: Int?
        public var ioc: Bool
        public var tags: [String]

        var json: JSONValue {
            var o: JSONObject = ["dataType": .string(dataType), "data": .string(data), "ioc": .bool(ioc)]
            if let message { o["message"] = .string(message) }
            if let tlp { o["tlp"] = .int(Int64(tlp)) }
            if !tags.isEmpty { o["tags"] = .array(tags.map { .string($0) }) }
            return .object(o)
        }
    }

    public var type: String
    public var source: String
    public var sourceRef: String
    public var title: String
    public var description: String
    public var severity: Severity
    /// TheHive's number (1 to 4), kept for answers in TheHive's shape.
    public var severityNumber: Int
    public var date: Timestamp?
    public var tags: [String]
    public var tlp: Int
    public var pap: Int
    public var observables: [Observable]

    /// The signal's source reference: the (type, source, sourceRef) TheHive deduplicates on.
    public var identity: String { TheHiveAlert.identity(type: type, source: source, sourceRef: sourceRef) }

    public static func identity(type: String, source: String, sourceRef: String) -> String {
        JSONValue.array([.string(type), .string(source), .string(sourceRef)]).text
    }

    public init(_ e: JSONValue) throws(NormalizeError) {
        func text(_ key: String) throws(NormalizeError) -> String {
            guard let v = e[key] else { throw NormalizeError("thehive: \(key) is missing") }
            guard case .string(let s) = v, !s.trimmed.isEmpty else { throw NormalizeError("thehive: \(key) must be non-empty text") }
            return s
        }
        func number(_ key: String, in range: ClosedRange<Int>, default value: Int, what: String) throws(NormalizeError) -> Int {
            guard let v = e[key], v != .null else { return value }
            guard let n = VendorJSON.int(v), range.contains(Int(n)) else { throw NormalizeError("thehive: \(key) must be \(what), not \(v.text.prefix(20))") }
            return Int(n)
        }
        type = try text("type")
        source = try text("source")
        sourceRef = try text("sourceRef")
        title = try text("title")
        description = try text("description")
        severityNumber = try number("severity", in: 1...4, default: 2, what: "1 (low) to 4 (critical)")
        severity = [Severity.low, .medium, .high, .critical][severityNumber - 1]
        tlp = try number("tlp", in: 0...4, default: 2, what: "0 (clear) to 4 (red)")
        pap = try number("pap", in: 0...3, default: 2, what: "0 (clear) to 3 (red)")
        if let d = e["date"], d != .null {
            guard let ms = VendorJSON.int(d), let t = Timestamp(epoch: Double(ms)), Timestamp.plausible.contains(t.ms) else {
                throw NormalizeError("thehive: date must be epoch milliseconds, not \(d.text.prefix(30))")
            }
            date = t
        }
        tags = VendorJSON.strings(e["tags"])
        observables = []
        // TheHive 5 says observables, TheHive 4 artifacts; the items are the same.
        for key in ["observables", "artifacts"] {
            guard let list = e[key], list != .null else { continue }
            guard case .array(let items) = list else { throw NormalizeError("thehive: \(key) must be a list") }
            for (n, item) in items.enumerated() {
                guard case .object = item else { throw NormalizeError("thehive: \(key)[\(n)] must be an object") }
                guard let dataType = item.string("dataType") else { throw NormalizeError("thehive: \(key)[\(n)].dataType is missing") }
                guard let data = item.string("data") else {
                    // An attachment carries its content elsewhere and has nothing to pivot on.
                    if dataType == "file" { continue }
                    throw NormalizeError("thehive: \(key)[\(n)].data is missing")
                }
                observables.append(Observable(
                    dataType: dataType, data: data, message: item.string("message"), tlp: item.int("tlp").map(Int.init),
                    ioc: item.bool("ioc") ?? false, tags: VendorJSON.strings(item["tags"])))
            }
        }
    }
}
