import Automation
import Foundation
import Model
import Store

/// What the HTTP route sends back: a status and a JSON body, nothing else to decide.
public struct SlackInteractionResponse: Sendable, Equatable {
    public var status: Int
    public var body: JSONValue

    static func error(_ status: Int, _ message: String) -> SlackInteractionResponse {
        SlackInteractionResponse(status: status, body: .object(["ok": false, "error": .string(message)]))
    }
}

/// What a namespace's buttons do. `caseReply` is GLaDOS's: the reply goes to the case log
/// (where playbooks' "reply" triggers read it) and answers the question it replies to.
public enum SlackHandler: Sendable {
    case caseReply
    /// Anything else: gets the verified click, returns the text to show. It runs after the
    /// request's signature was recorded (so a replay never reaches it twice).
    case custom(@Sendable (SlackClick) throws -> String)
}

/// GLaDOS, engine side: `POST /slack/interactions` in one function. It verifies Slack's
/// signature (signing secret, at most five minutes old, each signature once), reads the
/// block_actions payload and hands the click to the handler of its namespace (`securitybot.`
/// of `securitybot.deny`). Refused requests write nothing.
public final class SlackInteractions: @unchecked Sendable {
    let engine: Engine
    let signingSecret: String
    private let lock = NSLock()
    private var handlers: [String: SlackHandler] = [:]

    /// `engine` acts for the replies (the admin's: a reply may land on any team's case);
    /// `signingSecret` is the resolved `${secret:slack_signing_secret}`.
    public init(engine: Engine, signingSecret: String) throws {
        try engine.requireAdmin("answer Slack interactions (they write to every team's cases)")
        guard !signingSecret.isEmpty else { throw EngineError.invalid("the Slack signing secret is empty; set \(SlackSignature.secretName) in the secrets file") }
        self.engine = engine.acting(as: Actor(name: AutomationRunner.actorName, isAdmin: true))
        self.signingSecret = signingSecret
    }

    /// The playbooks' namespaces, each with the case-reply handler.
    public convenience init(engine: Engine, signingSecret: String, library: PlaybookLibrary) throws {
        try self.init(engine: engine, signingSecret: signingSecret)
        for p in library.playbooks { for ns in p.replyNamespaces { register(namespace: ns, .caseReply) } }
    }

    public func register(namespace: String, _ handler: SlackHandler) {
        lock.lock()
        defer { lock.unlock() }
        handlers[namespace] = handler
    }

    public var namespaces: [String] {
        lock.lock()
        defer { lock.unlock() }
        return handlers.keys.sorted()
    }

    /// The whole request: raw body, headers (any case), and the time it arrived.
    public func handle(body: [UInt8], headers: [String: String], now: Timestamp) -> SlackInteractionResponse {
        do {
            try SlackSignature.verify(body: body, headers: headers, secret: signingSecret, now: now.ms / 1000)
        } catch {
            return .error(401, error.description)
        }
        let click: SlackClick
        do { click = try SlackClick.parse(body: body) } catch { return .error(400, error.description) }
        lock.lock()
        let handler = handlers[click.namespace]
        lock.unlock()
        guard let handler else {
            return .error(404, "no handler for the namespace '\(click.namespace)' (action \(click.actionID)); handlers: \(namespaces.joined(separator: ", "))")
        }
        let signature = headers.first { $0.key.lowercased() == "x-slack-signature" }?.value ?? ""
        do {
            switch handler {
            case .caseReply:
                return try caseReply(click, signature: signature, now: now)
            case .custom(let run):
                guard try engine.store.write({ tx in try tx.rememberSlackSignature(signature, at: now, keep: SlackInteractions.replayWindow) }) else {
                    return .error(409, "this request was already received (same signature): refused as a replay")
                }
                return SlackInteractionResponse(status: 200, body: .object(["ok": true, "text": .string(try run(click))]))
            }
        } catch let e as EngineError {
            if case .caseNotFound = e { return .error(404, e.description) }
            return .error(400, e.description)
        } catch let r as Refusal {
            return r.response
        } catch {
            return .error(500, "could not record the reply: \(error)")
        }
    }

    /// The answer when serve has no signing secret: the one a bad signature gets, checked
    /// against a secret nobody has, so a caller cannot tell whether Slack is set up.
    public static func refusedWithoutSecret(body: [UInt8], headers: [String: String], now: Timestamp) -> SlackInteractionResponse {
        let nobody = (0..<4).map { _ in UInt64.random(in: 0...UInt64.max).description }.joined(separator: "-")
        do {
            try SlackSignature.verify(body: body, headers: headers, secret: nobody, now: now.ms / 1000)
        } catch {
            return .error(401, error.description)
        }
        return .error(401, SlackSignature.Problem.badSignature.description)
    }

    /// Signatures are remembered a little longer than a request may be old.
    static let replayWindow: Int64 = 2 * SlackSignature.maximumAge * 1000

    private struct Refusal: Error { var response: SlackInteractionResponse }

    /// The reply, on the case log, in one transaction with the signature it came with (a
    /// replay finds it and changes nothing) and the question it answers.
    private func caseReply(_ click: SlackClick, signature: String, now: Timestamp) throws -> SlackInteractionResponse {
        guard let caseID = click.caseID else {
            return .error(400, "the button's value '\(click.value.prefix(40))' does not name a case (case:N:ANSWER)")
        }
        return try engine.store.write { tx in
            guard try tx.rememberSlackSignature(signature, at: now, keep: SlackInteractions.replayWindow) else {
                throw Refusal(response: .error(409, "this request was already received (same signature): refused as a replay"))
            }
            _ = try engine.writableCase(caseID, tx)
            let asks = try tx.automationAsks(ofCase: caseID).filter { $0.namespace == click.namespace }
            let byName = asks.first { !click.userName.isEmpty && $0.login.caseInsensitiveCompare(click.userName) == .orderedSame }
            let ask = byName ?? asks.first { $0.status == "waiting" } ?? asks.first
            if let ask { try tx.closeAutomationAsk(ask.id, status: "answered", answer: click.answer, at: now) }
            let who = ask?.login ?? (click.userName.isEmpty ? click.userID : click.userName)
            let said = switch click.answer {
            case "confirm": "Yes, it was me"
            case "deny": "No, it was not me"
            default: click.answer
            }
            let role = ask.map { " (\($0.role))" } ?? ""
            try tx.appendLog(
                NewLogEntry(
                    kind: .automation, body: "Slack reply from \(who)\(role): \(said)",
                    data: [
                        "event": "slack.reply", "namespace": .string(click.namespace), "action_id": .string(click.actionID),
                        "answer": .string(click.answer), "role": JSONValue(ask?.role), "login": .string(who), "ask": JSONValue(ask?.id),
                        "slack_user_id": .string(click.userID), "slack_user": .string(click.userName),
                    ]),
                toCase: caseID, author: engine.actor.name, at: now)
            return SlackInteractionResponse(
                status: 200, body: .object(["ok": true, "case_id": .int(caseID), "text": .string("Thanks, your answer (\(said)) is on case \(caseID).")]))
        }
    }
}
