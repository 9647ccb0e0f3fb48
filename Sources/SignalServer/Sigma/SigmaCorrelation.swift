import Model

/// A rule a correlation references, once found among everything read.
struct SigmaReferenced: Sendable {
    enum What: Sendable {
        case detection(kinds: [String], filter: Filter)
        /// A correlation's alerts: each is one event whose fields are the rule's group key.
        case correlation(groupBy: [String])
    }

    /// As written in the correlation's `rules:`.
    var written: String
    var header: SigmaHeader
    var what: What

    /// The names `aliases:` may key this rule by.
    var keys: [String] { [written] + header.references }
}

/// A Sigma correlation rule (`correlation:` with type, rules, group-by, timespan, condition,
/// aliases) as a `Rule`:
/// - `event_count`: one clause over the referenced rule, count N. Several referenced rules are
///   counted together as one clause whose filter is any of theirs. A filter reads fields, not
///   the signal's kind, so this is exact only when the rules read the same kinds (or have no
///   filter, as chained correlations): otherwise rule A's filter would also count signals of
///   rule B's kinds. That case is reported instead of imported loosely.
/// - `value_count`: the same with `distinct:` the condition's field.
/// - `temporal` / `temporal_ordered`: one clause per referenced rule, count 1, in order for the
///   latter. Sigma's condition there counts how many of the rules matched; taser's clauses
///   must all match, so only "all of them" is expressed.
/// - Conditions: `gte N` is count N, `gt N` is N+1. taser's alerts fire as soon as a count
///   reaches its least value, so `lt`, `lte`, `eq` and `neq` (upper bounds, exact values) are
///   reported.
/// - A referenced correlation (a chain) is a clause over its alerts, kind `rule:<name>`.
/// - `group-by` fields map through the field mapping; an `aliases:` name used in group-by
///   stays the rule's group-by name, and each clause reads it from the field the alias gives
///   for its rule (`Clause.groupBy`).
struct SigmaCorrelationCompiler {
    let mapping: SigmaFieldMapping
    let header: SigmaHeader
    private(set) var issues: [RuleError] = []

    init(mapping: SigmaFieldMapping, header: SigmaHeader) {
        self.mapping = mapping
        self.header = header
    }

    static let types = ["event_count", "value_count", "temporal", "temporal_ordered"]
    static let keys: Set<String> = ["type", "rules", "group-by", "timespan", "timeframe", "condition", "aliases", "generate"]

    /// The rule, or nil with `issues` saying why.
    mutating func compile(_ node: SigmaNode, resolve: (String, Place) throws(RuleError) -> SigmaReferenced) -> Rule? {
        guard let correlation = node["correlation"], let entries = correlation.entries else {
            issues.append(RuleError("'correlation' is a map with type, rules, group-by, timespan and condition", at: node["correlation"]?.place))
            return nil
        }
        for e in entries where !Self.keys.contains(e.key) {
            issues.append(RuleError("unknown key '\(e.key)' in 'correlation' (it has \(Self.keys.sorted().joined(separator: ", ")))", at: e.place))
        }

        let type = correlation["type"]?.text ?? ""
        if !Self.types.contains(type) {
            if type.hasPrefix("value_") {
                issues.append(RuleError(
                    "correlation type '\(type)' computes over field values; taser counts signals or distinct values, so it cannot be expressed",
                    at: correlation["type"]?.place))
            } else {
                issues.append(RuleError(
                    "correlation type '\(type)' is not one of \(Self.types.joined(separator: ", "))", at: correlation["type"]?.place ?? correlation.place))
            }
        }

        let rulesNode = correlation["rules"]
        let written = rulesNode?.texts ?? []
        if written.isEmpty {
            issues.append(RuleError("'rules' lists the names or ids of the rules to correlate", at: rulesNode?.place ?? correlation.place))
        }

        let window = timespan(correlation)
        let groupBy = list(correlation["group-by"], what: "'group-by' lists field names")
        let aliases = self.aliases(correlation["aliases"])
        let condition = self.condition(correlation["condition"], type: type)

        var referenced: [SigmaReferenced] = []
        for ref in written {
            do {
                referenced.append(try resolve(ref, rulesNode?.place ?? correlation.place))
            } catch {
                issues.append(error)
            }
        }
        guard issues.isEmpty, let window else { return nil }

        let usesAliases = groupBy.contains { aliases[$0] != nil }
        let ruleGroupBy = groupBy.map { aliases[$0] != nil ? $0 : mapping.field($0) }
        let place = correlation.place

        func clauseGroupBy(_ ref: SigmaReferenced) throws(RuleError) -> [String]? {
            guard usesAliases else { return nil }
            var out: [String] = []
            for g in groupBy { out.append(try field(g, for: ref, aliases: aliases, at: place)) }
            return out
        }

        var clauses: [Clause] = []
        do throws(RuleError) {
            switch type {
            case "event_count", "value_count":
                guard let count = condition.atLeast else {
                    throw RuleError("\(type) needs a condition with gte or gt (condition: {gte: 10})", at: correlation["condition"]?.place ?? place)
                }
                var distinct: [String?] = referenced.map { _ in nil }
                var distinctName: String?
                if type == "value_count" {
                    guard let f = condition.field else {
                        throw RuleError("value_count needs the field whose distinct values it counts (condition: {field: User, gte: 10})", at: correlation["condition"]?.place ?? place)
                    }
                    distinctName = aliases[f] != nil ? f : mapping.field(f)
                    distinct = []
                    for ref in referenced { distinct.append(try field(f, for: ref, aliases: aliases, at: place)) }
                }
                clauses = [try countedClause(referenced, count: count, distinct: distinct, distinctName: distinctName, groupBy: clauseGroupBy, ruleGroupBy: ruleGroupBy, at: place)]
            default:
                let needed = referenced.count
                if let least = condition.atLeast, least != needed {
                    throw RuleError(
                        "\(type) with a condition of \(least) of its \(needed) rules: taser's clauses must all match, so only \(needed) (all of them) can be expressed",
                        at: correlation["condition"]?.place ?? place)
                }
                for ref in referenced {
                    let gb = try clauseGroupBy(ref)
                    try checkChain(ref, fields: gb ?? ruleGroupBy, at: place)
                    clauses.append(clause(ref, count: 1, distinct: nil, groupBy: gb, text: ref.header.label))
                }
            }
        } catch {
            issues.append(error)
            return nil
        }

        return Rule(
            clauses: clauses, ordered: type == "temporal_ordered", window: window, groupBy: ruleGroupBy,
            options: RuleOptions(title: header.label, severity: header.severity, tags: header.tags))
    }

    // MARK: clauses

    private func clause(_ ref: SigmaReferenced, count: Int, distinct: String?, groupBy: [String]?, text: String) -> Clause {
        switch ref.what {
        case .detection(let kinds, let filter):
            return Clause(count: count, kinds: kinds, distinct: distinct, filter: filter, groupBy: groupBy, text: text)
        case .correlation:
            return Clause(count: count, kinds: ["rule:\(ref.header.name)"], distinct: distinct, filter: nil, groupBy: groupBy, text: text)
        }
    }

    /// event_count and value_count: one clause, whatever the number of rules counted.
    private func countedClause(
        _ refs: [SigmaReferenced], count: Int, distinct: [String?], distinctName: String?,
        groupBy: (SigmaReferenced) throws(RuleError) -> [String]?, ruleGroupBy: [String], at place: Place
    ) throws(RuleError) -> Clause {
        let titles = refs.map(\.header.label).joined(separator: " or ")
        let text = distinctName.map { "\(count) distinct \($0) of \(titles)" } ?? "\(count) \(titles)"
        var groupBys: [[String]?] = []
        for ref in refs { groupBys.append(try groupBy(ref)) }
        for (i, ref) in refs.enumerated() {
            let counted = i < distinct.count ? distinct[i].map { [$0] } ?? [] : []
            try checkChain(ref, fields: (groupBys[i] ?? ruleGroupBy) + counted, at: place)
        }
        guard let first = refs.first else { throw RuleError("'rules' is empty", at: place) }
        if refs.count == 1 {
            return clause(first, count: count, distinct: distinct.first ?? nil, groupBy: groupBys.first ?? nil, text: text)
        }
        // One clause counts them all, so each rule must read the key and the distinct field
        // from the same fields.
        guard Set(groupBys.map { $0 ?? [] }).count == 1, Set(distinct.map { $0 ?? "" }).count == 1 else {
            throw RuleError(
                "the rules name their group-by or counted fields differently (aliases), but one count over several rules reads one set of fields; write a correlation per rule and chain them",
                at: place)
        }
        var kinds: [String] = []
        var filters: [Filter] = []
        var kindSets: Set<Set<String>> = []
        for ref in refs {
            switch ref.what {
            case .detection(let k, let f):
                kindSets.insert(Set(k))
                filters.append(f)
                for kind in k where !kinds.contains(kind) { kinds.append(kind) }
            case .correlation:
                kinds.append("rule:\(ref.header.name)")
            }
        }
        let filter: Filter?
        if filters.isEmpty {
            filter = nil
        } else if filters.count == refs.count, kindSets.count == 1 {
            filter = SigmaFilters.any(filters)
        } else {
            throw RuleError(
                "counting \(refs.map { "'\($0.written)'" }.joined(separator: " and ")) together needs each filter to apply to its own rule's signals, but they read different signal kinds and a filter cannot tell kinds apart; write one event_count per rule, or give the rules one logsource",
                at: place)
        }
        return Clause(count: count, kinds: kinds, distinct: distinct.first ?? nil, filter: filter, groupBy: groupBys.first ?? nil, text: text)
    }

    /// A chained correlation's alerts carry only its group-by fields.
    private func checkChain(_ ref: SigmaReferenced, fields: [String], at place: Place) throws(RuleError) {
        guard case .correlation(let inner) = ref.what else { return }
        for f in fields where !inner.contains(f) {
            throw RuleError(
                "reads '\(f)' from the alerts of '\(ref.written)', which carry only its group-by (\(inner.isEmpty ? "nothing" : inner.joined(separator: ", "))); group '\(ref.written)' by it too",
                at: place)
        }
    }

    /// A group-by or counted field as the referenced rule's signals name it.
    private func field(_ name: String, for ref: SigmaReferenced, aliases: [String: [String: String]], at place: Place) throws(RuleError) -> String {
        guard let perRule = aliases[name] else { return mapping.field(name) }
        guard let f = ref.keys.lazy.compactMap({ perRule[$0] }).first else {
            throw RuleError("alias '\(name)' gives no field for rule '\(ref.written)'", at: place)
        }
        return mapping.field(f)
    }

    // MARK: parts

    /// `timespan: 5m` in milliseconds: a whole number and one of s, m, h, d as Sigma defines
    /// them, read by `Span.parse` so that it is bounded like every other span.
    static func milliseconds(_ text: String) -> Int64? {
        let t = text.trimmed
        guard let unit = t.last, "smhd".contains(unit), t.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return try? Span.parse(t).ms
    }

    private mutating func timespan(_ correlation: SigmaNode) -> Int64? {
        guard let node = correlation["timespan"] ?? correlation["timeframe"] else {
            issues.append(RuleError("a correlation needs a timespan (5m, 1h, 1d)", at: correlation.place))
            return nil
        }
        guard let text = node.text, let ms = Self.milliseconds(text) else {
            issues.append(RuleError("timespan '\(node.text ?? node.shape)' is a number and s, m, h or d (5m, 1h, 1d)", at: node.place))
            return nil
        }
        return ms
    }

    private mutating func list(_ node: SigmaNode?, what: String) -> [String] {
        guard let node else { return [] }
        guard let texts = node.texts else {
            issues.append(RuleError(what, at: node.place))
            return []
        }
        return texts
    }

    /// alias -> (rule name -> field).
    private mutating func aliases(_ node: SigmaNode?) -> [String: [String: String]] {
        guard let node else { return [:] }
        guard let entries = node.entries else {
            issues.append(RuleError("'aliases' maps an alias to the field each rule names it by", at: node.place))
            return [:]
        }
        var out: [String: [String: String]] = [:]
        for alias in entries {
            guard let perRule = alias.value.entries else {
                issues.append(RuleError("alias '\(alias.key)' maps rule names to fields (rule_a: source.ip)", at: alias.value.place))
                continue
            }
            var fields: [String: String] = [:]
            for r in perRule {
                guard let f = r.value.text else {
                    issues.append(RuleError("alias '\(alias.key)' for rule '\(r.key)' needs a field name", at: r.value.place))
                    continue
                }
                fields[r.key] = f
            }
            out[alias.key] = fields
        }
        return out
    }

    struct Condition {
        /// The least count that fires: `gte N` or `gt N-1`.
        var atLeast: Int?
        var field: String?
    }

    private mutating func condition(_ node: SigmaNode?, type: String) -> Condition {
        var out = Condition()
        guard let node else { return out }
        guard let entries = node.entries else {
            issues.append(RuleError("'condition' is a map like {gte: 10}", at: node.place))
            return out
        }
        let temporal = type.hasPrefix("temporal")
        for e in entries {
            if e.key == "field" {
                guard let f = e.value.text else {
                    issues.append(RuleError("'field' names one field", at: e.value.place))
                    continue
                }
                out.field = f
                continue
            }
            guard case .number(let d, _) = e.value.value, d >= 0, d == d.rounded(), d < 1e9 else {
                issues.append(RuleError("'\(e.key)' takes a whole number", at: e.value.place))
                continue
            }
            let n = Int(d)
            switch e.key {
            case "gte": out.atLeast = max(out.atLeast ?? 0, n)
            case "gt": out.atLeast = max(out.atLeast ?? 0, n + 1)
            case "eq" where temporal:
                // The number of rules that matched can only reach the number of rules.
                out.atLeast = max(out.atLeast ?? 0, n)
            case "lt", "lte", "eq", "neq":
                let asks = ["lt": "fewer than", "lte": "at most", "eq": "exactly", "neq": "anything but"][e.key] ?? e.key
                issues.append(RuleError(
                    "condition '\(e.key): \(n)' asks for \(asks) \(n); taser's alerts fire when a count reaches its least value, as it is reached, so only gte and gt can be expressed",
                    at: e.place))
            default:
                issues.append(RuleError("unknown condition '\(e.key)' (gte, gt, lte, lt, eq, neq, field)", at: e.place))
            }
        }
        if let n = out.atLeast, n < 1, !temporal {
            issues.append(RuleError("a count of at least \(n) always holds; give gte: 1 or more", at: node.place))
        }
        return out
    }
}
