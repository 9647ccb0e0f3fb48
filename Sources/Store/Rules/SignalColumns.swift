internal import GRDB
import Model

/// One field of a kind's signals as a column: a code per signal (0: the signal lacks the
/// field) into `values`, each the value's JSON text (`"jdoe"`, `22`, `true`).
public struct FieldColumn: Sendable {
    public var codes: [Int32]
    /// `values[code]`; `values[0]` is unused.
    public var values: [String]
}

/// The signals of one kind, oldest first, as columns: what the simulator loads once and runs
/// every rerun over (the console reruns a rule on each edit).
public struct KindColumns: Sendable {
    public var kind: String
    public var ids: [Int64]
    public var times: [Int64]
    public var fields: [String: FieldColumn]
}

extension Tx {
    /// Loads `kind`'s signals with the given fields, dictionary-coded. SQLite extracts each
    /// field (`fields -> '$."user.name"'`, JSON text) in C, so no JSON is parsed in Swift.
    public func kindColumns(kind: String, fields: [String]) throws -> KindColumns {
        // `*` (`Filter.everyField`, a Sigma keyword's reach) is the whole fields object.
        let extracts = fields.map { $0 == "*" ? ", json(s.fields)" : ", s.fields -> \(FieldPath.quoted($0))" }.joined()
        let statement = try db.makeStatement(sql: "SELECT s.id, s.time\(extracts) FROM signals s WHERE s.kind = ? ORDER BY s.time, s.id")
        var out = KindColumns(kind: kind, ids: [], times: [], fields: [:])
        var dictionaries = Array(repeating: [String: Int32](), count: fields.count)
        var columns = Array(repeating: FieldColumn(codes: [], values: [""]), count: fields.count)
        let rows = try Row.fetchCursor(statement, arguments: [kind])
        while let row = try rows.next() {
            out.ids.append(row[0])
            out.times.append(row[1])
            for f in 0..<fields.count {
                guard let text: String = row[f + 2] else {
                    columns[f].codes.append(0)
                    continue
                }
                if let code = dictionaries[f][text] {
                    columns[f].codes.append(code)
                } else {
                    let code = Int32(columns[f].values.count)
                    dictionaries[f][text] = code
                    columns[f].values.append(text)
                    columns[f].codes.append(code)
                }
            }
        }
        for (f, name) in fields.enumerated() { out.fields[name] = columns[f] }
        return out
    }

    /// The highest signal id: a column cache is current while this has not moved.
    public func lastSignalID() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(id) FROM signals") ?? 0
    }
}

/// `'$."user.name"'`: field names hold dots, which a JSON path must quote.
enum FieldPath {
    static func quoted(_ field: String) -> String {
        "'$.\"" + field.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "''") + "\"'"
    }
}
