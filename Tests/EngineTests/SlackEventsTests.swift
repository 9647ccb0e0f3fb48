import Automation
import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

/// `/slack/events`, engine side: Slack's signed Events API deliveries for the channels made for
/// cases become entries of those cases' logs, once each; edits and deletions are corrections;
/// everything else is acknowledged and left alone.
@Suite struct SlackEventsTests {
    static let secret = "slack-signing-s3cret-5"

    /// A soc case with one channel Sync made (C0CASE1), and the events handler over it.
    /// The names asked of Slack, in order.
    final class Asked: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.withLock { list.append(s) } }
        var all: [String] { lock.withLock { list } }
    }

    final class Bench {
        let soc: SOC
        let caseID: Int64
        let events: SlackEvents
        let asked = Asked()
        var lookups: [String] { asked.all }

        init(names: [String: String] = ["U0JDOE": "jdoe", "U0BEN": "ben.analyst"], lookUp: Bool = true) throws {
            soc = try SOC()
            caseID = try soc.ana.openCase(NewCase(title: "Phishing invoice", team: "soc")).id
            let channel = try soc.ana.requestSlackChannel(caseID)
            try soc.admin.store.write { tx in
                try tx.recordChannelCreated(caseID: channel.caseID, number: channel.number, slackID: "C0CASE1", name: "case-1-phishing-invoice", at: .now)
            }
            var lookUpName: (@Sendable (String, String) throws -> String?)?
            if lookUp {
                let asked = self.asked
                lookUpName = { user, endpoint in
                    asked.add("\(user)@\(endpoint)")
                    return names[user]
                }
            }
            events = try SlackEvents(engine: soc.admin, signingSecret: SlackEventsTests.secret, lookUpName: lookUpName)
        }

        func signed(_ body: String, at time: Date = Date(), secret: String = SlackEventsTests.secret, extra: [String: String] = [:]) -> [String: String] {
            let stamp = String(Int64(time.timeIntervalSince1970))
            return ["X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": SlackSignature.sign(body: Array(body.utf8), timestamp: stamp, secret: secret)]
                .merging(extra) { $1 }
        }

        @discardableResult
        func send(_ body: String, headers: [String: String]? = nil) -> SlackInteractionResponse {
            events.handle(body: Array(body.utf8), headers: headers ?? signed(body), now: .now)
        }

        var log: [LogEntry] { (try? soc.ana.caseDetail(caseID).log) ?? [] }
        var slackEntries: [LogEntry] { log.filter { $0.kind == .slack } }
    }

    static func message(
        _ eventID: String, ts: String, text: String, user: String? = "U0JDOE", channel: String = "C0CASE1", thread: String? = nil,
        subtype: String? = nil, app: String? = nil
    ) -> String {
        var event: [String: JSONValue] = ["type": "message", "channel": .string(channel), "ts": .string(ts), "text": .string(text)]
        if let user { event["user"] = .string(user) }
        if let thread { event["thread_ts"] = .string(thread) }
        if let subtype { event["subtype"] = .string(subtype) }
        if let app { event["app_id"] = .string(app) }
        return envelope(eventID, event)
    }

    static func envelope(_ eventID: String, _ event: [String: JSONValue]) -> String {
        JSONValue.object([
            "type": "event_callback", "event_id": .string(eventID), "api_app_id": "A0TASER", "team_id": "T0ACME", "event": .object(JSONObject(event)),
        ]).text
    }

    static func edit(_ eventID: String, ts: String, text: String, before: String) -> String {
        envelope(eventID, [
            "type": "message", "subtype": "message_changed", "channel": "C0CASE1", "hidden": true, "ts": "1750000999.000100",
            "message": ["type": "message", "user": "U0JDOE", "text": .string(text), "ts": .string(ts), "edited": ["user": "U0JDOE", "ts": "1750000999.000100"]],
            "previous_message": ["type": "message", "user": "U0JDOE", "text": .string(before), "ts": .string(ts)],
        ])
    }

    static func deletion(_ eventID: String, ts: String) -> String {
        envelope(eventID, [
            "type": "message", "subtype": "message_deleted", "channel": "C0CASE1", "hidden": true, "ts": "1750001999.000100",
            "deleted_ts": .string(ts), "previous_message": ["type": "message", "user": "U0JDOE", "text": "gone", "ts": .string(ts)],
        ])
    }

    @Test func urlVerificationIsAnsweredWithItsChallenge() throws {
        let b = try Bench()
        let answer = b.send(#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#)
        #expect(answer.status == 200 && answer.body["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
        #expect(b.send(#"{"type":"url_verification","challenge":"two words"}"#).status == 400)
        #expect(b.send(#"{"type":"url_verification"}"#).status == 400)
    }

    @Test func aMessageInACaseChannelIsLoggedOnceByItsAuthorInItsChannelsFolder() throws {
        let b = try Bench()
        let body = Self.message("Ev0001", ts: "1750000000.000100", text: "Blocked the sender at the gateway")
        let headers = b.signed(body)
        let first = b.send(body, headers: headers)
        #expect(first.status == 200 && first.body["case_id"] == .int(b.caseID), "\(first.body)")
        let entry = try #require(b.slackEntries.first)
        #expect(entry.author == "slack:jdoe" && entry.body == "Blocked the sender at the gateway")
        #expect(entry.slackChannel == "C0CASE1" && entry.data?.contains("case-1-phishing-invoice") == true)
        // The same request again is a replay; Slack's retry (signed anew, same event id) is taken once.
        #expect(b.send(body, headers: headers).status == 409)
        let retry = b.send(body, headers: b.signed(body, at: Date().addingTimeInterval(2), extra: ["X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"]))
        #expect(retry.status == 200 && retry.body["duplicate"] != nil, "\(retry.body)")
        // A second delivery of the same message under another event id is not logged twice either.
        #expect(b.send(Self.message("Ev0002", ts: "1750000000.000100", text: "Blocked the sender at the gateway")).body["ignored"] != nil)
        #expect(b.slackEntries.count == 1)
        // The author's name is cached: the next message from them asks Slack nothing.
        #expect(b.send(Self.message("Ev0003", ts: "1750000001.000100", text: "Reset her password")).status == 200)
        #expect(b.lookups == ["U0JDOE@slack"])
        #expect(b.slackEntries.map(\.author) == ["slack:jdoe", "slack:jdoe"])
        // Each entry goes to the outbox like every other case log entry.
        let keys = try b.soc.admin.store.read { tx in try tx.unroutedMessages(limit: 1000) }.map(\.idempotencyKey)
        #expect(keys.contains("case:\(b.caseID):log:\(entry.seq)"))
    }

    @Test func editsAndDeletesAppendCorrectionsAndRewriteNothing() throws {
        let b = try Bench()
        b.send(Self.message("Ev0101", ts: "1750000100.000100", text: "The user clicked the link"))
        #expect(b.send(Self.edit("Ev0102", ts: "1750000100.000100", text: "The user did not click the link", before: "The user clicked the link")).status == 200)
        // A change that leaves the text as it was (a link preview) is no correction.
        #expect(b.send(Self.edit("Ev0103", ts: "1750000100.000100", text: "The user did not click the link", before: "The user did not click the link")).body["ignored"] != nil)
        b.send(Self.edit("Ev0104", ts: "1750000100.000100", text: "The user did not click the link (proxy logs)", before: "The user did not click the link"))
        b.send(Self.deletion("Ev0105", ts: "1750000100.000100"))
        #expect(b.send(Self.deletion("Ev0106", ts: "1750000100.000100")).body["ignored"] != nil)
        let entries = b.slackEntries
        try #require(entries.count == 4)
        let (original, edit, again, deleted) = (entries[0], entries[1], entries[2], entries[3])
        #expect(original.body == "The user clicked the link" && original.corrects == nil)
        #expect(edit.corrects == original.id && edit.body == "The user did not click the link" && edit.author == "slack:jdoe")
        #expect(again.corrects == edit.id && again.body.hasSuffix("(proxy logs)"))
        #expect(deleted.corrects == again.id && deleted.body == "Deleted in Slack (posted by slack:jdoe)" && deleted.author == "slack")
        #expect(entries.allSatisfy { $0.slackChannel == "C0CASE1" })
        // The stored original is the row first written: the log is append-only.
        #expect(try b.soc.admin.store.read { tx in try tx.logEntry(original.id) } == original)
        // An edit or a deletion of a message never logged: the edit is logged as the message it is, the deletion ignored.
        #expect(b.send(Self.deletion("Ev0107", ts: "1740000000.000001")).body["ignored"] != nil)
        b.send(Self.edit("Ev0108", ts: "1740000000.000002", text: "Sent before taser listened", before: "old"))
        #expect(b.slackEntries.last?.body == "Sent before taser listened" && b.slackEntries.last?.corrects == nil)
    }

    @Test func aThreadReplyKeepsItsParent() throws {
        let b = try Bench()
        b.send(Self.message("Ev0201", ts: "1750000200.000100", text: "Who owns LT-JANE?"))
        b.send(Self.message("Ev0202", ts: "1750000201.000100", text: "Jane, in finance", user: "U0BEN", thread: "1750000200.000100"))
        // The parent itself carries thread_ts equal to its own ts once it has replies: no parent of its own.
        b.send(Self.message("Ev0203", ts: "1750000202.000100", text: "Thread start", thread: "1750000202.000100"))
        let entries = b.slackEntries
        try #require(entries.count == 3)
        #expect(entries[1].slackParentSeq == entries[0].seq && entries[1].author == "slack:ben.analyst")
        #expect(entries[1].data?.contains(#""thread_ts":"1750000200.000100""#) == true)
        #expect(entries[0].slackParentSeq == nil && entries[2].slackParentSeq == nil)
    }

    @Test func eventsForOtherChannelsAndOtherKindsAreAcknowledgedAndIgnored() throws {
        let b = try Bench()
        let before = b.log.count
        for body in [
            Self.message("Ev0301", ts: "1750000300.000100", text: "elsewhere", channel: "C0OTHER"),
            Self.envelope("Ev0302", ["type": "app_mention", "channel": "C0CASE1", "ts": "1750000300.000200", "text": "<@U0TASER> hi"]),
            Self.message("Ev0303", ts: "1750000300.000300", text: "<@U0BEN> has joined the channel", subtype: "channel_join"),
            Self.message("Ev0304", ts: "1750000300.000400", text: "Case #1 summary", user: "U0BOT", app: "A0TASER"),
            #"{"type":"app_rate_limited","minute_rate_limited":1750000000}"#,
        ] {
            let answer = b.send(body)
            #expect(answer.status == 200 && answer.body["ignored"] != nil, "\(answer.body)")
        }
        #expect(b.log.count == before)
        #expect(b.lookups.isEmpty)
    }

    @Test func badStaleOrMissingSignaturesAre401AndTakeNothing() throws {
        let b = try Bench()
        let body = Self.message("Ev0401", ts: "1750000400.000100", text: "signed?")
        #expect(b.send(body, headers: b.signed(body, secret: "not-the-secret")).status == 401)
        #expect(b.send(body, headers: b.signed(body, at: Date().addingTimeInterval(-600))).status == 401)
        #expect(b.send(body, headers: b.signed(body, at: Date().addingTimeInterval(600))).status == 401)
        #expect(b.send(body, headers: [:]).status == 401)
        #expect(b.send(body, headers: ["X-Slack-Request-Timestamp": "-9223372036854775808", "X-Slack-Signature": "v0=00"]).status == 401)
        #expect(b.slackEntries.isEmpty)
        // The refused deliveries consumed nothing: the real one is logged.
        #expect(b.send(body).status == 200)
        #expect(b.slackEntries.count == 1)
    }

    @Test func malformedBodiesAre400() throws {
        let b = try Bench()
        for body in [
            "not json", #"{"no":"type"}"#, #"{"type":"event_callback","event":{"type":"message"}}"#,
            #"{"type":"event_callback","event_id":"Ev 1","event":{"type":"message"}}"#,
            #"{"type":"event_callback","event_id":"Ev1"}"#,
            Self.message("Ev0501", ts: "1750000500.000100", text: "x", channel: "C0 CASE"),
            Self.message("Ev0502", ts: "17500005000000000000000.1", text: "x"),
            Self.message("Ev0503", ts: "1750000500.000100", text: "x", user: String(repeating: "U", count: 65)),
        ] {
            let answer = b.send(body)
            #expect(answer.status == 400, "\(body): \(answer.body)")
        }
        #expect(b.slackEntries.isEmpty)
    }

    @Test func aLongMessageIsCutAndSaysSo() throws {
        let b = try Bench()
        let text = String(repeating: "é", count: SlackEventsRequest.longestText)
        #expect(b.send(Self.message("Ev0601", ts: "1750000600.000100", text: text)).status == 200)
        let body = try #require(b.slackEntries.first?.body)
        #expect(body.utf8.count < SlackEventsRequest.longestText + 100 && body.hasSuffix("(cut by taser: \(text.utf8.count) bytes)"))
    }

    @Test func withoutALookupOrWhenItFailsTheAuthorIsTheSlackUserID() throws {
        let b = try Bench(lookUp: false)
        b.send(Self.message("Ev0701", ts: "1750000700.000100", text: "no directory"))
        #expect(b.slackEntries.first?.author == "slack:U0JDOE")
        let unknown = try Bench(names: [:])
        unknown.send(Self.message("Ev0702", ts: "1750000700.000200", text: "nobody Slack knows", user: "U0GHOST"))
        #expect(unknown.slackEntries.first?.author == "slack:U0GHOST")
        let botPost = try Bench()
        botPost.send(Self.message("Ev0703", ts: "1750000700.000300", text: "build finished", user: nil, subtype: "bot_message"))
        #expect(botPost.slackEntries.first?.author == "slack:bot")
    }

    @Test func onlyTheAdminMayTakeEvents() throws {
        let soc = try SOC()
        #expect(throws: EngineError.self) { try SlackEvents(engine: soc.ana, signingSecret: Self.secret) }
        #expect(throws: EngineError.self) { try SlackEvents(engine: soc.admin, signingSecret: "") }
    }
}
