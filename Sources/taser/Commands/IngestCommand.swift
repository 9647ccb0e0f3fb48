import Credentials
import AlertEngine
import ArgumentParser
import Engine
import SignalServer
import Foundation
import Model
import Positron

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Take alerts in from files, stdin, a drop folder or a maildir.",
        discussion: """
            Formats are detected per event: Okta, Duo, Carbon Black Cloud, Suricata EVE, CloudTrail, GuardDuty, Falco, Wazuh, Splunk webhooks, CEF and LEEF in syslog, email (.eml, mbox, maildir), CSV with a header; any other JSON through a YAML mapping file (--mapping; README, "Mapping files"). Files may be gzipped. The same event ingested twice is stored once. Input that cannot be read goes to quarantine with the reason; ingest then exits non-zero (see `taser quarantine list`).

            Examples:
              taser ingest okta.json suricata/eve.json.gz
              zcat alerts.ndjson.gz | taser ingest -
              taser ingest --watch /srv/drop            (each new file once; moved to done/ or failed/)
              taser ingest --maildir ~/Maildir/phish
              taser ingest --poll ~/.config/taser/poll.yaml    (Okta and Duo log APIs on a schedule)
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Files to ingest; `-` reads standard input.") var files: [String] = []
    @Option(help: "Force this format instead of detecting it.") var format: String?
    @Option(name: .customLong("mapping"), help: "A YAML mapping file for other JSON (repeat for more; ~/.config/taser/mappings/*.yaml are always read).")
    var mappings: [String] = []
    @Option(help: ArgumentHelp("Watch a drop folder: ingest each new file once, then move it to done/ or failed/.", valueName: "dir"))
    var watch: String?
    @Flag(help: "With --watch or --poll: one pass, then exit.") var once = false
    @Option(help: "With --watch: how long between sweeps (2s, 1m; a bare number is seconds).", transform: spanOption(limit: .seconds(86_400))) var every: Span = .seconds(2)
    @Option(help: ArgumentHelp("Ingest every message of a maildir (new/ and cur/).", valueName: "dir")) var maildir: String?
    @Option(help: ArgumentHelp("Poll vendor log APIs as this YAML file says (see README, \"Polling\").", valueName: "config")) var poll: String?
    /// --positron (its enrichment rules ask about the new signals' artifacts in the background)
    /// and --secrets (for --poll and Positron's plugins). One option group with `taser query`
    /// and the console: an option the root command also declares must come from the same group.
    @OptionGroup var source: QueryCommand.Source
    @Option(help: ArgumentHelp("How far behind the newest signal of its kinds a signal may be and still be correlated live (4h, 1d); later ones are stored and counted, and `taser simulate` covers them.", valueName: "span"))
    var lateness = "6h"
    @Option(
        help: ArgumentHelp(
            "The largest record taser keeps (1KiB to 1GiB). A larger line, JSON event, CSV row or email is quarantined as its first 64 KiB, with its size.",
            valueName: "size"),
        transform: sizeOption(IngestLimits.recordRange))
    var maxRecord = IngestLimits.standard.maxRecord
    @Flag(help: "Print the summary as one JSON object.") var json = false

    func run() throws {
        let late = try span(lateness, "--lateness").ms
        let modes = [!files.isEmpty, watch != nil, maildir != nil, poll != nil].filter { $0 }.count
        guard modes == 1 else { throw CLIError("name what to ingest: FILE..., -, --watch DIR, --maildir DIR or --poll CONFIG (one of them)") }
        if try global.serverSocket() != nil, let remote = try global.api() as? RemoteEngine { return try ingestThroughTheDaemon(remote, lateness: late) }
        let engine = try global.engine()
        let ingester = try engine.ingester(mappings: mappingFiles(mappings), lateness: late)
        ingester.limits = IngestLimits(maxRecord: maxRecord)
        if let format, ingester.formats.named(format) == nil {
            throw CLIError("no format '\(format)'; formats are: \(ingester.formats.names.joined(separator: ", "))")
        }
        let enrichment = try startEnrichment(engine)
        var total = IngestSummary()
        if let watch {
            let folder = try DropFolder(path: watch, ingester: ingester)
            if once { folder.settleSeconds = 0 }
            let report: (DropFolder.Outcome) -> Void = { o in
                let what = o.alreadyIngested ? "already ingested" : o.summary.line
                Output.note("\(o.file): \(what) -> \(o.status == .done ? "done" : "failed")/")
            }
            if once {
                for o in try folder.sweep(report: report) { total.add(o.summary) }
            } else {
                Signals.installStopHandlers()
                Output.note("watching \(folder.path) every \(every); Ctrl-C stops")
                try folder.watch(every: every.seconds, stop: { Signals.stopRequested }, report: report)
                _ = finish(enrichment)
                return
            }
        } else if let poll {
            defer { _ = finish(enrichment) }
            try runPollers(poll, ingester: ingester)
            return
        } else if let maildir {
            total = try Maildir.ingest(maildir, with: ingester)
        } else {
            // Every file is opened before any is read: a typo in the last name costs nothing.
            let inputs = try files.map { file in
                do { return try FileInput(path: file) } catch { throw CLIError("\(error)") }
            }
            for (file, input) in zip(files, inputs) {
                let bar = ProgressBar(label: "records")
                let summary = try ingester.ingest(input, source: file == "-" ? "stdin" : file, format: format, progress: { bar.update($0, 0) })
                bar.finish()
                if files.count > 1 && !json { Output.note("\(file): \(summary.line)") }
                total.add(summary)
            }
        }
        try report(total, enriched: finish(enrichment))
    }

    /// The summary, as text or JSON; quarantined records make the exit status non-zero.
    func report(_ total: IngestSummary, enriched: EnrichmentPass?) throws {
        if json {
            Output.jsonLines([[
                "enrichment_queries": .int(Int64(enriched?.asked ?? 0)), "enrichment_answers": .int(Int64(enriched?.answers ?? 0)),
                "records": .int(Int64(total.records)), "stored": .int(Int64(total.stored)), "updated": .int(Int64(total.updated)),
                "duplicates": .int(Int64(total.duplicates)),
                "quarantined": .int(Int64(total.quarantined)), "quarantined_new": .int(Int64(total.quarantinedNew)),
                "quarantined_held": .int(Int64(total.quarantinedHeld)), "skipped": .int(Int64(total.skipped)),
                "skip_reasons": .array(total.skipReasons.map { .string($0) }), "kinds": .object(total.kinds.mapValues { .int(Int64($0)) }),
                "reasons": .array(total.reasons.map { .string($0) }),
                "alerts_created": .int(Int64(total.after.alertsCreated)), "alerts_updated": .int(Int64(total.after.alertsUpdated)),
                "late_signals": .int(Int64(total.after.lateSignals)), "peak_rss_bytes": .int(Int64(PeakMemory.bytes)),
            ]])
        } else {
            Output.line("Ingested: \(total.line)")
            for (kind, n) in total.kinds.sorted(by: { $0.key < $1.key }) { Output.line("  \(n)\t\(kind)") }
            for reason in total.reasons { Output.line("  quarantined \(reason)") }
            for reason in total.skipReasons { Output.line("  skipped \(reason)") }
            let live = total.after
            if live.alertsCreated + live.alertsUpdated > 0 {
                Output.line("Rules: \(live.alertsCreated) new alert\(live.alertsCreated == 1 ? "" : "s"), \(live.alertsUpdated) updated (see `taser alert list`)")
            }
            if live.lateSignals > 0 {
                Output.line("Rules: \(live.lateSignals) signal\(live.lateSignals == 1 ? "" : "s") came more than \(lateness) late and were not correlated live; `taser simulate` covers them")
            }
        }
        if total.quarantined > 0 {
            throw CLIError("\(total.quarantined) record\(total.quarantined == 1 ? "" : "s") quarantined; see `taser quarantine list`, fix, then `taser quarantine replay ID`")
        }
    }

    /// Team mode: the files are read here and their bytes streamed to the daemon, which ingests
    /// them with its own formats and mapping files, and enriches as `serve` does.
    func ingestThroughTheDaemon(_ remote: RemoteEngine, lateness: Int64) throws {
        guard watch == nil, maildir == nil, poll == nil else {
            throw CLIError("--watch, --maildir and --poll run where the files are, as the service account; through the daemon, ingest takes FILE... or -")
        }
        if !mappings.isEmpty { throw CLIError("--mapping is the daemon's: its admin names mapping files to taser serve; through the daemon, ingest uses those") }
        let inputs = try files.map { file in
            do { return try FileInput(path: file) } catch { throw CLIError("\(error)") }
        }
        var total = IngestSummary()
        for (file, input) in zip(files, inputs) {
            let summary = try remote.ingest(input, source: file == "-" ? "stdin" : file, format: format, maxRecord: maxRecord, lateness: lateness)
            if files.count > 1 && !json { Output.note("\(file): \(summary.line)") }
            total.add(summary)
        }
        try report(total, enriched: nil)
    }

    /// Automatic enrichment beside the ingest, when positron.yaml has enrichment rules. A broken
    /// default positron.yaml must not stop alerts coming in: it is reported and skipped; one
    /// named with --positron is an error.
    func startEnrichment(_ engine: Engine) throws -> EnrichmentWorker? {
        // Most ingests have no enrichment: they do not pay for loading plugins (table files,
        // the secrets file) to find that out.
        guard let path = source.path, PositronConfig.declaresEnrichment(path: path) else { return nil }
        let config: PositronConfig
        do { config = try source.load() } catch {
            if source.positron != nil { throw error }
            Output.note("warning: \(error); ingesting without enrichment")
            return nil
        }
        guard !config.enrichment.isEmpty else { return nil }
        let worker = EnrichmentWorker(engine: engine, positron: config.withTaser(engine.store))
        worker.start()
        return worker
    }

    /// Lets enrichment catch up with what was stored, and says what it did.
    func finish(_ worker: EnrichmentWorker?) -> EnrichmentPass? {
        guard let worker else { return nil }
        let (pass, problems) = worker.finish()
        for p in problems { Output.note("enrichment: \(p)") }
        if !json {
            Output.note("Enrichment: \(pass.asked) quer\(pass.asked == 1 ? "y" : "ies") about \(pass.signals) signal\(pass.signals == 1 ? "" : "s")' artifacts, \(pass.answers) answer\(pass.answers == 1 ? "" : "s") stored\(pass.failed > 0 ? ", \(pass.failed) refused by the ACL or not of the query's input type (see `taser query audit`)" : "")")
        }
        return pass
    }

    /// Polls each configured source: once with --once, else on each one's schedule until stopped.
    /// A failing poller is reported and retried next cycle; the others go on.
    func runPollers(_ path: String, ingester: Ingester) throws {
        let store = try SecretsFile.load(source.secrets)
        let pollers: [Poller]
        do {
            pollers = try PollerConfig.load(path: path, secrets: store).map { Poller(config: $0, ingester: ingester, secrets: store) }
        } catch let problem as Secrets.Problem { throw CLIError(problem.description) }
        var failures = 0
        func cycle(_ poller: Poller) {
            do {
                let summary = try poller.poll()
                Output.line("\(poller.config.name): \(summary.line)")
            } catch {
                failures += 1
                Output.error(poller.secrets.redact("\(error)", also: poller.config.secretValues))
            }
        }
        if once {
            pollers.forEach(cycle)
            if failures > 0 { throw CLIError("\(failures) of \(pollers.count) pollers failed") }
            return
        }
        Signals.installStopHandlers()
        Output.note("polling \(pollers.map(\.config.name).joined(separator: ", ")); Ctrl-C stops")
        var due = pollers.map { _ in Date.distantPast }
        while !Signals.stopRequested {
            for (n, poller) in pollers.enumerated() where Date() >= due[n] && !Signals.stopRequested {
                cycle(poller)
                due[n] = Date().addingTimeInterval(poller.config.every)
            }
            usleep(200_000)
        }
    }

}

/// SIGINT/SIGTERM ask long-running commands to stop between steps, never mid-transaction.
enum Signals {
    nonisolated(unsafe) static var stopRequested = false

    static func installStopHandlers() {
        signal(SIGINT) { _ in Signals.stopRequested = true }
        signal(SIGTERM) { _ in Signals.stopRequested = true }
        // A parent may have started us with them blocked (test harnesses, some supervisors);
        // then a stop would never arrive.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        sigaddset(&wanted, SIGINT)
        sigaddset(&wanted, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
    }
}

struct SignalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signals", abstract: "List stored signals, newest first, with their artifacts and roles.",
        discussion: """
            --where searches with the rule language's filter (a field test means what it means in a rule), plus kind and source as fields, free text in raw bodies (a quoted string or a bare word), and a time range at the end:
              taser signals --where 'host.name = "LT-KLOPE47" AND kind = cbc.alert SINCE 7d'
              taser signals --where '"invoice_8812.exe" AND NOT kind = sysmon'
              taser signals --where 'user.name IN ("jane.doe", "bob") OR source.ip IN "10.0.0.0/8" SINCE 2026-11-01 UNTIL 2026-11-08'
            The console's :search takes the same text.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("where"), help: "A search: filter, free text, SINCE/UNTIL (see below). Replaces --kind, --source, --since and --until.") var search: String?
    @Option(name: .customLong("kind"), help: "Only this kind: a name, display name or alias (repeat for more).") var kinds: [String] = []
    @Option(name: .customLong("source"), help: "Only this source: okta, duo, suricata, ... (repeat for more).") var sources: [String] = []
    @Option(help: "Only at or after this time (2026-11-01, 24h, 7d).") var since: String?
    @Option(help: "Only at or before this time.") var until: String?
    @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 50
    @Flag(help: "JSON Lines: one signal per line, with raw body and artifacts.") var json = false

    func run() throws {
        let engine = try global.api(create: false)
        if let search { return try run(search, engine) }
        let filter = SignalFilter(
            kinds: try kinds.map { try SignalKind.resolve($0, among: mappingKinds()).name }, sources: sources,
            since: try since.map { try parseTime($0, "--since") }, until: try until.map { try parseTime($0, "--until") }, limit: limit)
        list(try engine.signals(filter))
    }

    private func run(_ search: String, _ api: any TaserAPI) throws {
        let conflicting = [("--kind", !kinds.isEmpty), ("--source", !sources.isEmpty), ("--since", since != nil), ("--until", until != nil)]
            .filter(\.1).map(\.0)
        guard conflicting.isEmpty else {
            throw CLIError("--where holds the whole search; put \(conflicting.joined(separator: ", ")) in it: kind = cbc.alert, source = okta, SINCE 7d, UNTIL 2026-11-01")
        }
        let result: SearchResult
        do {
            // Embedded, kinds from the analyst's mapping files resolve too; through the daemon,
            // its own ingest decides which kinds exist.
            if let engine = api as? Engine {
                result = try engine.searchSignals(search, limit: limit, buckets: 1, mappingKinds: mappingKinds())
            } else {
                result = try api.searchSignals(search, limit: limit, buckets: 1)
            }
        } catch let error as RuleError {
            throw CLIError("--where: \(error)" + (error.excerpt.map { "\n" + $0 } ?? ""))
        }
        list(result.signals)
        if result.total > result.signals.count {
            Output.note("\(counted(result.total, "signal")) match; the newest \(result.signals.count) are shown (--limit for more)")
        }
    }

    private func list(_ items: [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])]) {
        if json { return Output.jsonLines(items.map { $0.signal.json(with: $0.artifacts) }) }
        guard !items.isEmpty else { return Output.note("no signals match") }
        for (s, artifacts) in items {
            Output.line("[\(s.id)] \(Output.when(s.time))  \(s.kind)  \(s.severity.name)  \(s.title)")
            if !artifacts.isEmpty {
                Output.line("      " + artifacts.map { "\($0.role) \($0.artifact.type.rawValue):\($0.artifact.shownValue)" }.joined(separator: "  "))
            }
        }
    }
}

struct SignalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signal", abstract: "One stored signal: its fields, artifacts and every revision's raw body.",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a signal as stored.",
            discussion: """
                A tool that updates an alert in place (Carbon Black Cloud's workflow status, GuardDuty's count) sends the same id with new content: that is a new revision of one signal. Its fields are the latest revision's; every revision's raw body is shown, oldest first.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The signal's id (from `taser signals`, an alert or a case).") var id: Int64
        @Flag(help: "JSON: the signal with its artifacts and earlier revisions.") var json = false

        func run() throws {
            let detail = try global.api(create: false).signalDetail(id)
            let (s, artifacts, revisions) = (detail.signal, detail.links, detail.revisions)
            let earlier = Array(revisions.dropLast())
            if json { return Output.jsonLines([s.json(with: artifacts, earlier: earlier)]) }
            Output.line("Signal \(s.id): \(s.title)")
            Output.line("  kind      \(s.kind)   severity \(s.severity.name)")
            Output.line("  time      \(Output.when(s.time))")
            Output.line("  source    \(s.source)   ref \(s.sourceRef)")
            Output.line("  revision  \(s.revision)\(s.revision > 1 ? " (updated by its tool; earlier bodies below)" : "")   ingested \(Output.when(s.ingestedAt))")
            Output.line("\nFields")
            for (key, value) in s.fields.sorted(by: { $0.key < $1.key }) {
                Output.line("  \(key) = \(value.stringValue ?? value.text)")
            }
            if !artifacts.isEmpty {
                Output.line("\nArtifacts")
                for a in artifacts {
                    Output.line("  \(a.role) \(a.artifact.type.rawValue):\(a.artifact.shownValue)")
                }
            }
            for r in revisions.reversed() {
                Output.line("\nRaw, revision \(r.revision) (ingested \(Output.when(r.ingestedAt)))")
                Output.line(r.raw)
            }
        }
    }
}

struct ArtifactsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts", abstract: "List artifacts, most recently seen first, with how many signals mention them.",
        discussion: "Pivot from one with `taser pivot VALUE`.")
    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("type"), help: "Only this type (repeat for more): \(ArtifactType.names).") var types: [String] = []
    @Option(help: "Only values containing this text.") var search: String?
    @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 100
    @Flag(help: "JSON Lines: one artifact per line.") var json = false

    func run() throws {
        let items = try global.api(create: false).artifacts(
            types: try types.map { try choice($0, "artifact type") }, containing: search, limit: limit)
        if json {
            return Output.jsonLines(items.map { item in
                var o = item.artifact.jsonObject
                o["signals"] = .int(Int64(item.signals))
                return .object(o)
            })
        }
        Output.table(
            ["TYPE", "SIGNALS", "FIRST SEEN", "LAST SEEN", "VALUE"],
            items.map {
                [$0.artifact.type.rawValue, String($0.signals), Output.when($0.artifact.firstSeen), Output.when($0.artifact.lastSeen), $0.artifact.shownValue]
            })
    }
}

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Input that could not be read: kept whole with the reason, replayable after a fix.",
        subcommands: [List.self, Show.self, Replay.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined input, newest first.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Include input already replayed.") var all = false
        @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 100
        @Flag(help: "JSON Lines: one item per line.") var json = false

        func run() throws {
            let items = try global.api(create: false).quarantined(all: all, limit: limit)
            if json { return Output.jsonLines(items.map(QuarantineCommand.json)) }
            guard !items.isEmpty else { return Output.note("nothing in quarantine") }
            Output.table(
                ["#", "RECEIVED", "WHERE", "FORMAT", "REASON"],
                items.map { [String($0.id), Output.when($0.receivedAt), $0.origin.isEmpty ? $0.source : $0.origin, $0.format ?? "-", $0.reason + ($0.replayedAt != nil ? " (replayed)" : "")] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one quarantined input with its raw bytes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The quarantine number.") var id: Int64
        @Flag(help: "Print only the raw bytes, exactly as received.") var raw = false

        func run() throws {
            let item = try global.api(create: false).quarantineItem(id)
            if raw {
                FileHandle.standardOutput.write(Data(item.raw))
                return
            }
            Output.line("Quarantined \(item.id): \(item.reason)")
            Output.line("  from      \(item.source)\(item.origin.isEmpty ? "" : " (\(item.origin))")")
            Output.line("  format    \(item.format ?? "not recognized")")
            Output.line("  received  \(Output.when(item.receivedAt))\(item.replayedAt.map { "   replayed \(Output.when($0))" } ?? "")")
            Output.line("  size      \(item.size) bytes" + (item.size > item.raw.count ? " (the first \(item.raw.count) are kept)" : ""))
            let text = String(decoding: item.raw.prefix(2000), as: UTF8.self)
            Output.line("\n" + text + (item.raw.count > 2000 ? "\n... (`--raw` prints all of it)" : ""))
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run quarantined input through ingest again, after a fix (a mapping file, --format).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The quarantine numbers.") var ids: [Int64]
        @Option(help: "Force this format.") var format: String?
        @Option(name: .customLong("mapping"), help: "A YAML mapping file (repeat for more).") var mappings: [String] = []

        func run() throws {
            // Through the daemon, its formats and mapping files replay.
            let replay: (Int64) throws -> IngestSummary
            if try global.serverSocket() != nil, let remote = try global.api() as? RemoteEngine {
                if !mappings.isEmpty { throw CLIError("--mapping is the daemon's: its admin names mapping files to taser serve; through the daemon, replay uses those") }
                replay = { try remote.replay($0, format: format) }
            } else {
                let engine = try global.engine()
                let ingester = try engine.ingester(mappings: mappingFiles(mappings))
                replay = { try engine.replay($0, format: format, with: ingester) }
            }
            var failed = 0
            for id in ids {
                let summary = try replay(id)
                Output.line("\(id): \(summary.line)")
                if summary.quarantined > 0 {
                    failed += 1
                    for reason in summary.reasons { Output.note("  still failing: \(reason)") }
                }
            }
            if failed > 0 { throw CLIError("\(failed) of \(ids.count) still quarantined") }
        }
    }

    static func json(_ item: QuarantineItem) -> JSONValue {
        [
            "id": .int(item.id), "received_at": .string(item.receivedAt.iso8601), "source": .string(item.source),
            "origin": .string(item.origin), "format": JSONValue(item.format), "reason": .string(item.reason),
            "size": .int(Int64(item.size)), "replayed_at": JSONValue(item.replayedAt),
            "raw": .string(String(decoding: item.raw.prefix(4096), as: UTF8.self)),
        ]
    }
}
