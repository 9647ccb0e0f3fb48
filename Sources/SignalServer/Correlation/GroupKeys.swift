import Model

/// How a rule's `WITH [ ... ] IN COMMON` reads a value, so one person or one machine is one
/// group key however each tool spells it:
///
/// - a person's field (`user.name`, `user.email`, ...) resolves to the label of the identity
///   the value belongs to (`Jane.Doe@Example.com` and `jane.doe` -> `jane.doe`, once a record
///   or the identities file linked them), else to the value folded;
/// - a host's field (`host.name`, ...) is the machine's short name, folded: the FQDN
///   `LT-KLOPE47.corp.example.com`, the short `lt-klope47` and `CORP\LT-KLOPE47` are one key.
///   Two machines with one short name in two domains would share a key; on one network
///   that does not happen, and the alert lists every spelling seen;
/// - any other field is folded too (`HOST4`, `host4` and `Host4` are one key, as Sigma compares
///   values ignoring case), unless the rule keeps case (`CASED`, `Rule.casedValues`): then it is
///   taken as it is. Person and host fields always fold: they are identities, not text.
public struct GroupKeys: Sendable {
    /// Folded identifier -> its identity's label (`Tx.identityLabels`).
    public var identities: [String: String]

    public init(identities: [String: String] = [:]) {
        self.identities = identities
    }

    public static let personFields: Set<String> = [
        "user.name", "user.email", "user.id", "user.target.name", "user.target.email", "user.target.id",
        "source.user.name", "source.user.email", "destination.user.name", "destination.user.email",
    ]
    /// The person fields `rule` groups by (any clause's own WITH too): non-empty when its keys
    /// need the identities.
    public static func personFields(of rule: Rule) -> Set<String> {
        Set(rule.groupBy + rule.clauses.flatMap { $0.groupBy ?? [] }).intersection(personFields)
    }

    public static let hostFields: Set<String> = ["host.name", "host.hostname", "source.hostname", "destination.hostname"]

    public func value(of field: String, _ text: String, cased: Bool = false) -> String {
        if GroupKeys.personFields.contains(field) {
            let folded = Identifier.fold(text)
            return identities[folded] ?? folded
        }
        if GroupKeys.hostFields.contains(field) {
            // `CORP\` or `.local` leave no short name: the value itself, folded, is the key.
            let short = GroupKeys.host(text)
            return short.isEmpty ? Identifier.fold(text) : short
        }
        return GroupKeys.text(text, cased: cased)
    }

    /// A group-by or DISTINCT value of a field that is neither a person nor a host.
    public static func text(_ text: String, cased: Bool) -> String {
        cased ? text : text.lowercased()
    }

    /// A machine's short name: after a `DOMAIN\`, before the first dot (unless it is an IP
    /// address), folded.
    public static func host(_ text: String) -> String {
        var name = Substring(Identifier.fold(text))
        if let slash = name.lastIndex(of: "\\") { name = name[name.index(after: slash)...] }
        let isAddress = name.contains(":") || name.allSatisfy { $0 == "." || $0.isNumber }
        if !isAddress, let dot = name.firstIndex(of: "."), dot != name.startIndex { name = name[..<dot] }
        return String(name)
    }
}
