import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

/// Case changes write their outbox messages in the change's own transaction.
@Suite struct OutboxProducerTests {
    func messages(_ w: World) throws -> [(event: String, entity: String, id: Int64, key: String, payload: JSONValue)] {
        try w.outbox().map { ($0.event, $0.entityType, $0.entityID, $0.idempotencyKey, try JSONValue.parse($0.payload)) }
    }

    @Test func everyCaseChangeAndLogEntryIsAMessage() throws {
        let w = try World()
        let alert = try w.alert()
        let c = try w.ana.openCase(NewCase(title: "From an alert", owner: "ana", team: "soc", alertIDs: [alert.id]))
        var got = try messages(w)
        #expect(got.map(\.event) == ["alert.created", "case.created", "case.log", "case.log", "alert.updated"])
        #expect(got.map(\.key) == ["alert:\(alert.id):created", "case:\(c.id):created", "case:\(c.id):log:1", "case:\(c.id):log:2", "alert:\(alert.id):case:\(c.id)"])
        let created = got[1].payload
        #expect(created["title"] == "From an alert" && created["owner"] == "ana" && created["alerts"] == [.int(alert.id)])
        #expect(created["artifacts"]?.arrayValue?.contains { $0["value"] == "203.0.113.9" && $0["roles"] == ["src"] } == true)
        #expect(created["change"]?["kind"] == "assignment")
        #expect(got[2].payload["body"]?.stringValue?.hasPrefix("Case opened from alert") == true && got[2].payload["case"]?["id"] == .int(c.id))
        #expect(got[4].payload["status"] == "promoted" && got[4].payload["case"] == .int(c.id))
        #expect(got[0].payload["artifacts"]?.arrayValue?.count == 3)

        try w.ana.setStatus(c.id, to: .inProgress)
        try w.ana.assign(c.id, to: "ben")
        try w.ana.addNote(c.id, "a note")
        got = try messages(w)
        #expect(got.suffix(5).map(\.event) == ["case.updated", "case.log", "case.updated", "case.log", "case.log"])
        #expect(got.suffix(5).map(\.key) == ["case:\(c.id):updated:3", "case:\(c.id):log:3", "case:\(c.id):updated:4", "case:\(c.id):log:4", "case:\(c.id):log:5"])
        #expect(got.suffix(5).first?.payload["status"] == "in_progress" && got.suffix(5).first?.payload["change"]?["data"]?["to"] == "in_progress")
        #expect(got.suffix(3).first?.payload["owner"] == "ben")
        #expect(Set(got.map(\.entity)) == ["alert", "case"] && got.allSatisfy { $0.entity != "case" || $0.id == c.id })
    }

    @Test func aRefusedChangeWritesNoMessage() throws {
        let w = try World()
        let c = try w.ana.openCase(NewCase(title: "T", team: "soc"))
        let before = try w.admin.store.read { tx in try tx.outboxCount() }
        #expect(throws: EngineError.self) { try w.ana.setStatus(c.id, to: .closed) }  // needs a resolution
        #expect(throws: EngineError.self) { try w.ana.assign(c.id, to: "nobody") }
        #expect(try w.admin.store.read { tx in try tx.outboxCount() } == before)
        // Merging one case into another tells both.
        let d = try w.ana.openCase(NewCase(title: "D", team: "soc"))
        try w.ana.mergeCase(d.id, into: c.id)
        let last = try messages(w).suffix(4)
        #expect(last.map(\.event) == ["case.updated", "case.log", "case.updated", "case.log"])
        #expect(last.map(\.id) == [c.id, c.id, d.id, d.id])
    }
}
