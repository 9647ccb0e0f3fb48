import Foundation
import Model

/// A button press from Slack: the `block_actions` interaction payload, which Slack posts as an
/// `application/x-www-form-urlencoded` body with one field, `payload`, holding JSON.
public struct SlackClick: Sendable, Hashable {
    /// `securitybot.deny`: the namespace is before the dot, the answer after it.
    public var actionID: String
    public var value: String
    public var userID: String
    /// Slack's `user.username` (else `user.name`): usually the login.
    public var userName: String
    public var namespace: String { String(actionID.split(separator: ".", maxSplits: 1).first ?? "") }
    public var answer: String { actionID.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? "" }

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String { if case .malformed(let m) = self { return m }; return "" }
    }

    /// Reads the form body. Anything but a block_actions payload with a button carrying an
    /// action id is malformed (a 400 for the caller).
    public static func parse(body: [UInt8]) throws(Problem) -> SlackClick {
        guard let text = String(bytes: body, encoding: .utf8) else { throw .malformed("the body is not UTF-8 text") }
        var payload: String?
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "payload" else { continue }
            payload = String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        guard let payload else { throw .malformed("no payload= field in the form body (Slack sends application/x-www-form-urlencoded)") }
        let json: JSONValue
        do { json = try JSONValue.parse(payload) } catch { throw .malformed("payload is not JSON: \(error)") }
        guard json["type"]?.stringValue == "block_actions" else {
            throw .malformed("payload type '\(json["type"]?.stringValue ?? "none")' is not block_actions")
        }
        guard let action = json["actions"]?.arrayValue?.first, let id = action["action_id"]?.stringValue,
              id.contains("."), let value = action["value"]?.stringValue
        else { throw .malformed("payload has no action with an action_id (NAMESPACE.ANSWER) and a value") }
        let user = json["user"]
        return SlackClick(
            actionID: id, value: value, userID: user?["id"]?.stringValue ?? "",
            userName: user?["username"]?.stringValue ?? user?["name"]?.stringValue ?? "")
    }

    /// The case a button is about: its value is `case:N:ANSWER`.
    public var caseID: Int64? {
        let parts = value.split(separator: ":")
        guard parts.count >= 2, parts[0] == "case" else { return nil }
        return Int64(parts[1])
    }
}

/// The outbox message asking someone on Slack (the contract with Sync's Slack adapter):
/// event `slack.ask`, entity `case`, payload `{case_id, channel, user_email, text, buttons}`.
public enum SlackAsk {
    public static let event = "slack.ask"

    public static func payload(caseID: Int64, channel: String, email: String, text: String, namespace: String) -> JSONValue {
        .object([
            "case_id": .int(caseID), "channel": .string(channel), "user_email": .string(email), "text": .string(text),
            "buttons": .array([
                button("Yes, it was me", "\(namespace).confirm", "case:\(caseID):confirm"),
                button("No, it was not me", "\(namespace).deny", "case:\(caseID):deny"),
            ]),
        ])
    }

    static func button(_ text: String, _ action: String, _ value: String) -> JSONValue {
        .object(["text": .string(text), "action_id": .string(action), "value": .string(value)])
    }
}

/// The outbox message for the pager (event `page`): `{case_id, text, severity, oncall}`.
public enum PageMessage {
    public static let event = "page"

    public static func payload(caseID: Int64, text: String, severity: Severity, oncall: String?) -> JSONValue {
        .object(["case_id": .int(caseID), "text": .string(text), "severity": .string(severity.name), "oncall": JSONValue(oncall)])
    }
}
