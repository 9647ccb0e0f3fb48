/// A person who works cases. `name` is their login on the jump host: taser trusts the OS for
/// who is asking, as analysts log in there as themselves.
public struct Analyst: Sendable, Hashable, Codable {
    public var name: String
    public var displayName: String
    public var email: String?
    public var manager: String?
    public var teams: [String]

    public init(name: String, displayName: String = "", email: String? = nil, manager: String? = nil, teams: [String] = []) {
        self.name = name
        self.displayName = displayName
        self.email = email
        self.manager = manager
        self.teams = teams
    }
}

public struct Team: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var members: [String]

    public init(name: String, description: String = "", members: [String] = []) {
        self.name = name
        self.description = description
        self.members = members
    }
}

/// Who is asking: every engine call carries one. `isAdmin` is true for the database file's
/// owner (and root), who may act as someone else and sees every case.
public struct Actor: Sendable, Hashable {
    public var name: String
    public var isAdmin: Bool

    public init(name: String, isAdmin: Bool) {
        self.name = name
        self.isAdmin = isAdmin
    }
}
