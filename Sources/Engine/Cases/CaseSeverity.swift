import Model
import Store

extension Engine {
    /// Changes how bad the case is (TheHive's users and clients change it; taser's own
    /// workflows set it when the case opens). A log entry of kind `severity` records it.
    public func setSeverity(_ caseID: Int64, to severity: Severity) throws {
        try change { tx, now in try setSeverity(caseID, to: severity, tx, at: now) }
    }

    func setSeverity(_ caseID: Int64, to severity: Severity, data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws {
        var c = try writableCase(caseID, tx)
        guard c.severity != severity else { throw EngineError.invalid("case \(caseID) is already of \(severity.name) severity") }
        let from = c.severity
        c.severity = severity
        try tx.updateCase(c, at: now)
        var data: JSONObject = ["from": .string(from.name), "to": .string(severity.name)]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let entry = try tx.appendLog(
            NewLogEntry(kind: .severity, body: "Severity \(from.name) → \(severity.name)", data: .object(data)), toCase: caseID,
            author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
    }
}
