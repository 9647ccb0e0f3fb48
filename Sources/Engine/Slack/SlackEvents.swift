import Automation
import Foundation
import Model
import Store

/// `POST /slack/events`, engine side: Slack's Events API for the channels made for cases. It
/// checks Slack's signature as `/slack/interactions` does (signing secret, at most five minutes
/// old, a signature once), answers `url_verification`, and logs each message posted in a case's
/// channel to that case, as an entry of kind `slack` by `slack:<name>`, tagged with its
/// channel (the timeline's folder). An edit or a deletion appends a correction of the entry it
/// changes; a thread reply names its parent. Each delivery is taken once by its `event_id`
/// (kept in the database), so Slack's retries and restarts never log twice. Events for other
/// channels, and taser's own posts, are acknowledged and left alone.
public final class SlackEvents: Sendable {
    let engine: Engine
    let signingSecret: String
    /// Slack's name for a user through a slack endpoint (`users.info`); nil when not configured.
    let lookUpName: (@Sendable (_ userID: String, _ endpoint: String) throws -> String?)?
    /// What went wrong beside the answer (a name lookup that failed), for the server's log.
    let onProblem: @Sendable (String) -> Void

    /// The author names taser asks Slack for again after a day: people rename themselves.
    static let namesFreshFor: Int64 = 24 * 3_600_000
    /// Event ids are kept a week: Slack retries a delivery for about an hour.
    static let eventsKept: Int64 = 7 * 24 * 3_600_000
    /// The longest author name kept (after `slack:`).
    static let longestName = 80
    public static let actorName = "slack"

    /// `engine` must be the admin's (a channel's case may be any team's); `signingSecret` is the
    /// resolved `${secret:slack_signing_secret}`.
    public init(
        engine: Engine, signingSecret: String, lookUpName: (@Sendable (String, String) throws -> String?)? = nil,
        onProblem: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        try engine.requireAdmin("log Slack channel messages (they write to every team's cases)")
        guard !signingSecret.isEmpty else { throw EngineError.invalid("the Slack signing secret is empty; set \(SlackSignature.secretName) in the secrets file") }
        self.engine = engine.acting(as: Actor(name: SlackEvents.actorName, isAdmin: true))
        self.signingSecret = signingSecret
        self.lookUpName = lookUpName
        self.onProblem = onProblem
    }

    private struct Refusal: Error { var response: SlackInteractionResponse }

    static func ok(_ fields: [String: JSONValue]) -> SlackInteractionResponse {
        var body = fields
        body["ok"] = true
        return SlackInteractionResponse(status: 200, body: .object(JSONObject(body)))
    }

    static func ignored(_ why: String) -> SlackInteractionResponse { ok(["ignored": .string(why)]) }

    /// The whole request: raw body, headers (any case), and when it arrived.
    public func handle(body: [UInt8], headers: [String: String], now: Timestamp) -> SlackInteractionResponse {
        do {
            try SlackSignature.verify(body: body, headers: headers, secret: signingSecret, now: now.ms / 1000)
        } catch {
            return .error(401, error.description)
        }
        let request: SlackEventsRequest
        do { request = try SlackEventsRequest.parse(body: body) } catch { return .error(400, error.description) }
        switch request {
        case .urlVerification(let challenge):
            return SlackInteractionResponse(status: 200, body: .object(["challenge": .string(challenge)]))
        case .other(let type):
            return SlackEvents.ignored("a \(type) request")
        case .callback(let callback):
            let signature = headers.first { $0.key.lowercased() == "x-slack-signature" }?.value ?? ""
            do {
                let author = try author(of: callback, now: now)
                return try engine.store.write { tx in try take(callback, signature: signature, author: author, tx, at: now) }
            } catch let refusal as Refusal {
                return refusal.response
            } catch {
                return .error(500, "could not log the Slack event \(callback.eventID): \(error)")
            }
        }
    }

    /// Who wrote the message, as `slack:<name>`: looked up before the write transaction, since
    /// an HTTP call must not hold the database's write lock. Nil when nothing will be logged.
    private func author(of callback: SlackEventCallback, now: Timestamp) throws -> String? {
        guard let m = callback.message, m.change != .deleted, m.appID == nil || m.appID != callback.appID else { return nil }
        guard let channel = try engine.store.read({ tx in try tx.caseChannel(slackID: m.channel) }) else { return nil }
        guard let user = m.user else { return "slack:" + SlackEvents.clean(m.botName ?? "bot") }
        return "slack:" + SlackEvents.clean(try name(of: user, endpoint: channel.endpoint, now: now))
    }

    /// A user's name: the cached one while fresh, else Slack's (cached), else the stale one,
    /// else the user id. A failed lookup is reported, never fatal: the message is logged anyway.
    private func name(of user: String, endpoint: String, now: Timestamp) throws -> String {
        let cached = try engine.store.read { tx in try tx.slackUserName(user) }
        if let cached {
            let (age, overflow) = now.ms.subtractingReportingOverflow(cached.fetchedAt.ms)
            if !overflow, age < SlackEvents.namesFreshFor { return cached.name }
        }
        guard let lookUpName else { return cached?.name ?? user }
        do {
            // A user Slack does not know keeps their id as a name for a day, not a lookup a message.
            let kept = SlackEvents.clean(try lookUpName(user, endpoint) ?? cached?.name ?? user)
            try engine.store.write { tx in try tx.saveSlackUserName(user, name: kept, at: now) }
            return kept
        } catch {
            onProblem("slack events: no name for user \(user) through endpoint \(endpoint): \(error)")
            return cached?.name ?? user
        }
    }

    /// One line, no control characters, at most `longestName` characters.
    static func clean(_ name: String) -> String {
        let line = String(name.unicodeScalars.map { $0.properties.generalCategory == .control || $0 == "\n" ? " " : Character($0) })
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? "unknown" : String(trimmed.prefix(longestName))
    }

    /// The delivery in the transaction that records it: a replayed signature is refused, an
    /// event already taken is acknowledged, a message in a case's channel is logged.
    private func take(_ callback: SlackEventCallback, signature: String, author: String?, _ tx: Tx, at now: Timestamp) throws -> SlackInteractionResponse {
        guard try tx.rememberSlackSignature(signature, at: now, keep: SlackInteractions.replayWindow) else {
            throw Refusal(response: .error(409, "this request was already received (same signature): refused as a replay"))
        }
        guard try tx.rememberSlackEvent(callback.eventID, at: now, keep: SlackEvents.eventsKept) else {
            return SlackEvents.ok(["duplicate": .string("event \(callback.eventID) was already taken")])
        }
        guard let m = callback.message else { return SlackEvents.ignored(callback.ignored ?? "not a message") }
        if let app = m.appID, app == callback.appID { return SlackEvents.ignored("taser's own post") }
        guard let channel = try tx.caseChannel(slackID: m.channel) else { return SlackEvents.ignored("channel \(m.channel) is not a case's channel") }
        var data: [String: JSONValue] = [
            LogEntry.slackChannelKey: .string(m.channel), "slack_channel_name": JSONValue(channel.name), "ts": .string(m.ts),
            "event_id": .string(callback.eventID), "slack_user": JSONValue(m.user),
        ]
        if let subtype = m.subtype { data["subtype"] = .string(subtype) }
        let logged = try tx.slackMessage(channel: m.channel, ts: m.ts)
        let entry: LogEntry
        switch (m.change, logged) {
        case (.posted, _?):
            return SlackEvents.ignored("message \(m.ts) is on case \(channel.caseID)'s log already")
        case (.deleted, nil):
            return SlackEvents.ignored("message \(m.ts) was deleted, and it was never logged")
        case (.edited, let original?):
            guard let latest = try tx.logEntry(original.latestEntryID) else { return SlackEvents.ignored("message \(m.ts)'s entry is gone") }
            let text = SlackEvents.body(m.text)
            guard text != latest.body else { return SlackEvents.ignored("message \(m.ts) changed without a new text (a link preview)") }
            data["edited"] = true
            data["corrects_seq"] = .int(latest.seq)
            entry = try tx.appendLog(NewLogEntry(kind: .slack, body: text, data: .object(JSONObject(data)), corrects: latest.id),
                                     toCase: channel.caseID, author: original.author, at: now)
            try tx.setLatestSlackEntry(channel: m.channel, ts: m.ts, entryID: entry.id)
        case (.deleted, let original?):
            guard let latest = try tx.logEntry(original.latestEntryID) else { return SlackEvents.ignored("message \(m.ts)'s entry is gone") }
            guard latest.data.flatMap({ try? JSONValue.parse($0) })?["deleted"] != .bool(true) else { return SlackEvents.ignored("message \(m.ts) was deleted already") }
            data["deleted"] = true
            data["corrects_seq"] = .int(latest.seq)
            entry = try tx.appendLog(
                NewLogEntry(kind: .slack, body: "Deleted in Slack (posted by \(original.author))", data: .object(JSONObject(data)), corrects: latest.id),
                toCase: channel.caseID, author: SlackEvents.actorName, at: now)
            try tx.setLatestSlackEntry(channel: m.channel, ts: m.ts, entryID: entry.id)
        case (.posted, nil), (.edited, nil):
            // An edit of a message never logged (sent before taser took events) is logged as
            // the message it now is.
            if m.change == .edited { data["edited"] = true }
            if let parent = m.parentTS {
                data["thread_ts"] = .string(parent)
                if let first = try tx.slackMessage(channel: m.channel, ts: parent), let head = try tx.logEntry(first.entryID) {
                    data["parent_seq"] = .int(head.seq)
                }
            }
            let who = author ?? "slack:" + (m.user ?? "unknown")
            entry = try tx.appendLog(NewLogEntry(kind: .slack, body: SlackEvents.body(m.text), data: .object(JSONObject(data))),
                                     toCase: channel.caseID, author: who, at: now)
            _ = try tx.saveSlackMessage(channel: m.channel, ts: m.ts, caseID: channel.caseID, entryID: entry.id, author: who)
        }
        try engine.announce(channel.caseID, nil, entries: [entry], tx, at: now)
        return SlackEvents.ok(["case_id": .int(channel.caseID), "seq": .int(entry.seq)])
    }

    /// A message's text as the log keeps it (a message of files alone still says so).
    static func body(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "(a message without text: a file or an attachment)" : trimmed
    }
}
