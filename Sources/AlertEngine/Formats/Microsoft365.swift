import Model

/// Microsoft 365 unified audit log records, as the Office 365 Management Activity API returns
/// them (a JSON array per content blob, or one record per line): `Id`, `RecordType`,
/// `CreationTime`, `Operation`, `OrganizationId`, `UserType`, `UserId`, `Workload`,
/// `ResultStatus`, `ObjectId`, `ClientIP`, and each workload's own fields (`Parameters`,
/// `OperationProperties`, `ApplicationId`, ...).
///
/// Security & Compliance Center alerts (`RecordType` 40, `Workload` SecurityComplianceCenter;
/// Defender for Cloud Apps' alerts arrive the same way) are `.m365Alert`, titled by the alert's
/// `Name`, with its `Severity`; every other record is `.m365Audit`.
///
/// Fields: the record flattened under its own names (`Operation`, `Workload`, `Parameters`
/// as JSON text and `Parameters.Name`/`Parameters.Value` as lists), and ECS: `event.provider`
/// the workload, `event.action` the operation (an alert's name for alerts, as Elastic's
/// integration has it, which is what SigmaHQ's `eventSource`/`eventName` rules were written
/// against), `event.outcome`, `user.name`, `source.ip`. `status` is the outcome word those
/// rules compare (`status: success`); the record's own `Status` (an alert's state) is unchanged.
///
/// Time: `CreationTime` (UTC, written without a zone). Identity: `Id`.
struct Microsoft365Format: Format {
    let name = "m365"
    var jsonMarks: [[String]] { [["CreationTime", "Operation", "Workload"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("CreationTime", "Operation", "Workload") else { return false }
        return e["RecordType"] != nil || e["OrganizationId"] != nil
    }

    static func isAlert(_ e: JSONValue) -> Bool {
        e.string("RecordType") == "40" || (e.string("Workload") == "SecurityComplianceCenter" && e.has("AlertId"))
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "CreationTime")
        guard let operation = e.string("Operation") else { throw NormalizeError("m365: Operation is missing") }
        let workload = e.string("Workload") ?? ""
        let alert = Microsoft365Format.isAlert(e)
        var f: JSONObject = [:]
        f["cloud.provider"] = "microsoft"
        f["event.provider"] = .string(workload)
        ECS.copy(e, "OrganizationId", to: "cloud.account.id", into: &f)
        let result = e.string("ResultStatus")?.lowercased() ?? ""
        let outcome: String
        switch result {
        case "succeeded", "success", "true", "partiallysucceeded": outcome = "success"
        case "failed", "failure", "false": outcome = "failure"
        default: outcome = "unknown"
        }
        f["event.outcome"] = .string(outcome)
        if outcome != "unknown" { f["status"] = .string(outcome) }

        // The person: UserId is a UPN for people and a service name for system records
        // (`SecurityComplianceAlerts`, `NT AUTHORITY\SYSTEM (Microsoft.Exchange...)`).
        let userType = e.string("UserType") ?? ""
        let login = e.string("UserId")
        let isSystem = ["4", "5", "SystemPolicy", "System"].contains(userType)
        if !isSystem { ECS.user(login, into: &f) }
        ECS.copy(e, "UserKey", to: "user.id", into: &f)
        if let ip = CloudFields.ip(e.string("ClientIP") ?? e.string("ClientIPAddress") ?? e.string("ActorIpAddress")) {
            f["source.ip"] = .string(ip)
        }
        ECS.copy(e, "UserAgent", to: "user_agent.original", into: &f)

        let kind: SignalKind, severity: Severity, title: String
        if alert {
            let name = e.string("Name") ?? operation
            f["event.action"] = .string(name)
            f["event.kind"] = "alert"
            ECS.copy(e, "Severity", to: "event.severity_name", into: &f)
            ECS.copy(e, "Category", to: "rule.category", into: &f)
            f["rule.name"] = .string(name)
            // Who the alert is about, when it is a user.
            if e.string("EntityType") == "User", let entity = e.string("AlertEntityId") {
                // Some exports append "(external, opens in a new tab or window)" to the address.
                ECS.user(entity.split(separator: "(").first.map { String($0).trimmed }, into: &f)
            }
            kind = .m365Alert
            severity = Microsoft365Format.severity(e.string("Severity"))
            let about = f["user.name"]?.stringValue.map { " (\($0))" } ?? ""
            title = "Microsoft 365 alert: \(name)\(about)"
        } else {
            f["event.action"] = .string(operation)
            kind = .m365Audit
            severity = outcome == "failure" ? .low : .info
            let who = f["user.name"]?.stringValue ?? login ?? "an unknown user"
            let object = e.string("ObjectId").map { " on \(CloudFields.short($0, 80))" } ?? ""
            title = "\(workload) \(operation)\(object) by \(who)\(outcome == "failure" ? " failed" : "")"
        }
        CloudFields.flatten(e, prefix: "", into: &f)
        return [Normalized(
            time: time, source: "m365", sourceRef: e.string("Id"), kind: kind, severity: severity, title: title, fields: f,
            raw: record.raw, texts: [e.string("Comments")].compactMap { $0 })]
    }

    static func severity(_ text: String?) -> Severity {
        switch text?.lowercased() {
        case "high": .high
        case "medium": .medium
        case "low": .low
        case "informational", "info": .info
        default: .medium
        }
    }
}
