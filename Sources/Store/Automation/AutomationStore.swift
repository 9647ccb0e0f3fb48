internal import GRDB
import Model

/// A trigger that fired: the handler to run, from which step, with which variables.
public struct AutomationJob: Codable, Sendable, Hashable {
    public var id: Int64
    public var playbook: String
    public var handler: Int
    public var handlerName: String
    public var trigger: String
    public var caseID: Int64?
    public var alertID: Int64?
    public var vars: [String: String]
    public var nextStep: Int
    public var status: String
    public var error: String?
    public var createdAt: Timestamp
}

/// A question asked on Slack; with `dueAt`, a timer that fires "no reply" when it passes.
public struct AutomationAsk: Codable, Sendable, Hashable {
    public var id: Int64
    public var playbook: String
    public var caseID: Int64
    public var role: String
    public var login: String
    public var email: String
    public var namespace: String
    public var askedAt: Timestamp
    public var dueAt: Timestamp?
    public var status: String
    public var answer: String?
}

extension Tx {
    // MARK: Cursors

    public func automationCursor(playbook: String, source: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT position FROM automation_cursors WHERE playbook = ? AND source = ?", arguments: [playbook, source])
    }

    public func setAutomationCursor(playbook: String, source: String, position: Int64, at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO automation_cursors (playbook, source, position, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (playbook, source) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
                """,
            arguments: [playbook, source, position, time.ms])
    }

    public func lastAlertID() throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT max(id) FROM alerts") ?? 0 }
    public func lastCaseLogID() throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT max(id) FROM case_log") ?? 0 }

    /// Alerts stored after `id`, oldest first (ids grow in commit order: one writer at a time).
    public func alertIDs(after id: Int64, limit: Int) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT id FROM alerts WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit])
    }

    /// Case log entries after `id` of these kinds, across cases, oldest first.
    public func caseLogEntries(after id: Int64, kinds: [LogKind], limit: Int) throws -> [LogEntry] {
        let names = kinds.map(\.rawValue)
        return try Row.fetchAll(
            db, sql: "SELECT \(LogEntry.columns) FROM case_log l WHERE l.id > ? AND l.kind IN (\(names.map { _ in "?" }.joined(separator: ","))) ORDER BY l.id LIMIT ?",
            arguments: StatementArguments([id] + names + [limit] as [any DatabaseValueConvertible])
        ).compactMap(LogEntry.init(row:))
    }

    // MARK: Jobs

    /// Records a job unless one with the same `dedup` exists (the same trigger seen twice).
    @discardableResult
    public func insertAutomationJob(
        playbook: String, handler: Int, handlerName: String, trigger: String, caseID: Int64?, alertID: Int64?,
        vars: [String: String], dedup: String, at time: Timestamp
    ) throws -> Bool {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO automation_jobs (playbook, handler, handler_name, trigger, case_id, alert_id, vars, dedup, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [playbook, handler, handlerName, trigger, caseID, alertID, Tx.varsText(vars), dedup, time.ms, time.ms])
        return db.changesCount > 0
    }

    public func automationJobs(status: String? = "pending", limit: Int = 1000) throws -> [AutomationJob] {
        var sql = "SELECT id, playbook, handler, handler_name, trigger, case_id, alert_id, vars, next_step, status, error, created_at FROM automation_jobs"
        var args: [any DatabaseValueConvertible] = []
        if let status { sql += " WHERE status = ?"; args.append(status) }
        sql += " ORDER BY id" + (status == nil ? " DESC" : "") + " LIMIT ?"
        args.append(limit)
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { r in
            AutomationJob(
                id: r[0], playbook: r[1], handler: r[2], handlerName: r[3], trigger: r[4], caseID: r[5], alertID: r[6],
                vars: Tx.vars(r[7]), nextStep: r[8], status: r[9], error: r[10], createdAt: Timestamp(ms: r[11]))
        }
    }

    public func updateAutomationJob(_ id: Int64, caseID: Int64?, vars: [String: String], nextStep: Int, status: String, error: String?, at time: Timestamp) throws {
        try db.execute(
            sql: "UPDATE automation_jobs SET case_id = ?, vars = ?, next_step = ?, status = ?, error = ?, updated_at = ? WHERE id = ?",
            arguments: [caseID, Tx.varsText(vars), nextStep, status, error, time.ms, id])
    }

    // MARK: Runs (a playbook's variables for a case)

    public func automationVars(playbook: String, caseID: Int64) throws -> [String: String] {
        Tx.vars(try String.fetchOne(db, sql: "SELECT vars FROM automation_runs WHERE playbook = ? AND case_id = ?", arguments: [playbook, caseID]) ?? "{}")
    }

    public func saveAutomationVars(playbook: String, caseID: Int64, vars: [String: String], at time: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO automation_runs (playbook, case_id, vars, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (playbook, case_id) DO UPDATE SET vars = excluded.vars, updated_at = excluded.updated_at
                """,
            arguments: [playbook, caseID, Tx.varsText(vars), time.ms, time.ms])
    }

    /// The playbooks that run on a case.
    public func automationPlaybooks(ofCase caseID: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT playbook FROM automation_runs WHERE case_id = ? ORDER BY playbook", arguments: [caseID])
    }

    // MARK: Asks (the timers)

    @discardableResult
    public func insertAutomationAsk(
        playbook: String, caseID: Int64, role: String, login: String, email: String, namespace: String, dueAt: Timestamp?, at time: Timestamp
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO automation_asks (playbook, case_id, role, login, email, namespace, asked_at, due_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [playbook, caseID, role, login, email, namespace, time.ms, dueAt?.ms])
        return db.lastInsertedRowID
    }

    /// Questions of a case, newest first.
    public func automationAsks(ofCase caseID: Int64) throws -> [AutomationAsk] {
        try fetchAsks("WHERE case_id = ? ORDER BY id DESC", [caseID])
    }

    /// Questions still waiting whose answer was due at or before `now`.
    public func dueAutomationAsks(at now: Timestamp) throws -> [AutomationAsk] {
        try fetchAsks("WHERE status = 'waiting' AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id", [now.ms])
    }

    public func waitingAutomationAsks(limit: Int = 1000) throws -> [AutomationAsk] {
        try fetchAsks("WHERE status = 'waiting' ORDER BY coalesce(due_at, 9223372036854775807), id LIMIT ?", [limit])
    }

    public func closeAutomationAsk(_ id: Int64, status: String, answer: String?, at time: Timestamp) throws {
        try db.execute(
            sql: "UPDATE automation_asks SET status = ?, answer = ?, closed_at = ? WHERE id = ? AND status = 'waiting'",
            arguments: [status, answer, time.ms, id])
    }

    private func fetchAsks(_ tail: String, _ args: [any DatabaseValueConvertible]) throws -> [AutomationAsk] {
        try Row.fetchAll(
            db, sql: "SELECT id, playbook, case_id, role, login, email, namespace, asked_at, due_at, status, answer FROM automation_asks " + tail,
            arguments: StatementArguments(args)
        ).map { r in
            AutomationAsk(
                id: r[0], playbook: r[1], caseID: r[2], role: r[3], login: r[4], email: r[5], namespace: r[6],
                askedAt: Timestamp(ms: r[7]), dueAt: (r[8] as Int64?).map { Timestamp(ms: $0) }, status: r[9], answer: r[10])
        }
    }

    // MARK: Slack replays

    /// Remembers a request signature; false when it was seen already (a replay). Signatures
    /// older than `keep` are forgotten: the timestamp check refuses such requests anyway.
    public func rememberSlackSignature(_ signature: String, at time: Timestamp, keep: Int64) throws -> Bool {
        try db.execute(sql: "DELETE FROM slack_replays WHERE seen_at < ?", arguments: [time.ms - keep])
        try db.execute(sql: "INSERT OR IGNORE INTO slack_replays (signature, seen_at) VALUES (?, ?)", arguments: [signature, time.ms])
        return db.changesCount > 0
    }

    static func varsText(_ vars: [String: String]) -> String { JSONValue.object(vars.mapValues { .string($0) }).text }

    static func vars(_ text: String) -> [String: String] {
        guard let o = (try? JSONValue.parse(text))?.objectValue else { return [:] }
        return o.compactMapValues(\.stringValue)
    }
}
