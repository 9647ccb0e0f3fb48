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

    func requireAdmin(_ action: String) throws {
        guard actor.isAdmin else { throw EngineError.notAdmin(action: action) }
    }
}
