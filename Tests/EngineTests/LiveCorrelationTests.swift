import AlertEngine
import Foundation
import Model
import Positron
import SignalServer
import Testing
@testable import Engine
@testable import Store

/// Live evaluation and the simulator are one correlator: the same signals give the same alerts,
/// however ingest cuts them into batches and runs.
@Suite struct LiveCorrelationTests {
    static let rules = [
        ("sso-then-duo", "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON"),
        ("cb-repeat", "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON"),
        ("ids-scan", "[ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON"),
        ("duo-then-ids", "(1 failed Duo push) THEN (2 DISTINCT dst_port OF IDS alerts) IN 12 hours"),
    ]

    /// Every alert as (rule, key, fired at, signals), for comparing runs.
    func alerts(_ engine: Engine) throws -> Set<String> {
        try engine.store.read { tx in
            let alerts = try tx.alerts(AlertFilter(limit: 100_000), visibleTo: engine.actor)
            return Set(try alerts.map { a in
                let ids = try tx.signals(ofAlert: a.id).map(\.id).sorted()
                let fired = try tx.alertsFired(rule: a.rule, since: 0).first { $0.id == a.id }!.firedAt
                return "\(a.rule) \(a.groupKey) \(fired) \(ids)"
            })
        }
    }

    @Test func liveAlertsEqualTheSimulationWhateverTheBatches() throws {
        let soc = try SOC()
        let engine = soc.admin
        for (name, text) in Self.rules { _ = try engine.addRule(name: name, text: text, enable: true) }
        // A chain, as Sigma correlations over correlations import: two repeated-CarbonBlack
        // alerts (on any hosts) within two days.
        let chain = Rule(clauses: [Clause(count: 2, kinds: ["rule:cb-repeat"], text: "2 cb-repeat alerts")], window: 2 * 86_400_000, groupBy: [])
        _ = try engine.saveImportedRule(name: "cb-chain", language: "sigma", text: "chain", rule: chain)
        _ = try engine.setRuleEnabled(name: "cb-chain", true)
        let events = Engine.demoEvents(count: 12_000, days: 8)
        let lines = events.split(separator: 10)
        // Four separate ingests (as four `taser ingest` runs), in small batches.
        var total = BatchOutcome()
        for part in 0..<4 {
            let chunk = lines[(part * lines.count / 4)..<((part + 1) * lines.count / 4)]
            let ingester = try engine.ingester()
            ingester.batchSize = 250
            let summary = try ingester.ingest(Array(chunk.joined(separator: [10])), source: "part\(part)")
            #expect(summary.quarantined == 0)
            total.add(summary.after)
        }
        let live = try alerts(engine)
        #expect(total.alertsCreated == live.count && total.lateSignals == 0)
        #expect(live.count > 10, "the background should raise some alerts: \(live.count)")

        var simulated = Set<String>()
        #expect(live.contains { $0.hasPrefix("cb-chain ") }, "the chain should fire on this data")
        for name in Self.rules.map(\.0) + ["cb-chain"] {
            let report = try engine.simulate(try engine.compiledRule(named: name))
            for a in report.alerts { simulated.insert("\(name) \(a.key) \(a.firedAt.ms) \(a.signals.sorted())") }
        }
        #expect(live == simulated, "live only: \(live.subtracting(simulated).sorted().prefix(3)); simulated only: \(simulated.subtracting(live).sorted().prefix(3))")
        // Every new or updated alert left a message for Sync in its transaction.
        let outbox = try engine.store.read { tx in try tx.outboxCount(entity: "alert") }
        #expect(outbox == total.alertsCreated + total.alertsUpdated)
    }

    @Test func lateSignalsAreStoredAndCountedNotCorrelated() throws {
        let soc = try SOC()
        let engine = soc.admin
        _ = try engine.addRule(name: "cb-repeat", text: Self.rules[1].1, enable: true)
        func cb(_ id: String, _ time: String, host: String = "LT-LATE01") -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(time)","first_event_timestamp":"\#(time)","severity":5,"reason":"r","device_name":"\#(host)","device_id":1,"org_key":"O"}"#
        }
        let now = try engine.ingester().ingest(Array((cb("a", "2026-11-20T12:00:00Z") + "\n").utf8), source: "now")
        #expect(now.stored == 1)
        // Two days behind the newest CarbonBlack signal: later than the 6-hour lateness.
        let late = try engine.ingester().ingest(Array((cb("b", "2026-11-18T12:00:00Z") + "\n" + cb("c", "2026-11-18T13:00:00Z") + "\n").utf8), source: "late")
        #expect(late.stored == 2 && late.after.lateSignals == 2 && late.after.alertsCreated == 0)
        #expect(try engine.lateSignals(rule: "cb-repeat") == 2)
        // The next simulation sees them.
        #expect(try engine.simulate(try engine.compiledRule(named: "cb-repeat")).alerts.count == 1)
    }

    /// A rule judged when windows close (a Sigma `lte`): a file ingested at once raises live
    /// what the simulation raises for the windows its newest signal has passed; the last
    /// window, still open, waits.
    @Test func windowsJudgedAtCloseFireLiveOnceTheBatchHasPassedThem() throws {
        let soc = try SOC()
        let engine = soc.admin
        let rule = Rule(
            clauses: [Clause(count: 1, kinds: ["cbc.alert"], text: "at most 2 CarbonBlack alerts", limit: Bounds(lte: 2))],
            window: 3_600_000, groupBy: ["host.name"])
        _ = try engine.saveImportedRule(name: "cb-few", language: "sigma", text: "few", rule: rule)
        _ = try engine.setRuleEnabled(name: "cb-few", true)
        func cb(_ id: String, _ time: String, _ host: String) -> String {
            #"{"id":"\#(id)","type":"CB_ANALYTICS","backend_timestamp":"\#(time)","first_event_timestamp":"\#(time)","severity":5,"reason":"r","device_name":"\#(host)","device_id":1,"org_key":"O"}"#
        }
        let lines = [
            cb("a", "2026-11-20T12:00:00Z", "LT-A"), cb("b", "2026-11-20T12:10:00Z", "LT-A"),  // 2 in the hour: fires
            cb("c", "2026-11-20T12:00:00Z", "LT-B"), cb("d", "2026-11-20T12:20:00Z", "LT-B"), cb("e", "2026-11-20T12:30:00Z", "LT-B"),  // 3: quiet
            cb("f", "2026-11-20T14:00:00Z", "LT-C"),  // the newest: its own window is still open
        ]
        let summary = try engine.ingester().ingest(Array((lines.joined(separator: "\n") + "\n").utf8), source: "file")
        #expect(summary.stored == 6 && summary.after.alertsCreated == 1)
        let live = try engine.store.read { tx in try tx.alertsFired(rule: "cb-few", since: 0) }
        #expect(live.map(\.groupKey) == ["host.name=lt-a"])
        #expect(live.first?.firedAt == Timestamp(parsing: "2026-11-20T13:00:00Z")?.ms, "fired when the window closed")
        // The simulation judges LT-C's window too: its range ends with the data.
        let simulated = try engine.simulate(try engine.compiledRule(named: "cb-few")).alerts.map(\.key).sorted()
        #expect(simulated == ["host.name=lt-a", "host.name=lt-c"])
    }

    @Test func rulesKeepEveryVersionAndWhoChangedThem() throws {
        let soc = try SOC()
        let ana = soc.ana
        _ = try ana.addRule(name: "cb-repeat", text: Self.rules[1].1)
        _ = try soc.ben.editRule(name: "cb-repeat", text: "[ (3 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON")
        _ = try ana.setRuleEnabled(name: "cb-repeat", true)
        let history = try ana.ruleHistory(name: "cb-repeat").map { "\($0.author) \($0.change) \($0.version)" }
        #expect(history == ["ana created 1", "ben edited 2", "ana enabled 2"])
        #expect(try ana.compiledRule(named: "cb-repeat", version: 1).clauses[0].count == 2)
        #expect(try ana.compiledRule(named: "cb-repeat").clauses[0].count == 3)
        // Bad input: nothing saved.
        #expect(throws: RuleError.self) { try ana.editRule(name: "cb-repeat", text: "[ (3 CarbonBlack alertz) ] IN [ 24 Hours ]") }
        #expect(throws: EngineError.self) { try ana.addRule(name: "cb-repeat", text: Self.rules[1].1) }
        #expect(throws: EngineError.self) { try ana.addRule(name: "Bad Name", text: Self.rules[1].1) }
        #expect(throws: EngineError.self) { try ana.setRuleEnabled(name: "nope", true) }
        // Alerts go to the rule's team, which must exist.
        #expect(throws: EngineError.self) { try ana.addRule(name: "to-nowhere", text: "(2 CarbonBlack alerts) IN 1h TEAM nowhere") }
        #expect(try ana.addRule(name: "to-soc", text: "(2 CarbonBlack alerts) IN 1h TEAM soc").name == "to-soc")
        #expect(try ana.ruleVersions(name: "cb-repeat").count == 2)
        // History cannot be rewritten underneath.
        #expect(throws: (any Error).self) {
            try ana.store.write { tx in try tx.db.execute(sql: "DELETE FROM rule_versions") }
        }
    }
}


/// Positron's taser plugin answers from the signals themselves.
@Suite struct TaserPluginTests {
    @Test func edrSignalsAnswerHostnamesAndIPs() throws {
        let soc = try SOC()
        let engine = soc.admin
        let cb = #"{"id":"p1","type":"CB_ANALYTICS","backend_timestamp":"2026-11-20T12:00:00Z","first_event_timestamp":"2026-11-20T12:00:00Z","severity":5,"reason":"r","device_name":"LT-PLUG01","device_id":1,"device_internal_ip":"10.7.7.7","org_key":"O"}"#
        _ = try engine.ingester().ingest(Array((cb + "\n").utf8), source: "cb")
        let positron = PositronConfig.empty().withTaser(engine.store)
        let hosts = try engine.query("IP_TO_HOSTNAME", "10.7.7.7", with: positron)
        #expect(hosts.answers.map { $0.fields["hostname"]?.lowercased() } == ["lt-plug01"] && hosts.answers.first?.plugins == ["taser"])
        let ips = try engine.query("HOSTNAME_TO_IP", "LT-PLUG01", with: positron)
        #expect(ips.answers.map { $0.fields["ip"] } == ["10.7.7.7"])
        #expect(try engine.query("IP_TO_HOSTNAME", "10.7.7.8", with: positron).answers.isEmpty)
        #expect(try engine.queryAudit().count == 3)
    }
}
