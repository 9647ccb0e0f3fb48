import Model
import Store

/// One person, many names (see `IdentitySchema`). Reading identities is every analyst's;
/// linking and unlinking too, since they tune how rules group as rules do, and each change
/// records who made it.
extension Engine {
    public func identities(matching: String? = nil, limit: Int = 1_000) throws -> [IdentityRecord] {
        try read { tx in try tx.identityRecords(matching: matching, limit: limit) }
    }

    /// Links two identifiers as one person's, by hand.
    public func linkIdentifiers(_ a: String, _ b: String) throws -> Bool {
        let (x, y) = (Identifier(naming: a), Identifier(naming: b))
        guard !x.value.isEmpty, !y.value.isEmpty else { throw EngineError.invalid("an identifier cannot be empty") }
        guard x.value != y.value else { throw EngineError.invalid("'\(a)' and '\(b)' are the same identifier (they compare case-insensitively)") }
        return try change { tx, now in try tx.link(x, y, source: "analyst:\(actor.name)", at: now) }
    }

    /// Removes a link for good (learning from records does not bring it back).
    public func unlinkIdentifiers(_ a: String, _ b: String) throws {
        let removed = try change { tx, now in try tx.unlink(a, b, by: actor.name, at: now) }
        guard removed else {
            throw EngineError.invalid("no link between '\(a)' and '\(b)'; `taser identities --search \(a)` lists the links")
        }
    }

    /// Links the identifiers of each person in an identities file. Returns how many people
    /// and how many new links.
    public func importIdentities(_ people: [[Identifier]], from name: String) throws -> (people: Int, links: Int) {
        try change { tx, now in
            var links = 0
            for identifiers in people {
                for other in identifiers.dropFirst() where try tx.link(identifiers[0], other, source: "file:\(name)", at: now) { links += 1 }
            }
            return (people.count, links)
        }
    }

    /// What Positron's USER_INFO said of a user: the answer's email (and login) are the
    /// user's too.
    func learnIdentities(fromUserInfo answer: [String: String], about artifact: Artifact, _ tx: Tx, at now: Timestamp) throws {
        guard artifact.type == .user || artifact.type == .email else { return }
        let asked = Identifier(naming: artifact.value)
        let named = [answer["email"], answer["login"], answer["username"], answer["upn"]].compactMap { $0 }.filter { !$0.isEmpty }
        for value in named { try tx.link(asked, Identifier(naming: value), source: "positron:USER_INFO", at: now) }
    }
}
