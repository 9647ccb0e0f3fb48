import Foundation
import Model
import Yams

/// A format written in YAML instead of code, for any JSON a built-in format does not know:
///
///     name: acme-edr                      # what --format takes and quarantine records
///     match: { has: [detection_id, endpoint], equals: { product: Acme EDR } }
///     kind: { name: acme.detection, display: Acme EDR detection, aliases: [acme alert] }
///     source: acme
///     time: { field: detected_at, format: epoch_ms }   # iso8601 (default), epoch, epoch_ms, or a pattern
///     id: detection_id                    # the vendor's event id (optional)
///     title: "{rule.name} on {endpoint.hostname}"
///     severity: { field: severity, map: { "1": low, "3": high }, default: medium }
///     fields: { user: actor.alternateId, src_ip: network.src, host.name: endpoint.hostname }
///     texts: [description]
///
/// Field names on the left are ECS names or their short aliases (`user`, `src_ip`); paths on
/// the right are dotted paths into the event.
public struct MappingFormat: Format {
    public let name: String
    let has: [String]
    let equals: [String: String]
    public let kind: SignalKind
    let source: String
    let timeField: String
    let timeFormat: String
    let idField: String?
    let title: String
    let severityField: String?
    let severityMap: [String: Severity]
    let severityDefault: Severity
    let fields: [(ecs: String, path: String)]
    let texts: [String]

    public struct Invalid: Error, CustomStringConvertible {
        public var file: String
        public var problem: String
        public var description: String { "mapping \(file): \(problem)" }
    }

    public static func load(path: String) throws -> MappingFormat {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Invalid(file: path, problem: "cannot read it (\(error.localizedDescription))")
        }
        return try MappingFormat(yaml: text, file: path)
    }

    public init(yaml: String, file: String = "mapping") throws {
        func bad(_ problem: String) -> Invalid { Invalid(file: file, problem: problem) }
        let node: Any?
        do { node = try Yams.load(yaml: yaml) } catch { throw bad("not valid YAML (\(error))") }
        guard let doc = node as? [String: Any] else { throw bad("expected a mapping of keys (name, match, kind, time, fields)") }
        let known: Set<String> = ["name", "match", "kind", "source", "time", "id", "title", "severity", "fields", "texts"]
        if let unknown = doc.keys.first(where: { !known.contains($0) }) {
            throw bad("unknown key '\(unknown)'; keys are: \(known.sorted().joined(separator: ", "))")
        }
        guard let name = doc["name"] as? String, !name.isEmpty else { throw bad("needs a `name`") }
        self.name = name.lowercased()
        let match = doc["match"] as? [String: Any] ?? [:]
        has = (match["has"] as? [Any])?.map { "\($0)" } ?? []
        equals = (match["equals"] as? [String: Any])?.mapValues { "\($0)" } ?? [:]
        guard !has.isEmpty || !equals.isEmpty else {
            throw bad("needs `match` with `has: [fields]` and/or `equals: {field: value}` to recognize its events")
        }
        switch doc["kind"] {
        case let k as String:
            kind = SignalKind(name: k, displayName: k, source: name)
        case let k as [String: Any]:
            guard let kindName = k["name"] as? String else { throw bad("`kind` needs a `name`") }
            kind = SignalKind(
                name: kindName, displayName: k["display"] as? String ?? kindName,
                aliases: (k["aliases"] as? [Any])?.map { "\($0)" } ?? [], source: name)
        default:
            throw bad("needs a `kind` (a name, or {name, display, aliases})")
        }
        source = doc["source"] as? String ?? name
        switch doc["time"] {
        case let t as String:
            timeField = t; timeFormat = "iso8601"
        case let t as [String: Any]:
            guard let field = t["field"] as? String else { throw bad("`time` needs a `field`") }
            timeField = field; timeFormat = t["format"] as? String ?? "iso8601"
        default:
            throw bad("needs `time` (the field holding the event time)")
        }
        idField = doc["id"] as? String
        title = doc["title"] as? String ?? kind.displayName
        if let s = doc["severity"] as? [String: Any] {
            severityField = s["field"] as? String
            var map: [String: Severity] = [:]
            for (k, v) in s["map"] as? [AnyHashable: Any] ?? [:] {
                guard let sev = Severity(parsing: "\(v)") else { throw bad("severity map value '\(v)' is not one of \(Severity.names)") }
                map["\(k)".lowercased()] = sev
            }
            severityMap = map
            guard let d = Severity(parsing: s["default"] as? String ?? "medium") else { throw bad("severity default must be one of \(Severity.names)") }
            severityDefault = d
        } else if let s = doc["severity"] as? String {
            guard let fixed = Severity(parsing: s) else { throw bad("severity '\(s)' is not one of \(Severity.names)") }
            severityField = nil; severityMap = [:]; severityDefault = fixed
        } else {
            severityField = nil; severityMap = [:]; severityDefault = .medium
        }
        guard let f = doc["fields"] as? [String: Any] else { throw bad("needs `fields: {ecs name: path in the event}`") }
        fields = f.map { (FieldAliases.resolve($0.key), "\($0.value)") }.sorted { $0.ecs < $1.ecs }
        texts = (doc["texts"] as? [Any])?.map { "\($0)" } ?? []
    }

    public func accepts(_ record: Record) -> Bool {
        guard let json = record.json else { return false }
        return has.allSatisfy { json.at($0) != nil } && equals.allSatisfy { json.string($0.key) == $0.value }
    }

    public func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try eventTime(e)
        var f: JSONObject = [:]
        for (ecs, path) in fields {
            guard let v = e.at(path) else { continue }
            if ecs == "user.name", let s = v.stringValue { ECS.user(s, into: &f) } else { f[ecs] = v }
        }
        var severity = severityDefault
        if let field = severityField, let v = e.string(field) {
            severity = severityMap[v.lowercased()] ?? Severity(parsing: v) ?? severityDefault
        }
        return [Normalized(
            time: time, source: source, sourceRef: idField.flatMap { e.string($0) }, kind: kind, severity: severity,
            title: render(title, e), fields: f, raw: record.raw, texts: texts.compactMap { e.string($0) })]
    }

    func eventTime(_ e: JSONValue) throws(NormalizeError) -> Timestamp {
        guard let v = e.at(timeField) else { throw NormalizeError("\(name): no time at `\(timeField)`") }
        switch timeFormat {
        case "iso8601", "epoch", "epoch_ms":
            if timeFormat != "iso8601", let n = e.int(timeField),
                let t = Timestamp(epoch: timeFormat == "epoch" ? Double(n) : Double(n) / 1000)
            {
                return t
            }
            if let s = v.stringValue, let t = Timestamp(parsing: s) { return t }
        default:
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = timeFormat
            if let s = v.stringValue, let d = formatter.date(from: s) { return Timestamp(d) }
        }
        throw NormalizeError("\(name): `\(timeField)` is not a time in format \(timeFormat): \(v.text.prefix(60))")
    }

    /// `{path}` placeholders filled from the event; a missing one reads `?`.
    func render(_ template: String, _ e: JSONValue) -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            out += e.string(String(rest[rest.index(after: open)..<close])) ?? "?"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
