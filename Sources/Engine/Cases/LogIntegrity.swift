import Model
import Store

/// `taser verify` and the heads a remote witness keeps.
extension Engine {
    /// Walks every case log against its head, checks the log key and the file. Open to every
    /// analyst, who hears about the cases they may read only: a broken case they may not read
    /// is said to exist, never which one or how long its log is.
    public func verify(quick: Bool = false, witness: LogWitness? = nil) throws -> VerifyReport {
        try store.inspect { tx in try tx.verify(quick: quick, for: actor, witness: witness) }
    }

    /// Writes every case's head to the outbox as one `log.heads` event, for the endpoints that
    /// take it (a webhook witness). The same heads twice are one message (the key is their
    /// digest). The admin's: the event names every case and its length.
    @discardableResult
    public func publishLogHeads() throws -> LogWitness {
        try requireAdmin("publish the case log heads")
        return try change { tx, now in
            let witness = try tx.logWitness(at: now)
            try tx.enqueue(entity: "log", id: 0, event: "log.heads", payload: witness.payload, key: "log.heads:\(witness.digest)", at: now)
            return witness
        }
    }
}
