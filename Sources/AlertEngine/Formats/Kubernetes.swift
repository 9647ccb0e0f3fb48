import Model

/// Kubernetes API server audit events (`audit.k8s.io/v1` `Event`, as the log backend writes
/// them one per line), the webhook backend's `EventList` (its `items`, each a signal), and,
/// through `AzureMonitorFormat`, AKS's `kube-audit` records that hold an event in
/// `properties.log`.
///
/// Fields: the event flattened under its own names (`verb`, `objectRef.resource`,
/// `objectRef.subresource`, `user.username`, `responseStatus.code`, `sourceIPs`, `userAgent`;
/// `requestObject` and `responseObject` last, so a large pod spec never crowds them out), what
/// SigmaHQ's rules read from a created pod's spec (`hostPath`: its volumes' host paths;
/// `capabilities`: the capabilities its containers add), and ECS (`event.action` the verb,
/// `user.name`, `source.ip`, `orchestrator.*`, `user_agent.original`, `http.response.status_code`).
///
/// `user.username` is both the vendor's field and where ECS puts the login: the event's own
/// `user` object is flattened first, then `user.name` is set from it.
///
/// Time: `stageTimestamp`, else `requestReceivedTimestamp`. Identity: `auditID` with the stage
/// (one request is logged once per stage). Severity: a request refused as unauthenticated or
/// forbidden (401, 403) is low; anything else info.
struct KubernetesAuditFormat: Format {
    let name = "kubernetes"
    var jsonMarks: [[String]] { [["kind", "apiVersion"]] }
    static let maxItems = 10_000

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        if KubernetesAuditFormat.isEvent(e) { return true }
        return e.string("kind") == "EventList" && (e.string("apiVersion")?.hasPrefix("audit.k8s.io/") ?? false)
    }

    static func isEvent(_ e: JSONValue) -> Bool {
        guard e.string("kind") == "Event", let api = e.string("apiVersion"), api.hasPrefix("audit.k8s.io/") else { return false }
        return e.string("verb") != nil
    }

    /// The event inside AKS's `properties.log`: an object, or its JSON text.
    static func embedded(_ log: JSONValue?) -> JSONValue? {
        switch log {
        case .object?: return log.flatMap { isEvent($0) ? $0 : nil }
        case .string(let text)?:
            guard text.utf8.count <= 4 << 20, let parsed = try? JSONValue.parse(Array(text.utf8)), isEvent(parsed) else { return nil }
            return parsed
        default: return nil
        }
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        if KubernetesAuditFormat.isEvent(e) { return try normalizeEvent(e, raw: record.raw) }
        let items = e.at("items")?.arrayValue ?? []
        guard items.count <= KubernetesAuditFormat.maxItems else {
            throw NormalizeError("kubernetes: \(items.count) events in one EventList, more than \(KubernetesAuditFormat.maxItems)")
        }
        var out: [Normalized] = []
        for (n, item) in items.enumerated() {
            guard KubernetesAuditFormat.isEvent(item) else { throw NormalizeError("kubernetes: items[\(n)] is not an audit event") }
            out += try normalizeEvent(item, raw: item.text)
        }
        return out
    }

    func normalizeEvent(_ e: JSONValue, raw: String) throws(NormalizeError) -> [Normalized] {
        let time = try firstTime(e, ["stageTimestamp", "requestReceivedTimestamp"])
        guard let verb = e.string("verb") else { throw NormalizeError("kubernetes: verb is missing") }
        var f: JSONObject = [:]
        // The event's own fields first (its `user.username` included), big objects last.
        var small = e.objectValue ?? [:]
        small["requestObject"] = nil
        small["responseObject"] = nil
        CloudFields.flatten(.object(JSONObject(small)), prefix: "", into: &f)
        if let request = e.at("requestObject") { CloudFields.flatten(request, prefix: "requestObject", into: &f) }
        if let response = e.at("responseObject") { CloudFields.flatten(response, prefix: "responseObject", into: &f) }

        // What a created pod asks of its node (Sigma's `hostPath` and `capabilities`).
        let spec = e.at("requestObject.spec.template.spec") ?? e.at("requestObject.spec")
        let hostPaths = (spec?.at("volumes")?.arrayValue ?? []).compactMap { $0.string("hostPath.path") }
        if !hostPaths.isEmpty { f["hostPath"] = .array(hostPaths.map { .string($0) }) }
        let containers = (spec?.at("containers")?.arrayValue ?? []) + (spec?.at("initContainers")?.arrayValue ?? [])
        let added = containers.flatMap { VendorJSON.strings($0.at("securityContext.capabilities.add")) }
        if !added.isEmpty { f["capabilities"] = .array(added.map { .string($0) }) }
        if containers.contains(where: { $0.at("securityContext.privileged") == .bool(true) }) { f["privileged"] = .bool(true) }

        f["event.action"] = .string(verb)
        f["cloud.service.name"] = "kubernetes"
        let login = e.string("user.username")
        ECS.user(login, into: &f)
        ECS.copy(e, "user.uid", to: "user.id", into: &f)
        if let groups = e.at("user.groups") { f["user.group.name"] = groups }
        ECS.copy(e, "impersonatedUser.username", to: "user.effective.name", into: &f)
        let ips = VendorJSON.strings(e.at("sourceIPs"))
        if let first = ips.first { VendorJSON.address(first, side: "source", into: &f) }
        ECS.copy(e, "userAgent", to: "user_agent.original", into: &f)
        ECS.copy(e, "objectRef.namespace", to: "orchestrator.namespace", into: &f)
        ECS.copy(e, "objectRef.resource", to: "orchestrator.resource.type", into: &f)
        ECS.copy(e, "objectRef.name", to: "orchestrator.resource.name", into: &f)
        ECS.copy(e, "objectRef.subresource", to: "orchestrator.resource.subresource", into: &f)
        f["orchestrator.type"] = "kubernetes"
        let code = e.int("responseStatus.code")
        if let code {
            f["http.response.status_code"] = .int(code)
            f["event.outcome"] = .string(code < 400 ? "success" : "failure")
        }
        // Annotation names have dots in them: read as keys, not paths.
        if let decision = e.at("annotations")?["authorization.k8s.io/decision"]?.stringValue { f["kubernetes.audit.decision"] = .string(decision) }
        if let reason = e.at("annotations")?["authorization.k8s.io/reason"]?.stringValue, !reason.isEmpty { f["event.reason"] = .string(reason) }

        let resource = [e.string("objectRef.resource"), e.string("objectRef.subresource")].compactMap { $0 }.joined(separator: "/")
        let object = [e.string("objectRef.namespace"), e.string("objectRef.name")].compactMap { $0 }.joined(separator: "/")
        let target = resource.isEmpty ? (e.string("requestURI") ?? "") : resource + (object.isEmpty ? "" : " \(object)")
        let refused = code == 401 || code == 403
        let title = "Kubernetes \(verb) \(CloudFields.short(target, 100)) by \(login ?? "an unknown user")"
            + (code.map { $0 >= 400 ? " (\($0))" : "" } ?? "")
        let reference = e.string("auditID").map { id in e.string("stage").map { "\(id):\($0)" } ?? id }
        return [Normalized(
            time: time, source: "kubernetes", sourceRef: reference, kind: .kubernetesAudit, severity: refused ? .low : .info,
            title: title, fields: f, raw: raw)]
    }
}
