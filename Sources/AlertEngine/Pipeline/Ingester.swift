import Foundation
import Model
import Store

/// What an ingest did. Every record framed ends one way: its signals stored (or found stored
/// already), quarantined, or skipped (a format read it and found no event in it, such as a
/// Suricata `stats` line), so `records == normalized + quarantined + skipped` always holds.
public struct IngestSummary: Codable, Sendable {
    /// Records framed, including the pieces refused before they could be records.
    public var records = 0
    /// Records that became signals.
    public var normalized = 0
    public var stored = 0
    /// Signals stored before that came again with different content: a new revision each.
    public var updated = 0
    /// Signals stored before that came again unchanged.
    public var duplicates = 0
    /// Records refused this time (framing, normalizing or storing), whether quarantine held
    /// their bytes already or not.
    public var quarantined = 0
    /// Of those, how many quarantine rows this ingest added, and how many it already held
    /// (the same bytes from the same source, refused before).
    public var quarantinedNew = 0
    public var quarantinedHeld = 0
    /// Signals the records gave, each stored, an update of one stored, or a duplicate.
    public var signals: Int { stored + updated + duplicates }
    /// Records a format read and found nothing to keep in.
    public var skipped = 0
    /// The first few of them, with where and why.
    public var skipReasons: [String] = []
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

    /// Every record is accounted for: stored or duplicate (as signals), quarantined or skipped.
    public var isAccountedFor: Bool {
        records == normalized + quarantined + skipped && quarantined == quarantinedNew + quarantinedHeld
    }

    /// `4 stored, 1 updated, 0 duplicate, 0 quarantined, 1 skipped`: the one way every
    /// command and the drop folder say what an ingest did.
    public var line: String {
        let held = quarantinedHeld > 0 ? " (\(quarantinedHeld) held already)" : ""
        let updates = updated > 0 ? ", \(updated) updated" : ""
        let skips = skipped > 0 ? ", \(skipped) skipped" : ""
        return "\(stored) stored\(updates), \(duplicates) duplicate, \(quarantined) quarantined\(held)\(skips)"
    }

    public mutating func add(_ other: IngestSummary) {
        records += other.records
        normalized += other.normalized
        stored += other.stored
        updated += other.updated
        duplicates += other.duplicates
        quarantined += other.quarantined
        quarantinedNew += other.quarantinedNew
        quarantinedHeld += other.quarantinedHeld
        skipped += other.skipped
        prepareCPU += other.prepareCPU
        storeCPU += other.storeCPU
        after.add(other.after)
        for (k, n) in other.kinds { kinds[k, default: 0] += n }
        reasons += other.reasons.prefix(max(0, 5 - reasons.count))
        skipReasons += other.skipReasons.prefix(max(0, 5 - skipReasons.count))
    }
}

/// The one pipeline every source calls: frame -> detect -> normalize -> extract artifacts ->
/// store, in batches that are each one transaction (signals and quarantine together), so a
/// crash leaves a consistent database and a re-run stores exactly what is missing.
///
/// Input is read as it is framed, a block at a time: a few batches are in memory at once,
/// whatever the input's size. A batch the database refuses is stored again record by record,
/// so the one record at fault is quarantined with the reason and the others are kept.
public final class Ingester: @unchecked Sendable {
    public let store: Store
    public let formats: FormatRegistry
    let extractor = ArtifactExtractor()
    let writer: SignalWriter
    /// Lines per batch (one transaction); a batch also stops at 2 MiB of input.
    public var batchSize = 20_000
    /// The largest record, gzip's inflation cap, the quarantine sample.
    public var limits = IngestLimits.standard
    /// Runs inside each batch's transaction, after its signals are stored, with what the
    /// writer did with each (new, updated, duplicate). Live correlation hooks in here, so its
    /// alerts and outbox entries commit or roll back with the signals.
    public var afterBatch: ((Tx, [NewSignal], SignalWriter.Result) throws -> BatchOutcome)?

    public init(store: Store, formats: FormatRegistry = .builtIn()) {
        self.store = store
        self.formats = formats
        self.writer = SignalWriter(store: store)
    }

    /// Everything needed to store one batch, prepared off the writer's thread.
    struct Prepared: Sendable {
        var signals: [NewSignal] = []
        var kinds: [String] = []
        /// For each signal, the record it came from (an index into `places`), so a record the
        /// database refuses can be quarantined alone.
        var recordOf: [Int] = []
        var places: [Place] = []
        var rejected: [Rejected] = []
        var records = 0
        var skipped = 0
        var skipReasons: [String] = []
        var cpu = 0.0
    }

    /// Where a record that became signals was, and which format read it.
    struct Place: Sendable {
        var origin: String
        var format: String
    }

    /// Ingests bytes in memory (a polled page, a quarantined item, a test's input).
    public func ingest(
        _ bytes: [UInt8], source: String, format forced: String? = nil, hint: Framer.Hint = .auto
    ) throws -> IngestSummary {
        try ingest(BytesInput(bytes), source: source, format: forced, hint: hint)
    }

    /// Ingests one input as it is read (a file, stdin). `source` names it in quarantine
    /// (`/var/log/okta.json`, `stdin`); `format` forces a format by name. `progress` is told
    /// how many records are done.
    public func ingest(
        _ input: ByteInput, source: String, format forced: String? = nil, hint: Framer.Hint = .auto,
        progress: ((Int) -> Void)? = nil
    ) throws -> IngestSummary {
        if let forced, formats.named(forced) == nil {
            throw IngestError.unknownFormat(forced, known: formats.names)
        }
        let name = (source as NSString).lastPathComponent
        let hint = forced == "csv" ? .csv : forced == "email" ? .email : hint
        let framing = Framer.open(input, name: name, hint: hint, limits: limits, batchLines: batchSize)
        var summary = IngestSummary()
        let limits = self.limits
        try OrderedWork.run(
            next: { framing.next() },
            prepare: { [self] item -> Prepared in
                let start = ThreadCPU.seconds
                var prepared = prepare(item, name: name, forced: forced, limits: limits)
                prepared.cpu = ThreadCPU.seconds - start
                return prepared
            },
            consume: { prepared in
                let start = ThreadCPU.seconds
                try write(prepared, source: source, into: &summary)
                summary.storeCPU += ThreadCPU.seconds - start
                progress?(summary.records)
            })
        return summary
    }

    private func prepare(_ item: Work, name: String, forced: String?, limits: IngestLimits) -> Prepared {
        var prepared = Prepared()
        switch item {
        case .lines(let bytes, let firstLine):
            // A forced format reads evtx_dump's lines as Windows events only if it is Windows'.
            let windowsEvents = forced.map { formats.named($0) is WindowsEventFormat } ?? formats.readsWindowsEventLines
            let rejected = Framer.frameLines(bytes[...], name: name, firstLine: firstLine, limits: limits, windowsEvents: windowsEvents) { record in
                prepare(record, forced: forced, into: &prepared)
            }
            prepared.rejected = rejected + prepared.rejected
            prepared.records += rejected.count
        case .records(let records):
            for record in records { prepare(record, forced: forced, into: &prepared) }
        case .evtx(let chunks):
            let got = chunks.frame()
            for record in got.records { prepare(record, forced: forced, into: &prepared) }
            prepared.records += got.rejected.count
            prepared.rejected += got.rejected
        case .documents(let events):
            for event in events {
                switch Framer.parseEvent(event) {
                case .record(let record): prepare(record, forced: forced, into: &prepared)
                case .refused(let refusal):
                    prepared.records += 1
                    prepared.rejected.append(refusal)
                }
            }
        case .rejected(let rejected):
            prepared.records = rejected.count
            prepared.rejected = rejected
        }
        return prepared
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
            out.records += inner.rejected.count
            out.rejected += inner.rejected
            for element in inner.records { prepare(element, forced: forced, into: &out) }
            return
        }
        // An API page with nothing in it (`{"findings": []}`, Duo's empty `authlogs`): an
        // empty batch, not an event no format knows.
        if format == nil, let json = record.json, let empty = Framer.emptyEnvelope(json) {
            out.skipped += 1
            if out.skipReasons.count < 5 { out.skipReasons.append("\(record.origin): an empty batch (\(empty): [])") }
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
            let signals = try format.normalize(record)
            guard !signals.isEmpty else {
                out.skipped += 1
                return
            }
            let place = out.places.count
            out.places.append(Place(origin: record.origin, format: format.name))
            for var n in signals {
                ECS.tidy(&n.fields)
                let raw = n.raw  // written once (an EVTX record's is written from its JSON here)
                var signal = NewSignal(
                    time: n.time, source: n.source, sourceRef: n.sourceRef ?? SignalWriter.contentRef(raw), kind: n.kind.name, severity: n.severity, title: n.title,
                    fields: n.fields, raw: raw, artifacts: extractor.artifacts(of: n))
                signal.identifiers = Identifier.ofUser(
                    name: n.fields["user.name"]?.stringValue, email: n.fields["user.email"]?.stringValue, id: n.fields["user.id"]?.stringValue)
                out.signals.append(signal)
                out.kinds.append(n.kind.name)
                out.recordOf.append(place)
            }
        } catch where error.isSkip {
            out.skipped += 1
            if out.skipReasons.count < 5 { out.skipReasons.append("\(record.origin): \(error.reason)") }
        } catch {
            out.rejected.append(Rejected(origin: record.origin, format: format.name, reason: error.reason, raw: record.quarantineBytes))
        }
    }

    /// Stores a prepared batch in one transaction; if the database refuses it, record by record.
    func write(_ prepared: Prepared, source: String, into summary: inout IngestSummary) throws {
        guard !prepared.signals.isEmpty || !prepared.rejected.isEmpty || prepared.skipped > 0 else { return }
        do {
            summary.add(try writeBatch(prepared, source: source))
        } catch {
            guard prepared.places.count + prepared.rejected.count > 1 else {
                summary.add(try quarantineWhole(prepared, source: source, after: error))
                return
            }
            for part in split(prepared) {
                do {
                    summary.add(try writeBatch(part, source: source))
                } catch {
                    summary.add(try quarantineWhole(part, source: source, after: error))
                }
            }
        }
    }

    private func writeBatch(_ prepared: Prepared, source: String) throws -> IngestSummary {
        let now = Timestamp.now
        let (result, after, held) = try store.write { tx in
            var held = 0
            for r in prepared.rejected {
                if !(try tx.quarantine(source: source, origin: r.origin, format: r.format, reason: r.reason, raw: r.raw, sampledFrom: r.sampledFrom, at: now)) { held += 1 }
            }
            let result = try writer.write(prepared.signals, in: tx)
            let after = try afterBatch?(tx, prepared.signals, result) ?? BatchOutcome()
            return (result, after, held)
        }
        var batch = IngestSummary()
        batch.records = prepared.records
        batch.normalized = prepared.places.count
        batch.skipped = prepared.skipped
        batch.skipReasons = prepared.skipReasons
        batch.quarantined = prepared.rejected.count
        batch.quarantinedHeld = held
        batch.quarantinedNew = prepared.rejected.count - held
        batch.prepareCPU = prepared.cpu
        batch.after = after
        batch.reasons = prepared.rejected.prefix(5).map { "\($0.origin): \($0.reason)" }
        for (n, kind) in prepared.kinds.enumerated() {
            if result.ids[n] != nil {
                batch.stored += 1
                batch.kinds[kind, default: 0] += 1
            } else if result.updated[n] != nil {
                batch.updated += 1
            } else {
                batch.duplicates += 1
            }
        }
        return batch
    }

    /// The batch one piece at a time: each record with its signals, each refusal alone.
    private func split(_ prepared: Prepared) -> [Prepared] {
        var parts: [Prepared] = []
        var i = 0
        for (place, where_) in prepared.places.enumerated() {
            var part = Prepared(places: [where_], records: 1)
            while i < prepared.signals.count, prepared.recordOf[i] == place {
                part.signals.append(prepared.signals[i])
                part.kinds.append(prepared.kinds[i])
                part.recordOf.append(0)
                i += 1
            }
            parts.append(part)
        }
        for r in prepared.rejected { parts.append(Prepared(rejected: [r], records: 1)) }
        if prepared.skipped > 0 { parts.append(Prepared(records: prepared.skipped, skipped: prepared.skipped, skipReasons: prepared.skipReasons)) }
        parts[0].cpu = prepared.cpu
        return parts
    }

    /// One record the database would not store: quarantined with the database's reason. If
    /// quarantine cannot be written either, the database itself is the problem (full, read
    /// only): the ingest stops with the first error.
    private func quarantineWhole(_ part: Prepared, source: String, after error: Error) throws -> IngestSummary {
        let reason = "could not be stored: \(error)"
        var refused = part.rejected
        if let place = part.places.first {
            let raw = Array(part.signals.map(\.raw).joined(separator: "\n").utf8)
            refused.append(Rejected(origin: place.origin, format: place.format, reason: reason, raw: raw))
        }
        let now = Timestamp.now
        let held: Int
        do {
            held = try store.write { tx in
                var held = 0
                for r in refused {
                    let bounded = Array(r.raw.prefix(limits.maxRecord))
                    if !(try tx.quarantine(source: source, origin: r.origin, format: r.format, reason: r.reason, raw: bounded, sampledFrom: bounded.count < r.raw.count ? r.raw.count : r.sampledFrom, at: now)) { held += 1 }
                }
                return held
            }
        } catch _ {
            throw error
        }
        var summary = IngestSummary()
        summary.records = part.records
        summary.skipped = part.skipped
        summary.quarantined = refused.count
        summary.quarantinedHeld = held
        summary.quarantinedNew = refused.count - held
        summary.prepareCPU = part.cpu
        summary.reasons = refused.prefix(5).map { "\($0.origin): \($0.reason)" }
        return summary
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
public struct BatchOutcome: Codable, Sendable {
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
public enum ThreadCPU {
    public static var seconds: Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
