import ArgumentParser
import Engine
import Model

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export across alerts and cases.", subcommands: [Artifacts.self])

    struct Artifacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Artifacts across every alert and case you may see, one row per artifact.",
            discussion: """
                Filter by artifact type and by the alerts' signal kind (name, display name or alias), rule and time. All the usernames from new-country login alerts:
                  taser export artifacts --type user --kind "SSO login from a new location"
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("type"), help: "Only this artifact type (repeat for more): \(ArtifactType.names).") var types: [String] = []
        @Option(name: .customLong("kind"), help: "Only from signals of this kind (repeat for more).") var kinds: [String] = []
        @Option(name: .customLong("rule"), help: "Only from alerts of this rule (repeat for more).") var rules: [String] = []
        @Option(help: "Only signals at or after this time (2026-11-01, 2026-11-01T08:00:00Z, 24h, 7d).") var since: String?
        @Option(help: "Only signals at or before this time.") var until: String?
        @Option(help: "csv (the default) or json (JSON Lines).") var format: String?
        @Flag(help: "JSON Lines, as other listings' --json (the same as --format json).") var json = false
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            let asked: ExportFormat? = try format.map { try choice($0, "format") }
            if json, let asked, asked != .json { throw CLIError("--json and --format \(asked.rawValue) ask for two formats; give one of them") }
            let fmt: ExportFormat = json ? .json : asked ?? .csv
            let export = try global.engine(create: false).exportArtifacts(
                types: try types.map { try choice($0, "artifact type") }, kinds: kinds, rules: rules,
                since: try since.map { try parseTime($0, "--since") }, until: try until.map { try parseTime($0, "--until") },
                mappingKinds: mappingKinds())
            try Output.write(fmt == .json ? export.jsonLines : export.csv, to: output)
            if let output { Output.note("Wrote \(export.rows.count) artifacts to \(output)") }
        }
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove every case log is intact and the database file is sound.",
        discussion: """
            Recomputes each log entry's SHA-256 over its canonical form and checks it chains to the entry before it; names the first broken entry of each case. Then runs SQLite's integrity and foreign-key checks and confirms the append-only triggers are in place. Exits non-zero when anything is wrong.
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Use SQLite's quick_check (faster on large files; skips the index cross-check).") var quick = false
    @Flag(help: "Print the report as one JSON object.") var json = false

    func run() throws {
        let report = try global.engine(create: false).verify(quick: quick)
        if json {
            Output.jsonLines([[
                "passed": .bool(report.passed), "cases": .int(Int64(report.cases)), "entries": .int(Int64(report.entries)),
                "broken": .array(report.broken.map {
                    ["entry": .int($0.entryID), "case": .int($0.caseID), "seq": .int($0.seq), "reason": .string($0.reason)]
                }),
                "integrity": .array(report.integrity.map { .string($0) }),
                "missing_triggers": .array(report.missingTriggers.map { .string($0) }),
            ]])
        } else {
            Output.line("Checked \(report.entries) log entries in \(report.cases) cases.")
            for b in report.broken {
                Output.line("BROKEN case \(b.caseID): entry \(b.entryID) (#\(b.seq) of the case): \(b.reason)")
            }
            for problem in report.integrity { Output.line("INTEGRITY \(problem)") }
            for trigger in report.missingTriggers { Output.line("MISSING trigger \(trigger): the log is no longer protected against UPDATE/DELETE") }
            if report.passed { Output.line("OK: every chain verifies; SQLite integrity ok; append-only triggers in place.") }
        }
        guard report.passed else {
            let first = report.broken.first.map { "case \($0.caseID) entry \($0.entryID) is the first broken entry" }
                ?? report.integrity.first ?? "append-only triggers are missing"
            throw CLIError("verification failed: \(first)")
        }
    }
}
