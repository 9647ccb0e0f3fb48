internal import GRDB
import Model

extension Tx {
    public func signal(_ id: Int64) throws -> Signal? {
        try Row.fetchOne(db, sql: "SELECT \(Signal.columns) FROM signals s WHERE s.id = ?", arguments: [id])
            .map(Signal.init(row:))
    }

    /// The signals of an alert, oldest first.
    public func signals(ofAlert alert: Int64) throws -> [Signal] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(Signal.columns) FROM alert_signals x JOIN signals s ON s.id = x.signal_id
                WHERE x.alert_id = ? ORDER BY s.time, s.id
                """,
            arguments: [alert]
        ).map(Signal.init(row:))
    }

    /// Each artifact a signal mentions, with its role there.
    public func artifacts(ofSignal signal: Int64) throws -> [(artifact: Artifact, role: String)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(Artifact.columns), sa.role FROM signal_artifacts sa JOIN artifacts ar ON ar.id = sa.artifact_id
                WHERE sa.signal_id = ? ORDER BY ar.type, ar.value, sa.role
                """,
            arguments: [signal]
        ).map { (Artifact(row: $0), $0["role"]) }
    }

    public func signalCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM signals") ?? 0
    }

    /// Signal ids of the given kinds in a time range, oldest first (for stories and, later, rules).
    public func signalIDs(kind: String, from: Timestamp, to: Timestamp) throws -> [Int64] {
        try Int64.fetchAll(
            db, sql: "SELECT id FROM signals WHERE kind = ? AND time BETWEEN ? AND ? ORDER BY time, id",
            arguments: [kind, from.ms, to.ms])
    }
}

extension Tx {
    /// The normalized fields exactly as stored (canonical JSON text).
    public func rawFieldsText(_ id: Int64) throws -> String? {
        try String.fetchOne(db, sql: "SELECT fields FROM signals WHERE id = ?", arguments: [id])
    }
}

extension Tx {
    /// Average raw and fields sizes and the number of artifact links: what a benchmark's
    /// baseline needs to write the same volume.
    public func signalVolume() throws -> (rawBytes: Int, fieldBytes: Int, links: Int) {
        let volume = try Row.fetchOne(db, sql: "SELECT coalesce(avg(length(raw)), 0) AS raw, coalesce(avg(length(fields)), 0) AS fields FROM signals")
        // An aggregate without GROUP BY always returns one row.
        let row = try readBack(volume, "the signal volume")
        let links = try Int.fetchOne(db, sql: "SELECT count(*) FROM artifact_signals") ?? 0
        return (Int((row["raw"] as Double).rounded()), Int((row["fields"] as Double).rounded()), links)
    }
}

/// Which signals a listing wants.
public struct SignalFilter: Codable, Sendable {
    public var kinds: [String]
    public var sources: [String]
    public var since: Timestamp?
    public var until: Timestamp?
    public var limit: Int
    public init(kinds: [String] = [], sources: [String] = [], since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = 100) {
        self.kinds = kinds
        self.sources = sources
        self.since = since
        self.until = until
        self.limit = limit
    }
}

/// An artifact with how many signals mention it.
public struct ArtifactCount: Codable, Sendable, Hashable {
    public var artifact: Artifact
    public var signals: Int
}

extension Tx {
    /// Signals newest first. Signals are raw tool output every analyst may see; access applies
    /// to the alerts and cases built on them.
    public func signals(_ filter: SignalFilter) throws -> [Signal] {
        var sql: SQL = "SELECT \(sql: Signal.columns) FROM signals s WHERE 1"
        if !filter.kinds.isEmpty { sql += " AND s.kind IN \(filter.kinds)" }
        if !filter.sources.isEmpty { sql += " AND s.source IN \(filter.sources)" }
        if let since = filter.since { sql += " AND s.time >= \(since.ms)" }
        if let until = filter.until { sql += " AND s.time <= \(until.ms)" }
        sql += " ORDER BY s.time DESC, s.id DESC LIMIT \(filter.limit)"
        return try Row.fetchAll(db, literal: sql).map(Signal.init(row:))
    }

    /// Artifacts `actor` may know of (see `Access.artifactVisible`), most recently seen first,
    /// with their signal counts.
    public func artifactCounts(types: [ArtifactType] = [], value: String? = nil, limit: Int = 100, visibleTo actor: Actor) throws -> [ArtifactCount] {
        var sql: SQL = """
            SELECT \(sql: Artifact.columns),
                   (SELECT count(*) FROM artifact_signals sa WHERE sa.artifact_id = ar.id) AS signals
            FROM artifacts ar WHERE \(Access.artifactVisible("ar", actor))
            """
        if !types.isEmpty { sql += " AND ar.type IN \(types.map(\.rawValue))" }
        if let value { sql += " AND ar.value LIKE \("%" + value + "%")" }
        sql += " ORDER BY ar.last_seen DESC, ar.id DESC LIMIT \(limit)"
        return try Row.fetchAll(db, literal: sql).map { ArtifactCount(artifact: Artifact(row: $0), signals: $0["signals"]) }
    }
}
