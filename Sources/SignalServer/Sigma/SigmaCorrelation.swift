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
/// aliases, generate) as a `Rule`, after the Sigma correlation rules specification (v2.1.0):
/// - `event_count`: one clause over the referenced rule, counting its signals. Several rules are
///   one clause each, the later ones pooled into the first (`Clause.pool`): each keeps its own
///   kinds, filter and (with `aliases`) field names, and one count is taken over them all, so
///   rules of different logsources count together.
/// - `value_count`: the same, measuring distinct values of the condition's `field`.
/// - `value_sum`, `value_avg` (and `value_median`, which pySigma knows though the specification
///   does not): the sum, mean or median of the condition's numeric `field`.
///   `value_percentile` is refused: the specification does not say which percentile its
///   condition compares (see `percentileReason`).
/// - `temporal` / `temporal_ordered`: one clause per referenced rule, count 1, in order for the
///   latter; the condition counts how many of the rules matched (`Rule.clausesHeld`), all of
///   them when there is none.
/// - Conditions: `gt`, `gte`, `lt`, `lte`, `eq`, `neq`, together meaning all of them (a range).
///   Lower bounds alone fire as soon as reached; anything else is judged when the window closes
///   (`Correlator`).
/// - A referenced correlation (a chain) is a clause over its alerts, kind `rule:<name>`.
/// - `group-by` fields map through the field mapping; an `aliases:` name used in group-by
///   stays the rule's group-by name, and each clause reads it from the field the alias gives
///   for its rule (`Clause.groupBy`).
/// - `cased: true` (a taser extension) keeps the case of group-by and counted values, which
///   otherwise compare ignoring case as Sigma's values do.
struct SigmaCorrelationCompiler {
    let mapping: SigmaFieldMapping
    let header: SigmaHeader
    private(set) var issues: [RuleError] = []

    init(mapping: SigmaFieldMapping, header: SigmaHeader) {
        self.mapping = mapping
        self.header = header
    }

    static let types = ["event_count", "value_count", "temporal", "temporal_ordered", "value_sum", "value_avg", "value_median", "value_percentile"]
    static let keys: Set<String> = ["type", "rules", "group-by", "timespan", "timeframe", "condition", "aliases", "generate", "cased"]

    /// Why value_percentile is not imported: a true reason, from the specification's own text.
    static let percentileReason =
        "correlation type 'value_percentile' is not imported: the Sigma specification (v2.1.0) does not say what its condition compares (its example reads 'lte: 1' as a share of 1 % of the events, its hint calls the median percentile 50), so taser cannot tell what a rule means; write value_median, value_avg or value_count instead"

    /// The measure a counting type takes, nil for temporal types.
    private static func aggregate(_ type: String) -> Aggregate.Function? {
        ["value_sum": .sum, "value_avg": .average, "value_median": .median][type]
    }

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
        if type == "value_percentile" {
            issues.append(RuleError(Self.percentileReason, at: correlation["type"]?.place))
        } else if !Self.types.contains(type) {
            issues.append(RuleError(
                "correlation type '\(type)' is not one of \(Self.types.joined(separator: ", "))", at: correlation["type"]?.place ?? correlation.place))
        }

        var cased = false
        if let node = correlation["cased"] {
            if case .bool(let b) = node.value { cased = b } else { issues.append(RuleError("'cased' is true or false", at: node.place)) }
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
        let conditionPlace = correlation["condition"]?.place ?? place

        func clauseGroupBy(_ ref: SigmaReferenced) throws(RuleError) -> [String]? {
            guard usesAliases else { return nil }
            var out: [String] = []
            for g in groupBy { out.append(try field(g, for: ref, aliases: aliases, at: place)) }
            return out
        }

        var clauses: [Clause] = []
        var clausesHeld: Bounds?
        do throws(RuleError) {
            switch type {
            case "temporal", "temporal_ordered":
                clausesHeld = try Self.rulesMatched(condition.bounds, of: referenced.count, type: type, at: conditionPlace)
                for ref in referenced {
                    let gb = try clauseGroupBy(ref)
                    try checkChain(ref, fields: gb ?? ruleGroupBy, at: place)
                    clauses.append(clause(ref, count: 1, distinct: nil, groupBy: gb, text: ref.header.label))
                }
            default:
                guard let bounds = condition.bounds else {
                    throw RuleError("\(type) needs a condition: gte, gt, lte, lt, eq or neq, or a range (condition: {gte: 10})", at: conditionPlace)
                }
                let function = Self.aggregate(type)
                var measured: [String?] = referenced.map { _ in nil }
                var measuredName: String?
                if type == "value_count" || function != nil {
                    guard let f = condition.field else {
                        throw RuleError("\(type) needs the field it measures (condition: {field: User, gte: 10})", at: conditionPlace)
                    }
                    measuredName = aliases[f] != nil ? f : mapping.field(f)
                    measured = []
                    for ref in referenced { measured.append(try field(f, for: ref, aliases: aliases, at: place)) }
                }
                clauses = try countedClauses(
                    referenced, type: type, bounds: bounds, function: function, measured: measured, measuredName: measuredName,
                    groupBy: clauseGroupBy, ruleGroupBy: ruleGroupBy, at: place)
            }
        } catch {
            issues.append(error)
            return nil
        }

        return Rule(
            clauses: clauses, ordered: type == "temporal_ordered", window: window, groupBy: ruleGroupBy,
            options: RuleOptions(title: header.label, severity: header.severity, tags: header.tags, casedValues: cased ? true : nil),
            clausesHeld: clausesHeld)
    }

    /// temporal's condition counts the rules that matched: nil when it asks for all of them.
    static func rulesMatched(_ bounds: Bounds?, of n: Int, type: String, at place: Place) throws(RuleError) -> Bounds? {
        guard let bounds else { return nil }
        let possible = (1...max(n, 1)).filter { bounds.holds(Double($0)) }
        guard !possible.isEmpty else {
            throw RuleError("\(type) over \(n) rules with the condition \(bounds.description) can never hold: 1 to \(n) of its rules can match", at: place)
        }
        return possible == [n] ? nil : bounds
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

    /// event_count, value_count and the value_ measures: a clause per rule, the later ones
    /// pooled into the first, which carries the count and bounds.
    private func countedClauses(
        _ refs: [SigmaReferenced], type: String, bounds: Bounds, function: Aggregate.Function?, measured: [String?], measuredName: String?,
        groupBy: (SigmaReferenced) throws(RuleError) -> [String]?, ruleGroupBy: [String], at place: Place
    ) throws(RuleError) -> [Clause] {
        let titles = refs.map(\.header.label).joined(separator: " or ")
        let least = Self.leastCount(bounds)
        // As the rule language writes a count (`5 Failed Okta Login`); other bounds as Sigma does.
        let amount = bounds.isLowerOnly ? String(least) : bounds.description
        let text: String
        switch (type, measuredName) {
        case ("value_count", let f?): text = "\(amount) distinct \(f) of \(titles)"
        case (_, let f?): text = "\(type.dropFirst(6)) of \(f) \(bounds.description) over \(titles)"
        default: text = "\(amount) \(titles)"
        }
        var out: [Clause] = []
        for (i, ref) in refs.enumerated() {
            let gb = try groupBy(ref)
            let field = i < measured.count ? measured[i] : nil
            try checkChain(ref, fields: (gb ?? ruleGroupBy) + (field.map { [$0] } ?? []), at: place)
            var c = clause(ref, count: function == nil && i == 0 ? least : 1, distinct: function == nil ? field : nil, groupBy: gb, text: i == 0 ? text : ref.header.label)
            if let function, let field { c.aggregate = Aggregate(function, of: field) }
            if i == 0 {
                // A count with lower bounds alone fires as soon as reached (`count`); anything
                // else is judged when the window closes.
                c.limit = function != nil || !bounds.isLowerOnly ? bounds : nil
            } else {
                c.pool = 0
            }
            out.append(c)
        }
        return out
    }

    /// The least whole count the lower bounds allow, at least 1 (a window holds a signal).
    static func leastCount(_ bounds: Bounds) -> Int {
        var least = 1.0
        if let g = bounds.gte { least = max(least, g.rounded(.up)) }
        if let g = bounds.gt { least = max(least, g.rounded(.down) + 1) }
        return least < 1e9 ? Int(least) : 1_000_000_000
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
        /// Every bound given, nil when there is none.
        var bounds: Bounds?
        var field: String?
    }

    /// `{gte: 10}`, `{gt: 100, lte: 200}`, `{field: User, gte: 10}`: every key holds at once.
    private mutating func condition(_ node: SigmaNode?, type: String) -> Condition {
        var out = Condition()
        guard let node else { return out }
        guard let entries = node.entries else {
            issues.append(RuleError("'condition' is a map like {gte: 10}", at: node.place))
            return out
        }
        var bounds = Bounds()
        var any = false
        let measures = type.hasPrefix("value_") && type != "value_count"
        for e in entries {
            if e.key == "field" {
                guard let f = e.value.text else {
                    if e.value.texts != nil {
                        // The specification: "When you use multiple values in `field` they are
                        // linked by an AND" (Value Count).
                        issues.append(RuleError(
                            "'field' lists several fields, which the specification links by AND; taser measures one field, so the rule is not imported (write one correlation per field and chain them)",
                            at: e.value.place))
                    } else {
                        issues.append(RuleError("'field' names one field", at: e.value.place))
                    }
                    continue
                }
                out.field = f
                continue
            }
            let number: Double?
            switch e.value.value {
            case .number(let d, _): number = d
            case .text(let t): number = Double(t.trimmed)
            default: number = nil
            }
            // Counts are whole numbers; a sum or an average may be compared with any number.
            guard let n = number, n.isFinite, abs(n) < 1e15, measures || (n >= 0 && n == n.rounded()) else {
                issues.append(RuleError("'\(e.key)' takes \(measures ? "a number" : "a whole number")", at: e.value.place))
                continue
            }
            switch e.key {
            case "gte": bounds.gte = max(bounds.gte ?? -.infinity, n)
            case "gt": bounds.gt = max(bounds.gt ?? -.infinity, n)
            case "lte": bounds.lte = min(bounds.lte ?? .infinity, n)
            case "lt": bounds.lt = min(bounds.lt ?? .infinity, n)
            case "eq":
                bounds.gte = max(bounds.gte ?? -.infinity, n)
                bounds.lte = min(bounds.lte ?? .infinity, n)
            case "neq": bounds.neq = n
            default:
                issues.append(RuleError("unknown condition '\(e.key)' (gte, gt, lte, lt, eq, neq, field)", at: e.place))
                continue
            }
            any = true
        }
        if any { out.bounds = bounds }
        return out
    }
}
