import Model

/// GitHub audit log events: the organization or enterprise audit log's JSON and CSV-less
/// exports, the REST API (`/orgs/{org}/audit-log`) and audit log streaming (which adds
/// `_document_id`, `@timestamp`, `actor_ip`, `business`). Fields: `action` (`repo.create`,
/// `org.update_member`), `actor`, `actor_location.country_code`, `org`, `repo`, `user`,
/// `created_at`, `data`.
///
/// Fields: the event flattened under its own names (SigmaHQ's rules compare `action`), and ECS:
/// `event.action`, `user.name` (the actor), `user.target.name` (the `user` acted on),
/// `source.ip`, `organization.name`.
///
/// Time: `@timestamp`, else `created_at` (epoch milliseconds or ISO 8601). Identity:
/// `_document_id` when streamed. Severity: actions that remove a protection or destroy
/// something (disabling two-factor or secret scanning, deleting a repository, changing who can
/// do what) are low; the rest info.
struct GitHubAuditFormat: Format {
    let name = "github"
    var jsonMarks: [[String]] { [["action", "actor"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, case .string(let action)? = e["action"], action.contains("."), case .string? = e["actor"] else {
            return false
        }
        guard e["created_at"] != nil || e["@timestamp"] != nil else { return false }
        return e["org"] != nil || e["business"] != nil || e["_document_id"] != nil || e["repo"] != nil || e["actor_id"] != nil
    }

    /// Words in an action that weaken an organization's defences or destroy its data.
    static let riskyWords = ["disable", "destroy", "delete", "remove", "transfer", "bypass", "visibility_change", "public"]

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try firstTime(e, ["@timestamp", "created_at"])
        guard let action = e.string("action") else { throw NormalizeError("github: action is missing") }
        var f: JSONObject = [:]
        f["event.action"] = .string(action)
        f["event.provider"] = "github"
        let actor = e.string("actor")
        ECS.user(actor, into: &f)
        ECS.copy(e, "actor_id", to: "user.id", into: &f)
        ECS.user(e.string("user"), prefix: "user.target", into: &f)
        if let ip = CloudFields.ip(e.string("actor_ip")) { f["source.ip"] = .string(ip) }
        ECS.copy(e, "actor_location.country_code", to: "source.geo.country_iso_code", into: &f)
        ECS.copy(e, "org", to: "organization.name", into: &f)
        ECS.copy(e, "user_agent", to: "user_agent.original", into: &f)
        CloudFields.flatten(e, prefix: "", into: &f)

        let place = e.string("repo") ?? e.string("org") ?? e.string("business")
        let target = e.string("user").map { " (\($0))" } ?? ""
        let title = "GitHub \(action) by \(actor ?? "an unknown actor")\(place.map { " in \($0)" } ?? "")\(target)"
        let lower = action.lowercased()
        let risky = GitHubAuditFormat.riskyWords.contains { lower.contains($0) }
        return [Normalized(
            time: time, source: "github", sourceRef: e.string("_document_id"), kind: .githubAudit, severity: risky ? .low : .info,
            title: title, fields: f, raw: record.raw)]
    }
}
