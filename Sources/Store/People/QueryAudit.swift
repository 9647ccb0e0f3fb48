internal import GRDB
import Model

/// One line of the query audit.
public struct QueryAuditEntry: Codable, Sendable, Hashable {
    public var time: Timestamp
    public var analyst: String
    public var query: String
    public var input: String
    public var allowed: Bool
    /// `plugin:answered(2) dns:failed` — what each plugin did.
    public var plugins: String
    public var answers: Int

    public init(time: Timestamp, analyst: String, query: String, input: String, allowed: Bool, plugins: String, answers: Int) {
        self.time = time
        self.analyst = analyst
        self.query = query
        self.input = input
        self.allowed = allowed
        self.plugins = plugins
        self.answers = answers
    }
}

extension Tx {
    public func audit(_ e: QueryAuditEntry) throws {
        try db.execute(
            sql: "INSERT INTO query_audit (time, analyst, query, input, allowed, plugins, answers) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [e.time.ms, e.analyst, e.query, e.input, e.allowed, e.plugins, e.answers])
    }

    public func queryAudit(limit: Int = 100) throws -> [QueryAuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM query_audit ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
            QueryAuditEntry(
                time: Timestamp(ms: $0["time"]), analyst: $0["analyst"], query: $0["query"], input: $0["input"], allowed: $0["allowed"],
                plugins: $0["plugins"], answers: $0["answers"])
        }
    }
}
