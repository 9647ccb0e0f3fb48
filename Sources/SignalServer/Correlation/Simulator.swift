import Model
import Store

/// An alert a simulation says the rule would have made.
public struct SimulatedAlert: Codable, Sendable, Hashable {
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
public struct SimulationReport: Codable, Sendable {
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

/// Another rule's alert as an event for a chained rule (a clause of kind `rule:NAME`): its
/// fields are its group key's, and it stands for the signals it holds.
public struct DerivedEvent: Sendable {
    public var kind: String
    public var time: Int64
    public var fields: JSONObject
    public var signals: [Int64]
    public var live: Bool

    public init(rule: String, time: Int64, key: String, signals: [Int64], live: Bool = true) {
        self.kind = "rule:" + rule
        self.time = time
        self.fields = DerivedEvent.fields(ofKey: key)
        self.signals = signals
        self.live = live
    }

    /// `user.name=jdoe,source.ip=10.0.0.5` as fields.
    static func fields(ofKey key: String) -> JSONObject {
        var o = JSONObject()
        for part in key.split(separator: ",") {
            guard let eq = part.firstIndex(of: "=") else { continue }
            o[String(part[..<eq])] = .string(String(part[part.index(after: eq)...]))
        }
        return o
    }
}

public enum Simulator {
    /// Signal ids with each derived event (a negative id) replaced by the signals it holds.
    public static func expand(_ ids: [Int64], _ derived: [DerivedEvent]) -> [Int64] {
        guard ids.contains(where: { $0 < 0 }) else { return ids }
        return Array(Set(ids.flatMap { $0 < 0 ? derived[Int(-$0 - 1)].signals : [$0] })).sorted()
    }
}
