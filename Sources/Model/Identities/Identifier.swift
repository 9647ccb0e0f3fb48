/// One way a person is named somewhere: a login (`jane.doe`), an email address, a
/// `DOMAIN\login`, a vendor's user id (Okta's `00u1a2b3`, Duo's user key). Identities link a
/// person's identifiers so rules, pivots and the console treat them as one person.
///
/// Values are kept folded (trimmed, lowercased): identifiers compare case-insensitively, as
/// every login system taser reads treats them. Fields keep the vendor's spelling; only the
/// identity tables hold the folded form.
public struct Identifier: Codable, Sendable, Hashable, Comparable {
    public var value: String
    public var kind: IdentifierKind

    public init(_ value: String, kind: IdentifierKind) {
        self.value = Identifier.fold(value)
        self.kind = kind
    }

    /// A value as a field held it: an address is an email, `CORP\jdoe` a domain login.
    public init(naming value: String) {
        self.value = Identifier.fold(value)
        var kind = IdentifierKind.login
        for byte in self.value.utf8 {
            if byte == UInt8(ascii: "@") { kind = .email; break }
            if byte == UInt8(ascii: "\\") { kind = .domainLogin }
        }
        self.kind = kind
    }

    /// Trimmed and lowercased; an ASCII value already so is returned as it is (the common
    /// case at ingest, where every signal's user is folded).
    public static func fold(_ value: String) -> String {
        let bytes = value.utf8
        let plain = bytes.allSatisfy { $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }
        let edged = bytes.first.map { $0 <= 0x20 } == true || bytes.last.map { $0 <= 0x20 } == true
        if plain && !edged { return value }
        let trimmed = value.trimmed
        return plain ? trimmed : trimmed.lowercased()
    }

    public static func < (a: Identifier, b: Identifier) -> Bool { (a.value, a.kind.rawValue) < (b.value, b.kind.rawValue) }

    /// The identifiers one signal names for its user, from the ECS fields every format fills:
    /// `user.name`, `user.email` and `user.id`. Two or more of them in one record are a link.
    /// A numeric id (a Unix uid, a Windows RID) is only unique on its own host, so it links
    /// nothing: `1000` is `ubuntu` on one machine and `jdoe` on the next.
    public static func ofUser(name: String?, email: String?, id: String?) -> [Identifier] {
        var out: [Identifier] = []
        if let name { out.append(Identifier(naming: name)) }
        if let email, email.contains("@") { out.append(Identifier(email, kind: .email)) }
        if let id, !id.allSatisfy(\.isNumber) { out.append(Identifier(id, kind: .vendorID)) }
        return distinct(out)
    }

    /// The identifiers worth linking, first of each value kept: none blank, none longer than
    /// an email address may be (320).
    public static func distinct(_ identifiers: [Identifier]) -> [Identifier] {
        var seen = Set<String>()
        return identifiers.filter { !$0.value.isEmpty && $0.value.count <= 320 && seen.insert($0.value).inserted }
    }
}

/// What an identifier is, which decides how an identity is labelled: a login before an email,
/// before a domain login, before a vendor id.
public enum IdentifierKind: String, Codable, Sendable, Hashable, CaseIterable {
    case login
    case email
    case domainLogin = "domain_login"
    case vendorID = "vendor_id"

    public var preference: Int {
        switch self {
        case .login: 0
        case .email: 1
        case .domainLogin: 2
        case .vendorID: 3
        }
    }
}
