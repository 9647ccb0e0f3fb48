import Model

/// A rule as one SQL query over the signals table: for each group key, the trailing-window
/// count of each clause's kind at every signal; the keys where every count reaches the
/// clause's. Plain `+` rules without filters or DISTINCT, which is what the bench runs.
public enum SQLBaseline {
    public static func query(_ rule: Rule) throws(RuleError) -> String {
        guard !rule.ordered, rule.clauses.allSatisfy({ $0.filter == nil && $0.distinct == nil && $0.kinds.count == 1 }), !rule.groupBy.isEmpty else {
            throw RuleError(message: "the SQL baseline covers rules of plain clauses joined by +, grouped by fields")
        }
        func field(_ name: String) -> String { "(fields ->> '$.\"\(name)\"')" }
        let key = rule.groupBy.map(field).joined(separator: " || '|' || ")
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
