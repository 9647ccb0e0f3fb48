import Foundation
import Model
import Testing
@testable import SignalServer

/// The correlator's semantics, on hand-made signals (times in minutes).
@Suite struct CorrelatorTests {
    let compiler = RuleCompiler()
    let minute: Int64 = 60_000

    struct S {
        var id: Int64
        var minute: Int64
        var kind: String
        var fields: JSONObject
        var live = true
    }

    func login(_ id: Int64, at m: Int64, _ user: String = "jdoe", live: Bool = true) -> S {
        S(id: id, minute: m, kind: "okta.sso.new_location", fields: ["user.name": .string(user)], live: live)
    }
    func push(_ id: Int64, at m: Int64, _ user: String = "jdoe", factor: String = "push", live: Bool = true) -> S {
        S(id: id, minute: m, kind: "duo.push.failed", fields: ["user.name": .string(user), "factor": .string(factor)], live: live)
    }
    func ids(_ id: Int64, at m: Int64, src: String = "198.51.100.7", port: Int64 = 22) -> S {
        S(id: id, minute: m, kind: "suricata.alert", fields: ["source.ip": .string(src), "destination.port": .int(port)])
    }

    func run(_ text: String, _ signals: [S], open: [(String, Int64, Int64)] = []) throws -> [(key: String, alert: CorrelatedAlert)] {
        var builder = try EventBuilder(rule: try compiler.compile(text))
        for s in signals { builder.add(signal: s.id, time: s.minute * minute, kind: s.kind, fields: s.fields, live: s.live) }
        let seeds = open.map { OpenAlert(key: builder.code(forKey: $0.0), alert: $0.1, firedAt: $0.2 * minute) }
        return builder.correlate(open: seeds).map { (builder.keyNames[Int($0.key)], $0) }
    }

    let sso = "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON"

    @Test func firesAtTheFirstSignalWhereEveryClauseHolds() throws {
        let alerts = try run(sso, [login(1, at: 0), push(2, at: 10), push(3, at: 20), push(4, at: 30)])
        #expect(alerts.count == 1)
        #expect(alerts[0].key == "user.name=jdoe")
        #expect(alerts[0].alert.firedAt == 20 * minute && alerts[0].alert.firing == [1, 2, 3])
        #expect(alerts[0].alert.attached == [4])
    }

    @Test func theWindowIncludesBothEnds() throws {
        // Exactly 4 hours apart: inside. One millisecond more: outside.
        #expect(try run(sso, [login(1, at: 0), push(2, at: 100), push(3, at: 240)]).count == 1)
        var builder = try EventBuilder(rule: try compiler.compile(sso))
        builder.add(signal: 1, time: 0, kind: "okta.sso.new_location", fields: ["user.name": "jdoe"])
        builder.add(signal: 2, time: 100 * minute, kind: "duo.push.failed", fields: ["user.name": "jdoe"])
        builder.add(signal: 3, time: 240 * minute + 1, kind: "duo.push.failed", fields: ["user.name": "jdoe"])
        #expect(builder.correlate().isEmpty)
    }

    @Test func groupKeysKeepUsersApartAndAMissingFieldDoesNotMatch() throws {
        var anonymous = push(4, at: 12)
        anonymous.fields["user.name"] = nil
        let alerts = try run(sso, [login(1, at: 0, "ana"), push(2, at: 10, "bob"), push(3, at: 11, "ana"), anonymous])
        #expect(alerts.isEmpty)
        let both = try run(sso, [login(1, at: 0, "ana"), push(2, at: 10, "bob"), push(3, at: 11, "ana"), push(5, at: 13, "ana")])
        #expect(both.map(\.key) == ["user.name=ana"] && both[0].alert.firing == [1, 3, 5])
    }

    /// Values compare ignoring case (as Sigma's do), so `CMD.EXE` and `cmd.exe` are one group and
    /// one DISTINCT value; `CASED` keeps them apart.
    @Test func groupByAndDistinctValuesIgnoreCaseUnlessCased() throws {
        func proc(_ id: Int64, _ name: String, port: Int64) -> S {
            S(id: id, minute: id, kind: "suricata.alert", fields: ["process.name": .string(name), "destination.port": .int(port)])
        }
        let signals = [proc(1, "CMD.EXE", port: 1), proc(2, "cmd.exe", port: 2)]
        let folded = "[ (2 IDS alerts) ] IN [ 1 hour ] WITH [ process.name ] IN COMMON"
        #expect(try run(folded, signals).map(\.key) == ["process.name=cmd.exe"])
        #expect(try run(folded + " CASED", signals).isEmpty)
        #expect(try compiler.compile(folded + " CASED").casedValues)
        let distinct = "[ (2 DISTINCT process.name OF IDS alerts) ] IN [ 1 hour ]"
        #expect(try run(distinct, signals).isEmpty, "one process, however spelt")
        #expect(try run(distinct + " CASED", signals).count == 1)
    }

    /// Rules stored before `Clause.limit`, `Rule.clausesHeld`, `RuleOptions.casedValues` and
    /// `sameAs`'s `cased` still decode, with the old meaning.
    @Test func rulesStoredBeforeTheNewFieldsStillDecode() throws {
        let old = #"""
            {"clauses":[{"count":2,"kinds":["suricata.alert"],"filter":{"sameAs":{"field":"a","other":"b"}},"text":"2 IDS alerts"}],
             "ordered":false,"window":60000,"groupBy":["source.ip"],"options":{"tags":[]}}
            """#
        let rule = try JSONDecoder().decode(Rule.self, from: Data(old.utf8))
        #expect(rule.clauses[0].filter == .sameAs(field: "a", other: "b", cased: nil))
        #expect(rule.clauses[0].limit == nil && rule.clauses[0].pool == nil && rule.clausesHeld == nil)
        #expect(!rule.casedValues && !rule.judgedAtClose)
    }

    @Test func outOfOrderSignalsAreEvaluatedInTimeOrder() throws {
        // Arrival order differs from time order; the pushes before the login still count
        // (the rule's clauses join with '+', any order within the window).
        let alerts = try run(sso, [push(3, at: 20), login(1, at: 30), push(2, at: 10)])
        #expect(alerts.count == 1 && alerts[0].alert.firedAt == 30 * minute && alerts[0].alert.firing == [1, 2, 3])
    }

    @Test func thenRequiresClauseOrder() throws {
        let ordered = "(1 SSO login from a new location) THEN (2 failed Duo pushes) IN 4 hours WITH username IN COMMON"
        #expect(try run(ordered, [push(2, at: 10), push(3, at: 20), login(1, at: 30)]).isEmpty)
        let alerts = try run(ordered, [push(2, at: 10), login(1, at: 30), push(3, at: 40), push(4, at: 50)])
        #expect(alerts.count == 1 && alerts[0].alert.firedAt == 50 * minute)
    }

    @Test func dedupAttachesUntilTheSuppressionEndsThenANewWindowOpens() throws {
        let rule = "(4 IDS alerts) IN 36 hours WITH src_ip, dst_port IN COMMON"
        var signals = (1...10).map { ids(Int64($0), at: Int64($0) * 60) }   // hourly
        signals += (0..<4).map { ids(Int64(100 + $0), at: 3 * 24 * 60 + Int64($0)) }  // three days later
        let alerts = try run(rule, signals)
        #expect(alerts.count == 2)
        #expect(alerts[0].key == "source.ip=198.51.100.7,destination.port=22")
        #expect(alerts[0].alert.firing == [1, 2, 3, 4] && alerts[0].alert.attached == [5, 6, 7, 8, 9, 10])
        #expect(alerts[1].alert.firing == [100, 101, 102, 103] && alerts[1].alert.attached.isEmpty)
    }

    @Test func signalsAnAlertHoldsDoNotCountAgainAfterItCloses() throws {
        // SUPPRESS FOR 1 hour: the first alert's signals are spent; two more are not enough.
        let rule = "(3 IDS alerts) IN 36 hours WITH src_ip IN COMMON SUPPRESS FOR 1 hour"
        let alerts = try run(rule, [ids(1, at: 0), ids(2, at: 1), ids(3, at: 2), ids(4, at: 120), ids(5, at: 121)])
        #expect(alerts.count == 1 && alerts[0].alert.firing == [1, 2, 3])
        let again = try run(rule, [ids(1, at: 0), ids(2, at: 1), ids(3, at: 2), ids(4, at: 120), ids(5, at: 121), ids(6, at: 122)])
        #expect(again.count == 2 && again[1].alert.firing == [4, 5, 6])
    }

    @Test func distinctCountsValuesNotSignals() throws {
        let rule = "(3 DISTINCT dst_port OF IDS alerts) IN 1 hour WITH src_ip IN COMMON"
        #expect(try run(rule, [ids(1, at: 0, port: 22), ids(2, at: 1, port: 22), ids(3, at: 2, port: 80)]).isEmpty)
        let alerts = try run(rule, [ids(1, at: 0, port: 22), ids(2, at: 1, port: 22), ids(3, at: 2, port: 80), ids(4, at: 3, port: 443)])
        #expect(alerts.count == 1 && alerts[0].alert.firing == [1, 2, 3, 4])
    }

    @Test func whereFiltersAClause() throws {
        let rule = "(1 SSO login from a new location) + (2 failed Duo pushes WHERE factor = \"push\") IN 4h WITH username IN COMMON"
        #expect(try run(rule, [login(1, at: 0), push(2, at: 1, factor: "phone"), push(3, at: 2)]).isEmpty)
        #expect(try run(rule, [login(1, at: 0), push(2, at: 1, factor: "PUSH"), push(3, at: 2)]).count == 1)
    }

    @Test func storedSignalsAloneNeverFireButCountAroundNewOnes() throws {
        let stored = [login(1, at: 0, live: false), push(2, at: 10, live: false), push(3, at: 20, live: false)]
        #expect(try run(sso, stored).isEmpty)
        let alerts = try run(sso, [login(1, at: 0, live: false), push(2, at: 10, live: false), push(3, at: 20)])
        #expect(alerts.count == 1 && alerts[0].alert.firing == [1, 2, 3])
    }

    @Test func newSignalsAttachToAStoredOpenAlert() throws {
        let alerts = try run(sso, [push(7, at: 100), push(8, at: 500)], open: [("user.name=jdoe", 42, 0)])
        #expect(alerts.count == 1 && alerts[0].alert.existing == 42 && alerts[0].alert.attached == [7])
        // Past the suppression (4 hours from minute 0), minute 500 starts afresh: one push is not enough.
        #expect(try run(sso, [push(8, at: 500)], open: [("user.name=jdoe", 42, 0)]).isEmpty)
    }
}
