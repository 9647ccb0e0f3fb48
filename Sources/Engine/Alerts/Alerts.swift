import Model
import SignalServer
import Store

/// An alert with what made it fire.
public struct AlertDetail: Codable, Sendable {
    public var alert: Alert
    public var signals: [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])]
    /// Each updated signal's earlier revisions, oldest first.
    public var earlierRevisions: [Int64: [SignalRevision]] = [:]
    /// The people its signals name: each identity's label with every spelling seen
    /// (`jane.doe`: `Jane.Doe@Example.com`, `jane.doe`, `jane.doe@example.com`).
    public var people: [(identity: String, seen: [String])] = []
    /// Labels given since (or by the sender, for a TheHive alert).
    public var tags: [String] = []
    /// Artifacts added after it was raised (observables added through TheHive's API or pulled).
    public var addedArtifacts: [ArtifactMention] = []
    /// Who changed it since it was raised.
    public var log: [AlertLogEntry] = []

    public var json: JSONValue {
        var o = alert.jsonObject
        o["tags"] = .array(tags.map { .string($0) })
        o["people"] = .array(people.map { ["identity": .string($0.identity), "seen": .array($0.seen.map { .string($0) })] })
        o["added_artifacts"] = .array(addedArtifacts.map { ["type": .string($0.type.rawValue), "value": .string($0.value), "role": .string($0.role)] })
        o["log"] = .array(log.map(\.json))
        o["signals"] = .array(signals.map { $0.signal.json(with: $0.artifacts, earlier: earlierRevisions[$0.signal.id] ?? []) })
        return .object(o)
    }
}

extension Engine {
    /// The people signals name, by identity, with each spelling as the tools wrote it.
    static func people(in signals: [Signal], _ tx: Tx) throws -> [(identity: String, seen: [String])] {
        var seen: [String] = []
        for s in signals {
            for field in GroupKeys.personFields.sorted() {
                if let v = s.fields[field]?.stringValue, !v.isEmpty, !seen.contains(v) { seen.append(v) }
            }
        }
        let labels = try tx.identityLabels(of: seen)
        var out: [(identity: String, seen: [String])] = []
        for value in seen {
            let folded = Identifier.fold(value)
            let identity = labels[folded] ?? folded
            if let n = out.firstIndex(where: { $0.identity == identity }) { out[n].seen.append(value) } else { out.append((identity, [value])) }
        }
        return out
    }

    public func alerts(_ filter: AlertFilter = AlertFilter()) throws -> [Alert] {
        try read { tx in try shown(try tx.alerts(filter, visibleTo: actor), tx) }
    }

    public func alertDetail(_ id: Int64) throws -> AlertDetail {
        try read { tx in
            let alert = try shown(try visibleAlert(id, tx), tx)
            let signals = try tx.signals(ofAlert: id).map { ($0, try tx.artifacts(ofSignal: $0.id)) }
            var earlier: [Int64: [SignalRevision]] = [:]
            for (s, _) in signals where s.revision > 1 { earlier[s.id] = Array(try tx.revisions(ofSignal: s.id).dropLast()) }
            return AlertDetail(
                alert: alert, signals: signals, earlierRevisions: earlier, people: try Engine.people(in: signals.map(\.0), tx),
                tags: try tx.alertTags(id), addedArtifacts: try tx.addedArtifacts(ofAlert: id).map(\.mention), log: try tx.alertLog(id))
        }
    }

    /// Records an alert raised by hand (rules raise theirs in `LiveCorrelation`); for alerts
    /// that come from outside, such as TheHive-compatible input.
    public func raiseAlert(_ new: NewAlert) throws -> Alert {
        try change { tx, now in
            if let team = new.team, try tx.team(team) == nil { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
            let alert = try tx.insertAlert(new, at: now)
            try Engine.notify(tx, alert: alert, event: "alert.created", key: "alert:\(alert.id):created", at: now)
            return alert
        }
    }

    /// Acknowledges or closes alerts (the console's bulk actions, `taser alert ack|close`).
    /// Closing records why, who and when. Alerts already in a case keep their case; each change
    /// goes to the outbox for Sync, in the same transaction.
    public func setStatus(ofAlerts ids: [Int64], to status: AlertStatus, reason: AlertCloseReason? = nil) throws {
        guard status == .acknowledged || status == .closed || status == .new else {
            throw EngineError.invalid("alerts become '\(status.rawValue)' through a case; promote or merge them instead")
        }
        try change { tx, now in
            for id in ids {
                let alert = try visibleAlert(id, tx)
                guard alert.status != .promoted else { throw EngineError.alertInCase(alert: id, caseID: try shown(alert, tx).caseID) }
                if status == .closed, reason == nil {
                    throw EngineError.invalid("closing an alert needs a reason: \(AlertCloseReason.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if alert.status != status {
                    _ = try moveAlert(alert, to: status, reason: reason, tx, at: now)
                } else {
                    // Closed again (a new reason) or acknowledged again: as before, no log entry.
                    if status == .closed, let reason { try tx.setAlertClosing(id, AlertClosing(reason: reason, by: actor.name, at: now)) }
                    try tx.setAlertStatus(id, status, caseID: nil, at: now)
                }
                // Read back in the same transaction that just updated it.
                guard let changed = try tx.alert(id) else { continue }
                try Engine.notify(
                    tx, alert: changed, event: "alert.updated", key: "alert:\(id):status:\(status.rawValue):\(now.ms)", origin: originJSON, at: now)
            }
        }
    }

    /// The alert queue, a page at a time by key (see `Tx.queuePage`).
    public func queuePage(_ filter: QueueFilter, order: QueueOrder, after: QueuePosition? = nil, before: QueuePosition? = nil, limit: Int) throws -> [Alert] {
        try read { tx in try shown(try tx.queuePage(filter, order: order, after: after, before: before, limit: limit, visibleTo: actor), tx) }
    }

    public func queueCount(_ filter: QueueFilter, cap: Int) throws -> Int {
        try read { tx in try tx.queueCount(filter, cap: cap, visibleTo: actor) }
    }
}
