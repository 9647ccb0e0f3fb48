import Model

/// Google Cloud audit log entries (`LogEntry` with a `protoPayload` of type
/// `google.cloud.audit.AuditLog`), as `gcloud logging read --format=json`, a log sink to
/// Cloud Storage or Pub/Sub write them: `insertId`, `logName`, `timestamp`, `severity`,
/// `resource`, `protoPayload.methodName`, `serviceName`, `resourceName`,
/// `authenticationInfo.principalEmail`, `authorizationInfo`, `requestMetadata.callerIp`,
/// `status`.
///
/// Google Workspace's audit logs shared with Cloud Logging are the same entries with
/// `serviceName` `admin.googleapis.com` (`.googleWorkspaceAdmin`) or `login.googleapis.com`
/// (`.googleWorkspaceLogin`); their `protoPayload.metadata.event` lists the Workspace events
/// (`eventName`, `parameter`). Every other entry is `.gcpAudit`.
///
/// Fields: the entry flattened under its own names (`protoPayload.methodName`,
/// `protoPayload.authorizationInfo.permission`, ...), the names Elastic's GCP integration gives
/// (`gcp.audit.method_name`, ...; SigmaHQ's rules use them), for Workspace the event's
/// `eventService`, `eventName` and each parameter under its lowercased name (`setting_name`,
/// `new_value`), and ECS: `event.action`, `event.provider`, `event.outcome`, `user.name`
/// (and `user.email`), `source.ip`, `user_agent.original`, `cloud.project.id`.
///
/// Time: `timestamp`. Identity: `insertId` within its `logName`. Severity: a refused call
/// (`status.code` not 0) or a failed Workspace login is low; anything else info.
struct GoogleCloudAuditFormat: Format {
    let name = "gcp"
    var jsonMarks: [[String]] { [["protoPayload"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, let type = e.string("protoPayload.@type") else { return false }
        return type.hasSuffix("google.cloud.audit.AuditLog") && (e["timestamp"] != nil || e["receiveTimestamp"] != nil)
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try firstTime(e, ["timestamp", "receiveTimestamp"])
        let p = e.at("protoPayload") ?? .object([:])
        let method = p.string("methodName") ?? "unknown method"
        let service = p.string("serviceName") ?? ""
        var f: JSONObject = [:]
        f["cloud.provider"] = "gcp"
        f["event.provider"] = .string(service)
        ECS.copy(e, "resource.labels.project_id", to: "cloud.project.id", into: &f)
        ECS.copy(e, "resource.labels.location", to: "cloud.region", into: &f)
        // Elastic's names for the audit entry.
        f["gcp.audit.method_name"] = .string(method)
        ECS.copy(p, "serviceName", to: "gcp.audit.service_name", into: &f)
        ECS.copy(p, "resourceName", to: "gcp.audit.resource_name", into: &f)
        ECS.copy(e, "resource.type", to: "gcp.audit.resource_type", into: &f)
        ECS.copy(p, "authenticationInfo.principalEmail", to: "gcp.audit.authentication_info.principal_email", into: &f)
        ECS.copy(p, "status.code", to: "gcp.audit.status.code", into: &f)
        ECS.copy(p, "status.message", to: "gcp.audit.status.message", into: &f)
        ECS.copy(e, "logName", to: "log.logger", into: &f)

        let code = p.int("status.code") ?? 0
        let login = CloudFields.first(p, "authenticationInfo.principalEmail", "authenticationInfo.principalSubject")
        ECS.user(login, into: &f)
        if let ip = CloudFields.ip(p.string("requestMetadata.callerIp")) { f["source.ip"] = .string(ip) }
        ECS.copy(p, "requestMetadata.callerSuppliedUserAgent", to: "user_agent.original", into: &f)
        ECS.copy(p, "status.message", to: "error.message", into: &f)
        if code != 0 { f["error.code"] = .int(code) }

        // Workspace's own events inside the entry.
        let events = p.at("metadata.event")?.arrayValue ?? []
        let workspace = service == "admin.googleapis.com" || service == "login.googleapis.com"
        var eventNames: [String] = []
        if workspace {
            f["eventService"] = .string(service)
            for event in events.prefix(CloudFields.maxKeys) {
                if let name = event.string("eventName") { eventNames.append(name) }
                for parameter in (event.at("parameter")?.arrayValue ?? []).prefix(CloudFields.maxKeys) {
                    guard let key = parameter.string("name")?.lowercased(), f[key] == nil else { continue }
                    let value = parameter.at("value") ?? parameter.at("multiStrValue") ?? parameter.at("boolValue") ?? parameter.at("intValue")
                    if let value { f[key] = value }
                }
            }
            if !eventNames.isEmpty { f["eventName"] = .array(eventNames.map { .string($0) }) }
        }
        let action = eventNames.first ?? method
        f["event.action"] = .string(action)
        let loginFailed = service == "login.googleapis.com" && eventNames.contains { $0.lowercased().contains("failure") }
        f["event.outcome"] = .string(code != 0 || loginFailed ? "failure" : "success")

        let kind: SignalKind = service == "admin.googleapis.com" ? .googleWorkspaceAdmin
            : service == "login.googleapis.com" ? .googleWorkspaceLogin : .gcpAudit
        let who = login ?? "an unknown principal"
        let title: String
        if kind == .googleWorkspaceLogin {
            title = "Google Workspace \(action) by \(who)"
        } else if kind == .googleWorkspaceAdmin {
            title = "Google Workspace admin \(action) by \(who)"
        } else {
            let denied = code != 0 ? " failed: \(p.string("status.message") ?? "code \(code)")" : ""
            title = "\(method) on \(service) by \(who)\(denied)"
        }
        CloudFields.flatten(e, prefix: "", into: &f)
        let reference = e.string("insertId").map { id in e.string("logName").map { "\($0):\(id)" } ?? id }
        return [Normalized(
            time: time, source: "gcp", sourceRef: reference, kind: kind, severity: code != 0 || loginFailed ? .low : .info,
            title: title, fields: f, raw: record.raw, texts: [p.string("status.message")].compactMap { $0 })]
    }
}
