import ArgumentParser
import Engine
import Foundation
import Model
import SignalServer

extension BenchCommand {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the simulator against the same rules as SQL window queries in the sqlite3 CLI.",
            discussion: """
                Builds a demo database of N signals, then for the user's three rules and a broad one (at least 3 of each of the two most common kinds within 1 hour, by user) prints the first run (loading the signal columns), a rerun (columns cached, as the console's rule editor reruns on each edit), and the same rule as one SQL query with window functions (RANGE BETWEEN window PRECEDING AND CURRENT ROW) run by the sqlite3 CLI on the same file, which has an index on (kind, time). The SQL and the correlator must agree on which group keys fire; the bench says whether they do. Goal: every rerun at least 10 times faster than its SQL, under 100 ms, and at least 5 million signals/s per core.
                """)
        @Option(help: "How many demo signals.", transform: count(1...DemoOptions.mostSignals)) var signals = 1_000_000
        @Option(help: "Where to put the scratch database (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "End with one JSON object on the last line.") var json = false

        func run() throws {
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { BenchCommand.remove(dir) }
            let path = dir + "/demo.db"
            let bar = ProgressBar(label: "signals")
            _ = try Engine.open(path: path).buildDemo(DemoOptions(signals: signals, seed: 1), progress: bar.update)
            bar.finish()

            let (_, common) = try SQLiteCLI.query(database: path, script: "SELECT kind FROM signals GROUP BY kind ORDER BY count(*) DESC LIMIT 2;")
            let top = common.split(separator: "\n").map(String.init)
            guard top.count == 2, let k1 = SignalKind.find(top[0]), let k2 = SignalKind.find(top[1]) else {
                throw CLIError("the demo database has fewer than two kinds of signal")
            }
            let rules: [(name: String, text: String)] = [
                ("sso-new-location-then-duo", "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON"),
                ("repeated-carbonblack", "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON"),
                ("ids-scan-one-port", "[ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON"),
                ("broad", "[ (3 \(k1.name)) + (3 \(k2.name)) ] IN [ 1 Hour ] WITH [ username ] IN COMMON"),
            ]
            var figures: [JSONValue] = []
            var signalsRerun = 0, rerunSeconds = 0.0
            var rows: [[String]] = []
            for (name, text) in rules {
                // A fresh engine: the first run loads its columns, the rerun finds them cached.
                let engine = try Engine.open(path: path, create: false)
                let rule = try engine.checkRule(text)
                let t0 = Date()
                _ = try engine.simulate(rule)
                let first = Date().timeIntervalSince(t0)
                let t1 = Date()
                let report = try engine.simulate(rule)
                let rerun = Date().timeIntervalSince(t1)
                let (sqlSeconds, sqlKeys) = try SQLiteCLI.query(database: path, script: try SQLBaseline.query(rule))
                let sqlSet = Set(sqlKeys.split(separator: "\n").map(String.init))
                let mine = Set(report.alerts.map { SQLBaseline.values(ofKey: $0.key) })
                let agree = sqlSet == mine
                signalsRerun += report.signalsRead
                rerunSeconds += rerun
                let speedup = sqlSeconds / rerun
                rows.append([
                    name, String(format: "%.1f", first * 1000), String(format: "%.1f", rerun * 1000), String(format: "%.1f", sqlSeconds * 1000),
                    String(format: "%.1fx", speedup), String(report.signalsRead),
                    agree ? "yes (\(mine.count) keys)" : "NO: taser \(mine.count), SQL \(sqlSet.count)",
                ])
                figures.append([
                    "name": .string(name), "first_ms": .double(first * 1000), "rerun_ms": .double(rerun * 1000), "sql_ms": .double(sqlSeconds * 1000),
                    "speedup": .double(speedup), "keys_agree": .bool(agree), "signals": .int(Int64(report.signalsRead)),
                    "alerts": .int(Int64(report.alerts.count)), "keys": .int(Int64(mine.count)),
                ])
            }
            Output.table(["RULE", "FIRST ms", "RERUN ms", "SQL ms", "SPEEDUP", "SIGNALS", "KEYS AGREE"], rows)
            let perSecond = Double(signalsRerun) / max(rerunSeconds, 1e-9)
            Output.line(String(format: "reruns: %.0f signals/s on one core (goal: at least 5,000,000; each rerun 10x its SQL and under 100 ms)", perSecond))
            if json {
                Output.jsonLines([["bench": "simulate", "demo_signals": .int(Int64(signals)), "signals_per_s": .double(perSecond), "rules": .array(figures)]])
            }
        }
    }
}

