import Model
import Store

/// The one access check. Every case and alert read or write in the engine comes through here;
/// the rules themselves are `Store.Access`, one SQL expression shared with listings.
extension Engine {
    /// The case, if the asker may read it; otherwise exactly the error a missing case gives.
    func readableCase(_ id: Int64, _ tx: Tx) throws -> (Case, AccessLevel) {
        let level = try tx.caseAccess(id, for: actor)
        guard level >= .read, let c = try tx.storedCase(id) else { throw EngineError.caseNotFound(id) }
        return (c, level)
    }

    func writableCase(_ id: Int64, _ tx: Tx) throws -> Case {
        let (c, level) = try readableCase(id, tx)
        guard level == .write else { throw EngineError.readOnlyCase(id) }
        return c
    }

    func visibleAlert(_ id: Int64, _ tx: Tx) throws -> Alert {
        guard try tx.alertVisible(id, to: actor), let alert = try tx.alert(id) else { throw EngineError.alertNotFound(id) }
        return alert
    }

    /// Alerts as the asker may see them: the case an alert is in is named only to those who may
    /// read that case. To anyone else the alert is promoted into a case they do not see, with no
    /// number: what they could learn of a case that does not exist is nothing, and the alert's
    /// own status (its team's to see) already says it is in some case.
    func shown(_ alerts: [Alert], _ tx: Tx) throws -> [Alert] {
        var readable: [Int64: Bool] = [:]
        return try alerts.map { alert in
            guard let id = alert.caseID else { return alert }
            let may: Bool
            if let known = readable[id] {
                may = known
            } else {
                may = try tx.caseAccess(id, for: actor) >= .read
                readable[id] = may
            }
            var shown = alert
            if !may { shown.caseID = nil }
            return shown
        }
    }

    func shown(_ alert: Alert, _ tx: Tx) throws -> Alert { try shown([alert], tx)[0] }

    /// A case as the asker may see it: the case it was merged into is named only to those who
    /// may read that one too.
    func shown(_ c: Case, _ tx: Tx) throws -> Case {
        guard let into = c.mergedInto, try tx.caseAccess(into, for: actor) < .read else { return c }
        var shown = c
        shown.mergedInto = nil
        return shown
    }

    /// Of these case ids, those the asker may read, in order.
    func readable(_ ids: [Int64], _ tx: Tx) throws -> [Int64] {
        try ids.filter { try tx.caseAccess($0, for: actor) >= .read }
    }

    func requireAdmin(_ action: String) throws {
        guard actor.isAdmin else { throw EngineError.notAdmin(action: action) }
    }
}
