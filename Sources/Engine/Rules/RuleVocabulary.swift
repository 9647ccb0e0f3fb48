import Foundation
import Model
import Store

/// What the rule editor offers as the analyst types, read from the stored signals. Signals are
/// every analyst's (as in `signals(_:)`), so these need no access check. Every query is
/// bounded; the console keeps the answers for the editing session.
extension Engine {
    /// How many signals each field sample reads per kind.
    public static let fieldSample = 2_000
    /// How many of a kind's newest signals the frequent values are counted over.
    public static let valueSample = 50_000

    /// Every stored kind with its count of signals, most first.
    public func kindCounts() throws -> [KindCount] {
        try read { tx in try tx.kindCounts() }
    }

    /// The fields the newest `sample` signals of each of `kinds` hold: those in the most kinds
    /// first (a group-by field must be in every clause's signals), then the most common.
    public func fieldNames(ofKinds kinds: [String], sample: Int = Engine.fieldSample) throws -> [FieldPresence] {
        try read { tx in try tx.fieldPresence(ofKinds: kinds, sample: min(max(sample, 1), 100_000)) }
    }

    /// The `limit` most frequent values of `field` (an ECS name) in the newest `sample` signals
    /// of `kind`, most first.
    public func topValues(field: String, kind: String, sample: Int = Engine.valueSample, limit: Int = 20) throws -> [ValueCount] {
        try read { tx in try tx.topValues(field: field, kind: kind, sample: min(max(sample, 1), 1_000_000), limit: min(max(limit, 1), 1_000)) }
    }
}
