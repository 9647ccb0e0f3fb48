import Model
import Store

/// What case changes tell the remote systems. Each change writes its outbox rows in its own
/// transaction, so a change and its message commit together or not at all. The payloads are
/// the shapes `taser case export` uses, so a webhook consumer reads one format:
///
/// - `case.created` / `case.updated`: the case, its `artifacts` (type, value, roles), its `alerts`
///   (ids) and the `change` (the log entry that recorded it);
/// - `case.log`: the log entry, with its `case` (as above, without `change`) so a remote system
///   that never saw the case can still file it.
///
/// Keys are stable (`case:12:log:7`): a change is one message, however often it is sent.
extension Engine {
    /// Artifacts sent with a case or an alert: enough for observables, bounded for huge cases.
    static let syncedArtifacts = 200

    /// The case event (when `event` is not nil), then one `case.log` per entry, in that order.
    func announce(_ caseID: Int64, _ event: String?, entries: [LogEntry], _ tx: Tx, at now: Timestamp) throws {
        guard let c = try tx.storedCase(caseID) else { return }
        let base = try casePayload(c, tx)
        if let event, let last = entries.last {
            var payload = base
            payload["change"] = ["seq": .int(last.seq), "kind": .string(last.kind.rawValue), "body": .string(last.body),
                                 "data": last.data.flatMap { try? JSONValue.parse($0) } ?? .null, "author": .string(last.author)]
            if let origin = originJSON { payload["origin"] = origin }
            let key = event == "case.created" ? "case:\(caseID):created" : "case:\(caseID):updated:\(last.seq)"
            try tx.enqueue(entity: "case", id: caseID, event: event, payload: .object(payload), key: key, at: now)
        }
        for entry in entries {
            var payload = entry.jsonObject
            payload["case"] = .object(base)
            if let origin = originJSON { payload["origin"] = origin }
            try tx.enqueue(entity: "case", id: caseID, event: "case.log", payload: .object(payload), key: "case:\(caseID):log:\(entry.seq)", at: now)
        }
    }

    /// An alert that moved into a case: remote copies learn where it went.
    func announceAlertMoved(_ alertID: Int64, into caseID: Int64, _ tx: Tx, at now: Timestamp) throws {
        guard let alert = try tx.alert(alertID) else { return }
        try Engine.notify(tx, alert: alert, event: "alert.updated", key: "alert:\(alertID):case:\(caseID)", origin: originJSON, at: now)
    }

    /// Where a change came from, for the outbox: the endpoint whose pull made it and the remote
    /// author. The worker does not route such a message back to that endpoint (loop safety).
    var originJSON: JSONValue? {
        origin.map { ["endpoint": .string($0), "author": .string(actor.name)] }
    }

    /// One alert event for the remote systems: the alert as it now stands, under a key that
    /// names the change (so a change is one message, however often it is sent).
    static func notify(_ tx: Tx, alert: Alert, event: String, key: String, origin: JSONValue? = nil, at now: Timestamp) throws {
        var payload = try alertPayload(alert, tx)
        if let origin, case .object(var o) = payload {
            o["origin"] = origin
            payload = .object(o)
        }
        try tx.enqueue(entity: "alert", id: alert.id, event: event, payload: payload, key: key, at: now)
    }

    /// An alert as the outbox carries it: `alert show --json`'s fields, its `tags` and its `artifacts`.
    static func alertPayload(_ alert: Alert, _ tx: Tx) throws -> JSONValue {
        var o = alert.jsonObject
        o["tags"] = .array(try tx.alertTags(alert.id).map { .string($0) })
        o["artifacts"] = .array(try tx.artifactMentions(ofAlert: alert.id, limit: syncedArtifacts).map { m in
            ["type": .string(m.type.rawValue), "value": .string(m.value), "role": .string(m.role)]
        })
        return .object(o)
    }

    func casePayload(_ c: Case, _ tx: Tx) throws -> [String: JSONValue] {
        var o = c.jsonObject(shares: try tx.shares(ofCase: c.id))
        o["artifacts"] = .array(try tx.artifacts(ofCase: c.id).prefix(Engine.syncedArtifacts).map { a in
            ["type": .string(a.artifact.type.rawValue), "value": .string(a.artifact.value), "roles": .array(a.roles.map { .string($0) })]
        })
        o["alerts"] = .array(try tx.alerts(ofCase: c.id).map { .int($0.id) })
        return o.dictionary
    }
}
