import Foundation
import Model
import SignalServer
import Store

/// Correlation rules: saved with every version kept, enabled for live evaluation, and run
/// against stored signals by the simulator. Any analyst may write rules; the history says who.
extension Engine {
    /// The compiler with the kinds and fields this database knows.
    public func ruleCompiler(mappingKinds: [SignalKind] = []) -> RuleCompiler {
        RuleCompiler(extraKinds: mappingKinds)
    }

    /// Compiles rule text without saving anything (`taser rules check`). A TEAM must exist:
    /// its alerts go to that team's queue.
    public func checkRule(_ text: String) throws -> Rule {
        let rule = try ruleCompiler().compile(text)
        try checkTeam(of: rule)
        return rule
    }

    private func checkTeam(of rule: Rule) throws {
        guard let team = rule.options.team else { return }
        try read { tx in
            if try tx.team(team) == nil { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
        }
    }

    public func addRule(name: String, text: String, enable: Bool = false) throws -> StoredRule {
        try Engine.checkRuleName(name)
        let compiled = try checkRule(text)
        return try change { tx, now in
            guard try tx.rule(named: name) == nil else {
                throw EngineError.invalid("a rule named '\(name)' exists; change it with `taser rules edit \(name)`")
            }
            var saved = try tx.addRule(name: name, language: "taser", text: text, compiled: try Engine.encode(compiled), by: actor.name, at: now)
            if enable { saved = try tx.setRuleEnabled(name: name, true, by: actor.name, at: now) }
            return saved
        }
    }

    /// Saves imported rules (Sigma) whose compiled form is already made; an existing rule
    /// of the same name gets a new version only when its text changed.
    public func saveImportedRule(name: String, language: String, text: String, rule: Rule) throws -> (rule: StoredRule, changed: Bool) {
        try Engine.checkRuleName(name)
        try checkTeam(of: rule)
        let compiled = try Engine.encode(rule)
        return try change { tx, now in
            if let existing = try tx.rule(named: name) {
                if existing.text == text { return (existing, false) }
                return (try tx.editRule(name: name, text: text, compiled: compiled, by: actor.name, at: now), true)
            }
            return (try tx.addRule(name: name, language: language, text: text, compiled: compiled, by: actor.name, at: now), true)
        }
    }

    public func editRule(name: String, text: String) throws -> StoredRule {
        let current = try rule(named: name)
        guard current.language == "taser" else {
            throw EngineError.invalid("rule '\(name)' was imported from Sigma; change the Sigma file and import it again")
        }
        let compiled = try checkRule(text)
        guard text != current.text else { return current }
        return try change { tx, now in
            try tx.editRule(name: name, text: text, compiled: try Engine.encode(compiled), by: actor.name, at: now)
        }
    }

    public func setRuleEnabled(name: String, _ enabled: Bool) throws -> StoredRule {
        _ = try rule(named: name)
        return try change { tx, now in try tx.setRuleEnabled(name: name, enabled, by: actor.name, at: now) }
    }

    public func rules() throws -> [StoredRule] { try read { tx in try tx.rules() } }

    public func rule(named name: String) throws -> StoredRule {
        guard let rule = try read({ tx in try tx.rule(named: name) }) else {
            let known = try rules().map(\.name)
            let near = nearestNames(name, in: known)
            throw EngineError.invalid(
                "no rule named '\(name)'" + (near.isEmpty ? "; add one with `taser rules add`" : "; rules near it: \(near.joined(separator: ", "))"))
        }
        return rule
    }

    /// The compiled form of a saved rule's current version (or of `version`).
    public func compiledRule(named name: String, version: Int? = nil) throws -> Rule {
        let stored = try rule(named: name)
        let versions = try read { tx in try tx.ruleVersions(name: name) }
        guard let v = versions.first(where: { $0.version == (version ?? stored.version) }) else {
            throw EngineError.invalid("rule '\(name)' has no version \(version ?? 0); it has 1 to \(stored.version)")
        }
        return try Engine.decode(v.compiled)
    }

    public func ruleVersions(name: String) throws -> [RuleVersion] {
        _ = try rule(named: name)
        return try read { tx in try tx.ruleVersions(name: name) }
    }

    public func ruleHistory(name: String) throws -> [RuleChange] {
        _ = try rule(named: name)
        return try read { tx in try tx.ruleHistory(name: name) }
    }

    /// What `rule` would have raised over the stored signals in `[from, to]` (default: all).
    /// A chained rule (Sigma correlation over correlations) reads the simulated alerts of the
    /// rules it names.
    public func simulate(_ rule: Rule, from: Timestamp? = nil, to: Timestamp? = nil, chain: [String] = []) throws -> SimulationReport {
        let lastID = try read { tx in try tx.lastSignalID() }
        var columns: [String: KindColumns] = [:]
        for kind in rule.kinds where !kind.hasPrefix("rule:") {
            columns[kind] = try columnCache.columns(kind: kind, fields: rule.fields, lastSignalID: lastID) { kind, fields in
                try read { tx in try tx.kindColumns(kind: kind, fields: fields) }
            }
        }
        var derived: [DerivedEvent] = []
        for kind in rule.kinds.sorted() where kind.hasPrefix("rule:") {
            let name = String(kind.dropFirst(5))
            guard !chain.contains(name) else { throw EngineError.invalid("rule \(name) reads itself through \(chain.joined(separator: " -> "))") }
            let inner = try simulate(try compiledRule(named: name), from: from, to: to, chain: chain + [name])
            derived += inner.alerts.map { DerivedEvent(rule: name, time: $0.firedAt.ms, key: $0.key, signals: $0.signals) }
        }
        derived.sort { $0.time < $1.time }
        let keys = try groupKeys(for: rule) { tx in try tx.allIdentityLabels() }
        return try ColumnSimulator.run(rule, columns: columns, derived: derived, from: from?.ms ?? .min, to: to?.ms ?? .max, keys: keys)
    }

    /// How `rule` reads its group-by values: with the identities, when it groups by a person.
    func groupKeys(for rule: Rule, labels: (Tx) throws -> [String: String]) throws -> GroupKeys {
        guard !GroupKeys.personFields(of: rule).isEmpty else { return GroupKeys() }
        return GroupKeys(identities: try read { tx in try labels(tx) })
    }

    /// Rule names are handles in alerts, URLs and commands: short, lowercase, no spaces.
    static func checkRuleName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard !name.isEmpty, name.count <= 80, name.allSatisfy({ allowed.contains($0) }), name.first!.isLetter || name.first!.isNumber else {
            throw EngineError.invalid("'\(name)' cannot name a rule; use lowercase letters, digits and - _ . (as in repeated-carbonblack-alerts)")
        }
    }

    static func encode(_ rule: Rule) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(rule), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> Rule {
        do {
            return try JSONDecoder().decode(Rule.self, from: Data(json.utf8))
        } catch {
            throw EngineError.invalid("a saved rule's compiled form cannot be read (\(error)); save the rule again")
        }
    }
}

extension Engine {
    /// Signals that came too late for live evaluation of this rule (stored, not correlated).
    public func lateSignals(rule name: String) throws -> Int {
        try read { tx in try tx.lateSignals(rule: name) }
    }
}
