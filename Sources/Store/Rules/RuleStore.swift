internal import GRDB
import Model

/// One entry of a rule's history: created, edited (a new version), enabled, disabled.
public struct RuleChange: Codable, Sendable, Hashable {
    public var time: Timestamp
    public var author: String
    public var change: String
    public var version: Int
}

/// A version of a rule as saved: its text and its compiled form (JSON of `Rule`).
public struct RuleVersion: Codable, Sendable, Hashable {
    public var version: Int
    public var text: String
    public var compiled: String
    public var createdAt: Timestamp
    public var createdBy: String
}

extension Tx {
    /// Saves a new rule (version 1, disabled until enabled).
    public func addRule(name: String, language: String, text: String, compiled: String, by author: String, at time: Timestamp) throws -> StoredRule {
        if try ruleID(name) != nil { throw StoreError.sql(detail: "a rule named '\(name)' exists; edit it or choose another name") }
        try db.execute(
            sql: "INSERT INTO rules (name, language, enabled, version, created_at, updated_at) VALUES (?, ?, 0, 1, ?, ?)",
            arguments: [name, language, time.ms, time.ms])
        let id = db.lastInsertedRowID
        try saveVersion(rule: id, version: 1, text: text, compiled: compiled, by: author, at: time, change: "created")
        return try readBack(try rule(named: name), "rule '\(name)'")
    }

    /// Saves `text` as the rule's next version. Nothing is overwritten.
    public func editRule(name: String, text: String, compiled: String, by author: String, at time: Timestamp) throws -> StoredRule {
        guard let current = try rule(named: name) else { throw StoreError.sql(detail: "no rule named '\(name)'") }
        let version = current.version + 1
        try db.execute(sql: "UPDATE rules SET version = ?, updated_at = ? WHERE id = ?", arguments: [version, time.ms, current.id])
        try saveVersion(rule: current.id, version: version, text: text, compiled: compiled, by: author, at: time, change: "edited")
        return try readBack(try rule(named: name), "rule '\(name)'")
    }

    public func setRuleEnabled(name: String, _ enabled: Bool, by author: String, at time: Timestamp) throws -> StoredRule {
        guard let current = try rule(named: name) else { throw StoreError.sql(detail: "no rule named '\(name)'") }
        guard current.enabled != enabled else { return current }
        try db.execute(sql: "UPDATE rules SET enabled = ?, updated_at = ? WHERE id = ?", arguments: [enabled, time.ms, current.id])
        try db.execute(
            sql: "INSERT INTO rule_changes (rule_id, time, author, change, version) VALUES (?, ?, ?, ?, ?)",
            arguments: [current.id, time.ms, author, enabled ? "enabled" : "disabled", current.version])
        return try readBack(try rule(named: name), "rule '\(name)'")
    }

    private func saveVersion(rule id: Int64, version: Int, text: String, compiled: String, by author: String, at time: Timestamp, change: String) throws {
        try db.execute(
            sql: "INSERT INTO rule_versions (rule_id, version, text, compiled, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, version, text, compiled, time.ms, author])
        try db.execute(
            sql: "INSERT INTO rule_changes (rule_id, time, author, change, version) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, time.ms, author, change, version])
    }

    private func ruleID(_ name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM rules WHERE name = ?", arguments: [name])
    }

    private static let ruleColumns = """
        r.id, r.name, r.version, v.text, r.language, r.enabled, r.updated_at,
        (SELECT author FROM rule_changes c WHERE c.rule_id = r.id ORDER BY c.id DESC LIMIT 1) AS updated_by
        """

    private func storedRule(_ row: Row) -> StoredRule {
        StoredRule(
            id: row["id"], name: row["name"], version: row["version"], text: row["text"], language: row["language"],
            enabled: row["enabled"], updatedAt: Timestamp(ms: row["updated_at"]), updatedBy: row["updated_by"] ?? "")
    }

    public func rule(named name: String) throws -> StoredRule? {
        try Row.fetchOne(
            db, sql: "SELECT \(Tx.ruleColumns) FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.version WHERE r.name = ?",
            arguments: [name]
        ).map(storedRule)
    }

    public func rules() throws -> [StoredRule] {
        try Row.fetchAll(
            db, sql: "SELECT \(Tx.ruleColumns) FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.version ORDER BY r.name"
        ).map(storedRule)
    }

    /// Enabled rules with the compiled form of their current version.
    public func enabledRules() throws -> [(rule: StoredRule, compiled: String)] {
        try Row.fetchAll(
            db, sql: """
                SELECT \(Tx.ruleColumns), v.compiled FROM rules r JOIN rule_versions v ON v.rule_id = r.id AND v.version = r.version
                WHERE r.enabled ORDER BY r.name
                """
        ).map { (storedRule($0), $0["compiled"]) }
    }

    public func ruleVersions(name: String) throws -> [RuleVersion] {
        try Row.fetchAll(
            db, sql: """
                SELECT v.* FROM rule_versions v JOIN rules r ON r.id = v.rule_id WHERE r.name = ? ORDER BY v.version
                """, arguments: [name]
        ).map { RuleVersion(version: $0["version"], text: $0["text"], compiled: $0["compiled"], createdAt: Timestamp(ms: $0["created_at"]), createdBy: $0["created_by"]) }
    }

    public func ruleHistory(name: String) throws -> [RuleChange] {
        try Row.fetchAll(
            db, sql: "SELECT c.* FROM rule_changes c JOIN rules r ON r.id = c.rule_id WHERE r.name = ? ORDER BY c.id",
            arguments: [name]
        ).map { RuleChange(time: Timestamp(ms: $0["time"]), author: $0["author"], change: $0["change"], version: $0["version"]) }
    }

    /// Adds to a rule's count of signals that came later than live evaluation waits for.
    public func countLateSignals(rule name: String, _ n: Int) throws {
        try db.execute(sql: "UPDATE rules SET late_signals = late_signals + ? WHERE name = ?", arguments: [n, name])
    }

    public func lateSignals(rule name: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT late_signals FROM rules WHERE name = ?", arguments: [name]) ?? 0
    }
}
