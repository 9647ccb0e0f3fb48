import Foundation
import Model
import Store

/// One small input (a webhook request's body) framed and normalized, ready to be committed
/// with others: a server prepares each request on its own task, then one writer commits many
/// at once, so thousands of requests a second cost a few transactions, not thousands.
public struct PreparedInput: Sendable {
    let prepared: Ingester.Prepared
    /// Names the input in quarantine (`webhook:okta`).
    public let source: String
    public var records: Int { prepared.records }
    /// The (source, source_ref) identity of each signal it holds.
    public var identities: [(source: String, ref: String)] {
        prepared.signals.map { ($0.source, $0.sourceRef ?? SignalWriter.contentRef($0.raw)) }
    }
    public var rejected: Int { prepared.rejected.count }
    /// The first few reasons records were rejected, with where.
    public var reasons: [String] { prepared.rejected.prefix(5).map { "\($0.origin): \($0.reason)" } }
    /// True when nothing in it was readable as JSON at all (the whole body is one rejection).
    public let unreadable: Bool
}

/// What committing one input did.
public struct InputOutcome: Sendable {
    public var summary: IngestSummary
    /// Ids of the signals this input added.
    public var stored: [Int64]
    /// Ids of signals it carried that were already stored (by this input, another one or an
    /// earlier run): the same event sent twice is one signal.
    public var duplicates: [Int64]
    /// Ids of stored signals it gave a new revision (same identity, different content).
    public var updated: [Int64] = []
}

extension Ingester {
    /// What one request's gzip body may inflate to.
    public static let requestInflation = 64 << 20

    /// Frames and normalizes one input off the writer's thread. `name` stands in for a file
    /// name in origins (`okta:1`); `hint` says what the sender declared (CSV, email).
    public func prepareInput(_ bytes: [UInt8], source: String, name: String, format forced: String? = nil, hint: Framer.Hint = .auto) throws -> PreparedInput {
        if let forced, formats.named(forced) == nil {
            throw IngestError.unknownFormat(forced, known: formats.names)
        }
        let hint = forced == "csv" ? .csv : forced == "email" ? .email : hint
        // A request is framed whole in memory: its body is bounded by serve, and what a gzip
        // body may inflate to is bounded here, far below a file's cap.
        var bounded = limits
        bounded.maxInflated = min(limits.maxInflated, Ingester.requestInflation)
        let framed = Framer.frame(bytes, name: name, hint: hint, limits: bounded)
        var prepared = prepare(framed.records[...], forced: forced)
        prepared.rejected = framed.rejected + prepared.rejected
        prepared.records += framed.rejected.count
        return PreparedInput(prepared: prepared, source: source, unreadable: false)
    }

    /// An input refused whole before framing (malformed JSON, a content type no format reads):
    /// committed like any other, so its bytes land in quarantine with the reason.
    public func rejectedInput(_ bytes: [UInt8], source: String, origin: String, format: String? = nil, reason: String) -> PreparedInput {
        let kept = Array(bytes.prefix(limits.maxRecord))
        let rejected = Rejected(origin: origin, format: format, reason: reason, raw: kept, sampledFrom: kept.count < bytes.count ? bytes.count : nil)
        return PreparedInput(prepared: Prepared(rejected: [rejected], records: 1), source: source, unreadable: true)
    }

    /// Commits prepared inputs in one transaction: their signals, their rejections into
    /// quarantine, and the batch hook (live correlation) over all their new signals. Call it
    /// from one thread at a time (the signal writer's cache is not shared).
    public func commit(_ inputs: [PreparedInput]) throws -> [InputOutcome] {
        let now = Timestamp.now
        let all = inputs.flatMap(\.prepared.signals)
        let (result, existing, after, held) = try store.write { tx in
            var held: [Int] = []
            for input in inputs {
                var n = 0
                for r in input.prepared.rejected {
                    if !(try tx.quarantine(source: input.source, origin: r.origin, format: r.format, reason: r.reason, raw: r.raw, sampledFrom: r.sampledFrom, at: now)) { n += 1 }
                }
                held.append(n)
            }
            let result = try writer.write(all, in: tx)
            let after = try afterBatch?(tx, all, result) ?? BatchOutcome()
            var existing: [Int: Int64] = [:]
            for (n, id) in result.ids.enumerated() where id == nil && result.updated[n] == nil {
                let s = all[n]
                existing[n] = try tx.signalID(source: s.source, sourceRef: s.sourceRef ?? SignalWriter.contentRef(s.raw))
            }
            return (result, existing, after, held)
        }
        var outcomes: [InputOutcome] = []
        var n = 0
        for (i, input) in inputs.enumerated() {
            var summary = IngestSummary()
            summary.records = input.prepared.records
            summary.normalized = input.prepared.places.count
            summary.skipped = input.prepared.skipped
            summary.skipReasons = input.prepared.skipReasons
            summary.quarantined = input.prepared.rejected.count
            summary.quarantinedHeld = held[i]
            summary.quarantinedNew = input.prepared.rejected.count - held[i]
            summary.reasons = input.reasons
            // The batch's rule outcome is reported once, with the first input.
            if i == 0 { summary.after = after }
            var stored: [Int64] = [], duplicates: [Int64] = [], updated: [Int64] = []
            for kind in input.prepared.kinds {
                if let id = result.ids[n] {
                    stored.append(id)
                    summary.stored += 1
                    summary.kinds[kind, default: 0] += 1
                } else if let id = result.updated[n] {
                    updated.append(id)
                    summary.updated += 1
                } else {
                    summary.duplicates += 1
                    if let id = existing[n] { duplicates.append(id) }
                }
                n += 1
            }
            outcomes.append(InputOutcome(summary: summary, stored: stored, duplicates: duplicates, updated: updated))
        }
        return outcomes
    }
}
