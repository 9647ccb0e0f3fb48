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
    }

    /// Each signal of the input to `each`, in input order.
    public static func read(
        _ input: ByteInput, name: String, formats: FormatRegistry, limits: IngestLimits = .standard,
        each: (Normalized) throws -> Void
    ) rethrows -> Outcome {
        var outcome = Outcome()
        func refuse(_ reason: String) {
            outcome.refused += 1
            if outcome.reasons.count < 5 { outcome.reasons.append(reason) }
        }
        let framing = Framer.open(input, name: name, hint: .auto, limits: limits, batchLines: 5_000)
        while let work = framing.next() {
            let rejected = try Framer.records(of: work, name: name, limits: limits) { record in
                outcome.records += 1
                guard let format = formats.detect(record) else {
                    refuse("\(record.origin): no format recognizes it")
                    return
                }
                let signals: [Normalized]
                do throws(NormalizeError) {
                    signals = try format.normalize(record)
                } catch {
                    if !error.isSkip { refuse("\(record.origin): \(error.reason)") }
                    return
                }
                for s in signals {
                    outcome.signals += 1
                    try each(s)
                }
            }
            outcome.records += rejected.count
            for r in rejected { refuse("\(r.origin): \(r.reason)") }
        }
        return outcome
    }
}
