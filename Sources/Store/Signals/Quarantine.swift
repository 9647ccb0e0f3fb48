import Foundation
internal import GRDB
import Model

/// Input that could not be parsed, kept whole with why and where, until it is replayed.
public struct QuarantineItem: Codable, Sendable, Hashable {
    public var id: Int64
    public var receivedAt: Timestamp
    /// The input: a file path, `stdin`, `poll:okta`, a drop folder's file.
    public var source: String
    /// Where in the input: `alerts.json:17`.
    public var origin: String
    public var format: String?
    public var reason: String
    /// The bytes kept: all of the input, or for an oversize record its first bytes.
    public var raw: [UInt8]
    /// The record's whole size when `raw` is only a sample of it; nil when `raw` is all of it.
    public var sampledFrom: Int?
    public var replayedAt: Timestamp?

    /// The size of what was refused, whether kept whole or as a sample.
    public var size: Int { sampledFrom ?? raw.count }
}

extension Tx {
    /// Quarantines input; the same bytes from the same source are kept once (re-running an
    /// ingest after a crash must not double them; a replay that fails again refreshes the
    /// reason). `sampledFrom` is the whole size when `raw` is only a sample of the record; the
    /// size is part of the identity, so two long records that begin alike are both kept.
    /// Returns false when already held.
    @discardableResult
    public func quarantine(
        source: String, origin: String, format: String?, reason: String, raw: [UInt8], sampledFrom: Int? = nil, at time: Timestamp
    ) throws -> Bool {
        let digest = Hashing.sha256Hex(bytes: raw) + (sampledFrom.map { ":\($0)" } ?? "")
        let held = try Bool.fetchOne(db, sql: "SELECT 1 FROM quarantine WHERE source = ? AND digest = ?", arguments: [source, digest]) ?? false
        try db.execute(
            sql: """
                INSERT INTO quarantine (received_at, source, origin, format, reason, raw, digest, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, digest) DO UPDATE SET reason = excluded.reason, format = excluded.format
                """,
            arguments: [time.ms, source, origin, format, reason, Data(raw), digest, sampledFrom])
        return !held
    }

    /// Quarantined input, newest first; `pending` leaves out what was replayed.
    public func quarantined(pending: Bool = true, limit: Int = 100) throws -> [QuarantineItem] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, received_at, source, origin, format, reason, substr(raw, 1, 4096) AS raw, coalesce(size, length(raw)) AS size, replayed_at FROM quarantine
                \(pending ? "WHERE replayed_at IS NULL" : "") ORDER BY id DESC LIMIT ?
                """,
            arguments: [limit]
        ).map(QuarantineItem.init(row:))
    }

    public func quarantineItem(_ id: Int64) throws -> QuarantineItem? {
        try Row.fetchOne(
            db, sql: "SELECT id, received_at, source, origin, format, reason, raw, size, replayed_at FROM quarantine WHERE id = ?",
            arguments: [id]
        ).map(QuarantineItem.init(row:))
    }

    public func markReplayed(_ id: Int64, at time: Timestamp) throws {
        try db.execute(sql: "UPDATE quarantine SET replayed_at = ? WHERE id = ?", arguments: [time.ms, id])
    }

    public func quarantineCount(pending: Bool = true) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine \(pending ? "WHERE replayed_at IS NULL" : "")") ?? 0
    }
}

extension QuarantineItem {
    init(row: Row) {
        let raw: Data = row["raw"] ?? Data()
        self.init(
            id: row["id"], receivedAt: Timestamp(ms: row["received_at"]), source: row["source"], origin: row["origin"],
            format: row["format"], reason: row["reason"], raw: Array(raw), sampledFrom: row["size"],
            replayedAt: (row["replayed_at"] as Int64?).map(Timestamp.init(ms:)))
    }
}
