import Model
import Store

/// An alert a simulation says the rule would have made.
public struct SimulatedAlert: Sendable, Hashable {
    public var key: String
    public var firedAt: Timestamp
    /// Every signal it would hold: those that made it fire, then those attached.
    public var signals: [Int64]
    public var firing: Int

    /// Alerts are the same across two runs when they fire for the same key at the same time.
    public var identity: String { "\(key)@\(firedAt.ms)" }
}

/// What a rule would have done over stored signals: the same correlator as live evaluation,
/// run over a range with every signal counted as new.
public struct SimulationReport: Sendable {
    public var alerts: [SimulatedAlert]
    /// Signals of the rule's kinds in the range, and how many matched a clause.
    public var signalsRead: Int
    public var signalsMatched: Int
    public var from: Timestamp
    public var to: Timestamp

    /// Alerts per UTC day (`2026-11-02`), oldest first.
    public var perDay: [(day: String, alerts: Int)] {
        var counts: [String: Int] = [:]
        for a in alerts { counts[String(a.firedAt.iso8601.prefix(10)), default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Group keys by how many alerts they would raise, then signals.
    public func topKeys(_ limit: Int = 10) -> [(key: String, alerts: Int, signals: Int)] {
        var byKey: [String: (alerts: Int, signals: Int)] = [:]
        for a in alerts {
            byKey[a.key, default: (0, 0)].alerts += 1
            byKey[a.key, default: (0, 0)].signals += a.signals.count
        }
        let rows: [(key: String, alerts: Int, signals: Int)] = byKey.map { ($0.key, $0.value.alerts, $0.value.signals) }
        let sorted = rows.sorted { a, b in
            a.alerts != b.alerts ? a.alerts > b.alerts : a.signals != b.signals ? a.signals > b.signals : a.key < b.key
        }
        return Array(sorted.prefix(limit))
    }

    /// Alerts this run makes that `saved` does not, and the other way round.
    public func difference(from saved: SimulationReport) -> (added: [SimulatedAlert], removed: [SimulatedAlert]) {
        let mine = Set(alerts.map(\.identity)), theirs = Set(saved.alerts.map(\.identity))
        return (alerts.filter { !theirs.contains($0.identity) }, saved.alerts.filter { !mine.contains($0.identity) })
    }
}

public enum Simulator {
    /// Runs `rule` over stored rows (oldest first, as `Tx.correlationRows` gives them).
    public static func run(_ rule: Rule, rows: [CorrelationRow], from: Timestamp, to: Timestamp) throws(RuleError) -> SimulationReport {
        var builder = try EventBuilder(rule: rule)
        var matched = 0
        for row in rows {
            guard case .object(let fields)? = try? JSONValue.parse(row.fields) else { continue }
            if builder.add(signal: row.id, time: row.time, kind: row.kind, fields: fields) { matched += 1 }
        }
        let alerts = builder.correlate().map { a in
            SimulatedAlert(key: builder.keyNames[Int(a.key)], firedAt: Timestamp(ms: a.firedAt), signals: a.signals, firing: a.firing.count)
        }
        return SimulationReport(alerts: alerts, signalsRead: rows.count, signalsMatched: matched, from: from, to: to)
    }
}
