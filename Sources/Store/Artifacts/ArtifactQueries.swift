internal import GRDB
import Model

/// An alert or case that shares an artifact, with when the artifact was seen there.
public struct PivotHit: Codable, Sendable, Hashable {
    public var id: Int64
    public var title: String
    public var status: String
    public var signals: Int
    public var firstSeen: Timestamp?
    public var lastSeen: Timestamp?
}

/// An artifact of a case, with every role it plays there and how it got there.
public struct CaseArtifact: Sendable, Hashable, Codable {
    public var artifact: Artifact
    public var roles: [String]
    public var signals: Int
    public var addedByHand: Bool
}

/// Another case that shares artifacts with a case.
public struct RelatedCase: Codable, Sendable, Hashable {
    public var `case`: Case
    public var shared: Int
    public var sample: [String]
}

/// Which artifacts `export artifacts` wants.
public struct ArtifactExportFilter: Sendable {
    public var types: [ArtifactType] = []
    public var kinds: [String] = []
    public var rules: [String] = []
    public var since: Timestamp?
    public var until: Timestamp?
    public init(types: [ArtifactType] = [], kinds: [String] = [], rules: [String] = [], since: Timestamp? = nil, until: Timestamp? = nil) {
        self.types = types
        self.kinds = kinds
        self.rules = rules
        self.since = since
        self.until = until
    }
}

/// One artifact in an export across alerts and cases.
public struct ArtifactExportRow: Codable, Sendable, Hashable {
    public var artifact: Artifact
    public var roles: [String]
    public var kinds: [String]
    public var rules: [String]
    public var alerts: [Int64]
    public var cases: [Int64]
    public var signals: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
}

extension Tx {
    public func artifact(type: ArtifactType, value: String) throws -> Artifact? {
        try Row.fetchOne(
            db, sql: "SELECT \(Artifact.columns) FROM artifacts ar WHERE ar.type = ? AND ar.value = ?",
            arguments: [type.rawValue, value]
        ).map(Artifact.init(row:))
    }

    /// Artifacts with this value `actor` may know of, of any type or of one (`pivot 10.1.2.3`
    /// without `--type`, `enrich VALUE`).
    public func artifacts(value: String, type: ArtifactType? = nil, visibleTo actor: Actor) throws -> [Artifact] {
        // Users, hosts, emails and domains are stored folded; an analyst types them as a tool wrote them.
        let values = Array(Set([value, Identifier.fold(value)]))
        var sql: SQL = "SELECT \(sql: Artifact.columns) FROM artifacts ar WHERE ar.value IN \(values) AND \(Access.artifactVisible("ar", actor))"
        if let type { sql += " AND ar.type = \(type.rawValue)" }
        sql += " ORDER BY ar.type"
        return try Row.fetchAll(db, literal: sql).map(Artifact.init(row:))
    }

    /// Host artifacts for one machine however tools named it: its short name, its FQDNs
    /// (`lt-klope47.corp.example.com`) and `DOMAIN\` forms, given the short name.
    public func hostArtifacts(named short: String, visibleTo actor: Actor) throws -> [Artifact] {
        let escaped = short.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let sql: SQL = """
            SELECT \(sql: Artifact.columns) FROM artifacts ar
            WHERE ar.type = 'host' AND (ar.value = \(short) OR ar.value LIKE \(escaped + ".%") ESCAPE '\\' OR ar.value LIKE \("%\\\\" + escaped) ESCAPE '\\')
              AND \(Access.artifactVisible("ar", actor))
            ORDER BY ar.value
            """
        return try Row.fetchAll(db, literal: sql).map(Artifact.init(row:))
    }

    /// Alerts `actor` may see whose signals mention the artifact.
    public func alertsSharing(artifact id: Int64, visibleTo actor: Actor) throws -> [PivotHit] {
        try Row.fetchAll(
            db,
            literal: SQL("""
                SELECT a.id, a.title, a.status, count(DISTINCT s.id) AS signals, min(s.time) AS first, max(s.time) AS last
                FROM artifact_signals sa
                JOIN alert_signals x ON x.signal_id = sa.signal_id
                JOIN alerts a ON a.id = x.alert_id
                JOIN signals s ON s.id = sa.signal_id
                WHERE sa.artifact_id = \(id) AND \(Access.alertVisible("a", actor))
                GROUP BY a.id ORDER BY last DESC
                """)
        ).map(PivotHit.init(row:))
    }

    /// Cases `actor` may read that hold the artifact (through their alerts or by hand).
    public func casesSharing(artifact id: Int64, visibleTo actor: Actor) throws -> [PivotHit] {
        try Row.fetchAll(
            db,
            literal: SQL("""
                SELECT c.id, c.title, c.status, count(DISTINCT l.signal_id) AS signals,
                       min(coalesce(s.time, ca.added_at)) AS first, max(coalesce(s.time, ca.added_at)) AS last
                FROM artifact_case_links l
                JOIN cases c ON c.id = l.case_id
                LEFT JOIN signals s ON s.id = l.signal_id
                LEFT JOIN case_artifacts ca ON l.signal_id IS NULL AND ca.case_id = l.case_id AND ca.artifact_id = l.artifact_id
                WHERE l.artifact_id = \(id) AND \(Access.caseLevel("c", actor)) > 0
                GROUP BY c.id ORDER BY last DESC
                """)
        ).map(PivotHit.init(row:))
    }

    /// A case's artifacts: its alerts' artifacts plus those added by hand.
    public func artifacts(ofCase caseID: Int64) throws -> [CaseArtifact] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(Artifact.columns), group_concat(DISTINCT l.role) AS roles, count(DISTINCT l.signal_id) AS signals,
                       max(l.signal_id IS NULL) AS by_hand
                FROM case_artifact_links l JOIN artifacts ar ON ar.id = l.artifact_id
                WHERE l.case_id = ? GROUP BY ar.id ORDER BY ar.type, ar.value
                """,
            arguments: [caseID]
        ).map { row in
            CaseArtifact(
                artifact: Artifact(row: row), roles: (row["roles"] as String? ?? "").split(separator: ",").map(String.init).sorted(),
                signals: row["signals"], addedByHand: row["by_hand"])
        }
    }

    /// Other cases `actor` may read, ranked by how many artifacts they share with the case.
    public func relatedCases(to caseID: Int64, visibleTo actor: Actor, limit: Int = 20) throws -> [RelatedCase] {
        let rows = try Row.fetchAll(
            db,
            literal: SQL("""
                WITH mine AS (SELECT DISTINCT artifact_id FROM case_artifact_links WHERE case_id = \(caseID)),
                     shared AS (
                       SELECT DISTINCT l.case_id, l.artifact_id FROM artifact_case_links l JOIN mine m ON m.artifact_id = l.artifact_id
                       WHERE l.case_id != \(caseID))
                SELECT \(sql: Case.columns), count(*) AS shared,
                       (SELECT group_concat(v, ' ') FROM (SELECT ar.type || ':' || ar.value AS v FROM shared s2
                          JOIN artifacts ar ON ar.id = s2.artifact_id WHERE s2.case_id = c.id ORDER BY ar.type, ar.value LIMIT 5)) AS sample
                FROM shared s JOIN cases c ON c.id = s.case_id
                WHERE \(Access.caseLevel("c", actor)) > 0
                GROUP BY c.id ORDER BY shared DESC, c.id DESC LIMIT \(limit)
                """))
        return rows.map { row in
            RelatedCase(
                case: Case(row: row), shared: row["shared"],
                sample: (row["sample"] as String? ?? "").split(separator: " ").map(String.init))
        }
    }

    /// Artifacts across the alerts and cases `actor` may see, one row per artifact.
    /// Kind, rule and time filters select alerts' signals; hand-added case artifacts join only
    /// when no kind or rule is asked for (they have neither).
    public func exportArtifacts(_ filter: ArtifactExportFilter, visibleTo actor: Actor) throws -> [ArtifactExportRow] {
        // An alert the asker sees may sit in a case they may not read: that case is not named.
        var fromAlerts: SQL = """
            SELECT sa.artifact_id, sa.role, s.kind, a.rule, a.id AS alert_id,
                   CASE WHEN \(Access.caseReadable("a.case_id", actor)) THEN a.case_id END AS case_id, s.id AS signal_id, s.time
            FROM alerts a
            JOIN alert_signals x ON x.alert_id = a.id
            JOIN signals s ON s.id = x.signal_id
            JOIN signal_artifacts sa ON sa.signal_id = s.id
            WHERE \(Access.alertVisible("a", actor))
            """
        if !filter.kinds.isEmpty { fromAlerts += " AND s.kind IN \(filter.kinds)" }
        if !filter.rules.isEmpty { fromAlerts += " AND a.rule IN \(filter.rules)" }
        if let since = filter.since { fromAlerts += " AND s.time >= \(since.ms)" }
        if let until = filter.until { fromAlerts += " AND s.time <= \(until.ms)" }
        var union = fromAlerts
        if filter.kinds.isEmpty && filter.rules.isEmpty {
            var byHand: SQL = """
                SELECT ca.artifact_id, ca.role, NULL, NULL, NULL, ca.case_id, NULL, ca.added_at
                FROM case_artifacts ca JOIN cases c ON c.id = ca.case_id
                WHERE \(Access.caseLevel("c", actor)) > 0
                """
            if let since = filter.since { byHand += " AND ca.added_at >= \(since.ms)" }
            if let until = filter.until { byHand += " AND ca.added_at <= \(until.ms)" }
            union += " UNION ALL " + byHand
        }
        var sql: SQL = """
            SELECT \(sql: Artifact.columns),
                   group_concat(DISTINCT u.role) AS roles, group_concat(DISTINCT u.kind) AS kinds,
                   group_concat(DISTINCT u.rule) AS rules, group_concat(DISTINCT u.alert_id) AS alerts,
                   group_concat(DISTINCT u.case_id) AS cases, count(DISTINCT u.signal_id) AS signals,
                   min(u.time) AS first, max(u.time) AS last
            FROM (\(union)) u JOIN artifacts ar ON ar.id = u.artifact_id
            """
        if !filter.types.isEmpty { sql += " WHERE ar.type IN \(filter.types.map(\.rawValue))" }
        sql += " GROUP BY ar.id ORDER BY ar.type, ar.value"
        return try Row.fetchAll(db, literal: sql).map { row in
            func list(_ column: String) -> [String] {
                (row[column] as String? ?? "").split(separator: ",").map(String.init).sorted()
            }
            func ids(_ column: String) -> [Int64] { list(column).compactMap { Int64($0) }.sorted() }
            return ArtifactExportRow(
                artifact: Artifact(row: row), roles: list("roles"), kinds: list("kinds"), rules: list("rules"),
                alerts: ids("alerts"), cases: ids("cases"), signals: row["signals"],
                firstSeen: Timestamp(ms: row["first"]), lastSeen: Timestamp(ms: row["last"]))
        }
    }
}

extension PivotHit {
    init(row: Row) {
        self.init(
            id: row["id"], title: row["title"], status: row["status"], signals: row["signals"],
            firstSeen: (row["first"] as Int64?).map(Timestamp.init(ms:)),
            lastSeen: (row["last"] as Int64?).map(Timestamp.init(ms:)))
    }
}
