import Foundation
import Model
import Testing
@testable import Store

/// Vendors update alerts in place (Carbon Black Cloud's workflow status, GuardDuty's count):
/// the same identity with different content is a new revision of one signal, never a duplicate,
/// and nothing of an earlier revision is lost.
@Suite struct SignalRevisionTests {
    /// A signal whose fields are its raw body's (a JSON object), as a format would read them.
    func signal(_ ref: String?, time: Int64 = 1_000, raw: String, artifacts: [ArtifactMention] = []) -> NewSignal {
        let fields: JSONObject = (try? JSONValue.parse(raw))?.objectValue.map { JSONObject($0) } ?? ["text": .string(raw)]
        return NewSignal(
            time: Timestamp(ms: time), source: "test", sourceRef: ref, kind: "test.event", severity: .low, title: "t",
            fields: fields, raw: raw, artifacts: artifacts)
    }

    @Test func sameIdentityNewContentIsARevisionOfTheSameSignal() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let writer = SignalWriter(store: store)
        let first = try writer.write([signal("cb-1", raw: #"{"id":"cb-1","workflow":"OPEN"}"#, artifacts: [ArtifactMention(.host, "lt-1", role: "host")])])
        let id = try #require(first.ids.first ?? nil)

        let update = try writer.write([signal("cb-1", time: 2_000, raw: #"{"id":"cb-1","workflow":"IN_PROGRESS"}"#, artifacts: [ArtifactMention(.ip, "10.0.0.9", role: "src")])])
        #expect(update.inserted == 0 && update.updates == 1 && update.duplicates == 0)
        #expect(update.updatedSignals == [id])
        let stored = try #require(try store.read { tx in try tx.signal(id) })
        #expect(stored.revision == 2 && stored.raw.contains("IN_PROGRESS") && stored.time.ms == 2_000)
        let revisions = try store.read { tx in try tx.revisions(ofSignal: id) }
        #expect(revisions.map(\.revision) == [1, 2])
        #expect(revisions[0].raw.contains("OPEN") && revisions[1].raw.contains("IN_PROGRESS"))
        // The artifacts of both revisions stay linked: a pivot that found it still finds it.
        let linked = try store.read { tx in try tx.artifacts(ofSignal: id) }.map(\.artifact.value).sorted()
        #expect(linked == ["10.0.0.9", "lt-1"])
        #expect(try store.read { tx in try tx.signalCount() } == 1)

        // An exact repeat of the latest, or of an earlier revision sent again, is a duplicate.
        let again = try writer.write([
            signal("cb-1", time: 2_000, raw: #"{"id":"cb-1","workflow":"IN_PROGRESS"}"#), signal("cb-1", raw: #"{"id":"cb-1","workflow":"OPEN"}"#),
        ])
        #expect(again.duplicates == 2 && again.updates == 0)
        #expect(try store.read { tx in try tx.signal(id) }?.revision == 2)
        // So is the same event in other bytes (another API version's spacing or wrapping): what
        // it says is the same, and receipt-time fields do not count.
        let respelled = try writer.write([signal("cb-1", time: 2_000, raw: #"{ "workflow": "IN_PROGRESS", "id": "cb-1", "event.ingested": "now" }"#)])
        #expect(respelled.duplicates == 1)
    }

    @Test func anUpdateInTheSameBatchAsTheFirstIsARevisionToo() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let result = try SignalWriter(store: store).write([
            signal("g-1", raw: #"{"count":1}"#), signal("other", raw: "{}"), signal("g-1", raw: #"{"count":2}"#), signal("g-1", raw: #"{"count":2}"#),
        ])
        #expect(result.inserted == 2 && result.updates == 1 && result.duplicates == 1)
        let id = try #require(result.ids[0])
        #expect(result.updated[2] == id)
        #expect(try store.read { tx in try tx.revisions(ofSignal: id) }.map(\.raw) == [#"{"count":1}"#, #"{"count":2}"#])
    }

    @Test func earlierRevisionsCannotBeRewritten() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let writer = SignalWriter(store: store)
        _ = try writer.write([signal("x", raw: "1")])
        _ = try writer.write([signal("x", raw: "2")])
        #expect(throws: (any Error).self) { try store.write { tx in try tx.db.execute(sql: "UPDATE signal_revisions SET raw = 'forged'") } }
        #expect(throws: (any Error).self) { try store.write { tx in try tx.db.execute(sql: "DELETE FROM signal_revisions") } }
        #expect(try store.read { tx in try tx.revisions(ofSignal: 1) }.map(\.raw) == ["1", "2"])
    }
}
