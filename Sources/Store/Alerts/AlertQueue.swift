import Foundation
internal import GRDB
import Model

/// How the console's queue is sorted.
public enum QueueOrder: String, Codable, Sendable {
    case time, severity
}

/// What the queue's `/` filter asks for: words in the title, group key or rule, `field:value`
/// terms, `severity>=high`, `status:new`.
public struct QueueFilter: Codable, Sendable {
    public var words: [String] = []
    /// `rule:`, `team:`, `status:`, `case:`; any other field matches the group key
    /// (`user.name:jdoe`, `host:LT-42` through the field aliases).
    public var terms: [(field: String, value: String)] = []
    public var minSeverity: Severity?

    public init(words: [String] = [], terms: [(field: String, value: String)] = [], minSeverity: Severity? = nil) {
        self.words = words
        self.terms = terms
        self.minSeverity = minSeverity
    }
}

/// Where a page of the queue starts: the sort key of the row it continues from.
public struct QueuePosition: Codable, Sendable, Hashable {
    public var severity: Int
    public var time: Int64
    public var id: Int64

    public init(severity: Int, time: Int64, id: Int64) {
        self.severity = severity
        self.time = time
        self.id = id
    }

    public init(_ alert: Alert) {
        severity = alert.severity.rawValue
        time = alert.lastSignalAt?.ms ?? 0
        id = alert.id
    }
}

extension Tx {
    /// A page of the alert queue `actor` may see, read by key (never by offset), so the millionth
    /// row costs what the first does. `after` continues down from a row; `before` goes up from
    /// one (returned in queue order).
    public func queuePage(
        _ filter: QueueFilter, order: QueueOrder, after: QueuePosition? = nil, before: QueuePosition? = nil, limit: Int,
        visibleTo actor: Actor
    ) throws -> [Alert] {
        var sql: SQL = "SELECT \(sql: Alert.columns) FROM alerts a WHERE " + queueConditions(filter, visibleTo: actor)
        let descending = before == nil
        switch (order, after ?? before) {
        case (.time, let p?):
            sql += descending
                ? " AND (a.last_signal_at, a.id) < (\(p.time), \(p.id))"
                : " AND (a.last_signal_at, a.id) > (\(p.time), \(p.id))"
        case (.severity, let p?):
            sql += descending
                ? " AND (a.severity, a.last_signal_at, a.id) < (\(p.severity), \(p.time), \(p.id))"
                : " AND (a.severity, a.last_signal_at, a.id) > (\(p.severity), \(p.time), \(p.id))"
        default: break
        }
        let direction = descending ? "DESC" : "ASC"
        switch order {
        case .time: sql += " ORDER BY a.last_signal_at \(sql: direction), a.id \(sql: direction)"
        case .severity: sql += " ORDER BY a.severity \(sql: direction), a.last_signal_at \(sql: direction), a.id \(sql: direction)"
        }
        sql += " LIMIT \(limit)"
        let rows = try Row.fetchAll(db, literal: sql).map(Alert.init(row:))
        return descending ? rows : rows.reversed()
    }

    /// How many alerts the filter finds, counting no further than `cap` (the status line says
    /// "10000+" rather than scan a million rows).
    public func queueCount(_ filter: QueueFilter, cap: Int, visibleTo actor: Actor) throws -> Int {
        let sql: SQL = "SELECT count(*) FROM (SELECT 1 FROM alerts a WHERE " + queueConditions(filter, visibleTo: actor) + " LIMIT \(cap))"
        return try Int.fetchOne(db, literal: sql) ?? 0
    }

    /// The queue's WHERE: what `actor` may see, narrowed by the filter.
    private func queueConditions(_ filter: QueueFilter, visibleTo actor: Actor) -> SQL {
        var sql: SQL = "a.last_signal_at IS NOT NULL AND \(Access.alertVisible("a", actor))"
        for word in filter.words {
            let like = "%" + word.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
            sql += " AND (a.title LIKE \(like) OR a.group_key LIKE \(like) OR a.rule LIKE \(like))"
        }
        for (field, value) in filter.terms {
            switch field {
            case "rule": sql += " AND a.rule = \(value)"
            case "team": sql += " AND a.team = \(value)"
            case "status": sql += " AND a.status = \(value)"
            case "case":
                // As for a missing case: a case the asker may not read holds nothing they see.
                let id = Int64(value) ?? -1
                sql += " AND a.case_id = \(id) AND \(Access.caseReadable("\(id)", actor))"
            case "severity":
                sql += " AND a.severity = \(Severity(parsing: value)?.rawValue ?? -1)"
            default:
                // Group keys read `user.name=jdoe,source.ip=10.0.0.5`.
                let resolved = FieldAliases.resolve(field)
                sql += " AND (',' || a.group_key || ',') LIKE \("%," + resolved + "=" + value + ",%")"
            }
        }
        if let min = filter.minSeverity { sql += " AND a.severity >= \(min.rawValue)" }
        return sql
    }

}

extension Store {
    /// Changes whenever any process commits: in WAL mode every commit appends to the `-wal`
    /// file (and a checkpoint rewrites it), so its size and time move. The console polls this
    /// about once a second, which costs a `stat`, not a query.
    public func changeStamp() -> String {
        func stamp(_ path: String) -> String {
            var st = stat()
            guard stat(path, &st) == 0 else { return "-" }
            return "\(st.st_size):\(st.st_mtim.tv_sec):\(st.st_mtim.tv_nsec)"
        }
        return stamp(path + "-wal") + "/" + stamp(path)
    }
}

extension QueueFilter {
    // The terms are (field, value) pairs, which Swift cannot encode as tuples: on the wire they
    // are two-element arrays.
    enum CodingKeys: String, CodingKey { case words, terms, minSeverity }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        words = try c.decode([String].self, forKey: .words)
        let pairs = try c.decode([[String]].self, forKey: .terms)
        terms = try pairs.map { pair in
            guard pair.count == 2 else { throw DecodingError.dataCorruptedError(forKey: .terms, in: c, debugDescription: "a term is [field, value]") }
            return (pair[0], pair[1])
        }
        minSeverity = try c.decodeIfPresent(Severity.self, forKey: .minSeverity)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(words, forKey: .words)
        try c.encode(terms.map { [$0.field, $0.value] }, forKey: .terms)
        try c.encodeIfPresent(minSeverity, forKey: .minSeverity)
    }
}
