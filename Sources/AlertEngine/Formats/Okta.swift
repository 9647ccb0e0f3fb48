import Model

/// Okta System Log events (`/api/v1/logs`): `uuid`, `published`, `eventType`, `actor`,
/// `client`, `outcome`, `target`, `debugContext.debugData`.
///
/// Time: `published`. A successful sign-in whose behaviors (in `debugData.behaviors` or
/// `debugData.logOnlySecurityData`, see `OktaSecurity`) say New Geo-Location, New Country, New
/// State, New City or New Device is `.oktaNewLocation`; the risk level is `okta.risk.level`.
struct OktaFormat: Format {
    let name = "okta"
    var jsonMarks: [[String]] { [["eventType", "actor", "published"]] }

    func accepts(_ record: Record) -> Bool {
        record.json?.has("eventType", "actor", "published") ?? false
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "published")
        let eventType = e.string("eventType") ?? ""
        let result = (e.string("outcome.result") ?? "UNKNOWN").uppercased()
        let security = OktaSecurity(e.at("debugContext.debugData"))
        let newGeo = security.newLocation
        let newDevice = security.positive("New Device")

        var f: JSONObject = [:]
        f["event.action"] = .string(eventType)
        // ECS's three outcomes; Okta's own word (ALLOW, DENY, CHALLENGE, ...) stays beside it.
        f["event.outcome"] = .string(OktaFormat.outcome(result))
        f["okta.outcome.result"] = .string(result)
        ECS.copy(e, "outcome.reason", to: "event.reason", into: &f)
        ECS.copy(e, "displayMessage", to: "message", into: &f)
        // The login as Okta has it (`Jane.Doe@Example.com`: user.name and user.email), and
        // Okta's own user id; identity resolution links the two.
        ECS.user(e.string("actor.alternateId"), into: &f)
        ECS.copy(e, "actor.displayName", to: "user.full_name", into: &f)
        ECS.copy(e, "actor.id", to: "user.id", into: &f)
        ECS.copy(e, "client.ipAddress", to: "source.ip", into: &f)
        ECS.copy(e, "client.geographicalContext.city", to: "source.geo.city_name", into: &f)
        ECS.copy(e, "client.geographicalContext.state", to: "source.geo.region_name", into: &f)
        ECS.copy(e, "client.geographicalContext.country", to: "source.geo.country_name", into: &f)
        ECS.copy(e, "client.userAgent.rawUserAgent", to: "user_agent.original", into: &f)
        ECS.copy(e, "client.userAgent.os", to: "user_agent.os.name", into: &f)
        ECS.copy(e, "securityContext.isp", to: "source.as.organization.name", into: &f)
        ECS.copy(e, "securityContext.asNumber", to: "source.as.number", into: &f)
        if security.hasBehaviors {
            if let text = security.text { f["okta.behaviors"] = .string(text) }
            f["okta.new_geo_location"] = .bool(newGeo)
            f["okta.new_device"] = .bool(newDevice)
        }
        if let level = security.riskLevel { f["okta.risk.level"] = .string(level) }
        if let reasons = security.riskReasons { f["okta.risk.reasons"] = .string(reasons) }

        // Who the event acts on. ECS's user.target.* holds the first User target (a reset
        // password, an unlocked account); every User target is an artifact with the role target_user.
        var artifacts: [ArtifactMention] = []
        let targets = e.at("target")?.arrayValue ?? []
        if let first = targets.first {
            ECS.copy(first, "alternateId", to: "okta.target.alternate_id", into: &f)
            ECS.copy(first, "type", to: "okta.target.type", into: &f)
        }
        for (n, target) in targets.enumerated() where target.string("type") == "User" {
            let login = target.string("alternateId")
            if n == targets.firstIndex(where: { $0.string("type") == "User" }) {
                ECS.user(login, prefix: "user.target", into: &f)
                ECS.copy(target, "id", to: "user.target.id", into: &f)
                ECS.copy(target, "displayName", to: "user.target.full_name", into: &f)
            }
            if let m = ECS.mention(.user, login, role: "target_user") { artifacts.append(m) }
            if let login, ECS.isEmail(login), let m = ECS.mention(.email, login, role: "target_user") { artifacts.append(m) }
        }

        let isLogin = eventType == "user.session.start" || eventType == "user.authentication.sso"
            || eventType == "user.authentication.auth_via_mfa"
        let user = f["user.name"]?.stringValue ?? "unknown user"
        let kind: SignalKind, severity: Severity, title: String
        switch (isLogin, result) {
        case (true, "SUCCESS") where newGeo || newDevice:
            let place = [e.string("client.geographicalContext.city"), e.string("client.geographicalContext.country")]
                .compactMap { $0 }.joined(separator: ", ")
            kind = .oktaNewLocation
            severity = .medium
            title = "SSO login by \(user) from a new \(newGeo ? "location" : "device")\(place.isEmpty ? "" : " (\(place))")"
        case (true, "SUCCESS"), (true, "ALLOW"):
            kind = .oktaLogin; severity = .info; title = "SSO login by \(user)"
        case (true, _):
            kind = .oktaLoginFailed; severity = .low; title = "Failed SSO login by \(user)"
        default:
            kind = .oktaEvent
            severity = OktaFormat.severity(e.string("severity"))
            title = "\(e.string("displayMessage") ?? eventType) (\(user))"
        }
        if let m = ECS.mention(.email, f["user.email"]?.stringValue, role: "user") { artifacts.append(m) }
        return [Normalized(
            time: time, source: "okta", sourceRef: e.string("uuid"), kind: kind, severity: severity, title: title, fields: f,
            raw: record.raw, artifacts: artifacts, texts: [e.string("displayMessage"), e.string("outcome.reason")].compactMap { $0 })]
    }

    static func outcome(_ result: String) -> String {
        switch result {
        case "SUCCESS", "ALLOW": "success"
        case "FAILURE", "DENY": "failure"
        default: "unknown"
        }
    }

    static func severity(_ okta: String?) -> Severity {
        switch okta?.uppercased() {
        case "ERROR": .medium
        case "WARN": .low
        default: .info
        }
    }
}
