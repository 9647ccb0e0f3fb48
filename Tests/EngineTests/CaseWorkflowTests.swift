import Model
import Testing
@testable import Engine
@testable import Store

@Suite struct CaseWorkflowTests {
    @Test func everyChangeIsALogEntry() throws {
        let soc = try SOC()
        let alert = try soc.alert()
        let ana = soc.ana
        let c = try ana.openCase(NewCase(title: "ATO", owner: "ana", alertIDs: [alert.id]))
        try ana.setStatus(c.id, to: .inProgress)
        try ana.assign(c.id, to: "ben")
        try ana.share(c.id, with: "ir", level: .read)
        try ana.addArtifact(c.id, ArtifactMention(.url, "https://evil.example/x", role: "url"))
        let note = try ana.addNote(c.id, "called the user")
        try ana.correct(c.id, entry: note.seq, "called the user's manager")
        try ana.setStatus(c.id, to: .closed, resolution: .truePositive, comment: "reset")
        let log = try ana.caseLog(c.id)
        #expect(log.map(\.kind) == [.created, .assignment, .status, .assignment, .share, .link, .note, .note, .status])
        #expect(log[7].corrects == note.id)
        #expect(log.allSatisfy { $0.author == "ana" })
        let closed = try ana.caseDetail(c.id).case
        #expect(closed.status == .closed && closed.resolution == .truePositive && closed.closedAt != nil && closed.owner == "ben")
        #expect(try ana.alertDetail(alert.id).alert.status == .promoted)
        #expect(try ana.verify().passed)
    }

    @Test func badChangesWriteNothing() throws {
        let soc = try SOC()
        let ana = soc.ana
        let c = try ana.openCase(NewCase(title: "one"))
        let other = try ana.openCase(NewCase(title: "two"))
        let foreign = try ana.addNote(other.id, "in the other case")
        let before = try soc.fingerprint()
        #expect(throws: EngineError.resolutionRequired(caseID: c.id)) { try ana.setStatus(c.id, to: .closed) }
        #expect(throws: EngineError.invalidTransition(caseID: c.id, from: .new, to: .new)) { try ana.setStatus(c.id, to: .new) }
        #expect(throws: EngineError.unknownAnalyst("nobody")) { try ana.assign(c.id, to: "nobody") }
        #expect(throws: EngineError.unknownTeam("nope", known: ["cloud", "ir", "soc"])) { try ana.share(c.id, with: "nope", level: .read) }
        #expect(throws: EngineError.self) { try ana.correct(c.id, entry: foreign.seq, "sneaky") }
        #expect(throws: EngineError.self) { try ana.addNote(c.id, "   ") }
        #expect(throws: EngineError.caseNotFound(404)) { try ana.addNote(404, "nope") }
        #expect(throws: EngineError.mergeIntoSelf(c.id)) { try ana.mergeCase(c.id, into: c.id) }
        #expect(try soc.fingerprint() == before)
    }

    @Test func aClosedCaseReopens() throws {
        let soc = try SOC()
        let c = try soc.ana.openCase(NewCase(title: "x"))
        try soc.ana.setStatus(c.id, to: .closed, resolution: .falsePositive)
        try soc.ana.setStatus(c.id, to: .inProgress, comment: "new evidence")
        let reopened = try soc.ana.caseDetail(c.id).case
        #expect(reopened.status == .inProgress && reopened.resolution == nil && reopened.closedAt == nil)
    }

    @Test func mergingCasesKeepsBothHistories() throws {
        let soc = try SOC()
        let ana = soc.ana
        let a1 = try soc.alert(user: "jane.doe"), a2 = try soc.alert(user: "john.roe", ip: "198.51.100.7")
        let target = try ana.openCase(NewCase(title: "target", alertIDs: [a1.id]))
        let source = try ana.openCase(NewCase(title: "source", alertIDs: [a2.id]))
        try ana.addNote(target.id, "target note")
        try ana.addNote(source.id, "source note 1")
        try ana.addNote(source.id, "source note 2")
        try ana.addArtifact(source.id, ArtifactMention(.domain, "evil.example", role: "c2"))
        let targetBefore = try ana.caseLog(target.id), sourceBefore = try ana.caseLog(source.id)

        try ana.mergeCase(source.id, into: target.id)

        let targetAfter = try ana.caseLog(target.id), sourceAfter = try ana.caseLog(source.id)
        #expect(Array(targetAfter.prefix(targetBefore.count)) == targetBefore)
        #expect(Array(sourceAfter.prefix(sourceBefore.count)) == sourceBefore)
        #expect(targetAfter.last?.kind == .merge && sourceAfter.last?.kind == .merge)
        let merged = try ana.caseDetail(source.id)
        #expect(merged.case.mergedInto == target.id && merged.case.status == .closed && merged.case.resolution == .duplicate)
        let detail = try ana.caseDetail(target.id)
        #expect(Set(detail.alerts.map(\.id)) == [a1.id, a2.id])
        #expect(detail.mergedFrom == [source.id])
        #expect(detail.artifacts.contains { $0.artifact.value == "evil.example" && $0.addedByHand })
        #expect(merged.alerts.map(\.id) == [a2.id])
        let export = try ana.exportCase(target.id)
        #expect(export.merged.first?.log == sourceAfter)
        #expect(throws: EngineError.alreadyMerged(caseID: source.id, into: target.id)) { try ana.mergeCase(source.id, into: target.id) }
        #expect(try ana.verify().passed)
    }

    @Test func mergingAlertsIntoACase() throws {
        let soc = try SOC()
        let a1 = try soc.alert(), a2 = try soc.alert(user: "john.roe")
        let c = try soc.ana.openCase(NewCase(title: "x", alertIDs: [a1.id]))
        try soc.ana.mergeAlerts([a2.id], into: c.id)
        #expect(try soc.ana.caseDetail(c.id).alerts.map(\.id).sorted() == [a1.id, a2.id])
        #expect(throws: EngineError.alertAlreadyInCase(alert: a1.id, caseID: c.id)) { try soc.ana.openCase(NewCase(title: "y", alertIDs: [a1.id])) }
    }

    @Test func pivotsAndRelatedCases() throws {
        let soc = try SOC()
        let a1 = try soc.alert(user: "jane.doe", ip: "203.0.113.9", host: "LT-1")
        let a2 = try soc.alert(user: "jane.doe", ip: "203.0.113.9", host: "LT-2")
        let a3 = try soc.alert(user: "john.roe", ip: "203.0.113.9", host: "LT-3")
        let c1 = try soc.ana.openCase(NewCase(title: "c1", alertIDs: [a1.id]))
        let c2 = try soc.ana.openCase(NewCase(title: "c2", alertIDs: [a2.id]))
        let c3 = try soc.ana.openCase(NewCase(title: "c3", alertIDs: [a3.id]))
        let pivot = try #require(try soc.ana.pivot("203.0.113.9").first)
        #expect(pivot.artifact.type == .ip)
        #expect(Set(pivot.alerts.map(\.id)) == [a1.id, a2.id, a3.id])
        #expect(Set(pivot.cases.map(\.id)) == [c1.id, c2.id, c3.id])
        #expect(pivot.cases.allSatisfy { $0.firstSeen != nil && $0.lastSeen != nil && $0.signals == 2 })
        let related = try soc.ana.relatedCases(c1.id)
        #expect(related.map(\.case.id) == [c2.id, c3.id])  // c2 shares user and ip; c3 only the ip
        #expect(related.map(\.shared) == [2, 1])
    }
}
