import Model
import Store

/// An alert with what made it fire.
public struct AlertDetail: Sendable {
    public var alert: Alert
    public var signals: [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])]

    public var json: JSONValue {
        var o = alert.json.objectValue!
        o["signals"] = .array(signals.map { $0.signal.json(with: $0.artifacts) })
        return .object(o)
    }
}

extension Engine {
    public func alerts(_ filter: AlertFilter = AlertFilter()) throws -> [Alert] {
        try read { tx in try tx.alerts(filter, visibleTo: actor) }
    }

    public func alertDetail(_ id: Int64) throws -> AlertDetail {
        try read { tx in
            let alert = try visibleAlert(id, tx)
            let signals = try tx.signals(ofAlert: id).map { ($0, try tx.artifacts(ofSignal: $0.id)) }
            return AlertDetail(alert: alert, signals: signals)
        }
    }

    /// Records an alert (the correlator's job from the rules issue on; the demo uses it now).
    public func raiseAlert(_ new: NewAlert) throws -> Alert {
        try change { tx, now in
            if let team = new.team, try tx.team(team) == nil { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
            return try tx.insertAlert(new, at: now)
        }
    }
}
