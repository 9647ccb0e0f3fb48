import AlertEngine
import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

/// A vendor's update to an alert it sent before (same id, new content) is a new revision of the
/// signal: counted as `updated`, never again toward a rule's clause, and the alert holding the
/// signal is marked changed and synced again.
@Suite struct SignalUpdateTests {
    func cb(_ id: String, _ time: String, status: String, host: String = "LT-KLOPE47") -> String {
        #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(time)","backend_update_timestamp":"\#(time)","first_event_timestamp":"\#(time)","severity":5,"reason":"r","device_name":"\#(host)","device_id":1,"org_key":"O","workflow":{"status":"\#(status)"}}"#
    }

    @Test func anUpdateIsARevisionThatMarksItsAlertUpdatedOnce() throws {
        let soc = try SOC()
        let engine = soc.admin
        _ = try engine.addRule(name: "cb-repeat", text: "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON", enable: true)
        let first = try engine.ingester().ingest(
            Array((cb("a", "2026-11-20T12:00:00Z", status: "OPEN") + "\n" + cb("b", "2026-11-20T12:05:00Z", status: "OPEN") + "\n").utf8), source: "cb")
        #expect(first.stored == 2 && first.after.alertsCreated == 1)
        let outboxBefore = try engine.store.read { tx in try tx.outboxCount(entity: "alert") }

        // The same alert, moved on in Carbon Black's workflow; and an exact repeat of the other.
        let input = cb("a", "2026-11-20T12:10:00Z", status: "IN_PROGRESS") + "\n" + cb("b", "2026-11-20T12:05:00Z", status: "OPEN") + "\n"
        let second = try engine.ingester().ingest(Array(input.utf8), source: "cb")
        #expect(second.stored == 0 && second.updated == 1 && second.duplicates == 1)
        #expect(second.isAccountedFor)
        // It does not count again: no new alert, and the alert still holds two signals.
        #expect(second.after.alertsCreated == 0 && second.after.alertsUpdated == 1)
        let alerts = try engine.alerts()
        #expect(alerts.count == 1 && alerts.first?.signalCount == 2)
        let alertID = try #require(alerts.first?.id)
        let detail = try engine.alertDetail(alertID)
        let updated = try #require(detail.signals.first { $0.signal.raw.contains("IN_PROGRESS") }?.signal)
        #expect(updated.revision == 2)
        #expect(detail.earlierRevisions[updated.id]?.map(\.revision) == [1])
        // Synced again, once: the outbox gained one alert.updated.
        #expect(try engine.store.read { tx in try tx.outboxCount(entity: "alert") } == outboxBefore + 1)

        // The same update again changes nothing and sends nothing.
        let third = try engine.ingester().ingest(Array(input.utf8), source: "cb")
        #expect(third.updated == 0 && third.duplicates == 2 && third.after.alertsUpdated == 0)
        #expect(try engine.store.read { tx in try tx.outboxCount(entity: "alert") } == outboxBefore + 1)

        // Shown with every revision: `signal show` and the export.
        let shown = try engine.signal(updated.id)
        #expect(shown.revisions.map(\.revision) == [1, 2])
        #expect(shown.signal.json(with: shown.artifacts, earlier: Array(shown.revisions.dropLast()))["earlier_revisions"]?.arrayValue?.count == 1)
    }
}
