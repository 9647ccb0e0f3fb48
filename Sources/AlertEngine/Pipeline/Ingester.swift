import Foundation
import Model
import Store

/// What an ingest did.
public struct IngestSummary: Sendable {
    public var records = 0
    public var stored = 0
    public var duplicates = 0
    public var quarantined = 0
    /// Signals stored per kind.
    public var kinds: [String: Int] = [:]
    /// The first few quarantine reasons, for the summary line.
    public var reasons: [String] = []
    /// CPU seconds spent framing, normalizing and extracting (all workers), and storing (the
    /// writer): where an ingest's time goes, for `taser bench ingest`.
    public var prepareCPU = 0.0
    public var storeCPU = 0.0
    /// What the batch hook (live correlation) did.
    public var after = BatchOutcome()

    public init() {}

    public mutating func add(_ other: IngestSummary) {
        records += other.records
        stored += other.stored
        duplicates += other.duplicates
        quarantined += other.quarantined
        prepareCPU += other.prepareCPU
        storeCPU += other.storeCPU
        after.add(other.after)
        for (k, n) in other.kinds { kinds[k, default: 0] += n }
        reasons += other.reasons.prefix(max(0, 5 - reasons.count))
    }
}

/// The one pipeline every source calls: frame -> detect -> normalize -> extract artifacts ->
/// store, in batches that are each one transaction (signals and quarantine together), so a
/// crash leaves a consistent database and a re-run stores exactly what is missing.
public final class Ingester: @unchecked Sendable {
    public let store: Store
    public let formats: FormatRegistry
    let extractor = ArtifactExtractor()
    let writer: SignalWriter
    public var batchSize = 20_000
    /// Runs inside each batch's transaction, after its signals are stored, with each input
    /// signal's stored id (nil: a duplicate). Live correlation hooks in here, so its alerts
    /// and outbox entries commit or roll back with the signals.
    public var afterBatch: ((Tx, [NewSignal], [Int64?]) throws -> BatchOutcome)?

    public init(store: Store, formats: FormatRegistry = .builtIn()) {
        self.store = store
        self.formats = formats
        self.writer = SignalWriter(store: store)
    }

    /// Everything needed to store one batch, prepared off the writer's thread.
    struct Prepared: Sendable {
        var signals: [NewSignal] = []
        var kinds: [String] = []
        var rejected: [Rejected] = []
        var records = 0
        var cpu = 0.0
    }

    /// Ingests one input (a file's bytes, stdin, a polled page). `source` names it in
    /// quarantine (`/var/log/okta.json`, `stdin`); `format` forces a format by name.
    public func ingest(
        _ bytes: [UInt8], source: String, format forced: String? = nil, hint: Framer.Hint = .auto,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> IngestSummary {
        if let forced, formats.named(forced) == nil {
            throw IngestError.unknownFormat(forced, known: formats.names)
        }
        let name = (source as NSString).lastPathComponent
        let hint = forced == "csv" ? .csv : forced == "email" ? .email : hint
        // Work items: chunks of lines framed by the workers themselves, or batches of records
        // a document, CSV file or mailbox was framed into up front.
        var work: [Work] = []
        switch Framer.plan(bytes, name: name, hint: hint) {
        case .lines(let all):
            work = Framer.chunks(all, lines: batchSize).map { Work.lines(all, $0.range, firstLine: $0.firstLine) }
        case .framed(let records, let rejected):
            if !rejected.isEmpty { work.append(.rejected(rejected)) }
            var start = 0
            while start < records.count {
                let end = min(start + batchSize, records.count)
                work.append(.records(Array(records[start..<end])))
                start = end
            }
        }
        var summary = IngestSummary()
        try OrderedWork.run(
            work,
            prepare: { [self] item -> Prepared in
                let start = ThreadCPU.seconds
                var prepared = prepare(item, name: name, forced: forced)
                prepared.cpu = ThreadCPU.seconds - start
                return prepared
            },
            consume: { prepared in
                let start = ThreadCPU.seconds
                try write(prepared, source: source, into: &summary)
                summary.storeCPU += ThreadCPU.seconds - start
                // Lines are counted only as they are framed, so the total is the batches' capacity.
                let done = summary.records + summary.quarantined
                progress?(done, max(done, work.count * batchSize))
            })
        return summary
    }

    private func prepare(_ item: Work, name: String, forced: String?) -> Prepared {
        switch item {
        case .lines(let all, let range, let firstLine):
            var prepared = Prepared()
            let rejected = Framer.frameLines(all[range], name: name, firstLine: firstLine) { record in
                prepare(record, forced: forced, into: &prepared)
            }
            prepared.rejected = rejected + prepared.rejected
            return prepared
        case .records(let records):
            return prepare(records[...], forced: forced)
        case .rejected(let rejected):
            return Prepared(rejected: rejected)
        }
    }

    enum Work: Sendable {
        case lines([UInt8], Range<Int>, firstLine: Int)
        case records([Record])
        case rejected([Rejected])
    }

    /// Normalizes records into signals with their artifacts, or rejects them with a reason.
    func prepare(_ records: ArraySlice<Record>, forced: String?) -> Prepared {
        var out = Prepared()
        for record in records { prepare(record, forced: forced, into: &out) }
        return out
    }

    private func prepare(_ record: Record, forced: String?, into out: inout Prepared) {
        out.records += 1
        let format = forced.flatMap(formats.named) ?? formats.detect(record)
        // An API page on one line (`{"results": [...]}`): its elements are the events, taken
        // in their place.
        if format == nil, record.json != nil, let inner = Framer.frameDocument(Array(record.raw.utf8), name: record.origin),
            inner.records.count > 1 || inner.records.first?.raw != record.raw
        {
            out.records -= 1
            out.rejected += inner.rejected
            for element in inner.records { prepare(element, forced: forced, into: &out) }
            return
        }
        guard let format else {
            out.rejected.append(Rejected(
                origin: record.origin, format: nil,
                reason: "no format recognizes this record; force one with --format (\(formats.names.joined(separator: ", "))) or add a mapping file",
                raw: record.quarantineBytes))
            return
        }
        do {
            for n in try format.normalize(record) {
                out.signals.append(NewSignal(
                    time: n.time, source: n.source, sourceRef: n.sourceRef ?? SignalWriter.contentRef(n.raw), kind: n.kind.name, severity: n.severity, title: n.title,
                    fields: n.fields, raw: n.raw, artifacts: extractor.artifacts(of: n)))
                out.kinds.append(n.kind.name)
            }
        } catch {
            out.rejected.append(Rejected(origin: record.origin, format: format.name, reason: error.reason, raw: record.quarantineBytes))
        }
    }

    func write(_ prepared: Prepared, source: String, into summary: inout IngestSummary) throws {
        guard !prepared.signals.isEmpty || !prepared.rejected.isEmpty else { return }
        let now = Timestamp.now
        let (result, after) = try store.write { tx in
            for r in prepared.rejected {
                try tx.quarantine(source: source, origin: r.origin, format: r.format, reason: r.reason, raw: r.raw, at: now)
            }
            let result = try writer.write(prepared.signals, in: tx)
            let after = try afterBatch?(tx, prepared.signals, result.ids) ?? BatchOutcome()
            return (result, after)
        }
        var batch = IngestSummary()
        batch.records = prepared.records
        batch.quarantined = prepared.rejected.count
        batch.prepareCPU = prepared.cpu
        batch.after = after
        batch.reasons = prepared.rejected.prefix(5).map { "\($0.origin): \($0.reason)" }
        for (id, kind) in zip(result.ids, prepared.kinds) {
            if id != nil {
                batch.stored += 1
                batch.kinds[kind, default: 0] += 1
            } else {
                batch.duplicates += 1
            }
        }
        summary.add(batch)
    }
}

public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownFormat(String, known: [String])
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFormat(let name, let known): "no format '\(name)'; formats are: \(known.joined(separator: ", "))"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}

/// What a batch hook did: alerts live correlation created or updated, and signals that came
/// later than it waits for (stored, counted, left to the next simulation).
public struct BatchOutcome: Sendable {
    public var alertsCreated = 0
    public var alertsUpdated = 0
    public var lateSignals = 0

    public init(alertsCreated: Int = 0, alertsUpdated: Int = 0, lateSignals: Int = 0) {
        self.alertsCreated = alertsCreated
        self.alertsUpdated = alertsUpdated
        self.lateSignals = lateSignals
    }

    public mutating func add(_ other: BatchOutcome) {
        alertsCreated += other.alertsCreated
        alertsUpdated += other.alertsUpdated
        lateSignals += other.lateSignals
    }
}

/// The calling thread's CPU time, which unlike wall time is not inflated when the writer and
/// the workers share the cores.
enum ThreadCPU {
    static var seconds: Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
