import Model
import Store

/// TheHive 5: alerts (with their observables), cases, case observables, and the case log as a
/// task log ("taser case log" task: TheHive keeps logs on tasks). Remote ids are kept, so an
/// update PATCHes the object the create made.
struct TheHiveEndpoint: Endpoint {
    let config: EndpointConfig

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let payload = try message.json()
        var used: [String] = []
        let key = try context.transport.resolve(config.string("api_key") ?? "", into: &used)
        let base = trimmedURL(try context.transport.resolve(config.string("url") ?? "", into: &used))
        var session = Session(
            base: base, headers: [("Authorization", "Bearer \(key)")], used: used, message: message,
            context: context)
        if let org = config.string("organisation") { session.headers.append(("X-Organisation", org)) }
        switch message.event {
        case "alert.created", "alert.updated": try session.syncAlert(payload)
        case "case.created", "case.updated": _ = try session.syncCase(payload)
        case "case.log": try session.addLog(payload)
        default: throw DeliveryFailure(outcome: .dead("a thehive endpoint cannot deliver \(message.event)"))
        }
    }

    struct Session {
        let base: String
        var headers: [(String, String)]
        let used: [String]
        let message: OutboxMessage
        let context: DeliveryContext

        func call(_ method: String, _ path: String, _ body: JSONValue?) throws -> JSONValue {
            let what = "\(method) \(path)"
            let response = try context.transport.send(
                method, base + path, what: what, headers: headers, json: body, key: message.idempotencyKey, secretsUsed: used)
            if response.body.isEmpty { return .null }
            return try Transport.json(response, what: what)
        }

        func created(_ answer: JSONValue, _ what: String) throws -> String {
            // An observable POST answers with a list of what it created.
            let object = answer.arrayValue?.first ?? answer
            guard let id = object.string("_id") ?? object.string("id") else {
                throw DeliveryFailure(outcome: .retry("\(what): the answer has no _id", after: nil))
            }
            return id
        }

        func syncAlert(_ a: JSONValue) throws {
            guard let id = a.int("id") else { throw DeliveryFailure(outcome: .dead("alert message without an id")) }
            let ref = "alert:\(id)"
            var fields: [String: JSONValue] = [
                "title": .string(a.string("title") ?? "taser alert \(id)"),
                "description": .string(Session.describe(alert: a)),
                "severity": .int(Words.theHiveSeverity(a.string("severity"))),
                // taser's markers, then the alert's own tags (given by a sender or since).
                "tags": .array(
                    ((["taser", a.string("rule").map { "rule:\($0)" }].compactMap { $0 }) + (a["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []))
                        .map { .string($0) }),
            ]
            if let remote = try context.remote(ref) {
                _ = try call("PATCH", "/api/v1/alert/\(remote.id)", .object(fields))
                try context.rememberSent(ref, remoteID: remote.id, sent: fields)
                return
            }
            fields["type"] = "taser"
            fields["source"] = "taser"
            fields["sourceRef"] = .string("taser-alert-\(id)")
            fields["date"] = .int(Timestamp(parsing: a.string("first_signal_at") ?? a.string("created_at") ?? "")?.ms ?? message.createdAt.ms)
            fields["tlp"] = 2
            fields["pap"] = 2
            fields["observables"] = .array((a["artifacts"]?.arrayValue ?? []).map(Session.observable))
            // A redelivery (the worker died before it recorded the first answer) meets the alert
            // it made: TheHive refuses a second one with the same sourceRef, so look it up.
            let response = try context.transport.send(
                "POST", base + "/api/v1/alert", what: "POST /api/v1/alert", headers: headers, json: .object(fields),
                key: message.idempotencyKey, secretsUsed: used,
                accept: { (200..<300).contains($0.status) || ($0.status == 400 && Transport.snippet($0.body).contains("already exists")) })
            if response.status == 400 {
                let query: JSONValue = ["query": [["_name": "listAlert"], ["_name": "filter", "_field": "sourceRef", "_value": fields["sourceRef"] ?? .null]]]
                let found = try call("POST", "/api/v1/query", query)
                let remoteID = try created(found, "POST /api/v1/query (the alert by sourceRef)")
                try context.remember(ref, id: remoteID)
                let patch = fields.filter { ["title", "description", "severity", "tags"].contains($0.key) }
                _ = try call("PATCH", "/api/v1/alert/\(remoteID)", .object(patch))
                try context.rememberSent(ref, remoteID: remoteID, sent: patch, created: true)
                return
            }
            let answer = try Transport.json(response, what: "POST /api/v1/alert")
            let remoteID = try created(answer, "POST /api/v1/alert")
            try context.remember(ref, id: remoteID)
            try context.rememberSent(ref, remoteID: remoteID, sent: fields, answer: answer, created: true)
        }

        /// The remote case for a case payload: created when new, else updated. Returns its id.
        func syncCase(_ c: JSONValue, updateExisting: Bool = true) throws -> String {
            guard let id = c.int("id") else { throw DeliveryFailure(outcome: .dead("case message without an id")) }
            let ref = "case:\(id)"
            var fields: [String: JSONValue] = [
                "title": .string(c.string("title") ?? "taser case \(id)"),
                "description": .string((c.string("description")).flatMap { $0.isEmpty ? nil : $0 } ?? "taser case #\(id)"),
                "severity": .int(Words.theHiveSeverity(c.string("severity"))),
                "tlp": .int(Words.theHiveTLP(c.string("tlp"))), "pap": .int(Words.theHivePAP(c.string("pap"))),
                "tags": .array([.string("taser")] + (c["tags"]?.arrayValue ?? [])),
                "status": .string(Words.theHiveCaseStatus(c.string("status"), resolution: c.string("resolution"))),
            ]
            let remoteID: String
            if let remote = try context.remote(ref) {
                remoteID = remote.id
                if updateExisting {
                    _ = try call("PATCH", "/api/v1/case/\(remoteID)", .object(fields))
                    try context.rememberSent(ref, remoteID: remoteID, sent: fields)
                }
            } else {
                // A new case in TheHive is open; a closed one is closed by the PATCH that follows.
                let status = fields.removeValue(forKey: "status")
                let answer = try call("POST", "/api/v1/case", .object(fields))
                remoteID = try created(answer, "POST /api/v1/case")
                try context.remember(ref, id: remoteID, key: answer.string("number"))
                try context.rememberSent(ref, remoteID: remoteID, sent: fields, answer: answer, created: true)
                if let status, status != "New" {
                    _ = try call("PATCH", "/api/v1/case/\(remoteID)", ["status": status])
                    try context.rememberSent(ref, remoteID: remoteID, sent: ["status": status])
                }
            }
            for artifact in c["artifacts"]?.arrayValue ?? [] {
                guard let type = artifact.string("type"), let value = artifact.string("value") else { continue }
                let obsRef = "\(ref):observable:\(type):\(value)"
                guard try context.remote(obsRef) == nil else { continue }
                var observable = Session.observable(artifact)
                if case .object(var o) = observable {
                    o["tlp"] = .int(Words.theHiveTLP(c.string("tlp")))
                    observable = .object(o)
                }
                let answer = try call("POST", "/api/v1/case/\(remoteID)/observable", observable)
                try context.remember(obsRef, id: try created(answer, "POST /api/v1/case/\(remoteID)/observable"))
            }
            return remoteID
        }

        /// A case log entry, on the case's "taser case log" task (made on first use).
        func addLog(_ entry: JSONValue) throws {
            guard let caseJSON = entry["case"], let caseID = caseJSON.int("id") else {
                throw DeliveryFailure(outcome: .dead("case.log message without its case"))
            }
            let remoteCase = try context.remote("case:\(caseID)")?.id ?? (try syncCase(caseJSON, updateExisting: false))
            let taskRef = "case:\(caseID):log-task"
            let task: String
            if let known = try context.remote(taskRef) {
                task = known.id
            } else {
                let answer = try call(
                    "POST", "/api/v1/case/\(remoteCase)/task", ["title": "taser case log", "group": "taser", "status": "InProgress"])
                task = try created(answer, "POST /api/v1/case/\(remoteCase)/task")
                try context.remember(taskRef, id: task)
            }
            let author = entry.string("author") ?? "?"
            let kind = entry.string("kind") ?? "note"
            let text = "**\(author)** (\(kind), #\(entry.int("seq") ?? 0)): \(entry.string("body") ?? "")"
            _ = try call("POST", "/api/v1/task/\(task)/log", ["message": .string(text)])
        }

        static func observable(_ artifact: JSONValue) -> JSONValue {
            let type = artifact.string("type") ?? "other"
            let role = artifact.string("role") ?? artifact["roles"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
            return [
                "dataType": .string(Words.theHiveDataType(type)), "data": .string(artifact.string("value") ?? ""),
                "message": .string(role.isEmpty ? "taser \(type)" : "taser \(type) (\(role))"), "ioc": false,
            ]
        }

        static func describe(alert a: JSONValue) -> String {
            var lines = ["Raised by taser rule `\(a.string("rule") ?? "?")`"]
            if let key = a.string("group_key"), !key.isEmpty { lines.append("Group: \(key)") }
            lines.append("Signals: \(a.int("signal_count") ?? 0); status: \(a.string("status") ?? "new")")
            if let c = a.int("case") { lines.append("In taser case #\(c)") }
            return lines.joined(separator: "\n")
        }
    }
}

/// A base URL without its trailing slash.
func trimmedURL(_ url: String) -> String {
    var u = url
    while u.hasSuffix("/") { u.removeLast() }
    return u
}
