import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

/// What the rule editor's completion reads from the stored signals: kinds with counts, the
/// fields of some kinds, a field's frequent values; each over a bounded sample of the newest.
@Suite struct RuleVocabularyTests {
    /// Writes signals of `kind`, the n-th `minutes` minutes after a fixed start, with `fields(n)`.
    func write(_ engine: Engine, _ kind: SignalKind, _ count: Int, from minute: Int = 0, fields: (Int) -> [String: JSONValue]) throws {
        let signals = (0..<count).map { n in
            NewSignal(
                time: Timestamp(ms: 1_700_000_000_000 + Int64(minute + n) * 60_000), source: kind.source, sourceRef: "\(kind.name)-\(minute + n)",
                kind: kind.name, severity: .low, title: "\(kind.displayName) \(n)", fields: fields(n), raw: "{}", artifacts: [])
        }
        _ = try SignalWriter(store: engine.store).write(signals)
    }

    @Test func kindsAreCountedMostFirst() throws {
        let soc = try SOC()
        try write(soc.ana, .duoPushFailed, 3) { _ in ["user.name": .string("ana")] }
        try write(soc.ana, .oktaLogin, 5) { _ in ["user.name": .string("ana")] }
        try write(soc.ana, .idsAlert, 1) { _ in [:] }
        let counts = try soc.ana.kindCounts()
        #expect(counts == [KindCount(kind: "okta.sso.login", signals: 5), KindCount(kind: "duo.push.failed", signals: 3),
                           KindCount(kind: "suricata.alert", signals: 1)])
        #expect(try SOC().ana.kindCounts().isEmpty)
    }

    @Test func fieldsOfTheNewestSignalsOfEachKind() throws {
        let soc = try SOC()
        // The oldest Duo signals hold a field the newest do not: outside a sample of 4, it is not seen.
        try write(soc.ana, .duoPushFailed, 6) { n in
            var f: [String: JSONValue] = ["user.name": .string("u\(n)"), "factor": .string("push")]
            if n < 2 { f["duo.legacy"] = .string("x") }
            if n == 5 { f["source.ip"] = .string("10.0.0.1") }
            return f
        }
        try write(soc.ana, .oktaLogin, 3) { _ in ["user.name": .string("ana"), "source.ip": .string("10.0.0.2")] }
        let duo = try soc.ana.fieldNames(ofKinds: ["duo.push.failed"], sample: 4)
        #expect(duo.map(\.field) == ["factor", "user.name", "source.ip"])
        #expect(duo.map(\.signals) == [4, 4, 1] && duo.allSatisfy { $0.sampled == 4 && $0.kinds == 1 })
        #expect(try soc.ana.fieldNames(ofKinds: ["duo.push.failed"], sample: 100).contains { $0.field == "duo.legacy" })
        // Over two kinds, the fields both hold come first: a group-by field must be in each.
        let both = try soc.ana.fieldNames(ofKinds: ["okta.sso.login", "duo.push.failed"], sample: 4)
        #expect(both.map(\.field) == ["user.name", "source.ip", "factor"], "\(both)")
        #expect(both[0].kinds == 2 && both[0].signals == 7 && both[0].sampled == 7)
        #expect(try soc.ana.fieldNames(ofKinds: ["no.such.kind"]).isEmpty)
    }

    @Test func theMostFrequentValuesOfAFieldInAKind() throws {
        let soc = try SOC()
        // Newest last: "sms" is only in the 3 oldest, so a sample of the 7 newest has none.
        try write(soc.ana, .duoPushFailed, 10) { n in
            ["factor": .string(n < 3 ? "sms" : n % 2 == 0 ? "push" : "phone"), "duo.count": .int(Int64(n % 2)),
             "tags": .array([.string("a"), .string(n < 5 ? "b" : "c")]), "nested": .object(["k": .string("v")]),
             "flag": .bool(n == 9), "weird \"name": .string("q")]
        }
        try write(soc.ana, .oktaLogin, 4) { _ in ["factor": .string("okta")] }
        let all = try soc.ana.topValues(field: "factor", kind: "duo.push.failed")
        #expect(all == [ValueCount(value: .string("phone"), count: 4), ValueCount(value: .string("push"), count: 3),
                        ValueCount(value: .string("sms"), count: 3)])
        let newest = try soc.ana.topValues(field: "factor", kind: "duo.push.failed", sample: 7)
        #expect(newest.map(\.value) == [.string("phone"), .string("push")] && newest.map(\.count) == [4, 3])
        #expect(try soc.ana.topValues(field: "factor", kind: "duo.push.failed", limit: 1).map(\.value) == [.string("phone")])
        // Numbers and true/false keep their type; a list's elements count one by one; objects are left out.
        #expect(try soc.ana.topValues(field: "duo.count", kind: "duo.push.failed").map(\.value) == [.int(0), .int(1)])
        #expect(try soc.ana.topValues(field: "flag", kind: "duo.push.failed") == [ValueCount(value: .bool(false), count: 9), ValueCount(value: .bool(true), count: 1)])
        #expect(try soc.ana.topValues(field: "tags", kind: "duo.push.failed") == [
            ValueCount(value: .string("a"), count: 10), ValueCount(value: .string("b"), count: 5), ValueCount(value: .string("c"), count: 5)])
        #expect(try soc.ana.topValues(field: "nested", kind: "duo.push.failed").isEmpty)
        #expect(try soc.ana.topValues(field: "no.such.field", kind: "duo.push.failed").isEmpty)
        // A name with a quote cannot break the query (it reads no field).
        #expect(try soc.ana.topValues(field: "weird \"name", kind: "duo.push.failed").isEmpty)
        #expect(try soc.ana.topValues(field: "factor'); DROP TABLE signals; --", kind: "duo.push.failed").isEmpty)
        #expect(try soc.ana.kindCounts().count == 2)
    }
}
