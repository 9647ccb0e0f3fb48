internal import GRDB
import Model

/// How many signals of one kind are stored.
public struct KindCount: Codable, Sendable, Hashable {
    public var kind: String
    public var signals: Int
}

/// A field seen in a sample of signals: in how many of the sampled kinds, and how many of the
/// sampled signals hold it.
public struct FieldPresence: Codable, Sendable, Hashable {
    public var field: String
    public var kinds: Int
    public var signals: Int
    /// The signals sampled (of every kind asked about), for "in 80% of them".
    public var sampled: Int
}

/// A value of a field and how often it occurs.
public struct ValueCount: Codable, Sendable, Hashable {
    /// A scalar: text, number or true/false, as stored.
    public var value: JSONValue
    public var count: Int
}

/// What stored signals hold, for the rule editor's completion: the kinds, the fields of some
/// kinds, the frequent values of a field. Each query reads a bounded number of rows through
/// `signals_by_kind`, so it stays quick on millions of signals.
extension Tx {
    /// Every stored kind with its count, most first: one pass over `signals_by_kind`, which
    /// covers the query (the table itself is not read).
    public func kindCounts() throws -> [KindCount] {
        try Row.fetchAll(db, sql: "SELECT kind, count(*) AS n FROM signals GROUP BY kind ORDER BY n DESC, kind")
            .map { KindCount(kind: $0["kind"], signals: $0["n"]) }
    }

    /// The fields of the newest `sample` signals of each kind, in the most kinds first, then in
    /// the most signals.
    public func fieldPresence(ofKinds kinds: [String], sample: Int) throws -> [FieldPresence] {
        let sample = max(0, sample)
        var byField: [String: (kinds: Int, signals: Int)] = [:]
        var sampled = 0
        for kind in Set(kinds).sorted() {
            sampled += try Int.fetchOne(
                db, sql: "SELECT count(*) FROM (SELECT 1 FROM signals WHERE kind = ? ORDER BY time DESC LIMIT ?)", arguments: [kind, sample]) ?? 0
            // Fields are a flat object of ECS names (`user.name`), so its top-level keys are the fields.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT j.key AS field, count(*) AS n
                    FROM (SELECT fields FROM signals WHERE kind = ? ORDER BY time DESC LIMIT ?) s, json_each(s.fields) j
                    GROUP BY j.key
                    """,
                arguments: [kind, sample])
            for row in rows {
                let field: String = row["field"], n: Int = row["n"]
                byField[field, default: (0, 0)].kinds += 1
                byField[field, default: (0, 0)].signals += n
            }
        }
        return byField.map { FieldPresence(field: $0.key, kinds: $0.value.kinds, signals: $0.value.signals, sampled: sampled) }
            .sorted { ($0.kinds, $0.signals, $1.field) > ($1.kinds, $1.signals, $0.field) }
    }

    /// The `limit` most frequent values of `field` in the newest `sample` signals of `kind`,
    /// most first. A list's elements count one by one (a rule's test passes on any element);
    /// objects and nulls are left out, since a rule cannot compare with them.
    public func topValues(field: String, kind: String, sample: Int, limit: Int) throws -> [ValueCount] {
        // Bound as an argument; a quote cannot be part of a JSON path's quoted key (as in FieldPath).
        let path = "$.\"" + field.replacingOccurrences(of: "\"", with: "") + "\""
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT j.type AS type, j.atom AS atom, count(*) AS n
                FROM (SELECT fields FROM signals WHERE kind = ? ORDER BY time DESC LIMIT ?) s, json_each(s.fields, ?) j
                WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND json_type(s.fields, ?) <> 'object'
                GROUP BY j.type, j.atom ORDER BY n DESC, j.atom LIMIT ?
                """,
            arguments: [kind, max(0, sample), path, path, max(0, limit)])
        return rows.compactMap { row in
            let type: String = row["type"]
            let value: JSONValue? = switch type {
            case "text": (row["atom"] as String?).map(JSONValue.string)
            case "integer": (row["atom"] as Int64?).map(JSONValue.int)
            case "real": (row["atom"] as Double?).map(JSONValue.double)
            case "true": .bool(true)
            case "false": .bool(false)
            default: nil
            }
            return value.map { ValueCount(value: $0, count: row["n"]) }
        }
    }
}
