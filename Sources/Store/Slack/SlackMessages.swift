internal import GRDB
import Model

/// A Slack message already on a case's log: the entry it made and the entry of its latest
/// version (the last edit's correction), and who posted it.
public struct LoggedSlackMessage: Sendable, Hashable {
    public var caseID: Int64
    public var entryID: Int64
    public var latestEntryID: Int64
    public var author: String
}

extension Tx {
    /// Records an Events API delivery; false when it was already taken (Slack's retry of a
    /// delivery it thinks failed, or the same event twice). Deliveries older than `keep` ms are
    /// forgotten: Slack stops retrying within the hour.
    public func rememberSlackEvent(_ eventID: String, at time: Timestamp, keep: Int64) throws -> Bool {
        let (cutoff, overflow) = time.ms.subtractingReportingOverflow(keep)
        if !overflow { try db.execute(sql: "DELETE FROM slack_events WHERE received_at < ?", arguments: [cutoff]) }
        try db.execute(sql: "INSERT OR IGNORE INTO slack_events (event_id, received_at) VALUES (?, ?)", arguments: [eventID, time.ms])
        return db.changesCount > 0
    }

    public func slackMessage(channel: String, ts: String) throws -> LoggedSlackMessage? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT case_id, entry_id, latest_entry_id, author FROM slack_messages WHERE channel = ? AND ts = ?", arguments: [channel, ts])
        else { return nil }
        guard let caseID = try? row.decode(Int64.self, forColumn: "case_id"), let entry = try? row.decode(Int64.self, forColumn: "entry_id"),
            let latest = try? row.decode(Int64.self, forColumn: "latest_entry_id"), let author = try? row.decode(String.self, forColumn: "author")
        else { return nil }
        return LoggedSlackMessage(caseID: caseID, entryID: entry, latestEntryID: latest, author: author)
    }

    /// A message's first entry; false when the message was logged already (nothing written).
    public func saveSlackMessage(channel: String, ts: String, caseID: Int64, entryID: Int64, author: String) throws -> Bool {
        try db.execute(
            sql: "INSERT OR IGNORE INTO slack_messages (channel, ts, case_id, entry_id, latest_entry_id, author) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [channel, ts, caseID, entryID, entryID, author])
        return db.changesCount > 0
    }

    /// The entry that now holds a message's text (an edit's or deletion's correction).
    public func setLatestSlackEntry(channel: String, ts: String, entryID: Int64) throws {
        try db.execute(sql: "UPDATE slack_messages SET latest_entry_id = ? WHERE channel = ? AND ts = ?", arguments: [entryID, channel, ts])
    }

    /// A cached Slack user name and when it was fetched.
    public func slackUserName(_ userID: String) throws -> (name: String, fetchedAt: Timestamp)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, fetched_at FROM slack_users WHERE user_id = ?", arguments: [userID]),
            let name = try? row.decode(String.self, forColumn: "name"), let at = try? row.decode(Int64.self, forColumn: "fetched_at")
        else { return nil }
        return (name, Timestamp(ms: at))
    }

    public func saveSlackUserName(_ userID: String, name: String, at time: Timestamp) throws {
        try db.execute(
            sql: "INSERT INTO slack_users (user_id, name, fetched_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, fetched_at = excluded.fetched_at",
            arguments: [userID, name, time.ms])
    }
}

extension Tx {
    /// One log entry by its id (corrections and thread replies point at entries by id).
    public func logEntry(_ id: Int64) throws -> LogEntry? {
        try Row.fetchOne(db, sql: "SELECT \(LogEntry.columns) FROM case_log l WHERE l.id = ?", arguments: [id]).flatMap(LogEntry.init(row:))
    }
}
