import Foundation
import Model
import SignalServer
import Testing
@testable import Engine
@testable import Store

/// Searching stored signals (`:search`, `taser signals --where`): a field test means what it
/// means in a rule, kind and source are fields, free text goes through the FTS5 index of raw
/// bodies (kept by triggers, revisions included), and bad searches are one-line errors.
@Suite struct SignalSearchTests {
    func cb(_ id: String, _ time: String, host: String, process: String = "invoice_8812.exe", status: String = "OPEN") -> String {
        #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(time)","backend_update_timestamp":"\#(time)","first_event_timestamp":"\#(time)","severity":5,"reason":"r","device_name":"\#(host)","device_id":1,"org_key":"O","process_name":"\#(process)","workflow":{"status":"\#(status)"}}"#
    }

    func okta(_ id: String, _ time: String, user: String) -> String {
        #"{"uuid":"\#(id)","published":"\#(time)","eventType":"user.session.start","displayMessage":"User login to Okta","actor":{"alternateId":"\#(user)","displayName":"X"},"client":{"ipAddress":"198.51.100.7"},"outcome":{"result":"SUCCESS"}}"#
    }

    func loaded() throws -> (SOC, Engine) {
        let soc = try SOC()
        let lines = [
            cb("a", "2026-11-20T12:00:00Z", host: "LT-BARCHECK"),
            cb("b", "2026-11-20T13:00:00Z", host: "lt-barcheck.corp.example.com", process: "powershell.exe"),
            cb("c", "2026-11-21T12:00:00Z", host: "LT-OTHER01"),
            okta("o1", "2026-11-20T12:30:00Z", user: "Jane.Doe@example.com"),
        ]
        _ = try soc.admin.ingester().ingest(Array((lines.joined(separator: "\n") + "\n").utf8), source: "mixed")
        return (soc, soc.admin)
    }

    @Test func aFieldTestMeansWhatItMeansInARule() throws {
        let (_, engine) = try loaded()
        // Equality ignores case, as in rules; the newest first.
        let hosts = try engine.searchSignals(#"host.name = "LT-BARCHECK""#)
        #expect(hosts.total == 1)
        #expect(hosts.signals.map(\.signal.sourceRef) == ["a"])
        let prefix = try engine.searchSignals(#"host.name STARTSWITH "lt-barcheck""#)
        #expect(prefix.signals.map(\.signal.sourceRef) == ["b", "a"])
        // Aliases resolve as in rules.
        #expect(try engine.searchSignals(#"user = "jane.doe@example.com""#).total == 1)
        #expect(try engine.searchSignals(#"NOT host = "LT-BARCHECK" AND kind = cbc.alert"#).total == 2)
        // A number's text equals the number; values JSON escapes are found too (the SQL
        // narrowing that skips most rows only applies where it cannot miss one).
        #expect(try engine.searchSignals("cbc.severity = 5").total == 3)
        #expect(try engine.searchSignals(#"cbc.severity = "5""#).total == 3)
        #expect(try engine.searchSignals(#"host.name IN ("lt-other01", "x\"y")"#).total == 1)
        #expect(SignalSearch.needlesFor(#"host.name = "LT-1" AND user CONTAINS "jane" AND cbc.severity = 5"#) == [["LT-1"], ["jane"]])
        #expect(SignalSearch.needlesFor(#"user = "CORP\\jdoe" AND host.name IN ("a", "b")"#) == [["a", "b"]])
    }

    @Test func kindSourceAndTimeNarrowBeforeTheFilter() throws {
        let (_, engine) = try loaded()
        #expect(try engine.searchSignals("kind = cbc.alert").total == 3)
        // Kinds by display name or alias, as in rules; source as a field.
        #expect(try engine.searchSignals(#"kind IN ("SSO logins")"#).total == 1)
        #expect(try engine.searchSignals("source = CarbonBlack").total == 3)
        #expect(try engine.searchSignals("kind = cbc.alert OR source = okta").total == 4)
        #expect(try engine.searchSignals("source IN (okta, nothing)").total == 1)
        let range = try engine.searchSignals("kind = cbc.alert SINCE 2026-11-20T12:30:00Z UNTIL 2026-11-21")
        #expect(range.signals.map(\.signal.sourceRef) == ["b"])
        // The histogram covers every match, oldest bucket first.
        let all = try engine.searchSignals("SINCE 2026-11-20 UNTIL 2026-11-22", buckets: 2)
        #expect(all.total == 4 && all.histogram.counts == [3, 1])
    }

    @Test func freeTextSearchesRawBodiesThroughTheIndex() throws {
        let (_, engine) = try loaded()
        #expect(try engine.searchSignals(#""invoice_8812.exe""#).total == 2)
        #expect(try engine.searchSignals("powershell").signals.map(\.signal.sourceRef) == ["b"])
        #expect(try engine.searchSignals(#""invoice_8812.exe" AND host.name = "LT-OTHER01""#).signals.map(\.signal.sourceRef) == ["c"])
        #expect(try engine.searchSignals(#"("powershell" OR "invoice_8812.exe") AND NOT "LT-OTHER01""#).total == 2)
        #expect(try engine.searchSignals(#"NOT "invoice_8812.exe""#).total == 2)
        // Quotes inside a term are searched as text, never as FTS5 syntax.
        #expect(try engine.searchSignals(#""say \"NEAR(\" OR x""#).total == 0)
    }

    @Test func aRevisionIsSearchedByWhatItSaysNow() throws {
        let (soc, engine) = try loaded()
        _ = try engine.ingester().ingest(Array((cb("a", "2026-11-20T12:10:00Z", host: "LT-BARCHECK", status: "DISMISSED") + "\n").utf8), source: "mixed")
        #expect(try engine.searchSignals("DISMISSED").signals.map(\.signal.sourceRef) == ["a"])
        #expect(try engine.searchSignals(#"OPEN AND host.name = "LT-BARCHECK""#).total == 0)
        // The index is whole: FTS5's own check agrees with the table.
        try soc.admin.store.write { tx in try tx.checkSignalText() }
    }

    @Test(arguments: [
        (#"host.name = "x" OR "free""#, "is joined to field tests with OR"),
        ("kind = nosuchkind", "no signal kind 'nosuchkind'"),
        ("kind > 3", "kind is compared with"),
        ("nosuch.field = 1", "no field 'nosuch.field'"),
        ("x SINCE 2027-01-01 UNTIL 2026-01-01", "SINCE is after UNTIL"),
        ("SINCE yesterday-ish", "'yesterday-ish' is not a real date"),
        (#""...""#, "free text needs a letter or a digit"),
        (#""a" OR NOT "b""#, "NOT inside OR"),
        ("host.name = ", "expected a value"),
        ("(a", "')' to close"),
    ]) func aBadSearchIsAOneLineErrorThatPointsAtIt(search: String, message: String) throws {
        let (_, engine) = try loaded()
        #expect {
            _ = try engine.searchSignals(search)
        } throws: { error in
            "\(error)".contains(message) && !"\(error)".contains("\n")
        }
    }

    @Test func aRuleRefusesFreeText() throws {
        #expect {
            _ = try RuleCompiler().compile(#"(1 CarbonBlack alerts WHERE "mimikatz") IN 1h"#)
        } throws: { error in
            "\(error)".contains("searches signals; a rule tests a field")
        }
    }
}

extension SignalSearch {
    static func needlesFor(_ text: String) -> [[String]]? { try? RuleCompiler().compileSearch(text).scan.containing }
}
