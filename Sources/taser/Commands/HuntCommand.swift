import AlertEngine
import ArgumentParser
import Engine
import Foundation
import Model
import SignalServer

/// `taser hunt`: Sigma over log files in one command, the DFIR triage move (Hayabusa, Chainsaw).
struct HuntCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hunt",
        abstract: "Scan log files with a Sigma ruleset and print a timeline of detections.",
        discussion: """
            Reads EVTX files and any format ingest reads (Winlogbeat, NXLog, Splunk's XmlWinEventLog, Wazuh, auditd, access logs, cloud audit logs, ...; gzip too), runs every event through the Sigma detection rules under --sigma, and prints what they found in time order: time, level, rule, ATT&CK tags, host, user and the event. Nothing is stored unless you give --db: then the events are ingested there, the rules saved (as `rules import` would) and the alerts of the rules that found something raised, for the console.

            Rules are pre-filtered by log source, EventID and the text they need (one pass over each event for all rules), so SigmaHQ's whole Windows ruleset costs little more than a handful of rules. Correlation rules need stored events: with --db they are saved and `taser simulate` runs them.

            Examples:
              taser hunt Security.evtx Sysmon.evtx --sigma sigma/rules/windows
              taser hunt logs/ --sigma sigma/rules --level high --csv > timeline.csv
              taser hunt case-42/*.evtx --sigma sigma/rules --db case-42.db
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Log files or folders (their files, recursively).") var paths: [String]
    @Option(name: .customLong("sigma"), help: "Sigma rule files or folders (repeat for more).") var sigma: [String] = []
    @Option(help: "A YAML Sigma field mapping to merge over the built-in one (as rules import takes).") var mapping: String?
    @Option(name: .customLong("format-mapping"), help: "A YAML mapping file for other JSON, as ingest's --mapping (repeat for more; ~/.config/taser/mappings/*.yaml are always read).")
    var formatMappings: [String] = []
    @Option(help: "Only rules of this level or higher: info, low, medium, high, critical.") var level: String?
    @Option(help: "Threads to read and match on (default: every core). The files are read in pieces (5,000 lines, 8 EVTX chunks) that threads take in turn; the timeline is the same whatever the number.",
            transform: count(1...256)) var threads = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Write the timeline as CSV.") var csv = false
    @Flag(help: "Write the timeline as JSON lines, each with the event's fields.") var json = false

    func validate() throws {
        guard !sigma.isEmpty else { throw ValidationError("name the Sigma rules with --sigma DIR (SigmaHQ's rules/ folder, or your own)") }
        guard !(csv && json) else { throw ValidationError("--csv and --json are two ways to write the timeline; give one") }
        if let level, Severity(parsing: level) == nil {
            throw ValidationError("--level \(level) is not a level; give info, low, medium, high or critical")
        }
    }

    func run() throws {
        // Paths first: a typo is the commonest mistake and should be the first thing said.
        for path in paths + sigma where !FileManager.default.fileExists(atPath: path) {
            throw CLIError("no file or folder \(path)")
        }
        let files = try Self.files(paths)
        guard !files.isEmpty else { throw CLIError("no files to read under \(paths.joined(separator: ", "))") }

        var fieldMapping = SigmaFieldMapping.builtIn
        if let mapping {
            let text: String
            do { text = try String(contentsOfFile: mapping, encoding: .utf8) } catch {
                throw CLIError("cannot read the Sigma field mapping \(mapping): \(error.localizedDescription)")
            }
            fieldMapping = try SigmaFieldMapping.load(yaml: text, path: mapping)
        }
        let imported = SigmaImport.read(paths: sigma, mapping: fieldMapping)
        let least = level.flatMap { Severity(parsing: $0) }
        let rules = imported.rules.filter { rule in least.map { (rule.rule.options.severity ?? .medium) >= $0 } ?? true }
        // The events are read as ingest reads them: the same mapping files, ahead of the
        // built-in formats, so a hunt and `ingest` then `simulate` see the same signals.
        let formatFiles = mappingFiles(formatMappings)
        let hunt = try SigmaHunt(rules: rules, formats: .builtIn(mappings: try formatFiles.map { try MappingFormat.load(path: $0) }))
        guard !hunt.index.entries.isEmpty else {
            throw CLIError("no detection rule to run: \(imported.rules.count) read from \(sigma.joined(separator: ", ")), \(imported.problems.count) not imported (taser rules import --dry-run says why)")
        }

        var detections: [HuntDetection] = []
        var records = 0, events = 0, refused = 0
        var reasons: [String] = []
        let outcomes = try hunt.scan(files.map { file in (file, { () throws(InputFailure) -> ByteInput in try FileInput(path: file) }) },
                                     workers: threads) { detections.append($0) }
        for outcome in outcomes {
            records += outcome.records
            events += outcome.signals
            refused += outcome.refused
            reasons += outcome.reasons.prefix(max(0, 3 - reasons.count))
        }
        detections.sort { ($0.time.ms, $0.file, $0.rule) < ($1.time.ms, $1.file, $1.rule) }
        write(detections)

        let found = Set(detections.map(\.rule))
        Output.note("\(files.count) file\(files.count == 1 ? "" : "s"), \(records) records, \(events) events, \(detections.count) detection\(detections.count == 1 ? "" : "s") by \(found.count) of \(hunt.index.entries.count) rules")
        if refused > 0 { Output.note("\(refused) records not read: \(reasons.joined(separator: "; "))") }
        if !imported.problems.isEmpty {
            Output.note("\(imported.problems.count) Sigma rules not imported (taser rules import --dry-run \(sigma.joined(separator: " ")) says why)")
        }
        if !hunt.correlations.isEmpty, global.db == nil {
            Output.note("\(hunt.correlations.count) correlation rules not run: they need stored events (give --db)")
        }
        if global.db != nil { try keep(files, rules: rules, found: found, formatFiles: formatFiles) }
    }

    /// --db: the events ingested, the rules saved, the alerts raised.
    private func keep(_ files: [String], rules: [SigmaImport.Imported], found: Set<String>, formatFiles: [String]) throws {
        let engine = try global.engine()
        let ingester = try engine.ingester(mappings: formatFiles)
        var stored = 0
        for file in files { stored += try ingester.ingest(try FileInput(path: file), source: file).stored }
        let alerts = try engine.keepHunt(rules: rules, found: found)
        Output.note("kept in \(global.db ?? ""): \(stored) new events, \(rules.count) rules, \(alerts) alerts")
    }

    private func write(_ detections: [HuntDetection]) {
        func tags(_ d: HuntDetection) -> String { d.tags.map { String($0.dropFirst("attack.".count)) }.joined(separator: ",") }
        if json {
            Output.jsonLines(detections.map { d in
                .object([
                    "time": .string(d.time.iso8601), "rule": .string(d.rule), "title": .string(d.title), "level": .string(d.level.name),
                    "tags": .array(d.tags.map { .string($0) }), "host": d.host.map { .string($0) } ?? .null,
                    "user": d.user.map { .string($0) } ?? .null, "kind": .string(d.kind), "event": .string(d.event),
                    "file": .string(d.file), "fields": .object(d.fields),
                ])
            })
        } else if csv {
            Output.line("time,level,rule,title,tags,host,user,kind,event,file")
            for d in detections {
                Output.line([d.time.iso8601, d.level.name, d.rule, d.title, tags(d), d.host ?? "", d.user ?? "", d.kind, d.event, d.file]
                    .map(CSVWriter.escape).joined(separator: ","))
            }
        } else {
            Output.table(["TIME (UTC)", "LEVEL", "RULE", "ATT&CK", "HOST", "USER", "EVENT"], detections.map { d in
                [d.time.iso8601, d.level.name, d.title, tags(d), d.host ?? "-", d.user ?? "-", d.event]
            })
        }
    }

    /// Files named, and the files under folders named (recursively, hidden ones left out), sorted.
    static func files(_ paths: [String]) throws -> [String] {
        var out: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            guard isFolder.boolValue else {
                out.append(path)
                continue
            }
            guard let walker = FileManager.default.enumerator(atPath: path) else { throw CLIError("cannot list the folder \(path)") }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(relative)
                var dir: ObjCBool = false
                guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                      FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue else { continue }
                found.append(full)
            }
            out += found.sorted()
        }
        return out
    }
}
