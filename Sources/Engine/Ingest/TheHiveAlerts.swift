import AlertEngine
import Model
import Store

extension Engine {
    /// The rule name alerts sent in TheHive's shape carry: they were alerts where they came from
    /// (a SIEM, a script that fed TheHive), so they are alerts here without a rule to raise them.
    public static let theHiveRule = "thehive"

    /// Raises one alert per new TheHive alert signal, in the ingest's own transaction, so the
    /// signal is never stored without its alert (a sender retrying after a crash would get
    /// "already exists" and the alert would be lost). Each goes to the outbox like any alert.
    static func raiseTheHiveAlerts(_ tx: Tx, _ signals: [NewSignal], _ ids: [Int64?], at now: Timestamp) throws -> Int {
        var raised = 0
        for (signal, id) in zip(signals, ids) where signal.source == "thehive" {
            guard let id else { continue }  // a duplicate: its alert exists
            var new = NewAlert(
                rule: theHiveRule, groupKey: "thehive \(signal.sourceRef ?? String(id))", severity: signal.severity, title: signal.title,
                team: nil, signalIDs: [id], createdAt: now)
            // The sender's tags are the alert's, as in TheHive (bounded and checked like any tag).
            new.tags = Array(((try? JSONValue.parse(signal.fieldsJSON))?["tags"]?.arrayValue ?? []).compactMap(\.stringValue).compactMap { try? checkTag($0) }.prefix(mostTags))
            let alert = try tx.insertAlert(new, at: now)
            try notify(tx, alert: alert, event: "alert.created", key: "alert:\(alert.id):created", at: now)
            raised += 1
        }
        return raised
    }
}
