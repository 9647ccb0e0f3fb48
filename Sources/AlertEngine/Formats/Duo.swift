import Foundation
import Model

/// Duo Admin API v2 authentication logs (`/admin/v2/logs/authentication`): `txid`, `user`,
/// `factor`, `result`, `reason`, `access_device`, `auth_device`, `isotimestamp`.
struct DuoFormat: Format {
    let name = "duo"
    var jsonMarks: [[String]] { [["txid", "result", "factor"], ["result", "factor", "user", "timestamp"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json else { return false }
        return e.has("txid", "result", "factor") || (e.has("result", "factor", "user") && e.has("timestamp"))
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "isotimestamp", "timestamp")
        let result = (e.string("result") ?? "unknown").lowercased()
        let reason = e.string("reason") ?? ""
        let factor = e.string("factor") ?? ""
        let isPush = factor.lowercased().includes("push")

        var f: JSONObject = [:]
        // Both as Duo wrote them; the username is the login, `email` the directory's address.
        ECS.copy(e, "email", to: "user.email", into: &f)
        ECS.user(e.string("user.name"), into: &f)
        ECS.copy(e, "user.key", to: "user.id", into: &f)
        if let groups = e.at("user.groups") { f["user.group.name"] = groups }
        f["event.action"] = .string(e.string("event_type") ?? "authentication")
        // ECS's three outcomes; Duo's own word (denied, fraud, ...) stays in duo.result.
        f["event.outcome"] = .string(DuoFormat.outcome(result))
        f["duo.result"] = .string(result)
        if !reason.isEmpty { f["event.reason"] = .string(reason) }
        f["duo.factor"] = .string(factor)
        // What analysts write in rules: `WHERE factor = "push"`.
        f["factor"] = .string(isPush ? "push" : factor.replacingOccurrences(of: "_passcode", with: "").replacingOccurrences(of: "duo_", with: ""))
        ECS.copy(e, "access_device.ip", to: "source.ip", into: &f)
        ECS.copy(e, "access_device.hostname", to: "source.domain", into: &f)
        ECS.copy(e, "access_device.location.city", to: "source.geo.city_name", into: &f)
        ECS.copy(e, "access_device.location.state", to: "source.geo.region_name", into: &f)
        ECS.copy(e, "access_device.location.country", to: "source.geo.country_name", into: &f)
        ECS.copy(e, "access_device.os", to: "user_agent.os.name", into: &f)
        ECS.copy(e, "access_device.browser", to: "user_agent.name", into: &f)
        ECS.copy(e, "application.name", to: "duo.application", into: &f)
        ECS.copy(e, "auth_device.name", to: "duo.auth_device.name", into: &f)
        ECS.copy(e, "auth_device.ip", to: "duo.auth_device.ip", into: &f)

        let user = f["user.name"]?.stringValue ?? "unknown user"
        let kind: SignalKind, severity: Severity, title: String
        switch (result, isPush) {
        case ("success", _):
            kind = .duoAuth; severity = .info; title = "Duo \(isPush ? "push approved" : "authentication") for \(user)"
        case (_, true):
            kind = .duoPushFailed
            let fraud = result == "fraud" || reason.includes("fraud")
            severity = fraud ? .high : .medium
            let what = fraud ? "marked as fraud" : reason.includes("no_response") || reason.includes("timeout") ? "timed out" : "denied"
            title = "Duo push to \(user) \(what)"
        default:
            kind = .duoAuthFailed; severity = result == "fraud" ? .high : .low
            title = "Failed Duo authentication (\(factor.isEmpty ? result : factor)) for \(user)"
        }
        var artifacts: [ArtifactMention] = []
        if let ip = ECS.mention(.ip, e.string("auth_device.ip"), role: "device") { artifacts.append(ip) }
        // The machine the login came from (a workstation name, not always a DNS name, so a host
        // rather than source.domain's domain artifact).
        if let host = e.string("access_device.hostname"), VendorJSON.isHostname(host), let m = ECS.mention(.host, host, role: "src") {
            artifacts.append(m)
        }
        // The phone or token that answered: a host when it is named like one (Duo Desktop, a
        // managed laptop), else what Duo calls it (`+1 (734) 555-0100`, `iPhone`), kept as is.
        if let device = e.string("auth_device.name"), !ECS.meansAbsent(device) {
            let type: ArtifactType = VendorJSON.isHostname(device) && device.contains(where: \.isLetter) ? .host : .other
            if let m = ECS.mention(type, device, role: "device") { artifacts.append(m) }
        }
        return [Normalized(
            time: time, source: "duo", sourceRef: e.string("txid"), kind: kind, severity: severity, title: title, fields: f,
            raw: record.raw, artifacts: artifacts)]
    }
}

extension DuoFormat {
    /// Duo's `result` in ECS's `event.outcome` words: success, failure or unknown.
    static func outcome(_ result: String) -> String {
        switch result {
        case "success": "success"
        case "denied", "fraud", "failure", "error", "locked_out": "failure"
        default: "unknown"
        }
    }
}
