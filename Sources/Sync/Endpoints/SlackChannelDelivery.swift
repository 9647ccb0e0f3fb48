import Foundation
import Model
import Store

/// `slack.channel`: a Slack channel for a case. The analyst's request is an outbox message (see
/// Engine's `requestSlackChannel`), so creating the channel is delivered like every other
/// remote side effect: retried, never lost, its failures dead letters in `taser sync status`.
/// Each step is remembered as soon as it is done (the channel, the invitations, the summary),
/// so a retry after a failure goes on from where it stopped instead of making a second channel.
///
/// Payload: `{case_id, number, title, severity, status, owner, team, tlp, tags, alerts,
/// description, requested_by, invite: [{login, email}]}`.
extension SlackEndpoint {
    /// Invitation errors that leave the channel as it should be, or concern one person Slack
    /// will not add (deactivated, a guest): the others are invited, the delivery goes on.
    static let harmlessInviteErrors: Set<String> = [
        "already_in_channel", "cant_invite_self", "user_not_found", "user_is_deactivated", "cant_invite",
        "ura_max_channels", "user_is_restricted", "users_not_found",
    ]

    func createChannel(_ message: OutboxMessage, _ payload: JSONValue, _ context: DeliveryContext) throws {
        guard config.string("webhook") == nil || config.string("token") != nil else {
            throw DeliveryFailure(outcome: .dead("endpoint \(config.name) is an incoming webhook; creating a channel needs a bot token (token: \"${secret:NAME}\")"))
        }
        guard let caseID = payload.int("case_id"), let number = payload.int("number") else {
            throw DeliveryFailure(outcome: .dead("outbox message \(message.id): slack.channel needs case_id and number"))
        }
        var used: [String] = []
        let token = try context.transport.resolve(config.string("token") ?? "", into: &used)
        let api = Api(
            base: trimmedURL(try context.transport.resolve(config.string("url") ?? "https://slack.com/api", into: &used)),
            token: token, used: used, key: message.idempotencyKey, transport: context.transport)
        let ref = "case:\(caseID):channel:\(number)"

        let channel: (id: String, name: String)
        if let made = try context.remote(ref) {
            channel = (made.id, made.key ?? made.id)
        } else {
            channel = try createUniquelyNamed(SlackChannelName.base(caseID: caseID, title: payload.string("title") ?? ""), api)
            try context.remember(ref, id: channel.id, key: channel.name)
        }
        // Also on a retry: the first attempt may have stopped between remembering and recording.
        do {
            try context.recordChannel(caseID: caseID, number: number, slackID: channel.id, name: channel.name)
        } catch {
            throw DeliveryFailure(outcome: .dead("channel #\(channel.name) (\(channel.id)) was created but cannot be recorded on case \(caseID): \(error)"))
        }

        if try context.remote(ref + ":invited") == nil {
            var users: [String] = []
            for person in payload["invite"]?.arrayValue ?? [] {
                guard let email = person.string("email"), !email.isEmpty, let user = try api.lookup(email: email) else { continue }
                if !users.contains(user) { users.append(user) }
            }
            if !users.isEmpty {
                _ = try api.call(
                    "conversations.invite", ["channel": .string(channel.id), "users": .string(users.joined(separator: ",")), "force": true],
                    tolerating: SlackEndpoint.harmlessInviteErrors)
            }
            try context.remember(ref + ":invited", id: users.joined(separator: ","))
        }

        if try context.remote(ref + ":summary") == nil {
            let text = SlackEndpoint.channelSummary(payload, channel: channel.name)
            let answer = try api.call(
                "chat.postMessage",
                ["channel": .string(channel.id), "text": .string(text), "blocks": [["type": "section", "text": ["type": "mrkdwn", "text": .string(text)]]]])
            try context.remember(ref + ":summary", id: answer.string("ts") ?? "posted")
        }
    }

    /// `conversations.create` with the base name, then base-2, base-3, ... while Slack says the
    /// name is taken. (Slack has no idempotency key for it: a create whose answer was lost makes
    /// a channel taser never learns of, and the retry takes the next name.)
    private func createUniquelyNamed(_ base: String, _ api: Api) throws -> (id: String, name: String) {
        for attempt in 1...SlackChannelName.attempts {
            let name = SlackChannelName.candidate(base, attempt: attempt)
            let answer = try api.call("conversations.create", ["name": .string(name), "is_private": false], tolerating: ["name_taken"])
            if answer.string("error") == "name_taken" { continue }
            guard let id = answer["channel"]?.string("id"), !id.isEmpty else {
                throw DeliveryFailure(outcome: .retry("slack conversations.create: the answer has no channel id", after: nil))
            }
            return (id, answer["channel"]?.string("name") ?? name)
        }
        throw DeliveryFailure(outcome: .dead(
            "slack conversations.create: \(base) and \(base)-2 to -\(SlackChannelName.attempts) are all taken; rename the case or archive old channels, then retry"))
    }

    /// What the channel's first message says: the case in a few lines.
    static func channelSummary(_ p: JSONValue, channel: String) -> String {
        let id = p.int("case_id") ?? 0
        var lines = ["*Case #\(id): \(p.string("title") ?? "")* [\(p.string("severity") ?? "?")] \(p.string("status") ?? "")"]
        var facts = ["owner \(p.string("owner") ?? "none")", "team \(p.string("team") ?? "none")"]
        if let tlp = p.string("tlp") { facts.append("TLP:\(tlp.uppercased())") }
        if let alerts = p.int("alerts") { facts.append("\(alerts) alert\(alerts == 1 ? "" : "s")") }
        let tags = (p["tags"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !tags.isEmpty { facts.append("tags " + tags.joined(separator: ", ")) }
        lines.append(facts.joined(separator: " · "))
        if let description = p.string("description"), !description.isEmpty { lines.append(String(description.prefix(1500))) }
        lines.append("Messages here are logged to case \(id) (its #\(channel) folder). Asked for by \(p.string("requested_by") ?? "an analyst").")
        return lines.joined(separator: "\n")
    }
}

extension DeliveryContext {
    /// The case's channel request, now a channel in Slack.
    func recordChannel(caseID: Int64, number: Int64, slackID: String, name: String) throws {
        let now = clock()
        try store.write { tx in try tx.recordChannelCreated(caseID: caseID, number: number, slackID: slackID, name: name, at: now) }
    }
}
