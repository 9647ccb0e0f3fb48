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
            let export = try global.api(create: false).exportArtifacts(
                types: try types.map { try choice($0, "artifact type") },
                // Kinds resolve here, where the analyst's mapping files are.
                kinds: try kinds.map { try SignalKind.resolve($0, among: mappingKinds()).name }, rules: rules,
                since: try since.map { try parseTime($0, "--since") }, until: try until.map { try parseTime($0, "--until") })
            try Output.write(fmt == .json ? export.jsonLines : export.csv, to: output)
            if let output { Output.note("Wrote \(export.rows.count) artifacts to \(output)") }
        }
    }
}
