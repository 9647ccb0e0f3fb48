import Model
import Testing
@testable import Engine
@testable import Store

/// A case one may not read looks exactly like a case that does not exist, also where it shows
/// through something one may see: an alert of one's own team that went into it, an artifact it
/// holds, the outbox it fills, a case merged into it.
@Suite struct HiddenCaseTests {
    /// Maya (soc and ir) promotes a soc alert into an ir case and adds an artifact to it by hand:
    /// ana (soc) still sees the alert, but may not read the case.
    struct World {
        let soc: SOC
        let alert: Alert
        let irCase: Case
        let maya: Engine

        init() throws {
            soc = try SOC()
            try soc.admin.addAnalyst(Analyst(name: "maya", teams: ["soc", "ir"]))
            maya = soc.as_("maya")
            alert = try soc.alert()
            irCase = try maya.openCase(NewCase(title: "IR only: jane.doe", team: "ir", alertIDs: [alert.id]))
            try maya.addArtifact(irCase.id, ArtifactMention(.domain, "hidden-c2.example", role: "c2"))
        }

        /// What ana's answers must never hold: the ir case's number as a case.
        func names(_ text: String) -> Bool {
            text.contains("case \(irCase.id)") || text.contains("\"case\":\(irCase.id)") || text.contains("\"cases\":[\(irCase.id)")
        }
    }

    @Test func theAlertStaysHersButTheCaseItWentToIsNotNamed() throws {
        let w = try World()
        let ana = w.soc.ana
        // Her listing, the queue and the detail: promoted, in no case she could name.
        let listed = try #require(try ana.alerts().first { $0.id == w.alert.id })
        #expect(listed.status == .promoted && listed.caseID == nil)
        let detail = try ana.alertDetail(w.alert.id)
        #expect(detail.alert.status == .promoted && detail.alert.caseID == nil)
        #expect(detail.json["case"] == .null)
        #expect(!w.names(detail.json.text))
        let page = try ana.queuePage(QueueFilter(), order: .time, limit: 50)
        #expect(page.contains { $0.id == w.alert.id } && page.allSatisfy { $0.caseID == nil })
        // Those who may read the case see where it went.
        #expect(try w.maya.alertDetail(w.alert.id).alert.caseID == w.irCase.id)
        #expect(try w.soc.dana.alerts().first { $0.id == w.alert.id }?.caseID == w.irCase.id)
        #expect(try w.soc.admin.alertDetail(w.alert.id).alert.caseID == w.irCase.id)
    }

    @Test func askingForTheHiddenCasesAlertsFindsWhatAMissingCaseHolds() throws {
        let w = try World()
        let ana = w.soc.ana
        let missing: Int64 = 9999
        // A filter on the case is no oracle: the hidden case holds what a missing one holds.
        #expect(try ana.alerts(AlertFilter(caseID: w.irCase.id)).isEmpty)
        #expect(try ana.alerts(AlertFilter(caseID: missing)).isEmpty)
        for id in [w.irCase.id, missing] {
            let filter = QueueFilter(terms: [("case", String(id))])
            #expect(try ana.queuePage(filter, order: .time, limit: 50).isEmpty)
            #expect(try ana.queueCount(filter, cap: 100) == 0)
        }
        // Those who may read it find its alert.
        #expect(try w.maya.alerts(AlertFilter(caseID: w.irCase.id)).map(\.id) == [w.alert.id])
        #expect(try w.maya.queueCount(QueueFilter(terms: [("case", String(w.irCase.id))]), cap: 100) == 1)
    }

    @Test func promotingItAgainIsRefusedWithoutNamingTheCase() throws {
        let w = try World()
        let ana = w.soc.ana
        let own = try ana.openCase(NewCase(title: "ana's own"))
        let before = try w.soc.fingerprint()
        let refused = EngineError.alertAlreadyInCase(alert: w.alert.id, caseID: nil)
        #expect(throws: refused) { try ana.openCase(NewCase(title: "mine now", alertIDs: [w.alert.id])) }
        #expect(throws: refused) { try ana.mergeAlerts([w.alert.id], into: own.id) }
        #expect(throws: EngineError.alertInCase(alert: w.alert.id, caseID: nil)) { try ana.setStatus(ofAlerts: [w.alert.id], to: .closed) }
        #expect(!w.names(refused.description) && refused.description.contains("a case you may not read"))
        #expect(!w.names(EngineError.alertInCase(alert: w.alert.id, caseID: nil).description))
        #expect(try w.soc.fingerprint() == before)
        // The alert stayed where it was.
        #expect(try w.maya.caseDetail(w.irCase.id).alerts.map(\.id) == [w.alert.id])
        // Maya, who may read the case, is told which one it is.
        #expect(throws: EngineError.alertAlreadyInCase(alert: w.alert.id, caseID: w.irCase.id)) {
            try w.maya.openCase(NewCase(title: "again", team: "soc", alertIDs: [w.alert.id]))
        }
    }

    @Test func theArtifactExportNamesOnlyCasesSheMayRead() throws {
        let w = try World()
        let export = try w.soc.ana.exportArtifacts()
        #expect(!export.rows.isEmpty)  // the alert's artifacts are hers to export
        #expect(export.rows.allSatisfy { !$0.cases.contains(w.irCase.id) })
        #expect(!export.rows.contains { $0.artifact.value == "hidden-c2.example" })
        #expect(!w.names(export.jsonLines) && !export.jsonLines.contains("hidden-c2.example"))
        let mine = try w.maya.exportArtifacts()
        #expect(mine.rows.first { $0.artifact.value == "jane.doe" }?.cases == [w.irCase.id])
        #expect(mine.rows.contains { $0.artifact.value == "hidden-c2.example" && $0.cases == [w.irCase.id] })
    }

    @Test func anArtifactOnlyTheHiddenCaseHoldsIsNotThere() throws {
        let w = try World()
        let ana = w.soc.ana
        #expect(try ana.artifacts(containing: "hidden-c2").isEmpty)
        #expect(!(try ana.artifacts()).contains { $0.artifact.value == "hidden-c2.example" })
        #expect(throws: EngineError.artifactNotFound("hidden-c2.example")) { try ana.pivot("hidden-c2.example") }
        #expect(throws: EngineError.artifactNotFound("hidden-c2.example")) { try ana.pivot("hidden-c2.example", type: .domain) }
        #expect(throws: EngineError.artifactNotFound("hidden-c2.example")) { try ana.artifacts(valued: "hidden-c2.example") }
        // Word for word what a value nobody ever saw gets.
        #expect(throws: EngineError.artifactNotFound("never-seen.example")) { try ana.pivot("never-seen.example") }
        // What Positron said of it stays with those who may see it.
        let hidden = try #require(try w.maya.artifacts(containing: "hidden-c2").first?.artifact)
        try w.soc.admin.store.write { tx in
            try tx.addEnrichment(artifact: hidden.id, query: "DOMAIN_REPUTATION", answer: ["verdict": "malicious"], plugins: ["intel"], at: Timestamp(ms: 1))
        }
        #expect(try ana.enrichments(of: hidden.id).isEmpty)
        #expect(try w.maya.enrichments(of: hidden.id).count == 1)
        // Maya sees it everywhere.
        #expect(try w.maya.pivot("hidden-c2.example").first?.cases.map(\.id) == [w.irCase.id])
        #expect(try w.maya.artifacts(valued: "hidden-c2.example").map(\.value) == ["hidden-c2.example"])
    }

    @Test func anArtifactInSignalsIsEveryonesWithNoHiddenCaseInItsPivot() throws {
        let w = try World()
        // Signals are every analyst's: olga (cloud) finds jane.doe, in no alert or case of hers.
        let olga = try w.soc.olga.pivot("jane.doe")
        #expect(olga.map(\.artifact.value) == ["jane.doe"] && olga.allSatisfy { $0.alerts.isEmpty && $0.cases.isEmpty })
        // Ana finds her alert, not the ir case.
        let ana = try #require(try w.soc.ana.pivot("jane.doe", type: .user).first)
        #expect(ana.alerts.map(\.id) == [w.alert.id] && ana.cases.isEmpty)
    }

    @Test func addingAKnownArtifactByHandMovesNothingOthersSee() throws {
        let w = try World()
        let before = try #require(try w.soc.ana.pivot("203.0.113.9").first?.artifact)
        try w.maya.addArtifact(w.irCase.id, ArtifactMention(.ip, "203.0.113.9", role: "c2"))
        let after = try #require(try w.soc.ana.pivot("203.0.113.9").first?.artifact)
        #expect(after == before)
        #expect(try w.soc.ana.artifacts(containing: "203.0.113.9").map(\.artifact) == [before])
    }

    @Test func theOutboxOfTheHiddenCaseIsNotCountedForHer() throws {
        let w = try World()
        // Nothing is routed (no endpoints): every outbox row waits, and each side counts its own.
        let all = try w.soc.admin.syncStatus().unrouted
        let ana = try w.soc.ana.syncStatus().unrouted
        let hers = try w.soc.admin.store.read { tx in
            try tx.unroutedMessages(limit: 10_000).filter { $0.entityType == "alert" }.count
        }
        #expect(ana == hers && all > ana)
    }

    @Test func aCaseMergedAcrossTeamsIsNamedOnlyToThoseWhoMayReadIt() throws {
        let w = try World()
        let ana = w.soc.ana
        let second = try w.soc.alert(user: "john.roe", ip: "198.51.100.7")
        let socCase = try ana.openCase(NewCase(title: "soc side", alertIDs: [second.id]))
        let another = try ana.openCase(NewCase(title: "another soc case"))
        try w.maya.mergeCase(socCase.id, into: w.irCase.id)
        // Ana still reads her case, closed as a duplicate of a case she does not see.
        let mine = try ana.caseDetail(socCase.id)
        #expect(mine.case.status == .closed && mine.case.resolution == .duplicate && mine.case.mergedInto == nil)
        #expect(mine.alerts.map(\.id) == [second.id] && mine.alerts.allSatisfy { $0.caseID == nil })
        #expect(try ana.cases().first { $0.case.id == socCase.id }?.case.mergedInto == nil)
        #expect(try ana.exportCase(socCase.id).json["case"]?["merged_into"] == .null)
        #expect(throws: EngineError.alreadyMerged(caseID: socCase.id, into: nil)) { try ana.mergeCase(socCase.id, into: another.id) }
        #expect(!w.names(EngineError.alreadyMerged(caseID: socCase.id, into: nil).description))
        // Dana (ir) reads the ir case, not the soc case merged into it.
        let ir = try w.soc.dana.caseDetail(w.irCase.id)
        #expect(ir.mergedFrom.isEmpty)
        #expect(ir.alerts.contains { $0.id == second.id && $0.caseID == w.irCase.id })
        #expect(try w.soc.dana.exportCase(w.irCase.id).merged.isEmpty)
        // Maya reads both and sees both ways.
        #expect(try w.maya.caseDetail(w.irCase.id).mergedFrom == [socCase.id])
        #expect(try w.maya.caseDetail(socCase.id).case.mergedInto == w.irCase.id)
    }
}
