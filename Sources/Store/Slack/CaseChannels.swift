internal import GRDB
import Model

extension CaseChannel {
    /// Nil for a row taser could not have written (a NULL or a wrong type put there by hand).
    init?(row: Row) {
        func text(_ column: String) -> String? { (try? row.decode(String?.self, forColumn: column)) ?? nil }
        func number(_ column: String) -> Int64? { (try? row.decode(Int64?.self, forColumn: column)) ?? nil }
        guard let caseID = number("case_id"), let n = number("number"), let endpoint = text("endpoint"),
            let requestedAt = number("requested_at"), let requestedBy = text("requested_by")
        else { return nil }
        self.init(
            caseID: caseID, number: n, endpoint: endpoint, requestedAt: Timestamp(ms: requestedAt), requestedBy: requestedBy,
            slackID: text("slack_id"), name: text("name"), createdAt: number("created_at").map(Timestamp.init(ms:)))
    }
}

extension Tx {
    /// A case's channels, in the order they were asked for. No access check: Engine's callers
    /// checked the case.
    public func channels(ofCase caseID: Int64) throws -> [CaseChannel] {
        try Row.fetchAll(db, sql: "SELECT * FROM case_channels WHERE case_id = ? ORDER BY number", arguments: [caseID])
            .compactMap(CaseChannel.init(row:))
    }

    /// A new channel for the case, numbered after its others; Sync creates it in Slack.
    public func addChannelRequest(caseID: Int64, endpoint: String, by who: String, at time: Timestamp) throws -> CaseChannel {
        let last = try Int64.fetchOne(db, sql: "SELECT max(number) FROM case_channels WHERE case_id = ?", arguments: [caseID]) ?? 0
        // From the file: checked, so a number put there by hand cannot trap the process.
        let (number, full) = last.addingReportingOverflow(1)
        guard !full else { throw StoreError.sql(detail: "case \(caseID)'s channel numbers are used up") }
        try db.execute(
            sql: "INSERT INTO case_channels (case_id, number, endpoint, requested_at, requested_by) VALUES (?, ?, ?, ?, ?)",
            arguments: [caseID, number, endpoint, time.ms, who])
        return CaseChannel(caseID: caseID, number: number, endpoint: endpoint, requestedAt: time, requestedBy: who)
    }

    /// What Slack made of a request: its id and name. Recording it again with the same id is
    /// a no-op (a retried delivery); another channel for the same request is refused.
    public func recordChannelCreated(caseID: Int64, number: Int64, slackID: String, name: String, at time: Timestamp) throws {
        try db.execute(
            sql: """
                UPDATE case_channels SET slack_id = ?, name = ?, created_at = ?
                 WHERE case_id = ? AND number = ? AND (slack_id IS NULL OR slack_id = ?)
                """,
            arguments: [slackID, name, time.ms, caseID, number, slackID])
        guard db.changesCount > 0 else {
            throw StoreError.sql(detail: "case \(caseID) has no channel request \(number) waiting for channel \(slackID)")
        }
    }

    /// The case channel Slack calls `slackID`, if any.
    public func caseChannel(slackID: String) throws -> CaseChannel? {
        try Row.fetchOne(db, sql: "SELECT * FROM case_channels WHERE slack_id = ?", arguments: [slackID]).flatMap(CaseChannel.init(row:))
    }
}
