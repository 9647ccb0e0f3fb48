import ArgumentParser
import Engine
import Model

struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "List and inspect alerts.",
        discussion: "Promote alerts into a case with `taser case new --alert ID`; merge them into one with `taser case merge CASE --alert ID`.",
        subcommands: [List.self, Show.self, Acknowledge.self, Close.self])

    /// Where a promoted alert went, as the engine lets the analyst know it: the case's number,
    /// or no number when it is in a case they may not read.
    static func whereTo(_ a: Alert) -> String {
        if let id = a.caseID { return " (case \(id))" }
        return a.status == .promoted ? " (in a case you may not read)" : ""
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the alerts you may see, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this status (new, acknowledged, promoted, closed).") var status: String?
        @Option(help: "Only alerts of this rule.") var rule: String?
        @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 100
        @Flag(help: "JSON Lines: one alert per line.") var json = false

        func run() throws {
            let filter = AlertFilter(status: try status.map { try choice($0, "alert status") }, rule: rule, limit: limit)
            let alerts = try global.api(create: false).alerts(filter)
            if json { return Output.jsonLines(alerts.map(\.json)) }
            guard !alerts.isEmpty else { return Output.note("no alerts you may see") }
            Output.table(
                ["#", "STATUS", "SEVERITY", "CASE", "SIGNALS", "LAST SIGNAL", "TITLE"],
                alerts.map {
                    [String($0.id), $0.status.rawValue, $0.severity.name, $0.caseID.map(String.init) ?? ($0.status == .promoted ? "hidden" : "-"), String($0.signalCount),
                     Output.when($0.lastSignalAt), $0.title]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an alert with its signals and their artifacts.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert number.") var id: Int64
        @Flag(help: "Also print each signal's raw body.") var raw = false
        @Flag(help: "Print the alert as one JSON object.") var json = false

        func run() throws {
            let engine = try global.api(create: false)
            let d = try engine.alertDetail(id)
            if json { return Output.jsonLines([d.json]) }
            let a = d.alert
            Output.line("Alert \(a.id): \(a.title)")
            Output.line("  rule      \(a.rule)   group: \(a.groupKey)")
            Output.line("  status    \(a.status.rawValue)\(AlertCommand.whereTo(a))   severity: \(a.severity.name)   team: \(a.team ?? "-")")
            if let c = a.closing { Output.line("  closed    \(c.reason.rawValue) by \(c.by), \(Output.when(c.at))") }
            Output.line("  signals   \(a.signalCount), \(Output.when(a.firstSignalAt)) to \(Output.when(a.lastSignalAt))")
            if !d.tags.isEmpty { Output.line("  tags      \(d.tags.joined(separator: ", "))") }
            for person in d.people { Output.line("  person    \(person.identity): \(person.seen.joined(separator: ", "))") }
            if !d.addedArtifacts.isEmpty {
                Output.line("  added     " + d.addedArtifacts.map { "\($0.role) \($0.type.rawValue):\($0.value)" }.joined(separator: ", "))
            }
            // Who changed it since it was raised (TheHive's API, a TheHive user through the pull).
            for e in d.log { Output.line("  changed   \(Output.when(e.time))  \(e.author): \(e.body)") }
            for item in d.signals {
                let s = item.signal
                let revision = s.revision > 1 ? "  (revision \(s.revision))" : ""
                Output.line("\n  [\(s.id)] \(Output.when(s.time))  \(s.kind)  \(s.severity.name)  \(s.title)\(revision)")
                for (key, value) in s.fields.sorted(by: { $0.key < $1.key }) { Output.line("        \(key) = \(value.stringValue ?? value.text)") }
                if !item.artifacts.isEmpty {
                    Output.line("        artifacts: " + item.artifacts.map { "\($0.role) \($0.artifact.type.rawValue):\($0.artifact.shownValue)" }.joined(separator: ", "))
                }
                for a in item.artifacts { try Output.enrichments(of: a.artifact, engine, indent: 8) }
                if raw {
                    Output.line("        raw: \(s.raw)")
                    for r in (d.earlierRevisions[s.id] ?? []).reversed() { Output.line("        raw, revision \(r.revision): \(r.raw)") }
                }
            }
        }
    }

    struct Acknowledge: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge alerts (seen, being looked at).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert numbers.") var ids: [Int64]

        func run() throws {
            try global.api().setStatus(ofAlerts: ids, to: .acknowledged, reason: nil)
            Output.line("Acknowledged \(ids.map(String.init).joined(separator: ", "))")
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close alerts with a reason, recorded with who and when.",
            discussion: "Reasons: true_positive (real, handled), benign (real, allowed), false_positive (the rule fired on nothing), duplicate. Example: taser alert close 12 14 --reason false_positive")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert numbers.") var ids: [Int64]
        @Option(help: "Why: \(AlertCloseReason.names).") var reason: String

        func run() throws {
            let why: AlertCloseReason = try choice(reason, "close reason")
            try global.api().setStatus(ofAlerts: ids, to: .closed, reason: why)
            Output.line("Closed \(ids.map(String.init).joined(separator: ", ")) as \(why.rawValue)")
        }
    }
}

struct PivotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pivot", abstract: "Every alert and case that shares an artifact, with first and last seen.",
        discussion: "Example: taser pivot 185.220.101.4     taser pivot jane.doe --type user")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The artifact's value (an IP, user, host, hash, domain, ...).") var value: String
    @Option(help: "Only the artifact of this type (\(ArtifactType.names)).") var type: String?
    @Flag(help: "JSON Lines: one line per alert or case.") var json = false

    func run() throws {
        let t: ArtifactType? = try type.map { try choice($0, "artifact type") }
        let engine = try global.api(create: false)
        let pivots = try engine.pivot(value, type: t)
        if json {
            Output.jsonLines(pivots.flatMap { p in
                let hits = p.alerts.map { ("alert", $0) } + p.cases.map { ("case", $0) }
                return hits.map { kind, hit -> JSONValue in
                    var o: JSONObject = [
                        "artifact_type": .string(p.artifact.type.rawValue), "artifact": .string(p.artifact.value), "record": .string(kind),
                        "id": .int(hit.id), "title": .string(hit.title), "status": .string(hit.status), "signals": .int(Int64(hit.signals)),
                        "first_seen": JSONValue(hit.firstSeen), "last_seen": JSONValue(hit.lastSeen),
                    ]
                    if let scope = p.artifact.scope { o["scope"] = .string(scope) }
                    return .object(o)
                }
            })
            return
        }
        for p in pivots {
            Output.line("\(p.artifact.type.rawValue) \(p.artifact.shownValue)   first seen \(Output.when(p.artifact.firstSeen)), last seen \(Output.when(p.artifact.lastSeen))")
            try Output.enrichments(of: p.artifact, engine, indent: 2)
            if p.cases.isEmpty && p.alerts.isEmpty { Output.line("  in signals only: no alert or case you may see holds it") }
            if !p.cases.isEmpty {
                Output.line("\nCases (\(p.cases.count))")
                Output.table(["#", "STATUS", "SIGNALS", "FIRST SEEN", "LAST SEEN", "TITLE"], p.cases.map(row))
            }
            if !p.alerts.isEmpty {
                Output.line("\nAlerts (\(p.alerts.count))")
                Output.table(["#", "STATUS", "SIGNALS", "FIRST SEEN", "LAST SEEN", "TITLE"], p.alerts.map(row))
            }
            Output.line()
        }
    }

    func row(_ hit: PivotHit) -> [String] {
        [String(hit.id), hit.status, String(hit.signals), Output.when(hit.firstSeen), Output.when(hit.lastSeen), hit.title]
    }
}
