import Model

/// A compiled rule's conditions in words, for `taser rules show`: what each clause measures and
/// the bounds it must meet, so a Sigma correlation's `lte`, sum or pooled count reads as what it
/// is rather than as a least count.
public enum RuleSummary {
    /// `at least 5 distinct user.name of okta.sso.login`, `sum of bytes (gt 1000) of okta.event,
    /// judged when the window closes`, `counted with clause 1: duo.push.failed`.
    public static func clause(_ n: Int, of rule: Rule) -> String {
        guard rule.clauses.indices.contains(n) else { return "" }
        let c = rule.clauses[n]
        let kinds = c.kinds.joined(separator: ", ")
        let filter = c.filter == nil ? "" : " with a filter"
        if let p = c.pool, rule.clauses.indices.contains(p), p != n {
            return "counted with clause \(p + 1): \(kinds)\(filter)"
        }
        let closing = rule.judgedAtClose ? ", judged when the window closes" : ""
        if let a = c.aggregate {
            return "\(a.function.rawValue) of \(a.field) over \(kinds)\(filter): \(c.limit?.description ?? "any")\(closing)"
        }
        if let limit = c.limit {
            let what = c.distinct.map { "distinct \($0) of" } ?? "count of"
            return "\(what) \(kinds)\(filter): \(limit.description)\(closing)"
        }
        return "at least \(c.count)\(c.distinct.map { " distinct \($0) of" } ?? "") \(kinds)\(filter)\(closing)"
    }

    /// Rule-wide conditions beyond the clauses: how many must hold, and whether values keep case.
    public static func notes(_ rule: Rule) -> [String] {
        var out: [String] = []
        if let held = rule.clausesHeld {
            out.append("clauses that must hold: \(held.description)\(held.isLowerOnly ? "" : ", judged when the window closes")")
        }
        if rule.casedValues { out.append("group-by and distinct values keep their case") }
        return out
    }
}
