import Model

/// Okta System Log events (`/api/v1/logs`): `uuid`, `published`, `eventType`, `actor`,
/// `client`, `outcome`, `target`, `debugContext.debugData`.
struct OktaFormat: Format {
    let name = "okta"

    func accepts(_ record: Record) -> Bool {
        record.json?.has("eventType", "actor", "published") ?? false
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "published")
        let eventType = e.string("eventType") ?? ""
        let result = (e.string("outcome.result") ?? "UNKNOWN").uppercased()
        let behaviors = e.string("debugContext.debugData.behaviors") ?? ""
        func positive(_ behavior: String) -> Bool { behaviors.includes("\(behavior)=POSITIVE") }
        let newGeo = positive("New Geo-Location") || positive("New Country")
        let newDevice = positive("New Device")

        var f: JSONObject = [:]
        f["event.action"] = .string(eventType)
        f["event.outcome"] = .string(result.lowercased())
        ECS.copy(e, "outcome.reason", to: "event.reason", into: &f)
        ECS.copy(e, "displayMessage", to: "message", into: &f)
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
        if !behaviors.isEmpty {
            f["okta.behaviors"] = .string(behaviors)
            f["okta.new_geo_location"] = .bool(newGeo)
            f["okta.new_device"] = .bool(newDevice)
        }
        if let targets = e.at("target")?.arrayValue, let first = targets.first {
            ECS.copy(first, "alternateId", to: "okta.target.alternate_id", into: &f)
            ECS.copy(first, "type", to: "okta.target.type", into: &f)
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
        var artifacts: [ArtifactMention] = []
        if let email = f["user.email"]?.stringValue { artifacts.append(ArtifactMention(.email, email, role: "user")) }
        return [Normalized(
            time: time, source: "okta", sourceRef: e.string("uuid"), kind: kind, severity: severity, title: title, fields: f,
            raw: record.raw, artifacts: artifacts, texts: [e.string("displayMessage"), e.string("outcome.reason")].compactMap { $0 })]
    }

    static func severity(_ okta: String?) -> Severity {
        switch okta?.uppercased() {
        case "ERROR": .medium
        case "WARN": .low
        default: .info
        }
    }
}
