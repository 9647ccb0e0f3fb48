import Foundation
import Model
import Store

/// Search results into a case. A case holds signals through alerts, so the marked signals
/// become one alert raised by hand (rule `search`, keyed by the search's text), opened as a new
/// case or merged into one, in one transaction: no stray alert is left in the queue when the
/// case part is refused (a case the analyst may not write, say).
extension Engine {
    /// The rule name of alerts made from search results.
    public static let searchRule = "search"

    public func openCase(fromSignals ids: [Int64], search: String, title: String) throws -> Case {
        let title = title.trimmed
        guard !title.isEmpty else { throw EngineError.invalid("a case needs a title") }
        return try change { tx, now in
            let alert = try raiseSearchAlert(ids, search: search, tx, at: now)
            return try openCase(NewCase(title: title, severity: alert.severity, alertIDs: [alert.id]), title: title, tx, at: now)
        }
    }

    public func addSignals(_ ids: [Int64], search: String, toCase caseID: Int64) throws {
        try change { tx, now in
            let alert = try raiseSearchAlert(ids, search: search, tx, at: now)
            try mergeAlerts([alert.id], into: caseID, tx, at: now)
        }
    }

    private func raiseSearchAlert(_ ids: [Int64], search: String, _ tx: Tx, at now: Timestamp) throws -> Alert {
        let unique = Array(Set(ids)).sorted()
        guard !unique.isEmpty else { throw EngineError.invalid("mark at least one signal") }
        guard unique.count <= Engine.mostSignalsPerCollect else {
            throw EngineError.invalid("\(unique.count) signals marked; a case takes at most \(Engine.mostSignalsPerCollect) at once: narrow the search")
        }
        let signals = try tx.signals(ids: unique)
        guard signals.count == unique.count else {
            let missing = Set(unique).subtracting(signals.map(\.id)).sorted().prefix(3).map(String.init).joined(separator: ", ")
            throw EngineError.invalid("no signal \(missing)")
        }
        let severity = signals.map(\.severity).max() ?? .medium
        let text = search.trimmed.isEmpty ? "all signals" : search.trimmed
        var new = NewAlert(rule: Engine.searchRule, groupKey: text, severity: severity, title: "Search: \(text)", team: nil, signalIDs: unique)
        new.firedAt = signals.map(\.time).max()
        let alert = try tx.insertAlert(new, at: now)
        try Engine.notify(tx, alert: alert, event: "alert.created", key: "alert:\(alert.id):created", at: now)
        return alert
    }

    /// The most signals one search alert holds: a case of a million rows helps nobody, and an
    /// alert's signals are read whole when it is shown.
    public static let mostSignalsPerCollect = 10_000
}
