import Foundation
import Model

/// Reads an input into signals without storing them: framing, format detection and
/// normalizing exactly as ingest does, for `taser hunt`, which scans log files with a ruleset
/// and keeps nothing unless asked. Memory is a few framed pieces, whatever the input's size.
public enum EventReader {
    public struct Outcome: Sendable {
        public var records = 0
        public var signals = 0
        /// Records no format took or that their format refused, with the first few reasons.
        public var refused = 0
        public var reasons: [String] = []

        mutating func refuse(_ reason: String) {
            refused += 1
            if reasons.count < 5 { reasons.append(reason) }
        }

        mutating func add(_ other: Outcome) {
            records += other.records
            signals += other.signals
            refused += other.refused
            reasons += other.reasons.prefix(max(0, 5 - reasons.count))
        }
    }

    /// Each signal of the input to `each`, in input order, on the caller's thread.
    public static func read(
        _ input: ByteInput, name: String, formats: FormatRegistry, limits: IngestLimits = .standard,
        each: (Normalized) throws -> Void
    ) rethrows -> Outcome {
        var outcome = Outcome()
        let framing = Framer.open(input, name: name, hint: .auto, limits: limits, batchLines: 5_000)
        while let work = framing.next() {
            try read(work, name: name, formats: formats, limits: limits, into: &outcome, each)
        }
        return outcome
    }

    /// What `map` makes of each signal of the input, to `each` in input order on the caller's
    /// thread; the reading, normalizing and `map` done on `workers` threads at once, each
    /// taking the next framed piece (5,000 lines, 8 EVTX chunks), as ingest prepares its
    /// batches. A hunt matches its rules in `map`, so a large file is hunted on every core.
    public static func read<Found: Sendable>(
        _ input: ByteInput, name: String, formats: FormatRegistry, limits: IngestLimits = .standard, workers: Int,
        map: @escaping @Sendable (Normalized) -> [Found], each: (Found) throws -> Void
    ) rethrows -> Outcome {
        let framing = Framer.open(input, name: name, hint: .auto, limits: limits, batchLines: 5_000)
        var outcome = Outcome()
        guard workers > 1 else {
            while let work = framing.next() {
                try read(work, name: name, formats: formats, limits: limits, into: &outcome) { for f in map($0) { try each(f) } }
            }
            return outcome
        }
        try OrderedWork.run(
            next: { framing.next() }, workers: workers,
            prepare: { work -> (Outcome, [Found]) in
                var part = Outcome(), found: [Found] = []
                read(work, name: name, formats: formats, limits: limits, into: &part) { found += map($0) }
                return (part, found)
            },
            consume: { part, found in
                outcome.add(part)
                for f in found { try each(f) }
            })
        return outcome
    }

    /// The signals of one framed piece, counted into `outcome`.
    private static func read(
        _ work: Work, name: String, formats: FormatRegistry, limits: IngestLimits, into outcome: inout Outcome,
        _ each: (Normalized) throws -> Void
    ) rethrows {
        let rejected = try Framer.records(of: work, name: name, limits: limits) { record in
            outcome.records += 1
            guard let format = formats.detect(record) else {
                outcome.refuse("\(record.origin): no format recognizes it")
                return
            }
            let signals: [Normalized]
            do throws(NormalizeError) {
                signals = try format.normalize(record)
            } catch {
                if !error.isSkip { outcome.refuse("\(record.origin): \(error.reason)") }
                return
            }
            for s in signals {
                outcome.signals += 1
                try each(s)
            }
        }
        outcome.records += rejected.count
        for r in rejected { outcome.refuse("\(r.origin): \(r.reason)") }
    }
}
