internal import GRDB
import Model

extension Tx {
    public func analyst(_ name: String) throws -> Analyst? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM analysts WHERE name = ?", arguments: [name]) else {
            return nil
        }
        return Analyst(
            name: row["name"], displayName: row["display_name"], email: row["email"], manager: row["manager"],
            teams: try teams(of: name))
    }

    public func analysts() throws -> [Analyst] {
        let memberships = try Row.fetchAll(db, sql: "SELECT analyst, team FROM team_members ORDER BY team")
        var teams: [String: [String]] = [:]
        for row in memberships { teams[row["analyst"], default: []].append(row["team"]) }
        return try Row.fetchAll(db, sql: "SELECT * FROM analysts ORDER BY name").map { row in
            Analyst(
                name: row["name"], displayName: row["display_name"], email: row["email"], manager: row["manager"],
                teams: teams[row["name"]] ?? [])
        }
    }

    /// Adds the analyst if missing; fills in details given, keeps those not given.
    public func saveAnalyst(_ a: Analyst, at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO analysts (name, display_name, email, manager, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET
                  display_name = CASE WHEN excluded.display_name = '' THEN display_name ELSE excluded.display_name END,
                  email = coalesce(excluded.email, email), manager = coalesce(excluded.manager, manager)
                """,
            arguments: [a.name, a.displayName, a.email, a.manager, time.ms])
    }

    public func teams(of analyst: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT team FROM team_members WHERE analyst = ? ORDER BY team", arguments: [analyst])
    }

    public func team(_ name: String) throws -> Team? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM teams WHERE name = ?", arguments: [name]) else {
            return nil
        }
        let members = try String.fetchAll(
            db, sql: "SELECT analyst FROM team_members WHERE team = ? ORDER BY analyst", arguments: [name])
        return Team(name: row["name"], description: row["description"], members: members)
    }

    public func teams() throws -> [Team] {
        try String.fetchAll(db, sql: "SELECT name FROM teams ORDER BY name").compactMap { try team($0) }
    }

    public func insertTeam(_ team: Team, at time: Timestamp) throws {
        try db.execute(
            sql: "INSERT INTO teams (name, description, created_at) VALUES (?, ?, ?)",
            arguments: [team.name, team.description, time.ms])
    }

    public func addMember(_ analyst: String, to team: String) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO team_members (team, analyst) VALUES (?, ?)", arguments: [team, analyst])
    }

    public func removeMember(_ analyst: String, from team: String) throws {
        try db.execute(sql: "DELETE FROM team_members WHERE team = ? AND analyst = ?", arguments: [team, analyst])
    }
}
