import Model

/// Azure Monitor log records as diagnostic settings export them to a storage account (one
/// record per line) or an Event Hub (`{"records": [...]}`, framed by the document framer, or one
/// such envelope per line, read here): the common schema `time`, `resourceId`, `operationName`,
/// `category`, `resultType`, `resultDescription`, `callerIpAddress`, `correlationId`,
/// `identity`, `level`, `properties`.
///
/// Kinds by `category`: the sign-in categories are `.azureSignIn`, `AuditLogs` is
/// `.azureAudit` (`.azurePIM` when PIM logged it), the Identity Protection categories are
/// `.azureRiskDetection`, the activity log's categories (Administrative, Security, Policy, ...)
/// are `.azureActivity`, and any other resource log is `.azureResource`. AKS control-plane
/// audit (`kube-audit`, `kube-audit-admin`) holds a Kubernetes audit event in
/// `properties.log` and is read as one (`KubernetesAuditFormat`).
///
/// Fields: the record flattened under its own names (`operationName`, `properties.message`,
/// `properties.status.errorCode`), the columns Microsoft Sentinel gives these tables where
/// SigmaHQ's rules use them (`ResultType`, `ResultDescription`, `Status`,
/// `AuthenticationRequirement`, `DeviceDetail.*`, `OperationName`, `Category`,
/// `ActivityDisplayName`, `LoggedByService`, `OperationNameValue`, `CategoryValue`,
/// `ResourceProviderValue`), and ECS (`event.action`, `event.outcome`, `user.name`,
/// `source.ip`, `user_agent.original`, `cloud.*`).
struct AzureMonitorFormat: Format {
    let name = "azure"
    var jsonMarks: [[String]] { [["operationName", "time", "category"], ["records"]] }

    static let signInCategories: Set<String> = [
        "signinlogs", "noninteractiveusersigninlogs", "serviceprincipalsigninlogs", "managedidentitysigninlogs",
        "microsoftserviceprincipalsigninlogs", "adfssigninlogs",
    ]
    static let riskCategories: Set<String> = ["riskyusers", "userriskevents", "riskyserviceprincipals", "serviceprincipalriskevents"]
    /// The activity log's event categories (and `Action`, which older exports wrote).
    static let activityCategories: Set<String> = [
        "administrative", "security", "servicehealth", "alert", "recommendation", "policy", "autoscale", "resourcehealth", "action",
    ]
    /// An Event Hub message holds at most this many records; more is not an Azure export.
    static let maxRecords = 10_000

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        if AzureMonitorFormat.isRecord(e) { return true }
        guard let records = e.at("records")?.arrayValue, let first = records.first else { return false }
        return AzureMonitorFormat.isRecord(first)
    }

    /// The common schema's marks: a time, an operation and where it happened. `resourceId` or
    /// `tenantId` with `category` tells it from other vendors' JSON that has an operationName.
    static func isRecord(_ e: JSONValue) -> Bool {
        guard case .string? = e["operationName"], e["time"] != nil, case .string? = e["category"] else { return false }
        return e["resourceId"] != nil || e["tenantId"] != nil
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        if AzureMonitorFormat.isRecord(e) { return try one(e, raw: record.raw) }
        // An Event Hub envelope on one line: each record is a signal with its own text as raw.
        guard let records = e.at("records")?.arrayValue else { throw NormalizeError("azure: neither a record nor {\"records\": [...]}") }
        guard records.count <= AzureMonitorFormat.maxRecords else {
            throw NormalizeError("azure: \(records.count) records in one envelope, more than \(AzureMonitorFormat.maxRecords)")
        }
        var out: [Normalized] = []
        for (n, item) in records.enumerated() {
            guard AzureMonitorFormat.isRecord(item) else { throw NormalizeError("azure: records[\(n)] is not an Azure Monitor record") }
            out += try one(item, raw: item.text)
        }
        return out
    }

    private func one(_ e: JSONValue, raw: String) throws(NormalizeError) -> [Normalized] {
        let category = e.string("category") ?? ""
        let lower = category.lowercased()
        if lower.hasPrefix("kube-audit"), let event = KubernetesAuditFormat.embedded(e.at("properties.log")) {
            return try KubernetesAuditFormat().normalizeEvent(event, raw: raw)
        }
        let time = try firstTime(e, [
            "time", "properties.createdDateTime", "properties.activityDateTime", "properties.detectedDateTime",
            "properties.eventTimestamp",
        ])
        let p = e.at("properties") ?? .object([:])
        var f: JSONObject = [:]
        f["cloud.provider"] = "azure"
        f["azure.category"] = .string(category)
        ECS.copy(e, "tenantId", to: "cloud.account.id", into: &f)
        if let subscription = AzureMonitorFormat.subscription(e.string("resourceId")) {
            f["cloud.account.id"] = f["cloud.account.id"] ?? .string(subscription)
            f["azure.subscription_id"] = .string(subscription)
        }
        ECS.copy(e, "correlationId", to: "azure.correlation_id", into: &f)

        let result: Normalized
        if AzureMonitorFormat.signInCategories.contains(lower) {
            result = signIn(e, p, time: time, fields: f, raw: raw)
        } else if lower == "auditlogs" {
            result = audit(e, p, time: time, fields: f, raw: raw)
        } else if AzureMonitorFormat.riskCategories.contains(lower) {
            result = risk(e, p, time: time, fields: f, raw: raw)
        } else {
            result = activity(e, p, time: time, fields: f, raw: raw, isActivityLog: AzureMonitorFormat.activityCategories.contains(lower))
        }
        var done = result
        CloudFields.flatten(e, prefix: "", into: &done.fields)
        return [done]
    }

    /// `/subscriptions/<id>/...` (any case), or nil for tenant-level resources.
    static func subscription(_ resourceId: String?) -> String? {
        guard let parts = resourceId?.split(separator: "/"), parts.count >= 2, parts[0].lowercased() == "subscriptions" else { return nil }
        return String(parts[1])
    }

    /// A stable id: the category (the same id appears in several sign-in tables) and the id
    /// the record carries.
    static func reference(_ e: JSONValue, _ id: String?) -> String? {
        guard let id, !id.isEmpty else { return nil }
        return "\(e.string("category") ?? "azure"):\(id)"
    }

    // MARK: - Sign-ins

    private func signIn(_ e: JSONValue, _ p: JSONValue, time: Timestamp, fields: JSONObject, raw: String) -> Normalized {
        var f = fields
        // Sentinel's SigninLogs columns: ResultType is the error code as text ("0" is success).
        let code = CloudFields.first(e, "resultType") ?? p.at("status.errorCode")?.stringValue ?? ""
        let success = code == "0" || code.isEmpty && p.at("status.errorCode") == nil
        let reason = CloudFields.first(e, "resultDescription") ?? CloudFields.first(p, "status.failureReason")
        f["ResultType"] = .string(code)
        if let reason { f["ResultDescription"] = .string(reason) }
        // The portal's Status column is Success or Failure; a failure's details follow it, so
        // "MFA denied; user declined the authentication" is part of what Status says.
        let details = [CloudFields.first(p, "status.failureReason"), CloudFields.first(p, "status.additionalDetails")].compactMap { $0 }
        f["Status"] = .string(success ? "Success" : (["Failure"] + details).joined(separator: ": "))
        for (column, path) in [
            ("AuthenticationRequirement", "authenticationRequirement"), ("ConditionalAccessStatus", "conditionalAccessStatus"),
            ("RiskState", "riskState"), ("ResourceDisplayName", "resourceDisplayName"), ("ClientAppUsed", "clientAppUsed"),
            ("AppDisplayName", "appDisplayName"), ("UserPrincipalName", "userPrincipalName"), ("UserAgent", "userAgent"),
            ("AuthenticationProtocol", "authenticationProtocol"), ("IsInteractive", "isInteractive"),
        ] {
            if let v = p.at(path) { f[column] = v }
        }
        if let device = p.at("deviceDetail") { CloudFields.flatten(device, prefix: "DeviceDetail", into: &f) }
        if let network = p.at("networkLocationDetails") { f["NetworkLocationDetails"] = .string(network.text) }

        f["event.action"] = .string(e.string("operationName") ?? "Sign-in activity")
        f["event.category"] = "authentication"
        f["event.outcome"] = .string(success ? "success" : "failure")
        if !success { f["error.code"] = .string(code) }
        let login = CloudFields.first(p, "userPrincipalName", "servicePrincipalName")
        ECS.user(login, into: &f)
        ECS.copy(p, "userId", to: "user.id", into: &f)
        ECS.copy(p, "userDisplayName", to: "user.full_name", into: &f)
        VendorJSON.address(CloudFields.first(p, "ipAddress") ?? CloudFields.first(e, "callerIpAddress"), side: "source", into: &f)
        ECS.copy(p, "userAgent", to: "user_agent.original", into: &f)
        ECS.copy(p, "location.city", to: "source.geo.city_name", into: &f)
        ECS.copy(p, "location.state", to: "source.geo.region_name", into: &f)
        ECS.copy(p, "location.countryOrRegion", to: "source.geo.country_iso_code", into: &f)
        ECS.copy(p, "appDisplayName", to: "azure.signin.app", into: &f)

        let who = login ?? e.string("identity") ?? "an unknown user"
        let app = p.string("appDisplayName") ?? p.string("resourceDisplayName")
        let to = app.map { " to \($0)" } ?? ""
        let title = success
            ? "Azure sign-in by \(who)\(to)"
            : "Failed Azure sign-in by \(who)\(to): \(code)\(reason.map { " \(CloudFields.short($0, 80))" } ?? "")"
        // A failed sign-in is worth a look; at risk is more.
        let atRisk = ["atrisk", "confirmedcompromised"].contains(p.string("riskState")?.lowercased() ?? "")
        let severity: Severity = atRisk ? .medium : success ? .info : .low
        return Normalized(
            time: time, source: "azure", sourceRef: AzureMonitorFormat.reference(e, p.string("id")), kind: .azureSignIn,
            severity: severity, title: title, fields: f, raw: raw, texts: [reason].compactMap { $0 })
    }

    // MARK: - Audit logs

    private func audit(_ e: JSONValue, _ p: JSONValue, time: Timestamp, fields: JSONObject, raw: String) -> Normalized {
        var f = fields
        let activity = p.string("activityDisplayName") ?? e.string("operationName") ?? "audit event"
        let result = p.string("result") ?? ""
        // Sentinel's AuditLogs columns.
        f["OperationName"] = .string(e.string("operationName") ?? activity)
        f["ActivityDisplayName"] = .string(activity)
        ECS.copy(p, "category", to: "Category", into: &f)
        ECS.copy(p, "loggedByService", to: "LoggedByService", into: &f)
        ECS.copy(p, "operationType", to: "OperationType", into: &f)
        if !result.isEmpty {
            f["Result"] = .string(result)
            f["Status"] = .string(result)
        }
        // The activity is what the portal shows as the event's message.
        if p.at("message") == nil { f["properties.message"] = .string(activity) }
        f["event.action"] = .string(activity)
        f["event.outcome"] = .string(["success", "failure"].contains(result.lowercased()) ? result.lowercased() : "unknown")
        ECS.copy(p, "resultReason", to: "event.reason", into: &f)

        // Who did it: a user, else an app (service principal).
        let login = CloudFields.first(p, "initiatedBy.user.userPrincipalName")
        ECS.user(login, into: &f)
        ECS.copy(p, "initiatedBy.user.id", to: "user.id", into: &f)
        VendorJSON.address(CloudFields.first(p, "initiatedBy.user.ipAddress") ?? CloudFields.first(e, "callerIpAddress"), side: "source", into: &f)
        let app = CloudFields.first(p, "initiatedBy.app.displayName", "initiatedBy.app.servicePrincipalName")
        if let app { f["azure.auditlogs.initiated_by.app"] = .string(app) }
        // What it acted on: the first target; a user target is user.target.
        var artifacts: [ArtifactMention] = []
        let targets = p.at("targetResources")?.arrayValue ?? []
        let target = targets.first
        if let target {
            ECS.copy(target, "displayName", to: "azure.auditlogs.target.display_name", into: &f)
            ECS.copy(target, "type", to: "azure.auditlogs.target.type", into: &f)
        }
        for t in targets.prefix(CloudFields.maxKeys) {
            guard let upn = CloudFields.first(t, "userPrincipalName") else { continue }
            if f["user.target.name"] == nil { ECS.user(upn, prefix: "user.target", into: &f) }
            if let m = ECS.mention(.user, upn, role: "target_user") { artifacts.append(m) }
        }
        let who = login ?? app ?? e.string("identity") ?? "an unknown principal"
        let on = (target.flatMap { CloudFields.first($0, "userPrincipalName", "displayName") }).map { " on \($0)" } ?? ""
        let failed = result.lowercased() == "failure"
        let title = "\(failed ? "Failed: " : "")\(activity)\(on) by \(who)"
        let kind: SignalKind = p.string("loggedByService")?.uppercased() == "PIM" ? .azurePIM : .azureAudit
        return Normalized(
            time: time, source: "azure", sourceRef: AzureMonitorFormat.reference(e, p.string("id")), kind: kind,
            severity: failed ? .low : .info, title: title, fields: f, raw: raw, artifacts: artifacts,
            texts: [p.string("resultReason")].compactMap { $0 })
    }

    // MARK: - Identity Protection

    private func risk(_ e: JSONValue, _ p: JSONValue, time: Timestamp, fields: JSONObject, raw: String) -> Normalized {
        var f = fields
        let type = p.string("riskEventType") ?? p.string("riskType") ?? "risk"
        let level = p.string("riskLevel")?.lowercased() ?? ""
        f["event.action"] = .string(type)
        f["event.kind"] = "alert"
        if let level = p.string("riskLevel") { f["event.risk_level"] = .string(level) }
        let login = CloudFields.first(p, "userPrincipalName", "servicePrincipalDisplayName")
        ECS.user(login, into: &f)
        ECS.copy(p, "userId", to: "user.id", into: &f)
        ECS.copy(p, "userDisplayName", to: "user.full_name", into: &f)
        VendorJSON.address(CloudFields.first(p, "ipAddress") ?? CloudFields.first(e, "callerIpAddress"), side: "source", into: &f)
        ECS.copy(p, "location.city", to: "source.geo.city_name", into: &f)
        ECS.copy(p, "location.countryOrRegion", to: "source.geo.country_iso_code", into: &f)
        // Identity Protection's own level; a dismissed or remediated risk is no longer one.
        let state = p.string("riskState")?.lowercased() ?? ""
        let severity: Severity
        switch level {
        case _ where ["dismissed", "remediated"].contains(state): severity = .info
        case "high": severity = .high
        case "medium": severity = .medium
        case "low": severity = .low
        default: severity = .medium
        }
        let who = login ?? e.string("identity") ?? "an unknown user"
        let title = "Azure risk detection: \(type) for \(who)\(level.isEmpty ? "" : " (\(level))")"
        return Normalized(
            time: time, source: "azure", sourceRef: AzureMonitorFormat.reference(e, p.string("id")), kind: .azureRiskDetection,
            severity: severity, title: title, fields: f, raw: raw)
    }

    // MARK: - Activity log and other resource logs

    private func activity(_ e: JSONValue, _ p: JSONValue, time: Timestamp, fields: JSONObject, raw: String, isActivityLog: Bool) -> Normalized {
        var f = fields
        let operation = e.string("operationName") ?? "operation"
        let resultType = e.string("resultType") ?? ""
        // Sentinel's AzureActivity columns.
        f["OperationNameValue"] = .string(operation)
        if let category = e.string("category") { f["CategoryValue"] = .string(category) }
        if let provider = operation.split(separator: "/").first, provider.contains(".") {
            f["ResourceProviderValue"] = .string(String(provider))
        }
        if let status = e.string("resultType") { f["ActivityStatusValue"] = .string(status) }
        f["event.action"] = .string(operation)
        let lowerResult = resultType.lowercased()
        let failed = lowerResult == "failure" || lowerResult == "failed"
        f["event.outcome"] = .string(failed ? "failure" : ["success", "succeeded"].contains(lowerResult) ? "success" : "unknown")
        // The caller: an email-like name in the claims, else the role assignment's principal.
        // Claim names are URLs with dots in them: read as keys, not paths.
        let claims = e.at("identity.claims")
        let caller = CloudFields.first(e, "caller")
            ?? [claims?["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"], claims?["name"], claims?["appid"]]
                .compactMap { $0?.stringValue }.first { !ECS.meansAbsent($0) }
        if let caller { ECS.user(caller, into: &f) }
        if case .string(let who)? = e["identity"] { ECS.user(who, into: &f) }
        VendorJSON.address(CloudFields.first(e, "callerIpAddress"), side: "source", into: &f)
        ECS.copy(e, "resourceId", to: "cloud.resource_id", into: &f)
        ECS.copy(e, "location", to: "cloud.region", into: &f)
        ECS.copy(e, "level", to: "log.level", into: &f)
        if p.at("message") == nil, isActivityLog { f["message"] = .string(operation) }
        ECS.copy(p, "message", to: "message", into: &f)

        let who = f["user.name"]?.stringValue.map { " by \($0)" } ?? ""
        let title = "\(operation)\(who)\(resultType.isEmpty ? "" : " (\(resultType))")"
        let level = e.string("level")?.lowercased() ?? e.string("Level")?.lowercased() ?? ""
        let severity: Severity = ["critical"].contains(level) ? .medium : failed || level == "error" ? .low : .info
        return Normalized(
            time: time, source: "azure", sourceRef: AzureMonitorFormat.reference(e, p.string("eventDataId")),
            kind: isActivityLog ? .azureActivity : .azureResource, severity: severity, title: title, fields: f, raw: raw)
    }
}
