import Foundation
import GRDB
import Model
import Testing
@testable import Engine
@testable import Store

@Suite struct DemoTests {
    func demo(seed: UInt64, signals: Int = 4000) throws -> (Engine, TempDir) {
        let dir = TempDir()
        let engine = Engine(store: try Store.open(path: dir.file()), actor: Actor(name: "root", isAdmin: true))
        _ = try engine.buildDemo(DemoOptions(signals: signals, seed: seed, end: Timestamp(parsing: "2026-11-01")!, days: 14))
        return (engine, dir)
    }

    @Test func theSameSeedGivesTheSameDatabase() throws {
        let (a, dirA) = try demo(seed: 7)
        let (b, dirB) = try demo(seed: 7)
        let (c, dirC) = try demo(seed: 8)
        // Each database has its own random log key, so only the seals it makes differ.
        let fa = try a.store.read { try $0.fingerprint(sealsExcluded: true) }
        #expect(fa == (try b.store.read { try $0.fingerprint(sealsExcluded: true) }))
        #expect(fa != (try c.store.read { try $0.fingerprint(sealsExcluded: true) }))
        #expect(try a.store.read { try $0.fingerprint() } != (try b.store.read { try $0.fingerprint() }))
        _ = (dirA, dirB, dirC)
    }

    @Test func itHoldsTheStoriesAlertsAndWorkedCases() throws {
        let (engine, dir) = try demo(seed: 1)
        _ = dir
        #expect(try engine.store.read { try $0.signalCount() } == 4000)
        let cases = try engine.cases()
        #expect(cases.count == 6)
        #expect(cases.contains { $0.case.mergedInto != nil })
        #expect(cases.contains { $0.case.status == .closed && $0.case.resolution == .truePositive })
        let rules = Set(try engine.alerts().map(\.rule))
        #expect(rules == ["sso-new-location-then-duo-failures", "repeated-carbonblack-alerts", "ids-scan-one-port"])
        let takeover = try engine.alerts(AlertFilter(rule: "sso-new-location-then-duo-failures")).first!
        let kinds = try engine.alertDetail(takeover.id).signals.map(\.signal.kind)
        #expect(kinds.first == SignalKind.oktaNewLocation.name)
        #expect(kinds.dropFirst().allSatisfy { $0 == SignalKind.duoPushFailed.name } && kinds.count >= 3)
        #expect(try engine.verify().passed)
        // "All the usernames from new-country login alerts" is one call.
        let users = try engine.exportArtifacts(types: [.user], kinds: ["SSO login from a new location"]).rows
        #expect(!users.isEmpty && users.allSatisfy { $0.artifact.type == .user })
    }

    /// A case's artifacts are read from two views, one for each end a query starts from
    /// (SignalStorage); they must hold the same rows, and each link must be in both the signal's
    /// row and `artifact_signals`.
    @Test func bothWaysToACasesArtifactsAgree() throws {
        let (engine, dir) = try demo(seed: 1)
        _ = engine
        let db = try DatabaseQueue(path: dir.file())
        try db.read { db in
            func rows(_ sql: String) throws -> [String] {
                try Row.fetchAll(db, sql: sql).map { $0.databaseValues.map(\.description).joined(separator: "|") }.sorted()
            }
            let fromCases = try rows("SELECT case_id, artifact_id, role, signal_id, alert_id FROM case_artifact_links")
            #expect(fromCases.count > 20)
            #expect(fromCases == (try rows("SELECT case_id, artifact_id, role, signal_id, alert_id FROM artifact_case_links")))
            let inRows = try rows("SELECT signal_id, artifact_id, role FROM signal_artifacts")
            #expect(inRows.count > 4000)
            #expect(inRows == (try rows("SELECT signal_id, artifact_id, role FROM artifact_signals")))
        }
    }

    @Test func everySignalIsWellFormed() throws {
        let (engine, dir) = try demo(seed: 3, signals: 3000)
        _ = dir
        let sources = try engine.store.read { tx in
            try (1...3000).map { try tx.signal(Int64($0))! }
        }
        var seenKinds = Set<String>()
        for s in sources {
            #expect(throws: Never.self) { try JSONValue.parse(s.raw) }
            // Fields are stored canonical (sorted keys), as if printed by JSONValue.
            #expect(JSONValue.object(s.fields).text == (try engine.store.read { tx in try tx.rawFieldsText(s.id) }))
            seenKinds.insert(s.kind)
        }
        #expect(seenKinds.isSuperset(of: [SignalKind.oktaLogin.name, SignalKind.duoAuth.name, SignalKind.idsDNS.name, SignalKind.cloudTrail.name]))
    }
}
