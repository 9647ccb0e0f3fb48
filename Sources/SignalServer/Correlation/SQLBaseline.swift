import Model

/// A rule as one SQL query over the signals table: for each group key, the trailing-window
/// count of each clause's kind at every signal; the keys where every count reaches the
/// clause's. Plain `+` rules without filters or DISTINCT, which is what the bench runs. It
/// knows nothing of identity links: on signals whose people are linked it groups less.
public enum SQLBaseline {
    public static func query(_ rule: Rule) throws(RuleError) -> String {
        guard !rule.ordered, rule.clausesHeld == nil, !rule.judgedAtClose,
              rule.clauses.allSatisfy({ $0.filter == nil && $0.distinct == nil && $0.kinds.count == 1 && $0.pool == nil && $0.limit == nil }),
              !rule.groupBy.isEmpty
        else {
            throw RuleError(message: "the SQL baseline covers rules of plain clauses joined by +, grouped by fields, fired as counts are reached")
        }
        func field(_ name: String) -> String { "(fields ->> '$.\"\(name)\"')" }
        // Values read as `GroupKeys` reads them, without identity links: a person's folded, a
        // host's short name (after one `DOMAIN\`, before the first dot unless all digits),
        // any other folded unless the rule keeps case (SQLite's lower() folds ASCII only).
        func keyed(_ name: String) -> String {
            let v = "lower(\(field(name)))"
            if GroupKeys.personFields.contains(name) { return v }
            guard GroupKeys.hostFields.contains(name) else { return rule.casedValues ? field(name) : v }
            let short = "substr(\(v), instr(\(v), '\\') + 1)"
            return """
                (CASE WHEN instr(\(short), '.') > 1 AND \(short) GLOB '*[^0-9.]*' AND instr(\(short), ':') = 0
                 THEN substr(\(short), 1, instr(\(short), '.') - 1) ELSE \(short) END)
                """
        }
        let key = rule.groupBy.map(keyed).joined(separator: " || '|' || ")
        let present = rule.groupBy.map { "\(field($0)) <> ''" }.joined(separator: " AND ")
        let kinds = rule.clauses.map { "'\($0.kinds[0])'" }.joined(separator: ", ")
        let counts = rule.clauses.enumerated().map { n, c in "sum(kind = '\(c.kinds[0])') OVER w AS c\(n)" }.joined(separator: ", ")
        let holds = rule.clauses.enumerated().map { n, c in "c\(n) >= \(c.count)" }.joined(separator: " AND ")
        return """
            SELECT DISTINCT k FROM (
              SELECT k, \(counts) FROM (
                SELECT time, kind, \(key) AS k FROM signals WHERE kind IN (\(kinds)) AND \(present)
              )
              WINDOW w AS (PARTITION BY k ORDER BY time RANGE BETWEEN \(rule.window) PRECEDING AND CURRENT ROW)
            ) WHERE \(holds);
            """
    }

    /// `source.ip=10.0.0.5,destination.port=22` as the query prints it: `10.0.0.5|22`.
    public static func values(ofKey key: String) -> String {
        key.split(separator: ",").map { part in part.split(separator: "=", maxSplits: 1).last.map(String.init) ?? "" }.joined(separator: "|")
    }
}
