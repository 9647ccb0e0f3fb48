import Engine
import Model

/// taser's alerts and cases as TheHive 5 shows them (`OutputAlert`, `OutputCase`,
/// `OutputObservable`), for tools that read TheHive's API. Ids are TheHive's `~N` with taser's
/// number: `~12` is alert 12 (`taser alert show 12`), or case 12 under `/api/v1/case`.
enum TheHiveViews {
    static func id(_ n: Int64) -> JSONValue { .string("~\(n)") }

    /// An alert id as TheHive clients send it back: `~12` (TheHive 5) or `12` (TheHive 4).
    static func number(_ text: String) -> Int64? {
        let digits = text.hasPrefix("~") ? String(text.dropFirst()) : text
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(\.isASCII), let n = Int64(digits), n > 0 else { return nil }
        return n
    }

    /// The fields of a TheHive alert. A TheHive alert (sent to `POST /api/v1/alert`) keeps its
    /// type, source, sourceRef, description, TLP and PAP in its signal; an alert a rule raised
    /// reads as what Sync sends TheHive for it (type and source `taser`, sourceRef
    /// `taser-alert-N`). `full`: the facts hold the signal; without it, only what the alert row
    /// says (enough to filter on most fields).
    static func alert(_ f: TheHiveAlertFacts, full: Bool = true) -> JSONValue {
        let a = f.alert
        let severity = TheHiveWords.number(a.severity)
        let (status, stage) = TheHiveWords.alertStatus(a)
        let date = (a.firstSignalAt ?? a.createdAt).ms
        var o: JSONObject = [
            "_id": id(a.id), "_type": "Alert", "_createdBy": "taser", "_createdAt": .int(a.createdAt.ms),
            "title": .string(a.title), "severity": .int(severity), "severityLabel": .string(TheHiveWords.severityLabels[Int(severity) - 1]),
            "date": .int(date), "tags": .array(f.tags.map { .string($0) }), "status": .string(status), "stage": .string(stage),
            "follow": true, "customFields": .array([]), "extraData": .object([:]), "newDate": .int(a.createdAt.ms),
            "timeToDetect": .int(max(0, a.createdAt.ms - date)),
        ]
        if a.updatedAt.ms > a.createdAt.ms { o["_updatedAt"] = .int(a.updatedAt.ms) }
        if let caseID = a.caseID { o["caseId"] = id(caseID) }
        if let closing = a.closing { o["closedDate"] = .int(closing.at.ms) }
        guard full else { return .object(o) }
        if let change = f.lastChange {
            o["_updatedBy"] = .string(change.author)
            o["_updatedAt"] = .int(max(a.updatedAt.ms, change.time.ms))
        }
        var tlp: Int64 = 2, pap: Int64 = 2
        if let sent = f.sent {
            o["type"] = .string(sent.type)
            o["source"] = .string(sent.source)
            o["sourceRef"] = .string(sent.sourceRef)
            o["description"] = .string(sent.description)
            if let link = sent.externalLink { o["externalLink"] = .string(link) }
            if let n = sent.tlp, (0...4).contains(n) { tlp = n }
            if let n = sent.pap, (0...3).contains(n) { pap = n }
        } else {
            o["type"] = "taser"
            o["source"] = "taser"
            o["sourceRef"] = .string("taser-alert-\(a.id)")
            var lines = ["Raised by taser rule `\(a.rule)`"]
            if !a.groupKey.isEmpty { lines.append("Group: \(a.groupKey)") }
            lines.append("Signals: \(a.signalCount)")
            o["description"] = .string(lines.joined(separator: "\n"))
        }
        o["tlp"] = .int(tlp)
        o["tlpLabel"] = .string(TheHiveWords.tlpLabels[Int(tlp)])
        o["pap"] = .int(pap)
        o["papLabel"] = .string(TheHiveWords.papLabels[Int(pap)])
        o["observableCount"] = .int(Int64(f.artifactCount))
        return .object(o)
    }

    static func theCase(_ c: Case) -> JSONValue {
        let severity = TheHiveWords.number(c.severity), tlp = TheHiveWords.number(c.tlp), pap = TheHiveWords.number(c.pap)
        let (status, stage) = TheHiveWords.caseStatus(c)
        var o: JSONObject = [
            "_id": id(c.id), "_type": "Case", "_createdBy": .string(c.createdBy), "_createdAt": .int(c.createdAt.ms),
            "number": .int(c.id), "title": .string(c.title), "description": .string(c.description),
            "severity": .int(severity), "severityLabel": .string(TheHiveWords.severityLabels[Int(severity) - 1]),
            "startDate": .int(c.createdAt.ms), "tags": .array(c.tags.map { .string($0) }), "flag": false,
            "tlp": .int(tlp), "tlpLabel": .string(TheHiveWords.tlpLabels[Int(tlp)]), "pap": .int(pap),
            "papLabel": .string(TheHiveWords.papLabels[Int(pap)]), "status": .string(status), "stage": .string(stage),
            "access": .object([:]), "customFields": .array([]), "extraData": .object([:]), "newDate": .int(c.createdAt.ms),
            "timeToDetect": 0,
        ]
        if c.updatedAt.ms > c.createdAt.ms { o["_updatedAt"] = .int(c.updatedAt.ms) }
        if let owner = c.owner { o["assignee"] = .string(owner) }
        if let closed = c.closedAt {
            o["endDate"] = .int(closed.ms)
            o["closedDate"] = .int(closed.ms)
        }
        return .object(o)
    }

    /// An observable as added to an alert: what the client sent, with the artifact's id.
    static func observable(artifact: Int64, dataType: String, data: String, input: ObservableInput, by who: String, at: Timestamp) -> JSONValue {
        var o: JSONObject = [
            "_id": id(artifact), "_type": "Observable", "_createdBy": .string(who), "_createdAt": .int(at.ms),
            "dataType": .string(dataType), "data": .string(data), "startDate": .int(at.ms),
            "tlp": .int(input.tlp), "tlpLabel": .string(TheHiveWords.tlpLabels[Int(input.tlp)]),
            "pap": .int(input.pap), "papLabel": .string(TheHiveWords.papLabels[Int(input.pap)]),
            "tags": .array(input.tags.map { .string($0) }), "ioc": .bool(input.ioc), "sighted": .bool(input.sighted),
            "reports": .object([:]), "extraData": .object([:]), "ignoreSimilarity": false, "external": false,
        ]
        if let message = input.message { o["message"] = .string(message) }
        return .object(o)
    }
}
