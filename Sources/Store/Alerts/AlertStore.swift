internal import GRDB
import Model

/// Which alerts a listing wants.
public struct AlertFilter: Sendable, Codable {
    public var status: AlertStatus?
    public var rule: String?
    public var caseID: Int64?
    public var limit: Int
    public init(status: AlertStatus? = nil, rule: String? = nil, caseID: Int64? = nil, limit: Int = 100) {
        self.status = status
        self.rule = rule
        self.caseID = caseID
        self.limit = limit
    }
}

extension Tx {
    public func insertAlert(_ new: NewAlert, at time: Timestamp) throws -> Alert {
        let created = new.createdAt ?? time
        try db.execute(
            sql: """
                INSERT INTO alerts (rule, group_key, status, severity, title, team, created_at, updated_at, fired_at, rule_version, tags)
                VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.rule, new.groupKey, new.severity.rawValue, new.title, new.team, created.ms, created.ms, new.firedAt?.ms, new.ruleVersion,
                JSONValue.array(new.tags.map { .string($0) }).text,
            ])
        let id = db.lastInsertedRowID
        try attachSignals(new.signalIDs, toAlert: id, at: created)
        return try readBack(try alert(id), "alert \(id)")
    }

    /// Links signals to an alert and refreshes its span and count.
    public func attachSignals(_ signals: [Int64], toAlert id: Int64, at time: Timestamp) throws {
        let link = try db.cachedStatement(sql: "INSERT OR IGNORE INTO alert_signals (alert_id, signal_id) VALUES (?, ?)")
        for signal in signals { try link.execute(arguments: [id, signal]) }
        try db.execute(
            sql: """
                UPDATE alerts SET
                  first_signal_at = (SELECT min(s.time) FROM alert_signals x JOIN signals s ON s.id = x.signal_id WHERE x.alert_id = alerts.id),
                  last_signal_at = (SELECT max(s.time) FROM alert_signals x JOIN signals s ON s.id = x.signal_id WHERE x.alert_id = alerts.id),
                  signal_count = (SELECT count(*) FROM alert_signals x WHERE x.alert_id = alerts.id),
                  updated_at = max(updated_at, ?)
                WHERE id = ?
                """,
            arguments: [time.ms, id])
    }

    public func alert(_ id: Int64) throws -> Alert? {
        try Row.fetchOne(db, sql: "SELECT \(Alert.columns) FROM alerts a WHERE a.id = ?", arguments: [id])
            .map(Alert.init(row:))
    }

    /// Alerts `actor` may see, newest first.
    public func alerts(_ filter: AlertFilter, visibleTo actor: Actor) throws -> [Alert] {
        var sql: SQL = "SELECT \(sql: Alert.columns) FROM alerts a WHERE \(Access.alertVisible("a", actor))"
        if let status = filter.status { sql += " AND a.status = \(status.rawValue)" }
        if let rule = filter.rule { sql += " AND a.rule = \(rule)" }
        // A case the asker may not read holds no alerts, as a missing case holds none.
        if let caseID = filter.caseID { sql += " AND a.case_id = \(caseID) AND \(Access.caseReadable("\(caseID)", actor))" }
        sql += " ORDER BY a.last_signal_at DESC, a.id DESC LIMIT \(filter.limit)"
        return try Row.fetchAll(db, literal: sql).map(Alert.init(row:))
    }

    /// Records why, by whom and when an alert was closed.
    public func setAlertClosing(_ id: Int64, _ closing: AlertClosing) throws {
        try db.execute(
            sql: "UPDATE alerts SET close_reason = ?, closed_by = ?, closed_at = ? WHERE id = ?",
            arguments: [closing.reason.rawValue, closing.by, closing.at.ms, id])
    }

    public func setAlertStatus(_ id: Int64, _ status: AlertStatus, caseID: Int64?, at time: Timestamp) throws {
        try db.execute(
            sql: "UPDATE alerts SET status = ?, case_id = coalesce(?, case_id), updated_at = ? WHERE id = ?",
            arguments: [status.rawValue, caseID, time.ms, id])
    }
}

extension Tx {
    /// The alerts holding any of these signals, each once: those a signal's new revision changes.
    public func alertIDs(holding signals: [Int64]) throws -> [Int64] {
        guard !signals.isEmpty else { return [] }
        let sql: SQL = "SELECT DISTINCT alert_id FROM alert_signals WHERE signal_id IN \(signals) ORDER BY alert_id"
        return try Row.fetchAll(db, literal: sql).map { $0["alert_id"] }
    }

    /// Marks an alert changed now (a signal it holds has a new revision).
    public func touchAlert(_ id: Int64, at time: Timestamp) throws {
        try db.execute(sql: "UPDATE alerts SET updated_at = max(updated_at, ?) WHERE id = ?", arguments: [time.ms, id])
    }
}
