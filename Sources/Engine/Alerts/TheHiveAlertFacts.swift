import Model
import Store

/// An alert with what TheHive's view of it needs beside the alert row: its tags, what it was sent
/// as (a TheHive alert's type, source, sourceRef and description are in its signal), how many
/// artifacts it has and who changed it last.
public struct TheHiveAlertFacts: Sendable {
    /// As the asker may see it: the case is named only to those who may read it.
    public var alert: Alert
    public var tags: [String]
    /// Nil for an alert a rule raised.
    public var sent: TheHiveAlertFields?
    public var artifactCount: Int
    public var lastChange: AlertLogEntry?
}

extension Engine {
    /// The most alerts a TheHive-style query looks through: the newest the asker may see.
    public static let theHiveQueryWindow = 10_000

    /// The newest alerts the asker may see (at most `limit`), with their tags; the rest of the
    /// facts only when `full` (they cost a few reads per alert).
    public func theHiveAlertFacts(newest limit: Int, full: Bool) throws -> [TheHiveAlertFacts] {
        try read { tx in
            let alerts = try shown(try tx.alerts(AlertFilter(limit: max(1, min(limit, Engine.theHiveQueryWindow))), visibleTo: actor), tx)
            let tags = try tx.alertTags(of: alerts.map(\.id))
            return try alerts.map { a in
                full ? try facts(a, tx) : TheHiveAlertFacts(alert: a, tags: tags[a.id] ?? [], sent: nil, artifactCount: 0, lastChange: nil)
            }
        }
    }

    /// One alert's facts; the same error as a missing alert when the asker may not see it.
    public func theHiveAlertFacts(_ id: Int64) throws -> TheHiveAlertFacts {
        try read { tx in try facts(try shown(try visibleAlert(id, tx), tx), tx) }
    }

    /// The facts of these alerts, in this order (each one the asker may see).
    public func theHiveAlertFacts(_ ids: [Int64]) throws -> [TheHiveAlertFacts] {
        try read { tx in try ids.map { try facts(try shown(try visibleAlert($0, tx), tx), tx) } }
    }

    func facts(_ a: Alert, _ tx: Tx) throws -> TheHiveAlertFacts {
        TheHiveAlertFacts(
            alert: a, tags: try tx.alertTags(a.id), sent: try tx.theHiveFields(ofAlert: a.id),
            artifactCount: try tx.artifactCount(ofAlert: a.id), lastChange: try tx.lastAlertLogEntry(a.id))
    }

    /// The analyst a TheHive login names (by email, else name, else the part before the @), for
    /// TheHive's `assignee`.
    public func analystName(forTheHiveLogin login: String) throws -> String {
        try read { tx in try analyst(forTheHiveLogin: login, tx) }
    }
}
