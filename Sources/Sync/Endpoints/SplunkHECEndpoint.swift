import Model
import Store

/// Splunk's HTTP Event Collector: one JSON event per outbox message, `POST
/// {url}/services/collector/event` with `Authorization: Splunk TOKEN`, answered
/// `{"text":"Success","code":0}`.
///
/// HEC has no idempotency key. Its channels (`X-Splunk-Request-Channel`) serve indexer
/// acknowledgement, not deduplication, and a channel per message would pile up on the
/// collector; so the outbox id travels in the event (`taser_outbox_id`) and again as an
/// index-time field (`fields`, searchable with tstats without reading the events), and a
/// message that a retry sent twice counts once with `| dedup taser_outbox_id`.
struct SplunkHECEndpoint: Endpoint {
    let config: EndpointConfig

    static let path = "/services/collector/event"

    /// The HEC event: the payload as its `event`, time in epoch seconds (milliseconds kept).
    static func event(_ e: ForwardedEvent, host: String, index: String?) -> JSONValue {
        var body: JSONObject
        if case .object(let o) = e.payload { body = o } else { body = ["payload": e.payload] }
        body["taser_outbox_id"] = .int(e.message.id)
        var event: JSONObject = [
            "time": .double(Double(e.message.createdAt.ms) / 1000), "host": .string(host), "source": "taser",
            "sourcetype": .string("taser:\(e.message.event)"), "event": .object(body),
            // Indexed fields are strings to HEC.
            "fields": ["taser_outbox_id": .string(String(e.message.id))],
        ]
        if let index { event["index"] = .string(index) }
        return .object(event)
    }

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let e = try ForwardedEvent(message)
        var used: [String] = []
        let token = try context.transport.resolve(config.string("token") ?? "", into: &used)
        let base = trimmedURL(try context.transport.resolve(config.string("url") ?? "", into: &used))
        let what = "POST \(SplunkHECEndpoint.path)"
        let response = try context.transport.send(
            "POST", base + SplunkHECEndpoint.path, what: what, headers: [("Authorization", "Splunk \(token)")],
            json: SplunkHECEndpoint.event(e, host: config.string("host") ?? localHostName(), index: config.string("index")),
            key: message.idempotencyKey, secretsUsed: used)
        let answer = try Transport.json(response, what: what)
        guard let code = answer.int("code") else {
            throw DeliveryFailure(outcome: .retry("\(what): HTTP \(response.status) but no HEC code in \(Transport.snippet(response.body))", after: nil))
        }
        guard code == 0 else {
            let why = "\(what): HEC code \(code): \(answer.string("text") ?? "")"
            // 8 internal error, 9 busy, 18 unhealthy, 19 queues nearly full: the collector's
            // trouble, which passes; any other code is about the request and will not.
            throw DeliveryFailure(outcome: [8, 9, 18, 19].contains(code) ? .retry(why, after: nil) : .dead(why))
        }
    }
}
