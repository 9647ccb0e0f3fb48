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
    ) throws -> Outcome {
        try read([Source(name: name) { input }], formats: formats, limits: limits, workers: 1, map: { signal, _ in [signal] }, each: each)[0]
    }

    /// One input of a read of several: its name (formats are told by it, `.gz` read as gzip)
    /// and how to open it, which is done when the read comes to it.
    public struct Source {
        public var name: String
        public var open: () throws(InputFailure) -> ByteInput

        public init(name: String, open: @escaping () throws(InputFailure) -> ByteInput) {
            self.name = name
            self.open = open
        }
    }

    /// What `map` makes of each signal of the inputs (with the input's number), to `each` in
    /// input order on the caller's thread; the reading, normalizing and `map` done on `workers`
    /// threads at once, each taking the next framed piece (5,000 lines, 8 EVTX chunks) of
    /// whichever input the read has come to, as ingest prepares its batches. A hunt matches its
    /// rules in `map`, so a large file is hunted on every core, and so are many small ones.
    /// An input that cannot be opened stops the read there: its failure is thrown once what
    /// came before it has been handed over. One outcome per input.
    public static func read<Found: Sendable>(
        _ sources: [Source], formats: FormatRegistry, limits: IngestLimits = .standard, workers: Int,
        map: @escaping @Sendable (consuming Normalized, Int) -> [Found], each: (Found) throws -> Void
    ) throws -> [Outcome] {
        let pieces = Pieces(sources, limits: limits)
        var outcomes = [Outcome](repeating: Outcome(), count: sources.count)
        let names = sources.map(\.name)
        if workers <= 1 {
            while let (source, work) = pieces.next() {
                try read(work, name: names[source], formats: formats, limits: limits, into: &outcomes[source]) { signal in
                    for f in map(consume signal, source) { try each(f) }
                }
            }
        } else {
            try OrderedWork.run(
                next: { pieces.next() }, workers: workers,
                prepare: { source, work -> (Int, Outcome, [Found]) in
                    var part = Outcome(), found: [Found] = []
                    read(work, name: names[source], formats: formats, limits: limits, into: &part) { signal in found += map(consume signal, source) }
                    return (source, part, found)
                },
                consume: { source, part, found in
                    outcomes[source].add(part)
                    for f in found { try each(f) }
                })
        }
        if let failure = pieces.failure { throw failure }
        return outcomes
    }

    /// The framed pieces of the inputs, one input after another, each opened when the one
    /// before is done. Called by one thread at a time (`OrderedWork` serializes `next`).
    private final class Pieces {
        let sources: [Source]
        let limits: IngestLimits
        var current = -1
        var framing: Framing?
        /// Why an input could not be opened (its reason names it); no piece is read after it.
        var failure: InputFailure?

        init(_ sources: [Source], limits: IngestLimits) {
            self.sources = sources
            self.limits = limits
        }

        func next() -> (Int, Work)? {
            while failure == nil {
                if let framing, let work = framing.next() { return (current, work) }
                current += 1
                guard current < sources.count else { return nil }
                do {
                    framing = Framer.open(try sources[current].open(), name: sources[current].name, hint: .auto, limits: limits, batchLines: 5_000)
                } catch {
                    failure = error
                }
            }
            return nil
        }
    }

    /// The signals of one framed piece, counted into `outcome`.
    private static func read(
        _ work: Work, name: String, formats: FormatRegistry, limits: IngestLimits, into outcome: inout Outcome,
        _ each: (consuming Normalized) throws -> Void
    ) rethrows {
        let rejected = try Framer.records(of: work, name: name, limits: limits, windowsEvents: formats.readsWindowsEventLines) { record in
            outcome.records += 1
            guard let format = formats.detect(record) else {
                outcome.refuse("\(record.origin): no format recognizes it")
                return
            }
            var signals: [Normalized] = []
            let one: Normalized?
            do throws(NormalizeError) {
                one = try format.normalizeOne(record)
                if one == nil { signals = try format.normalize(record) }
            } catch {
                if !error.isSkip { outcome.refuse("\(record.origin): \(error.reason)") }
                return
            }
            if let one = consume one {
                outcome.signals += 1
                try each(one)
                return
            }
            // Each moved out of the array and handed on, in order: a signal left in the array
            // (or copied by a `for in`) shares its fields, and the first field `map` adds (a
            // hunt's ECS names) then copied all of them.
            signals.reverse()
            while let signal = signals.popLast() {
                outcome.signals += 1
                try each(signal)
            }
        }
        outcome.records += rejected.count
        for r in rejected { outcome.refuse("\(r.origin): \(r.reason)") }
    }
}
