import AlertEngine
import Foundation
import Model
import Store

/// Taking alerts in: every source (files, stdin, drop folders, maildirs, pollers and later the
/// webhook server) goes through one `Ingester`. Ingest is not case-scoped: anyone who may write
/// the database may feed it, and signals are readable by every analyst.
extension Engine {
    /// How late a signal may come (behind the newest of its kinds) and still be correlated live.
    public static let defaultLateness: Int64 = 6 * 3_600_000

    /// The pipeline with the built-in formats and the given mapping files (which take
    /// precedence for the JSON they match), running the enabled rules over every batch; alerts
    /// sent in TheHive's shape become alerts as they are stored.
    public func ingester(mappings: [String] = [], lateness: Int64 = Engine.defaultLateness) throws -> Ingester {
        let formats = try mappings.map { try MappingFormat.load(path: $0) }
        let ingester = Ingester(store: store, formats: .builtIn(mappings: formats))
        let live = try liveCorrelation(lateness: lateness)
        let clock = self.clock
        ingester.afterBatch = { tx, signals, result in
            let now = clock()
            var outcome = try live?.run(tx, signals, result.ids, at: now) ?? BatchOutcome()
            outcome.alertsUpdated += try LiveCorrelation.revise(tx, updated: result.updatedSignals, at: now)
            outcome.alertsCreated += try Engine.raiseTheHiveAlerts(tx, signals, result.ids, at: now)
            return outcome
        }
        return ingester
    }

    public func signals(_ filter: SignalFilter) throws -> [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])] {
        try read { tx in try tx.signals(filter).map { ($0, try tx.artifacts(ofSignal: $0.id)) } }
    }

    /// One signal as stored: its latest revision, the artifacts it names, and every revision's
    /// raw body (oldest first; one entry for a signal never updated).
    public func signal(_ id: Int64) throws -> (signal: Signal, artifacts: [(artifact: Artifact, role: String)], revisions: [SignalRevision]) {
        try read { tx in
            guard let signal = try tx.signal(id) else {
                throw EngineError.invalid("no signal \(id); list them with `taser signals`")
            }
            return (signal, try tx.artifacts(ofSignal: id), try tx.revisions(ofSignal: id))
        }
    }

    public func artifacts(types: [ArtifactType] = [], containing value: String? = nil, limit: Int = 100) throws -> [ArtifactCount] {
        try read { tx in try tx.artifactCounts(types: types, value: value, limit: limit, visibleTo: actor) }
    }

    public func quarantined(all: Bool = false, limit: Int = 100) throws -> [QuarantineItem] {
        try read { tx in try tx.quarantined(pending: !all, limit: limit) }
    }

    public func quarantineItem(_ id: Int64) throws -> QuarantineItem {
        guard let item = try read({ tx in try tx.quarantineItem(id) }) else {
            throw EngineError.invalid("no quarantined input \(id); list them with `taser quarantine list`")
        }
        return item
    }

    /// Runs quarantined input through the pipeline again (after a fix: a mapping file, a
    /// forced format). It is marked replayed only when nothing of it is quarantined again.
    public func replay(_ id: Int64, format: String? = nil, with ingester: Ingester) throws -> IngestSummary {
        let item = try quarantineItem(id)
        guard item.replayedAt == nil else { throw EngineError.invalid("quarantined input \(id) was already replayed") }
        if let size = item.sampledFrom, size > item.raw.count {
            throw EngineError.invalid(
                "quarantined input \(id) holds only the first \(item.raw.count) of its \(size) bytes (it was over the record limit), so it cannot be replayed; ingest the original again with a larger --max-record")
        }
        // A CSV row is kept with its header line; read it as CSV whatever its source was named
        // (`stdin` with `--format csv`).
        let summary = try ingester.ingest(item.raw, source: item.source, format: format ?? (item.format == "csv" ? "csv" : nil))
        if summary.quarantined == 0 {
            try store.write { tx in try tx.markReplayed(id, at: clock()) }
        }
        return summary
    }
}
