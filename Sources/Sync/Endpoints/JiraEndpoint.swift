import Foundation
import Model
import Store

/// Jira (REST API v2): one issue per case or alert, created on the first message and updated by
/// later ones (the issue key is kept); case log entries become comments.
struct JiraEndpoint: Endpoint {
    let config: EndpointConfig

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let payload = try message.json()
        var used: [String] = []
        let token = try context.transport.resolve(config.string("token") ?? "", into: &used)
        let auth: String
        if let email = config.string("email") {
            let user = try context.transport.resolve(email, into: &used)
            let basic = Data("\(user):\(token)".utf8).base64EncodedString()
            used.append(basic)
            auth = "Basic \(basic)"
        } else {
            auth = "Bearer \(token)"
        }
        let base = trimmedURL(try context.transport.resolve(config.string("url") ?? "", into: &used))
        let session = Session(base: base, auth: auth, used: used, message: message, context: context, config: config)
        switch message.event {
        case "alert.created", "alert.updated": _ = try session.syncIssue(for: "alert", payload)
        case "case.created", "case.updated": _ = try session.syncIssue(for: "case", payload)
        case "case.log":
            guard let caseJSON = payload["case"], let caseID = caseJSON.int("id") else {
                throw DeliveryFailure(outcome: .dead("case.log message without its case"))
            }
            let issue = try context.remote("case:\(caseID)")?.key ?? (try session.syncIssue(for: "case", caseJSON))
            let text = "\(payload.string("author") ?? "?") (\(payload.string("kind") ?? "note"), #\(payload.int("seq") ?? 0)): \(payload.string("body") ?? "")"
            _ = try session.call("POST", "/rest/api/2/issue/\(issue)/comment", ["body": .string(text)])
        default: throw DeliveryFailure(outcome: .dead("a jira endpoint cannot deliver \(message.event)"))
        }
    }

    struct Session {
        let base: String
        let auth: String
        let used: [String]
        let message: OutboxMessage
        let context: DeliveryContext
        let config: EndpointConfig

        func call(_ method: String, _ path: String, _ body: JSONValue) throws -> JSONValue {
            let what = "\(method) \(path)"
            let response = try context.transport.send(
                method, base + path, what: what, headers: [("Authorization", auth), ("Accept", "application/json")], json: body,
                key: message.idempotencyKey, secretsUsed: used)
            if response.body.isEmpty { return .null }
            return try Transport.json(response, what: what)
        }

        /// Creates the issue for a case or an alert, or updates the one made before. Returns its key.
        func syncIssue(for entity: String, _ p: JSONValue) throws -> String {
            guard let id = p.int("id") else { throw DeliveryFailure(outcome: .dead("\(entity) message without an id")) }
            let ref = "\(entity):\(id)"
            let summary = "taser \(entity) #\(id): \(p.string("title") ?? "")"
            var description = [p.string("description"), "Severity: \(p.string("severity") ?? "?")", "Status: \(p.string("status") ?? "?")"]
            if let owner = p.string("owner") { description.append("Assigned to: \(owner)") }
            if let rule = p.string("rule") { description.append("Rule: \(rule) (\(p.int("signal_count") ?? 0) signals)") }
            let artifacts = (p["artifacts"]?.arrayValue ?? []).compactMap { a in a.string("type").map { "\($0): \(a.string("value") ?? "")" } }
            if !artifacts.isEmpty { description.append("Artifacts:\n" + artifacts.map { "- \($0)" }.joined(separator: "\n")) }
            var fields: [String: JSONValue] = [
                "summary": .string(String(summary.prefix(250))),
                "description": .string(description.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n")),
                "labels": ["taser", .string("taser-\(entity)-\(id)"), .string("severity-\(p.string("severity") ?? "medium")")],
            ]
            if let known = try context.remote(ref), let key = known.key {
                _ = try call("PUT", "/rest/api/2/issue/\(key)", ["fields": .object(fields)])
                return key
            }
            fields["project"] = ["key": .string(config.string("project") ?? "")]
            fields["issuetype"] = ["name": .string(config.string("issue_type") ?? "Task")]
            let answer = try call("POST", "/rest/api/2/issue", ["fields": .object(fields)])
            guard let key = answer.string("key") else {
                throw DeliveryFailure(outcome: .retry("POST /rest/api/2/issue: the answer has no key", after: nil))
            }
            try context.remember(ref, id: answer.string("id") ?? key, key: key)
            return key
        }
    }
}
