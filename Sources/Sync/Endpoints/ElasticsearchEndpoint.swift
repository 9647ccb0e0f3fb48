import Foundation
import HTTPClient
import Model
import Store

/// Elasticsearch (or OpenSearch): one ECS document per outbox message through the bulk API,
/// `POST {url}/_bulk`, under `_id` `taser-<outbox id>`.
///
/// The action is `create`, not `index`: a retry whose first attempt did land (the answer was
/// lost) meets its own document and gets 409, which is success, instead of rewriting it; and
/// data streams take only `create`. So a message is one document however often it is sent.
struct ElasticsearchEndpoint: Endpoint {
    let config: EndpointConfig

    static let defaultIndex = "taser-events"

    static func id(_ message: OutboxMessage) -> String { "taser-\(message.id)" }

    /// The ECS document: `@timestamp`, `event.*`, `message`, and the payload under `taser.*`
    /// with the outbox message's own ids (`taser.outbox.*`).
    static func document(_ e: ForwardedEvent) -> JSONValue {
        var taser: JSONObject
        if case .object(let o) = e.payload { taser = o } else { taser = ["payload": e.payload] }
        taser["outbox"] = [
            "id": .int(e.message.id), "key": .string(e.message.idempotencyKey), "entity": .string(e.message.entityType),
            "entity_id": .int(e.message.entityID),
        ]
        return [
            "@timestamp": .string(e.message.createdAt.iso8601),
            "event": [
                "kind": .string(e.message.event.hasPrefix("alert.") ? "alert" : "event"), "action": .string(e.message.event),
                "id": .string(id(e.message)), "module": "taser", "dataset": .string("taser.\(e.message.entityType)"),
                "severity": .int(Int64(e.scaledSeverity)),
            ],
            "message": .string(e.summary),
            "observer": ["vendor": "taser", "product": "taser", "hostname": .string(localHostName())],
            "taser": .object(taser),
        ]
    }

    /// The NDJSON body: the action line, the document, each ending in a newline.
    static func bulkBody(_ e: ForwardedEvent, index: String) -> [UInt8] {
        let action: JSONValue = ["create": ["_index": .string(index), "_id": .string(id(e.message))]]
        return Array((action.text + "\n" + document(e).text + "\n").utf8)
    }

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let e = try ForwardedEvent(message)
        var used: [String] = []
        let base = trimmedURL(try context.transport.resolve(config.string("url") ?? "", into: &used))
        var headers: [(name: String, value: String)] = [("Content-Type", "application/x-ndjson"), ("Accept", "application/json")]
        if let apiKey = config.string("api_key") {
            headers.append(("Authorization", "ApiKey \(try context.transport.resolve(apiKey, into: &used))"))
        } else if let username = config.string("username"), let password = config.string("password") {
            let user = try context.transport.resolve(username, into: &used)
            let basic = Data("\(user):\(try context.transport.resolve(password, into: &used))".utf8).base64EncodedString()
            used.append(basic)
            headers.append(("Authorization", "Basic \(basic)"))
        }
        let what = "POST /_bulk"
        let request = HTTPRequest(
            method: "POST", url: base + "/_bulk", headers: headers,
            body: ElasticsearchEndpoint.bulkBody(e, index: config.string("index") ?? ElasticsearchEndpoint.defaultIndex),
            timeout: context.transport.timeout)
        let response = try context.transport.send(request, what: what, secretsUsed: used)
        try ElasticsearchEndpoint.check(try Transport.json(response, what: what), what: what)
    }

    /// A bulk answer is 200 even when its documents were refused: `errors: true` says to read
    /// each item. 409 (the document is there: an earlier attempt made it) is success; 429 and
    /// 5xx (a full queue, a shard not ready) retry; any other refusal (a mapping conflict, a
    /// closed index) will be refused again, so it is dead, with Elasticsearch's reason.
    static func check(_ answer: JSONValue, what: String) throws {
        guard case .bool(let errors)? = answer["errors"] else {
            throw DeliveryFailure(outcome: .retry("\(what): the answer has no errors field: \(Transport.snippet(Array(answer.text.utf8)))", after: nil))
        }
        guard errors else { return }
        for item in answer["items"]?.arrayValue ?? [] {
            guard let result = item["create"] ?? item["index"] else { continue }
            let status = result.int("status") ?? 0
            if (200..<300).contains(status) || status == 409 { continue }
            let error = result["error"]
            var reason = [error?.string("type"), error?.string("reason")].compactMap { $0 }.joined(separator: ": ")
            if let cause = error?["caused_by"]?.string("reason") { reason += " (\(cause))" }
            let line = reason.split(whereSeparator: \.isNewline).joined(separator: " ")
            let why = "\(what): document \(result.string("_id") ?? "?") refused with \(status): \(line.isEmpty ? "no reason given" : String(line.prefix(500)))"
            throw DeliveryFailure(outcome: status == 429 || status >= 500 ? .retry(why, after: nil) : .dead(why))
        }
    }
}
