import Foundation
import Model

/// A request to `/slack/events`, Slack's Events API, read from its JSON body once the signature
/// was checked. Everything taken from it is bounded: ids by their shape and length, a message's
/// text by `longestText` (cut, and marked so).
public enum SlackEventsRequest: Sendable, Equatable {
    /// Slack checking the URL when an admin sets it: answered with the challenge.
    case urlVerification(challenge: String)
    case callback(SlackEventCallback)
    /// Another envelope (`app_rate_limited`, ...): acknowledged, nothing to do.
    case other(type: String)

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        public var description: String { if case .malformed(let m) = self { return m }; return "" }
    }

    /// The most of a message's text kept: Slack's own limit is 40,000 characters.
    public static let longestText = 160_000

    public static func parse(body: [UInt8]) throws(Problem) -> SlackEventsRequest {
        let json: JSONValue
        do { json = try JSONValue.parse(body) } catch { throw .malformed("the body is not JSON: \(error)") }
        guard let type = json["type"]?.stringValue else { throw .malformed("no \"type\" in the body (Slack's Events API sends url_verification or event_callback)") }
        switch type {
        case "url_verification":
            guard let challenge = json["challenge"]?.stringValue, (1...512).contains(challenge.utf8.count),
                challenge.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7f })
            else { throw .malformed("url_verification needs a challenge of 1 to 512 printable ASCII characters") }
            return .urlVerification(challenge: challenge)
        case "event_callback":
            return .callback(try SlackEventCallback(json))
        default:
            return .other(type: String(type.prefix(64)))
        }
    }

    /// Slack's ids (`C0123ABC`, `U0JDOE`, `Ev0123`, `A0APP`): letters, digits, `_` and `-`.
    static func id(_ value: JSONValue?, _ what: String, required: Bool = true) throws(Problem) -> String? {
        guard let text = value?.stringValue else {
            if required { throw .malformed("no \(what)") }
            return nil
        }
        guard (1...64).contains(text.utf8.count), text.utf8.allSatisfy({ isIDByte($0) }) else {
            throw .malformed("\(what) '\(text.prefix(40))' is not a Slack id (1 to 64 letters, digits, _ and -)")
        }
        return text
    }

    /// A message's `ts`: epoch seconds and a fraction, its id within the channel.
    static func ts(_ value: JSONValue?, _ what: String, required: Bool = true) throws(Problem) -> String? {
        guard let text = value?.stringValue else {
            if required { throw .malformed("no \(what)") }
            return nil
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ (1...20).contains($0.utf8.count) && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            throw .malformed("\(what) '\(text.prefix(40))' is not a Slack timestamp (digits, a dot, digits)")
        }
        return text
    }

    static func isIDByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x5f || b == 0x2d
    }

    /// Text kept whole up to `longestText` bytes; beyond, cut at a character and marked.
    static func text(_ value: JSONValue?) -> String {
        let text = value?.stringValue ?? ""
        guard text.utf8.count > longestText else { return text }
        var cut = ""
        var bytes = 0
        for c in text {
            bytes += c.utf8.count
            if bytes > longestText { break }
            cut.append(c)
        }
        return cut + " … (cut by taser: \(text.utf8.count) bytes)"
    }
}

/// One `event_callback`: its id (what dedup keys on), the app it was sent to, and the message
/// in it when it is one taser logs.
public struct SlackEventCallback: Sendable, Equatable {
    public var eventID: String
    /// `api_app_id`: taser's own posts carry it, and are not logged back.
    public var appID: String?
    public var eventType: String
    public var message: SlackMessageEvent?
    /// Why nothing is logged, when `message` is nil.
    public var ignored: String?

    init(_ json: JSONValue) throws(SlackEventsRequest.Problem) {
        eventID = try SlackEventsRequest.id(json["event_id"], "event_id") ?? ""
        appID = try SlackEventsRequest.id(json["api_app_id"], "api_app_id", required: false)
        guard let event = json["event"], case .object = event else { throw .malformed("event_callback \(eventID) has no event object") }
        eventType = String((event["type"]?.stringValue ?? "").prefix(64))
        guard eventType == "message" else {
            ignored = "a \(eventType.isEmpty ? "typeless" : eventType) event, not a message"
            return
        }
        let subtype = event["subtype"]?.stringValue.map { String($0.prefix(64)) }
        let channel = try SlackEventsRequest.id(event["channel"], "event.channel") ?? ""
        switch subtype {
        case nil, "thread_broadcast"?, "file_share"?, "me_message"?, "bot_message"?:
            message = SlackMessageEvent(
                change: .posted, channel: channel, ts: try SlackEventsRequest.ts(event["ts"], "event.ts") ?? "",
                threadTS: try SlackEventsRequest.ts(event["thread_ts"], "event.thread_ts", required: false),
                user: try SlackEventsRequest.id(event["user"], "event.user", required: false),
                botName: event["username"]?.stringValue.map { String($0.prefix(80)) },
                appID: try SlackEventsRequest.id(event["app_id"], "event.app_id", required: false),
                text: SlackEventsRequest.text(event["text"]), subtype: subtype)
        case "message_changed"?:
            guard let changed = event["message"], case .object = changed else { throw .malformed("message_changed without its message") }
            message = SlackMessageEvent(
                change: .edited, channel: channel, ts: try SlackEventsRequest.ts(changed["ts"], "event.message.ts") ?? "",
                threadTS: try SlackEventsRequest.ts(changed["thread_ts"], "event.message.thread_ts", required: false),
                user: try SlackEventsRequest.id(changed["user"], "event.message.user", required: false),
                botName: changed["username"]?.stringValue.map { String($0.prefix(80)) },
                appID: try SlackEventsRequest.id(changed["app_id"], "event.message.app_id", required: false),
                text: SlackEventsRequest.text(changed["text"]), subtype: subtype)
        case "message_deleted"?:
            let previous = event["previous_message"]
            message = SlackMessageEvent(
                change: .deleted, channel: channel, ts: try SlackEventsRequest.ts(event["deleted_ts"], "event.deleted_ts") ?? "",
                threadTS: try SlackEventsRequest.ts(previous?["thread_ts"], "event.previous_message.thread_ts", required: false),
                user: try SlackEventsRequest.id(previous?["user"], "event.previous_message.user", required: false),
                botName: nil, appID: try SlackEventsRequest.id(previous?["app_id"], "event.previous_message.app_id", required: false),
                text: "", subtype: subtype)
        case let other?:
            ignored = "a \(other) message (not a conversation's text)"
        }
    }
}

/// A message posted, edited or deleted in a channel.
public struct SlackMessageEvent: Sendable, Equatable {
    public enum Change: String, Sendable, Equatable { case posted, edited, deleted }
    public var change: Change
    public var channel: String
    /// The message's id within the channel (for an edit or a deletion: the message changed).
    public var ts: String
    /// The thread's first message, when this one is a reply (Slack gives the parent its own ts too).
    public var threadTS: String?
    public var user: String?
    /// A bot's or an integration's name, when it posted without a user.
    public var botName: String?
    public var appID: String?
    public var text: String
    public var subtype: String?

    /// The parent a reply keeps: a thread's ts when it is not the message's own.
    public var parentTS: String? { threadTS.flatMap { $0 == ts ? nil : $0 } }
}
