import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// Splunk's HTTP Event Collector, as the stand-in collector records it.
@Suite struct SplunkHECTests {
    static func config(_ siem: SIEMs, extra: String = "") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          splunk: { type: splunk_hec, url: "\(siem.base)/", token: "${secret:hec_token}"\(extra) }
        """
    }

    static let logEntry: JSONValue = [
        "id": 30, "seq": 3, "author": "ana", "kind": "note", "body": "Called Jane:\nnot her",
        "case": ["id": 7, "title": "Jane's odd login", "severity": "high"],
    ]

    @Test func eachMessageIsOneEventCarryingItsOutboxID() throws {
        let siem = try SIEMs(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.logEntry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        let alert = try w.alert()
        try w.drain(try w.siemWorker(Self.config(siem, extra: ", index: security, host: taser-lab")))
        let got = try siem.received()
        #expect(got.count == (try w.outboxCount()) && got.allSatisfy { $0.ok && $0.path == "/services/collector/event" })
        #expect(got.allSatisfy { $0.headers["authorization"] == "Splunk \(SIEMs.hecToken)" && $0.headers["content-type"] == "application/json" })
        let first = try #require(got.first { $0.json["event"]?["taser_outbox_id"] == .int(id) })
        var event = Self.logEntry.objectValue ?? [:]
        event["taser_outbox_id"] = .int(id)
        let expected: JSONValue = [
            "time": .double(1_700_000_000.123), "host": "taser-lab", "source": "taser", "sourcetype": "taser:case.log", "index": "security",
            "event": .object(event), "fields": ["taser_outbox_id": .string(String(id))],
        ]
        #expect(first.json == expected)
        #expect(first.body.contains(#""time":1700000000.123"#))
        let raised = try #require(got.first { $0.json["sourcetype"] == "taser:alert.created" })
        #expect(raised.json["event"]?["title"] == .string(alert.title) && raised.json["event"]?["id"] == .int(alert.id))
        #expect(Set(got.compactMap { $0.json["fields"]?["taser_outbox_id"] }).count == got.count)
    }

    @Test func aRetryAfterA5xxSendsTheSameOutboxIDAgain() throws {
        let siem = try SIEMs(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.logEntry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        try siem.fault("/services", status: 503, body: ["text": "Server is busy", "code": 9])
        // A 200 that is not success: HEC's own "busy" retries as a 503 does.
        try siem.fault("/services", status: 200, body: ["text": "Server is busy", "code": 9])
        try w.drain(try w.siemWorker(Self.config(siem)))
        let got = try siem.received()
        #expect(got.map(\.status) == [503, 200, 200])
        #expect(got.allSatisfy { $0.json["event"]?["taser_outbox_id"] == .int(id) && $0.json["fields"]?["taser_outbox_id"] == .string(String(id)) })
        let delivered = try #require(try w.deliveries(.delivered).first)
        #expect(delivered.attempts == 3)
    }

    @Test func refusalsAreDeadWithTheCollectorsReason() throws {
        let siem = try SIEMs(), w = try World()
        try w.enqueue(id: 7, event: "case.log", payload: Self.logEntry, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        try w.enqueue(id: 8, event: "case.log", payload: Self.logEntry, key: "case:8:log:3", at: Timestamp(ms: 1_700_000_000_000))
        try siem.fault("/services", status: 200, body: ["text": "Invalid data format", "code": 6])
        let worker = try w.siemWorker("""
            endpoints:
              badindex: { type: splunk_hec, url: "\(siem.base)", token: "${secret:hec_token}", index: nosuch, events: [case.log] }
              badtoken: { type: splunk_hec, url: "\(siem.base)", token: "${secret:wrong}", events: [case.log] }
            """, secrets: ["hec_token": SIEMs.hecToken, "wrong": "hec-wrong-s3cret"])
        let pass = try worker.deliverDue()
        #expect(pass.dead == 4 && pass.attempted == 4)
        let errors = try w.deliveries(.dead).map { $0.lastError ?? "" }
        // The first request met the injected answer; each endpoint's other message, its own refusal.
        #expect(errors.filter { $0.contains("HEC code 6: Invalid data format") }.count == 1)
        #expect(errors.contains { $0.contains("HTTP 400") && $0.contains("Incorrect index") })
        #expect(errors.contains { $0.contains("HTTP 403") && $0.contains("Invalid token") })
        // The collector echoes the token it got; it is not recorded.
        #expect(errors.allSatisfy { !$0.contains("hec-wrong-s3cret") && !$0.contains("\n") })
    }
}
