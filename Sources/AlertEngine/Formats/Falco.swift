import Model

/// Falco alerts as `json_output: true` writes them (stdout, file, http_output, Falcosidekick):
/// `time` (RFC 3339 with nanoseconds), `rule`, `priority`, `output`, `output_fields`,
/// `hostname`, `source` (`syscall`, `k8s_audit`, `aws_cloudtrail`, ...), `tags`, and `uuid` on
/// Falco 0.36 and later. `output_fields` keys are Falco field names with dots
/// (`container.id`, `proc.cmdline`), read as keys, never as paths; a field without a value is
/// `null`, or `<NA>` on older Falco. Every output field is also kept as
/// `falco.output_fields.<name>`.
///
/// Identity: `uuid` when present; older Falco has none, and the line's hash serves.
///
/// Severity by priority: Emergency, Alert, Critical critical; Error high; Warning medium;
/// Notice low; Informational, Debug info.
struct FalcoFormat: Format {
    let name = "falco"
    var jsonMarks: [[String]] { [["rule", "priority", "output", "time"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("rule", "priority", "output", "time"), case .string? = e["rule"] else { return false }
        return true
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "time")
        guard case .string(let rule)? = e["rule"], !rule.isEmpty else { throw NormalizeError("falco: rule is not a name") }
        guard case .string(let priority)? = e["priority"], let severity = FalcoFormat.severity(priority) else {
            throw NormalizeError("falco: priority is not a Falco priority: \(e["priority"]?.text.prefix(40) ?? "missing")")
        }
        let of = e["output_fields"]?.objectValue ?? [:]
        func value(_ key: String) -> JSONValue? {
            guard let v = of[key] else { return nil }
            if case .null = v { return nil }
            if case .string(let s) = v, s.isEmpty || s == "<NA>" { return nil }
            return v
        }
        func text(_ key: String) -> String? { value(key)?.stringValue }

        var f: JSONObject = [:]
        f["rule.name"] = .string(rule)
        f["falco.priority"] = .string(priority)
        ECS.copy(e, "source", to: "falco.source", into: &f)
        ECS.copy(e, "hostname", to: "host.name", into: &f)
        let tags = VendorJSON.strings(e["tags"])
        if !tags.isEmpty { f["tags"] = .array(tags.map { .string($0) }) }
        for key in of.keys.sorted() { if let v = value(key) { f["falco.output_fields.\(key)"] = v } }
        if let action = text("evt.type") { f["event.action"] = .string(action) }

        // The container and its pod; `host` is Falco's container id for the host itself.
        if let id = text("container.id"), id != "host" { f["container.id"] = .string(id) }
        if let name = text("container.name"), name != "host" { f["container.name"] = .string(name) }
        if let image = text("container.image.repository") { f["container.image.name"] = .string(image) }
        if let tag = text("container.image.tag") { f["container.image.tag"] = .string(tag) }
        if let ns = text("k8s.ns.name") ?? text("ka.target.namespace") { f["orchestrator.namespace"] = .string(ns) }
        if let pod = text("k8s.pod.name") ?? text("ka.target.name") {
            f["orchestrator.resource.name"] = .string(pod)
            f["orchestrator.resource.type"] = .string(text("ka.target.resource").map { String($0.dropLast($0.hasSuffix("s") ? 1 : 0)) } ?? "pod")
        }

        // The process and the user it ran as; audit sources name their own user.
        ECS.user(text("user.name") ?? text("ka.user.name") ?? text("ct.user"), into: &f)
        if let uid = text("user.uid") { f["user.id"] = .string(uid) }
        if let name = text("proc.name") { f["process.name"] = .string(name) }
        if let cmd = text("proc.cmdline") { f["process.command_line"] = .string(cmd) }
        if let exe = text("proc.exepath") ?? text("proc.exe"), exe.hasPrefix("/") { f["process.executable"] = .string(exe) }
        if let pid = VendorJSON.int(value("proc.pid")) { f["process.pid"] = .int(pid) }
        if let parent = text("proc.pname") { f["process.parent.name"] = .string(parent) }
        if let cmd = text("proc.pcmdline") { f["process.parent.command_line"] = .string(cmd) }

        // What the syscall touched: a file, or a connection (fd.name is `a:p->b:q` then).
        let fdType = text("fd.type")
        if let fd = text("fd.name") ?? text("fs.path.name"), fd.hasPrefix("/"), fdType == nil || fdType == "file" || fdType == "directory" {
            f["file.path"] = .string(fd)
            f["file.name"] = .string(VendorJSON.basename(fd))
        }
        if let ip = text("fd.cip") { f["source.ip"] = .string(ip) }
        if let port = VendorJSON.int(value("fd.cport")) { f["source.port"] = .int(port) }
        if let ip = text("fd.sip") { f["destination.ip"] = .string(ip) }
        if let port = VendorJSON.int(value("fd.sport")) { f["destination.port"] = .int(port) }
        if let name = text("fd.sip.name") { f["destination.domain"] = .string(VendorJSON.hostname(name).lowercased()) }
        // A connection named only by fd.name (`10.0.0.5:41234->203.0.113.9:443`, as older rules
        // print it): both ends, where fd.cip and fd.sip did not say.
        if let fd = text("fd.name"), let arrow = fd.range(of: "->") {
            let ends = [String(fd[..<arrow.lowerBound]), String(fd[arrow.upperBound...])].map(ECS.splitPort)
            if let (ip, port) = ends[0], f["source.ip"] == nil {
                f["source.ip"] = .string(ip)
                f["source.port"] = f["source.port"] ?? .int(Int64(port))
            }
            if let (ip, port) = ends[1], f["destination.ip"] == nil {
                f["destination.ip"] = .string(ip)
                f["destination.port"] = f["destination.port"] ?? .int(Int64(port))
            }
        }
        if let proto = text("fd.l4proto") { f["network.transport"] = .string(proto.lowercased()) }
        if let ip = text("ct.srcip"), VendorJSON.isIP(ip) { f["source.ip"] = .string(ip) }

        let place: String
        if let pod = f["orchestrator.resource.name"]?.stringValue {
            place = [f["orchestrator.namespace"]?.stringValue, pod].compactMap { $0 }.joined(separator: "/")
        } else {
            place = f["container.name"]?.stringValue ?? f["container.id"]?.stringValue ?? ""
        }
        let host = e.string("hostname")
        let at = [place.isEmpty ? nil : place, host.map { "on \($0)" }].compactMap { $0 }.joined(separator: " ")
        let title = at.isEmpty ? rule : "\(rule) (\(at))"
        return [Normalized(
            time: time, source: "falco", sourceRef: e.string("uuid"), kind: .falco, severity: severity, title: title,
            fields: f, raw: record.raw, texts: [e.string("output"), text("proc.cmdline")].compactMap { $0 })]
    }

    static func severity(_ priority: String) -> Severity? {
        switch priority.lowercased() {
        case "emergency", "alert", "critical": .critical
        case "error": .high
        case "warning", "warn": .medium
        case "notice": .low
        case "informational", "info", "debug": .info
        default: nil
        }
    }
}
