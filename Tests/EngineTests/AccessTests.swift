import Model
import Testing
@testable import Engine
@testable import Store

@Suite struct AccessTests {
    /// A soc case with an alert, a hand-added artifact and a note; olga (cloud) is the outsider.
    func socCase(_ soc: SOC) throws -> (Case, LogEntry) {
        let alert = try soc.alert()
        let c = try soc.ana.openCase(NewCase(title: "Takeover of jane.doe", alertIDs: [alert.id]))
        try soc.ana.addArtifact(c.id, ArtifactMention(.domain, "evil.example", role: "c2"))
        let note = try soc.ana.addNote(c.id, "first look")
        return (c, note)
    }

    @Test func anOutsiderIsDeniedOnEveryPath() throws {
        let soc = try SOC()
        let (c, note) = try socCase(soc)
        let before = try soc.fingerprint()
        let outsider = soc.olga
        let notFound = EngineError.caseNotFound(c.id)
        #expect(throws: notFound) { try outsider.caseDetail(c.id) }
        #expect(throws: notFound) { try outsider.caseLog(c.id) }
        #expect(throws: notFound) { try outsider.exportCase(c.id) }
        #expect(throws: notFound) { try outsider.caseArtifacts(c.id) }
        #expect(throws: notFound) { try outsider.relatedCases(c.id) }
        #expect(throws: notFound) { try outsider.addNote(c.id, "let me in") }
        #expect(throws: notFound) { try outsider.correct(c.id, entry: note.seq, "fixed") }
        #expect(throws: notFound) { try outsider.assign(c.id, to: "olga") }
        #expect(throws: notFound) { try outsider.setStatus(c.id, to: .inProgress) }
        #expect(throws: notFound) { try outsider.share(c.id, with: "cloud", level: .write) }
        #expect(throws: notFound) { try outsider.addArtifact(c.id, ArtifactMention(.ip, "1.2.3.4", role: "src")) }
        #expect(throws: notFound) { try outsider.mergeAlerts([1], into: c.id) }
        #expect(try outsider.cases().isEmpty)
        #expect(try outsider.alerts().isEmpty)
        #expect(throws: EngineError.alertNotFound(1)) { try outsider.alertDetail(1) }
        // Pivots: jane.doe is in signals (every analyst's), in no alert or case the outsider may
        // see; evil.example only the case holds, so to the outsider it is not there at all.
        #expect(try outsider.pivot("jane.doe").allSatisfy { $0.alerts.isEmpty && $0.cases.isEmpty })
        #expect(throws: EngineError.artifactNotFound("evil.example")) { try outsider.pivot("evil.example") }
        #expect(try outsider.artifacts(containing: "evil").isEmpty)
        #expect(try outsider.exportArtifacts().rows.isEmpty)
        // And what they see of a missing case is word for word the same.
        #expect(throws: EngineError.caseNotFound(9999)) { try outsider.caseDetail(9999) }
        #expect(try soc.fingerprint() == before)
    }

    @Test func teamMembersReadAndWrite() throws {
        let soc = try SOC()
        let (c, _) = try socCase(soc)
        #expect(try soc.ben.caseDetail(c.id).access == .write)
        try soc.ben.addNote(c.id, "ben was here")
        #expect(try soc.ben.cases().map(\.case.id) == [c.id])
        #expect(try soc.ben.pivot("jane.doe").first?.cases.map(\.id) == [c.id])
    }

    @Test func aReadShareLetsReadButNotWrite() throws {
        let soc = try SOC()
        let (c, _) = try socCase(soc)
        try soc.ana.share(c.id, with: "ir", level: .read)
        let dana = soc.dana
        #expect(try dana.caseDetail(c.id).access == .read)
        #expect(try dana.cases().first?.access == .read)
        #expect(try dana.exportCase(c.id).detail.log.count == 4)
        #expect(try dana.pivot("evil.example").first?.cases.map(\.id) == [c.id])
        let before = try soc.fingerprint()
        #expect(throws: EngineError.readOnlyCase(c.id)) { try dana.addNote(c.id, "can I?") }
        #expect(throws: EngineError.readOnlyCase(c.id)) { try dana.setStatus(c.id, to: .closed, resolution: .benign) }
        #expect(try soc.fingerprint() == before)
        try soc.ana.share(c.id, with: "ir", level: .write)
        try dana.addNote(c.id, "now I can")
        try soc.ana.share(c.id, with: "ir", level: nil)
        #expect(throws: EngineError.caseNotFound(c.id)) { try dana.caseDetail(c.id) }
    }

    @Test func theOwnerCanWorkACaseOutsideTheirTeam() throws {
        let soc = try SOC()
        let (c, _) = try socCase(soc)
        try soc.ana.assign(c.id, to: "dana")
        try soc.dana.setStatus(c.id, to: .inProgress)
        #expect(try soc.dana.caseDetail(c.id).case.status == .inProgress)
    }

    @Test func theAdminSeesEverything() throws {
        let soc = try SOC()
        let (c, _) = try socCase(soc)
        #expect(try soc.admin.caseDetail(c.id).access == .write)
    }

    @Test func onlyTheAdminManagesTeamsAndPeople() throws {
        let soc = try SOC()
        let before = try soc.fingerprint()
        #expect(throws: EngineError.notAdmin(action: "add teams")) { try soc.ana.addTeam("rogue") }
        #expect(throws: EngineError.notAdmin(action: "change team membership")) { try soc.olga.addMember("olga", to: "soc") }
        #expect(throws: EngineError.notAdmin(action: "add or change analysts")) { try soc.olga.addAnalyst(Analyst(name: "olga", teams: ["soc"])) }
        #expect(try soc.fingerprint() == before)
    }

    @Test func aCaseGoesOnlyToATeamTheAnalystIsIn() throws {
        let soc = try SOC()
        let before = try soc.fingerprint()
        #expect(throws: EngineError.notTeamMember(team: "ir", analyst: "ana")) { try soc.ana.openCase(NewCase(title: "x", team: "ir")) }
        #expect(throws: EngineError.unknownTeam("nope", known: ["cloud", "ir", "soc"])) { try soc.ana.openCase(NewCase(title: "x", team: "nope")) }
        #expect(try soc.fingerprint() == before)
        #expect(try soc.ana.openCase(NewCase(title: "x")).team == "soc")
    }
}
