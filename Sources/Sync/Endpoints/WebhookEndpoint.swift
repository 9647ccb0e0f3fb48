import Crypto
import Foundation
import HTTPClient
import Model
import Store

/// A generic JSON POST: the message as an envelope, signed with HMAC-SHA256 over the exact body
/// when `hmac_secret` names a secret (header `X-Taser-Signature: sha256=HEX`, or
/// `signature_header:`), with the idempotency key as a header and in the body. A page
/// (PagerDuty-style events) is such a webhook.
struct WebhookEndpoint: Endpoint {
    let config: EndpointConfig

    static func envelope(_ message: OutboxMessage, payload: JSONValue) -> JSONValue {
        [
            "id": .string(message.idempotencyKey), "event": .string(message.event), "entity": .string(message.entityType),
            "entity_id": .int(message.entityID), "created_at": .string(message.createdAt.iso8601), "payload": payload,
        ]
    }

    static func signature(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let payload = try message.json()
        var used: [String] = []
        let url = try context.transport.resolve(config.string("url") ?? "", into: &used)
        let body = Array(WebhookEndpoint.envelope(message, payload: payload).text.utf8)
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"), ("Idempotency-Key", message.idempotencyKey), ("X-Taser-Event", message.event),
        ]
        if let secret = config.string("hmac_secret") {
            let key = try context.transport.resolve(secret, into: &used)
            headers.append((config.string("signature_header") ?? "X-Taser-Signature", WebhookEndpoint.signature(body, secret: key)))
        }
        for (name, value) in ((try? config.settings.map("headers")) ?? [:]).sorted(by: { $0.key < $1.key }) {
            headers.append((name, try context.transport.resolve(value, into: &used)))
        }
        // Only the path is named in errors: a webhook URL often carries its own token.
        let path = URL(string: url)?.path ?? ""
        _ = try context.transport.send(
            HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: context.transport.timeout),
            what: "POST \(path.isEmpty ? "/" : path)", secretsUsed: used)
    }
}
