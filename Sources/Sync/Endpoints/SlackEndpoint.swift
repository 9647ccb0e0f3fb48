import Foundation
import HTTPClient
import Model
import Store

/// Slack, through a bot token (chat.postMessage, Block Kit buttons, DMs by email, later messages
/// about the same case threaded under the first) or an incoming webhook URL (one channel, no
/// threads, no lookups).
struct SlackEndpoint: Endpoint {
    let config: EndpointConfig

    /// Slack errors worth retrying; every other `ok: false` is a mistake retrying cannot fix.
    static let transient: Set<String> = ["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]

    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws {
        let payload = try message.json()
        if message.event == "slack.channel" { return try createChannel(message, payload, context) }
        var used: [String] = []
        let text = SlackEndpoint.text(for: message, payload)
        var blocks: [JSONValue] = [["type": "section", "text": ["type": "mrkdwn", "text": .string(text)]]]
        if message.event == "slack.ask" {
            let buttons = (payload["buttons"]?.arrayValue ?? []).map { b -> JSONValue in
                [
                    "type": "button", "text": ["type": "plain_text", "text": .string(b.string("text") ?? "?")],
                    "action_id": .string(b.string("action_id") ?? "taser.button"), "value": .string(b.string("value") ?? ""),
                ]
            }
            if !buttons.isEmpty {
                blocks.append(["type": "actions", "block_id": .string("case:\(payload.int("case_id") ?? message.entityID)"), "elements": .array(buttons)])
            }
        }
        if let hook = config.string("webhook") {
            let url = try context.transport.resolve(hook, into: &used)
            _ = try context.transport.send(
                "POST", url, what: "POST the incoming webhook", json: ["text": .string(text), "blocks": .array(blocks)],
                key: message.idempotencyKey, secretsUsed: used)
            return
        }
        let token = try context.transport.resolve(config.string("token") ?? "", into: &used)
        let api = Api(
            base: trimmedURL(try context.transport.resolve(config.string("url") ?? "https://slack.com/api", into: &used)),
            token: token, used: used, key: message.idempotencyKey, transport: context.transport)
        var channel = payload.string("channel") ?? config.string("channel")
        if message.event == "slack.ask", let email = payload.string("user_email"), !email.isEmpty {
            // A DM: posting to the user's id opens the conversation with the bot.
            if let user = try api.lookup(email: email) { channel = user } else if channel == nil {
                throw DeliveryFailure(outcome: .dead("slack has no user with email \(email), and the message names no channel"))
            }
        }
        guard let channel, !channel.isEmpty else {
            throw DeliveryFailure(outcome: .dead("no channel: set channel: on endpoint \(config.name) or in the message"))
        }
        var body: [String: JSONValue] = ["channel": .string(channel), "text": .string(text), "blocks": .array(blocks)]
        let threadRef = "\(message.entityType):\(message.entityID)"
        let thread = message.event == "slack.ask" ? nil : try context.remote(threadRef)
        if let thread, thread.key == channel { body["thread_ts"] = .string(thread.id) }
        let answer = try api.call("chat.postMessage", .object(body))
        if thread == nil, message.event != "slack.ask", let ts = answer.string("ts") {
            try context.remember(threadRef, id: ts, key: answer.string("channel") ?? channel)
        }
    }

    struct Api {
        let base: String
        let token: String
        let used: [String]
        let key: String
        let transport: Transport

        /// A Web API call: HTTP 200 with `ok: false` is still an error, except the errors in
        /// `tolerating`, whose answer the caller reads (`name_taken` picks the next name).
        func call(_ method: String, _ body: JSONValue?, query: String = "", tolerating: Set<String> = ["users_not_found"]) throws -> JSONValue {
            let what = "slack \(method)"
            let response = try transport.send(
                body == nil ? "GET" : "POST", base + "/" + method + query, what: what,
                headers: [("Authorization", "Bearer \(token)")], json: body.map { $0 }, key: key, secretsUsed: used)
            let answer = try Transport.json(response, what: what)
            guard answer["ok"] == .bool(true) else {
                let error = answer.string("error") ?? "not ok"
                if tolerating.contains(error) { return answer }
                let message = transport.secrets.redact("\(what): \(error)", also: used)
                if SlackEndpoint.transient.contains(error) {
                    throw DeliveryFailure(outcome: .retry(message, after: Transport.retryAfter(response.header("Retry-After"))))
                }
                throw DeliveryFailure(outcome: .dead(message))
            }
            return answer
        }

        /// The user's Slack id, or nil when Slack knows no such email.
        func lookup(email: String) throws -> String? {
            // Vendors keep an address as the person typed it (Okta's `Jane.Doe@Example.com`);
            // Slack keeps its users' addresses in lowercase and matches them so.
            let email = email.lowercased()
            let q = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "@._-+"))) ?? email
            let answer = try call("users.lookupByEmail", nil, query: "?email=\(q)")
            return answer["user"]?.string("id")
        }
    }

    /// One line (or a few) a person reads in a channel.
    static func text(for message: OutboxMessage, _ p: JSONValue) -> String {
        switch message.event {
        case "slack.ask", "page":
            let prefix = message.event == "page" ? "*PAGE* (\(p.string("severity") ?? "high")) " : ""
            return prefix + (p.string("text") ?? "taser case #\(p.int("case_id") ?? message.entityID)")
        case "alert.created", "alert.updated":
            let verb = message.event == "alert.created" ? "New alert" : "Alert updated"
            return "\(verb) #\(p.int("id") ?? message.entityID) [\(p.string("severity") ?? "?")] \(p.string("title") ?? "")"
                + " (\(p.int("signal_count") ?? 0) signals, \(p.string("status") ?? "new"))"
        case "case.created":
            return "New case #\(p.int("id") ?? message.entityID) [\(p.string("severity") ?? "?")] \(p.string("title") ?? "")"
                + (p.string("owner").map { ", assigned to \($0)" } ?? "")
        case "case.updated":
            return "Case #\(p.int("id") ?? message.entityID) \(p.string("title") ?? ""): \(p["change"]?.string("body") ?? "updated")"
                + " (status \(p.string("status") ?? "?")\(p.string("owner").map { ", \($0)" } ?? ""))"
        case "case.log":
            return "Case #\(p.int("case") ?? message.entityID) log: *\(p.string("author") ?? "?")* \(p.string("body") ?? "")"
        default:
            return "\(message.event) \(message.entityType) #\(message.entityID)"
        }
    }
}
