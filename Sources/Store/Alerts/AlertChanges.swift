internal import GRDB
import Model

/// What alerts gained in v17: tags, observables added after the alert was raised, and the log
/// of who changed them. The Engine checks access and writes the log entry in the same
/// transaction as the change.
extension Tx {
    public func alertTags(_ id: Int64) throws -> [String] {
        let text = try String.fetchOne(db, sql: "SELECT tags FROM alerts WHERE id = ?", arguments: [id]) ?? "[]"
        return (try? JSONValue.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Tags of many alerts at once, for listings (an alert with none is absent).
    public func alertTags(of ids: [Int64]) throws -> [Int64: [String]] {
        guard !ids.isEmpty else { return [:] }
        var out: [Int64: [String]] = [:]
        let sql: SQL = "SELECT id, tags FROM alerts WHERE id IN \(ids) AND tags <> '[]'"
        for row in try Row.fetchAll(db, literal: sql) {
            let text: String = row["tags"]
            out[row["id"]] = (try? JSONValue.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return out
    }

    public func setAlertTags(_ id: Int64, _ tags: [String], at time: Timestamp) throws {
        try db.execute(
            sql: "UPDATE alerts SET tags = ?, updated_at = max(updated_at, ?) WHERE id = ?",
            arguments: [JSONValue.array(tags.map { .string($0) }).text, time.ms, id])
    }

    public func setAlertSeverity(_ id: Int64, _ severity: Severity, at time: Timestamp) throws {
        try db.execute(
            sql: "UPDATE alerts SET severity = ?, updated_at = max(updated_at, ?) WHERE id = ?", arguments: [severity.rawValue, time.ms, id])
    }

    /// Adds an artifact to an alert after it was raised. `added` is false when the alert already
    /// has it in that role (from one of its signals, or added before); `artifact` is its id either way.
    public func addArtifact(_ mention: ArtifactMention, toAlert alertID: Int64, by author: String, at time: Timestamp) throws -> (artifact: Int64, added: Bool) {
        let id = try artifactAddedByHand(mention, at: time)
        let fromSignals = try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM alert_signals als JOIN signal_artifacts sa ON sa.signal_id = als.signal_id
                WHERE als.alert_id = ? AND sa.artifact_id = ? AND sa.role = ?
                """, arguments: [alertID, id, mention.role]) ?? 0
        if fromSignals > 0 { return (id, false) }
        try db.execute(
            sql: "INSERT OR IGNORE INTO alert_artifacts (alert_id, artifact_id, role, added_by, added_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [alertID, id, mention.role, author, time.ms])
        guard db.changesCount > 0 else { return (id, false) }
        try db.execute(sql: "UPDATE alerts SET updated_at = max(updated_at, ?) WHERE id = ?", arguments: [time.ms, alertID])
        return (id, true)
    }

    /// What a TheHive alert's signal says of it (the alert's first signal, when it came from
    /// TheHive input): only those fields, read in SQL, so a query over thousands of alerts does
    /// not load their raw bodies.
    public func theHiveFields(ofAlert id: Int64) throws -> TheHiveAlertFields? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT s.source_ref, json_extract(s.fields, '$."thehive.type"') AS type, json_extract(s.fields, '$."thehive.source"') AS source,
                  json_extract(s.fields, '$."thehive.source_ref"') AS ref, json_extract(s.fields, '$."message"') AS description,
                  json_extract(s.fields, '$."thehive.tlp"') AS tlp, json_extract(s.fields, '$."thehive.pap"') AS pap,
                  json_extract(s.fields, '$."thehive.external_link"') AS link
                FROM signals s WHERE s.id = (SELECT min(signal_id) FROM alert_signals WHERE alert_id = ?) AND s.source = 'thehive'
                """, arguments: [id]
        ).map { row in
            func text(_ c: String) -> String? { (try? row.decode(String?.self, forColumn: c)) ?? nil }
            func number(_ c: String) -> Int64? { (try? row.decode(Int64?.self, forColumn: c)) ?? nil }
            return TheHiveAlertFields(
                type: text("type") ?? "external", source: text("source") ?? "thehive", sourceRef: text("ref") ?? text("source_ref") ?? "",
                description: text("description") ?? "", tlp: number("tlp"), pap: number("pap"), externalLink: text("link"))
        }
    }

    /// How many distinct artifacts an alert has (its signals' and those added since).
    public func artifactCount(ofAlert id: Int64) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT count(*) FROM (
                  SELECT sa.artifact_id FROM alert_signals als JOIN signal_artifacts sa ON sa.signal_id = als.signal_id WHERE als.alert_id = ?
                  UNION SELECT artifact_id FROM alert_artifacts WHERE alert_id = ?)
                """, arguments: [id, id]) ?? 0
    }

    /// The last entry of an alert's log: who changed it last, and when.
    public func lastAlertLogEntry(_ id: Int64) throws -> AlertLogEntry? {
        try alertLog(id, newestFirst: true, limit: 1).first
    }

    /// The artifacts added to an alert after it was raised, oldest first.
    public func addedArtifacts(ofAlert id: Int64) throws -> [(mention: ArtifactMention, by: String, at: Timestamp)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT ar.type, ar.value, aa.role, aa.added_by, aa.added_at FROM alert_artifacts aa JOIN artifacts ar ON ar.id = aa.artifact_id
                WHERE aa.alert_id = ? ORDER BY aa.added_at, ar.type, ar.value LIMIT 10000
                """, arguments: [id]
        ).map { (ArtifactMention(ArtifactType(rawValue: $0["type"]) ?? .other, $0["value"], role: $0["role"]), $0["added_by"], Timestamp(ms: $0["added_at"])) }
    }

    @discardableResult
    public func appendAlertLog(_ entry: NewLogEntry, toAlert alertID: Int64, author: String, at time: Timestamp) throws -> AlertLogEntry {
        try db.execute(
            sql: "INSERT INTO alert_log (alert_id, time, author, kind, body, data) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [alertID, time.ms, author, entry.kind.rawValue, entry.body, entry.data?.text])
        return AlertLogEntry(
            id: db.lastInsertedRowID, alertID: alertID, time: time, author: author, kind: entry.kind, body: entry.body, data: entry.data?.text)
    }

    public func alertLog(_ alertID: Int64, newestFirst: Bool = false, limit: Int = 10_000) throws -> [AlertLogEntry] {
        try Row.fetchAll(
            db,
            sql: "SELECT id, alert_id, time, author, kind, body, data FROM alert_log WHERE alert_id = ? ORDER BY id \(newestFirst ? "DESC" : "") LIMIT ?",
            arguments: [alertID, limit]
        ).map { row in
            AlertLogEntry(
                id: row["id"], alertID: row["alert_id"], time: Timestamp(ms: row["time"]), author: row["author"],
                kind: LogKind(rawValue: row["kind"]) ?? .note, body: row["body"], data: row["data"])
        }
    }

    /// The alert raised from a signal (TheHive input raises one per signal).
    public func alertID(ofSignal signalID: Int64) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT alert_id FROM alert_signals WHERE signal_id = ? ORDER BY alert_id LIMIT 1", arguments: [signalID])
    }
}

/// A TheHive alert's own fields, as it was sent (see `Tx.theHiveFields(ofAlert:)`).
public struct TheHiveAlertFields: Sendable {
    public var type: String
    public var source: String
    public var sourceRef: String
    public var description: String
    public var tlp: Int64?
    public var pap: Int64?
    public var externalLink: String?
}
