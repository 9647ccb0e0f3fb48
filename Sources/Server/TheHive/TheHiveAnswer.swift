import AlertEngine
import Model

/// The alert as TheHive answers a create: TheHive 5's `OutputAlert` (`_id` `~N`, labels beside
/// the numbers, `stage`, `observableCount`) or TheHive 4's (`_id` and `id`, `artifacts`).
/// Clients read `_id` back; the id is the alert's the signal raised, so `GET /api/v1/alert/{_id}`,
/// TheHive queries and `taser alert show` find it.
enum TheHiveAnswer {
    static let severityLabels = ["LOW", "MEDIUM", "HIGH", "CRITICAL"]
    static let tlpLabels = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]
    static let papLabels = ["CLEAR", "GREEN", "AMBER", "RED"]

    static func alert(_ a: TheHiveAlert, id: Int64, by who: String, version: TheHiveRoutes.Version) -> JSONValue {
        let now = Timestamp.now.ms
        let date = a.date?.ms ?? now
        var o: [String: JSONValue] = [
            "_createdBy": .string(who), "_createdAt": .int(now),
            "type": .string(a.type), "source": .string(a.source), "sourceRef": .string(a.sourceRef),
            "title": .string(a.title), "description": .string(a.description),
            "severity": .int(Int64(a.severityNumber)), "date": .int(date), "tags": .array(a.tags.map { .string($0) }),
            "tlp": .int(Int64(a.tlp)), "pap": .int(Int64(a.pap)), "status": "New", "follow": true,
        ]
        let observables: [JSONValue] = a.observables.map { ob in
            var x: [String: JSONValue] = [
                "dataType": .string(ob.dataType), "data": .string(ob.data), "ioc": .bool(ob.ioc),
                "tlp": .int(Int64(ob.tlp ?? a.tlp)), "tags": .array(ob.tags.map { .string($0) }),
            ]
            if let m = ob.message { x["message"] = .string(m) }
            return .object(x)
        }
        switch version {
        case .v5:
            // The indexes are in range: TheHiveAlert refuses a severity outside 1...4, a tlp
            // outside 0...4 and a pap outside 0...3.
            o["_id"] = .string("~\(id)")
            o["_type"] = "Alert"
            o["severityLabel"] = .string(severityLabels[a.severityNumber - 1])
            o["tlpLabel"] = .string(tlpLabels[a.tlp])
            o["papLabel"] = .string(papLabels[a.pap])
            o["stage"] = "New"
            o["observableCount"] = .int(Int64(a.observables.count))
            o["customFields"] = .array([])
            o["extraData"] = .object([:])
            o["newDate"] = .int(now)
            o["timeToDetect"] = .int(max(0, now - date))
        case .v4:
            o["_id"] = .string(String(id))
            o["id"] = .string(String(id))
            o["_type"] = "alert"
            o["_version"] = 1
            o["artifacts"] = .array(observables)
            o["customFields"] = .object([:])
            o["caseTemplate"] = .null
            o["lastSyncDate"] = .int(now)
        }
        return .object(o)
    }
}
