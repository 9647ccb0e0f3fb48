internal import GRDB
import Model

/// One thing Positron said about an artifact.
public struct Enrichment: Sendable, Hashable {
    public var query: String
    /// The answer's fields as canonical JSON text (`{"hostname":"lt-jdoe01"}`).
    public var answer: String
    public var plugins: [String]
    public var time: Timestamp
}

extension Tx {
    public func addEnrichment(artifact id: Int64, query: String, answer: JSONValue, plugins: [String], at time: Timestamp) throws {
        try db.execute(
            sql: "INSERT INTO enrichments (artifact_id, query, plugins, answer, time) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, query, plugins.joined(separator: ","), answer.text, time.ms])
    }

    /// The latest answers of each query about the artifact (older ones stay in the table).
    public func enrichments(of id: Int64) throws -> [Enrichment] {
        try Row.fetchAll(
            db, sql: """
                SELECT e.* FROM enrichments e
                WHERE e.artifact_id = ? AND e.time = (SELECT max(time) FROM enrichments x WHERE x.artifact_id = e.artifact_id AND x.query = e.query)
                ORDER BY e.query, e.id
                """, arguments: [id]
        ).map {
            Enrichment(query: $0["query"], answer: $0["answer"], plugins: ($0["plugins"] as String).split(separator: ",").map(String.init),
                       time: Timestamp(ms: $0["time"]))
        }
    }
}
