internal import GRDB
import Model

extension Tx {
    /// The stored signal with this identity, if any: what a re-sent event is a duplicate of
    /// (webhook answers name it; TheHive-compatible input answers with it).
    public func signalID(source: String, sourceRef: String) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM signals WHERE identity = ? AND source = ? AND source_ref = ?",
            arguments: [SignalIdentity.key(source: source, ref: sourceRef), source, sourceRef])
    }
}
