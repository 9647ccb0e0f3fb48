internal import GRDB
import Model

/// What a drop folder remembers of a file it took.
public enum FileStatus: String, Sendable {
    case started, done, failed
}

extension Tx {
    /// The drop folder's record of a file, by content: the same bytes under a new name are the
    /// same file, and a file whose ingest was cut short is `started`.
    public func fileStatus(folder: String, digest: String) throws -> FileStatus? {
        try String.fetchOne(
            db, sql: "SELECT status FROM ingested_files WHERE folder = ? AND digest = ?", arguments: [folder, digest]
        ).flatMap(FileStatus.init(rawValue:))
    }

    public func markFile(folder: String, name: String, size: Int, digest: String, status: FileStatus, summary: String?, at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO ingested_files (folder, name, size, digest, status, started_at, finished_at, summary)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (folder, digest) DO UPDATE SET name = excluded.name, status = excluded.status,
                  finished_at = excluded.finished_at, summary = coalesce(excluded.summary, summary)
                """,
            arguments: [folder, name, size, digest, status.rawValue, time.ms, status == .started ? nil : time.ms, summary])
    }

    /// A poller's position in its source (an Okta `after` link, a Duo `mintime`).
    public func pollCursor(_ poller: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT cursor FROM poll_cursors WHERE poller = ?", arguments: [poller])
    }

    public func setPollCursor(_ poller: String, _ cursor: String, at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO poll_cursors (poller, cursor, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (poller) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                """,
            arguments: [poller, cursor, time.ms])
    }
}
