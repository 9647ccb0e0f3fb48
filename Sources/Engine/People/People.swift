import Model
import Store

/// Analysts and teams. Reading them is open to every analyst; changing them is the admin's.
extension Engine {
    public func analysts() throws -> [Analyst] { try read { tx in try tx.analysts() } }

    public func teams() throws -> [Team] { try read { tx in try tx.teams() } }

    public func addAnalyst(_ analyst: Analyst) throws {
        try requireAdmin("add or change analysts")
        try Engine.checkName(analyst.name, what: "analyst")
        try change { tx, now in
            try tx.saveAnalyst(analyst, at: now)
            for team in analyst.teams {
                guard try tx.team(team) != nil else { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
                try tx.addMember(analyst.name, to: team)
            }
        }
    }

    public func addTeam(_ name: String, description: String = "") throws {
        try requireAdmin("add teams")
        try Engine.checkName(name, what: "team")
        try change { tx, now in
            guard try tx.team(name) == nil else { throw EngineError.invalid("team '\(name)' exists already") }
            try tx.insertTeam(Team(name: name, description: description), at: now)
        }
    }

    public func addMember(_ analyst: String, to team: String) throws {
        try requireAdmin("change team membership")
        try change { tx, now in
            guard try tx.team(team) != nil else { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
            try requireAnalyst(analyst, tx)
            try tx.addMember(analyst, to: team)
        }
    }

    public func removeMember(_ analyst: String, from team: String) throws {
        try requireAdmin("change team membership")
        try change { tx, _ in
            guard let t = try tx.team(team) else { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
            guard t.members.contains(analyst) else { throw EngineError.notTeamMember(team: team, analyst: analyst) }
            try tx.removeMember(analyst, from: team)
        }
    }

    static func checkName(_ name: String, what: String) throws {
        let ok = !name.isEmpty && name.count <= 64
            && name.allSatisfy { $0.isLetter || $0.isNumber || "._-@".contains($0) }
        guard ok else {
            throw EngineError.invalid("'\(name)' is not a valid \(what) name: use letters, digits, '.', '_', '-' or '@' (at most 64)")
        }
    }
}
