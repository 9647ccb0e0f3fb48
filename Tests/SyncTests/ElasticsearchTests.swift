import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// Elasticsearch's bulk API, against a stand-in that honours `_id`.
@Suite struct ElasticsearchTests {
    static func config(_ siem: SIEMs, extra: String = "") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          es: { type: elasticsearch, url: "\(siem.base)", api_key: "${secret:es_key}"\(extra) }
        """
    }

    static let note: JSONValue = [
        "id": 30, "seq": 3, "author": "ana", "kind": "note", "body": "Called Jane: not her",
        "case": ["id": 7, "title": "Jane's odd login", "severity": "high"],
    ]

    @Test func eachMessageIsOneECSDocumentUnderItsOutboxID() throws {
        let siem = try SIEMs(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.note, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_123))
        let alert = try w.alert()
        try w.drain(try w.siemWorker("""
            defaults: { backoff: 50ms, max_backoff: 200ms }
            endpoints:
              es: { type: elasticsearch, url: "\(siem.base)", api_key: "${secret:es_key}" }
              es2: { type: elasticsearch, url: "\(siem.base)", index: taser-lab, username: taser, password: "${secret:es_password}", events: [alert.*] }
            """))
        let got = try siem.received()
        #expect(got.allSatisfy { $0.ok && $0.path == "/_bulk" && $0.headers["content-type"] == "application/x-ndjson" })
        let basic = Data("\(SIEMs.esUser):\(SIEMs.esPassword)".utf8).base64EncodedString()
        let outbox = try w.outboxCount(), alertMessages = try w.admin.store.read { tx in try tx.outboxCount(entity: "alert") }
        #expect(got.filter { $0.headers["authorization"] == "ApiKey \(SIEMs.esAPIKey)" }.count == outbox)
        #expect(got.filter { $0.headers["authorization"] == "Basic \(basic)" }.count == alertMessages && alertMessages > 0)
        let docs = try siem.documents()
        #expect(docs.keys.filter { $0.hasPrefix("taser-events/taser-") }.count == outbox)
        #expect(docs.keys.filter { $0.hasPrefix("taser-lab/taser-") }.count == alertMessages)

        // The note, byte for byte: the action line, then the document, each with its newline.
        let request = try #require(got.first { $0.body.contains(#""_id":"taser-\#(id)""#) && $0.headers["authorization"]?.hasPrefix("ApiKey") == true })
        let lines = request.body.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(lines.first == #"{"create":{"_id":"taser-\#(id)","_index":"taser-events"}}"#)
        var taser = Self.note.objectValue ?? [:]
        taser["outbox"] = ["id": .int(id), "key": "case:7:log:3", "entity": "case", "entity_id": 7]
        let expected: JSONValue = [
            "@timestamp": "2023-11-14T22:13:20.123Z",
            "event": ["kind": "event", "action": "case.log", "id": .string("taser-\(id)"), "module": "taser", "dataset": "taser.case", "severity": 8],
            "message": "Case log #7: Jane's odd login - ana (note, #3): Called Jane: not her",
            "observer": ["vendor": "taser", "product": "taser", "hostname": .string(localHostName())],
            "taser": .object(taser),
        ]
        #expect(docs["taser-events/taser-\(id)"] == expected)
        #expect(request.lines.last == expected)

        // The alert: ECS's alert kind, the payload under taser.*.
        let raised = try #require(docs.first { $0.key.hasPrefix("taser-events/") && $0.value["event"]?["action"] == "alert.created" }?.value)
        #expect(raised["event"]?["kind"] == "alert" && raised["taser"]?["title"] == .string(alert.title) && raised["taser"]?["rule"] == "new-location")
        #expect(raised["message"]?.stringValue?.hasPrefix("New alert #\(alert.id): \(alert.title) - Rule new-location") == true)
    }

    @Test func aRetryAfterA5xxSendsTheSameIDAndLeavesOneDocument() throws {
        let siem = try SIEMs(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.note, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        // The first attempt is refused; the second lands but its answer is lost (a 503 after the
        // store); the third meets its own document.
        try siem.fault("/_bulk", status: 502)
        try siem.fault("/_bulk", status: 503, afterStore: true)
        try w.drain(try w.siemWorker(Self.config(siem)))
        let got = try siem.received()
        #expect(got.map(\.status) == [502, 503, 200])
        #expect(got.allSatisfy { $0.lines.first?["create"]?["_id"] == .string("taser-\(id)") })
        #expect(try siem.documents().count == 1)
        let delivered = try #require(try w.deliveries(.delivered).first)
        #expect(delivered.attempts == 3)
    }

    @Test func aConflictOnCreateIsSuccess() throws {
        let siem = try SIEMs(), w = try World()
        let id = try w.enqueue(id: 7, event: "case.log", payload: Self.note, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        try siem.bulk("{\"create\":{\"_index\":\"taser-events\",\"_id\":\"taser-\(id)\"}}\n{\"message\":\"there first\"}\n")
        try w.drain(try w.siemWorker(Self.config(siem)))
        #expect(try w.deliveries(.delivered).count == 1 && w.deliveries(.dead).isEmpty)
        // The answer said 409, and the document there was left as it was.
        let answer = try #require(try siem.received().last)
        #expect(answer.status == 200)
        #expect(try siem.documents()["taser-events/taser-\(id)"]?["message"] == "there first")
    }

    @Test func aRefusedDocumentFailsWithItsReason() throws {
        let siem = try SIEMs(), w = try World()
        try w.enqueue(id: 7, event: "case.log", payload: Self.note, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        try w.enqueue(id: 8, event: "case.log", payload: Self.note, key: "case:8:log:3", at: Timestamp(ms: 1_700_000_000_000))
        // A full write queue retries; a mapping conflict never goes away.
        try siem.fault("/_bulk", item: (429, "es_rejected_execution_exception", "rejected execution of coordinating operation"))
        try siem.fault("/_bulk", item: (400, "document_parsing_exception", "[1:42] failed to parse field [taser.case] of type [long]\nin document"))
        let worker = try w.siemWorker(Self.config(siem))
        let t = Timestamp.now
        try worker.deliverDue(now: t)
        let dead = try #require(try w.deliveries(.dead).first)
        #expect(dead.lastError == "POST /_bulk: document taser-\(dead.outboxID) refused with 400: document_parsing_exception: [1:42] failed to parse field [taser.case] of type [long] in document")
        let waiting = try #require(try w.deliveries(.pending).first)
        #expect(waiting.lastError?.contains("refused with 429: es_rejected_execution_exception") == true)
        try w.drain(worker)
        #expect(try w.deliveries(.delivered).count == 1 && w.deliveries(.dead).count == 1)
    }

    @Test func aRefusedRequestIsDeadAndTheKeyStaysOut() throws {
        let siem = try SIEMs(), w = try World()
        try w.enqueue(id: 7, event: "case.log", payload: Self.note, key: "case:7:log:3", at: Timestamp(ms: 1_700_000_000_000))
        let worker = try w.siemWorker(Self.config(siem), secrets: ["es_key": "es-wrong-s3cret"])
        #expect(try worker.deliverDue().dead == 1)
        let dead = try #require(try w.deliveries(.dead).first?.lastError)
        #expect(dead.contains("POST /_bulk: HTTP 401") && dead.contains("security_exception") && !dead.contains("es-wrong-s3cret"))
    }
}
