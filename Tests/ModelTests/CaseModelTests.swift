import Testing
@testable import Model

@Suite struct CaseModelTests {
    @Test func workflowAllowsOnlyForwardMovesAndReopen() {
        #expect(CaseStatus.new.canMove(to: .inProgress))
        #expect(CaseStatus.inProgress.canMove(to: .onHold))
        #expect(CaseStatus.onHold.canMove(to: .closed))
        #expect(CaseStatus.closed.canMove(to: .inProgress))
        #expect(!CaseStatus.closed.canMove(to: .new))
        #expect(!CaseStatus.new.canMove(to: .new))
        #expect(!CaseStatus.closed.canMove(to: .onHold))
    }

    @Test func choicesForgiveSpellings() {
        #expect(CaseStatus(parsing: "In Progress") == .inProgress)
        #expect(CaseStatus(parsing: "on-hold") == .onHold)
        #expect(Resolution(parsing: "TRUE-POSITIVE") == .truePositive)
        #expect(TLP(parsing: "amber+strict") == .amberStrict)
        #expect(CaseStatus(parsing: "done") == nil)
        #expect(Severity(parsing: "4") == .critical)
    }

    @Test func canonicalFormIsFixedOrderJSON() {
        let form = LogEntry.canonicalForm(
            id: 41, caseID: 7, seq: 2, time: Timestamp(ms: 1000), author: "ana", kind: .note, body: "hi \"there\"", data: nil,
            corrects: 5, seal: .hmac, prevHash: "ab")
        #expect(form == #"["taser.caselog.v2",41,7,2,1000,"ana","note","hi \"there\"",null,5,"hmac","ab"]"#)
        let legacy = LogEntry.legacyCanonicalForm(
            caseID: 7, seq: 2, time: Timestamp(ms: 1000), author: "ana", kind: .note, body: "hi", data: nil, corrects: 5, prevHash: "ab")
        #expect(legacy == #"["taser.caselog.v1",7,2,1000,"ana","note","hi",null,5,"ab"]"#)
        let entry = LogEntry(
            id: 41, caseID: 7, seq: 2, time: Timestamp(ms: 1000), author: "ana", kind: .note, body: "hi", data: nil, corrects: 5,
            prevHash: "ab", hash: "", seal: .legacy)
        #expect(entry.canonicalForm == legacy)
    }
}
