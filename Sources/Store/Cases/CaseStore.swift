internal import GRDB
import Model

/// Which cases a listing wants.
public struct CaseFilter: Sendable, Codable {
    public var status: CaseStatus?
    public var openOnly: Bool
    public var team: String?
    public var owner: String?
    public var limit: Int
    public init(status: CaseStatus? = nil, openOnly: Bool = false, team: String? = nil, owner: String? = nil, limit: Int = 1000) {
        self.status = status
        self.openOnly = openOnly
        self.team = team
        self.owner = owner
        self.limit = limit
    }
}

/// A case as a listing shows it: the case, what the asker may do with it, how many alerts it holds.
public struct CaseSummary: Sendable, Codable {
    public var `case`: Case
    public var access: AccessLevel
    public var alertCount: Int
}

extension Tx {
    public func insertCase(_ new: NewCase, createdBy: String, at time: Timestamp) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO cases (title, description, status, severity, tlp, pap, owner, team, tags, custom_fields,
                                   created_at, created_by, updated_at)
                VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.title, new.description, new.severity.rawValue, new.tlp.rawValue, new.pap.rawValue, new.owner,
                new.team, JSONValue.array(new.tags.map { .string($0) }).text, JSONValue.object(new.customFields).text,
                time.ms, createdBy, time.ms,
            ])
        let id = db.lastInsertedRowID
        try createLogHead(ofCase: id)
        return id
    }

    /// The stored case, with no access check: Engine calls this only after `caseAccess`.
    public func storedCase(_ id: Int64) throws -> Case? {
        try Row.fetchOne(db, sql: "SELECT \(Case.columns) FROM cases c WHERE c.id = ?", arguments: [id])
            .map(Case.init(row:))
    }

    /// Cases `actor` may read, newest first.
    public func cases(_ filter: CaseFilter, visibleTo actor: Actor) throws -> [CaseSummary] {
        var sql: SQL = """
            SELECT * FROM (
              SELECT \(sql: Case.columns), \(Access.caseLevel("c", actor)) AS access,
                     (SELECT count(*) FROM case_alerts ca WHERE ca.case_id = c.id) AS alert_count
              FROM cases c) c
            WHERE c.access > 0
            """
        if let status = filter.status { sql += " AND c.status = \(status.rawValue)" }
        if filter.openOnly { sql += " AND c.status IN ('new', 'in_progress', 'on_hold')" }
        if let team = filter.team { sql += " AND c.team = \(team)" }
        if let owner = filter.owner { sql += " AND c.owner = \(owner)" }
        sql += " ORDER BY c.id DESC LIMIT \(filter.limit)"
        return try Row.fetchAll(db, literal: sql).map { row in
            CaseSummary(case: Case(row: row), access: AccessLevel(rawValue: row["access"]) ?? .none, alertCount: row["alert_count"])
        }
    }

    public func updateCase(_ c: Case, at time: Timestamp) throws {
        try db.execute(
            sql: """
                UPDATE cases SET title = ?, description = ?, status = ?, severity = ?, tlp = ?, pap = ?, owner = ?,
                  team = ?, tags = ?, custom_fields = ?, updated_at = ?, closed_at = ?, resolution = ?, merged_into = ?
                WHERE id = ?
                """,
            arguments: [
                c.title, c.description, c.status.rawValue, c.severity.rawValue, c.tlp.rawValue, c.pap.rawValue, c.owner,
                c.team, JSONValue.array(c.tags.map { .string($0) }).text, JSONValue.object(c.customFields).text,
                time.ms, c.closedAt?.ms, c.resolution?.rawValue, c.mergedInto, c.id,
            ])
    }

    public func shares(ofCase id: Int64) throws -> [CaseShare] {
        try Row.fetchAll(db, sql: "SELECT team, level FROM case_shares WHERE case_id = ? ORDER BY team", arguments: [id])
            .map { CaseShare(team: $0["team"], level: ShareLevel(rawValue: $0["level"]) ?? .read) }
    }

    public func setShare(caseID: Int64, team: String, level: ShareLevel?) throws {
        if let level {
            try db.execute(
                sql: """
                    INSERT INTO case_shares (case_id, team, level) VALUES (?, ?, ?)
                    ON CONFLICT (case_id, team) DO UPDATE SET level = excluded.level
                    """,
                arguments: [caseID, team, level.rawValue])
        } else {
            try db.execute(sql: "DELETE FROM case_shares WHERE case_id = ? AND team = ?", arguments: [caseID, team])
        }
    }

    /// Links an alert to a case (kept forever, also after a merge) and marks the alert promoted.
    public func linkAlert(_ alert: Int64, toCase caseID: Int64, by author: String, at time: Timestamp) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO case_alerts (case_id, alert_id, added_at, added_by) VALUES (?, ?, ?, ?)",
            arguments: [caseID, alert, time.ms, author])
        try setAlertStatus(alert, .promoted, caseID: caseID, at: time)
    }

    /// Every alert the case holds, including those it took over by merging, oldest first.
    public func alerts(ofCase id: Int64) throws -> [Alert] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(Alert.columns) FROM case_alerts ca JOIN alerts a ON a.id = ca.alert_id
                WHERE ca.case_id = ? ORDER BY a.first_signal_at, a.id
                """,
            arguments: [id]
        ).map(Alert.init(row:))
    }

    /// The id of an artifact added by hand to a case or an alert, made if new; one already
    /// known keeps its first and last seen (those are when tool output mentioned it).
    func artifactAddedByHand(_ mention: ArtifactMention, at time: Timestamp) throws -> Int64 {
        let artifactID = try Int64.fetchOne(
            db,
            sql: """
                INSERT INTO artifacts (type, value, first_seen, last_seen) VALUES (?, ?, ?, ?)
                ON CONFLICT (type, value) DO UPDATE SET last_seen = last_seen
                RETURNING id
                """,
            arguments: [mention.type.rawValue, mention.value, time.ms, time.ms])
        return try readBack(artifactID, "artifact \(mention.value)")
    }

    /// Adds an artifact by hand (creating it if new); false when the case already had it in that role.
    /// A known artifact keeps its first and last seen (when tool output mentioned it): the case
    /// keeps its own time of adding, so adding to a case moves nothing that those who may not
    /// read the case see.
    public func addArtifact(_ mention: ArtifactMention, toCase caseID: Int64, by author: String, at time: Timestamp) throws -> Bool {
        let id = try artifactAddedByHand(mention, at: time)
        try db.execute(
            sql: "INSERT OR IGNORE INTO case_artifacts (case_id, artifact_id, role, added_at, added_by) VALUES (?, ?, ?, ?, ?)",
            arguments: [caseID, id, mention.role, time.ms, author])
        return db.changesCount > 0
    }

    /// Cases merged into this one.
    public func casesMerged(into id: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM cases WHERE merged_into = ? ORDER BY id", arguments: [id])
    }
}
