internal import GRDB
import Model

/// One thing Positron said about an artifact.
public struct Enrichment: Sendable, Hashable, Codable {
    public var query: String
    /// The answer's fields as canonical JSON text (`{"hostname":"lt-jdoe01"}`).
    public var answer: String
    public var plugins: [String]
    public var time: Timestamp

    public var json: JSONValue {
        ["query": .string(query), "answer": (try? JSONValue.parse(answer)) ?? .string(answer),
         "plugins": .array(plugins.map { .string($0) }), "time": .string(time.iso8601)]
    }
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

/// One artifact of one newly ingested signal, as automatic enrichment sees it.
public struct SignalArtifact: Sendable, Hashable {
    public var signal: Int64
    public var source: String
    public var kind: String
    public var artifact: Artifact
    public var role: String
}

extension Tx {
    /// The artifacts of the signals after `signal` (by id, so a restart goes on where it
    /// stopped), at most `limit` signals' worth.
    public func artifacts(ofSignalsAfter signal: Int64, limit: Int) throws -> [SignalArtifact] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.id AS signal_id, s.source, s.kind, \(Artifact.columns), sa.role
                FROM (SELECT id, source, kind FROM signals WHERE id > ? ORDER BY id LIMIT ?) s
                JOIN signal_artifacts sa ON sa.signal_id = s.id JOIN artifacts ar ON ar.id = sa.artifact_id
                ORDER BY s.id
                """,
            arguments: [signal, limit]
        ).map { SignalArtifact(signal: $0["signal_id"], source: $0["source"], kind: $0["kind"], artifact: Artifact(row: $0), role: $0["role"]) }
    }

    /// When the artifact was last asked this query with an answer, if ever.
    public func lastEnriched(artifact id: Int64, query: String) throws -> Timestamp? {
        try Int64.fetchOne(db, sql: "SELECT max(time) FROM enrichments WHERE artifact_id = ? AND query = ?", arguments: [id, query])
            .map { Timestamp(ms: $0) }
    }
}
