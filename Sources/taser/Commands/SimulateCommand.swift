import ArgumentParser
import Engine
import Foundation
import Model
import SignalServer

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a rule over the stored signals: the alerts it would have made.",
        discussion: """
            The same correlator as live evaluation, with every stored signal in the range as if it were new. It prints the alerts it would make, per day, the busiest group keys and the signals per alert.

              taser simulate "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON"
              taser simulate --rule repeated-carbonblack-alerts --since 7d
              taser simulate "(3 CarbonBlack alerts) IN 24h WITH hostname IN COMMON" --rule repeated-carbonblack-alerts --against-saved

            With --against-saved it also runs the saved rule (--rule) and lists the alerts the new text adds and removes.
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The rule text (quote it), or - for standard input. Without it, --rule's saved text.") var text: String?
    @Option(help: "A saved rule: simulate it, or compare the text with it (--against-saved).") var rule: String?
    @Option(help: "With --rule and no text: this version of it.", transform: count(1...Int(Int32.max))) var version: Int?
    @Flag(help: "Compare with the saved rule named by --rule.") var againstSaved = false
    @Option(help: "Only signals at or after this time (2026-11-01, 24h, 7d).") var since: String?
    @Option(help: "Only signals at or before this time.") var until: String?
    @Option(help: "How many alerts and group keys to list (1 to 10000).", transform: count(1...10_000)) var top = 10
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() throws {
        let engine = try global.api(create: false)
        let from = try since.map { try parseTime($0, "--since") }, to = try until.map { try parseTime($0, "--until") }
        if let from, let to, from > to { throw CLIError("--since \(since!) is after --until \(until!)") }
        let compiled: Rule
        if let text = try RulesCommand.text(text, file: nil) {
            compiled = try engine.checkRule(text)
        } else if let rule {
            compiled = try engine.compiledRule(named: rule, version: version)
        } else {
            throw CLIError("give the rule text, or --rule NAME for a saved rule")
        }
        if againstSaved && rule == nil { throw CLIError("--against-saved compares with a saved rule: add --rule NAME") }
        let report = try engine.simulate(compiled, from: from, to: to)
        let saved = againstSaved ? try engine.simulate(try engine.compiledRule(named: rule!), from: from, to: to) : nil
        let diff = saved.map { report.difference(from: $0) }
        if json { return Output.jsonLines([SimulateCommand.json(report, diff: diff, top: top)]) }

        guard report.signalsRead > 0 else {
            return Output.note("no signals of \(compiled.kinds.sorted().joined(separator: ", ")) in \(rangeText(from, to)); nothing to simulate")
        }
        Output.line("\(report.alerts.count) alert\(report.alerts.count == 1 ? "" : "s") from \(report.signalsMatched) matching of \(report.signalsRead) signals, \(Output.when(report.from)) to \(Output.when(report.to))")
        if !report.alerts.isEmpty {
            let sizes = report.alerts.map(\.signals.count)
            Output.line("signals per alert: min \(sizes.min()!), median \(sizes.sorted()[sizes.count / 2]), max \(sizes.max()!)")
            Output.line("\nper day")
            let days = report.perDay
            let most = days.map(\.alerts).max() ?? 1
            for d in days { Output.line("  \(d.day)  \(String(repeating: "#", count: max(1, d.alerts * 40 / most)))  \(d.alerts)") }
            Output.line("\ntop group keys")
            Output.table(["KEY", "ALERTS", "SIGNALS"], report.topKeys(top).map { [$0.key, String($0.alerts), String($0.signals)] })
            Output.line("\nfirst alerts")
            Output.table(["FIRED", "KEY", "SIGNALS"], report.alerts.prefix(top).map { [Output.when($0.firedAt), $0.key, String($0.signals.count)] })
        }
        if let diff, let saved {
            Output.line("\nagainst saved \(rule!): \(saved.alerts.count) alerts; this text adds \(diff.added.count) and removes \(diff.removed.count)")
            for a in diff.added.prefix(top) { Output.line("  + \(Output.when(a.firedAt))  \(a.key)  \(a.signals.count) signals") }
            for a in diff.removed.prefix(top) { Output.line("  - \(Output.when(a.firedAt))  \(a.key)  \(a.signals.count) signals") }
        }
    }

    func rangeText(_ from: Timestamp?, _ to: Timestamp?) -> String {
        switch (from, to) {
        case (nil, nil): "the database"
        case let (f?, nil): "the range from \(Output.when(f))"
        case let (nil, t?): "the range up to \(Output.when(t))"
        case let (f?, t?): "the range \(Output.when(f)) to \(Output.when(t))"
        }
    }

    static func json(_ r: SimulationReport, diff: (added: [SimulatedAlert], removed: [SimulatedAlert])?, top: Int) -> JSONValue {
        func alert(_ a: SimulatedAlert) -> JSONValue {
            .object(["key": .string(a.key), "fired_at": .string(a.firedAt.iso8601), "signals": .array(a.signals.map { .int($0) }), "firing": .int(Int64(a.firing))])
        }
        var o: [String: JSONValue] = [
            "alerts": .int(Int64(r.alerts.count)), "signals_read": .int(Int64(r.signalsRead)), "signals_matched": .int(Int64(r.signalsMatched)),
            "from": .string(r.from.iso8601), "to": .string(r.to.iso8601),
            "per_day": .array(r.perDay.map { .object(["day": .string($0.day), "alerts": .int(Int64($0.alerts))]) }),
            "top_keys": .array(r.topKeys(top).map { .object(["key": .string($0.key), "alerts": .int(Int64($0.alerts)), "signals": .int(Int64($0.signals))]) }),
            "list": .array(r.alerts.map(alert)),
        ]
        if let diff {
            o["added"] = .array(diff.added.map(alert))
            o["removed"] = .array(diff.removed.map(alert))
        }
        return .object(o)
    }
}
