import Foundation
internal import GRDB
import Model

extension Store {
    /// Runs one parameterized query on another SQLite file, read-only (Positron's SQLite
    /// plugin: DHCP leases, an asset inventory). `:value` is bound, never pasted into the SQL.
    /// Each row comes back as text by column name.
    public static func queryExternal(path: String, sql: String, value: String) throws -> [[String: String]] {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(2)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            return try queue.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(["value": value])).map { row in
                    var out: [String: String] = [:]
                    for (column, dbValue) in row {
                        switch dbValue.storage {
                        case .string(let s): out[column] = s
                        case .int64(let i): out[column] = String(i)
                        case .double(let d): out[column] = String(d)
                        case .blob, .null: continue
                        }
                    }
                    return out
                }
            }
        } catch let error as DatabaseError {
            throw StoreError.sql(detail: "\(path): \(error.message ?? "\(error)")")
        }
    }
}

extension Tx {
    /// Values of `answer` in signals of `kinds` whose `match` field equals `value`, newest
    /// first, with when each was last seen (Positron's taser plugin: IP_TO_HOSTNAME from EDR
    /// signals).
    public func fieldValues(kinds: [String], match: String, value: String, answer: String, limit: Int = 10) throws -> [(value: String, seen: Timestamp)] {
        let m = "'$.\"" + match.replacingOccurrences(of: "'", with: "") + "\"'"
        let a = "'$.\"" + answer.replacingOccurrences(of: "'", with: "") + "\"'"
        // json_each reads a field that holds one value or a list of them (CarbonBlack's host.ip).
        let sql: SQL = """
            SELECT a.value AS v, max(s.time) AS seen FROM signals s, json_each(s.fields, \(sql: a)) a
            WHERE s.kind IN \(kinds) AND a.value IS NOT NULL
              AND EXISTS (SELECT 1 FROM json_each(s.fields, \(sql: m)) x WHERE lower(x.value) = lower(\(value)))
            GROUP BY v ORDER BY seen DESC LIMIT \(limit)
            """
        return try Row.fetchAll(db, literal: sql).map { ($0["v"] as String, Timestamp(ms: $0["seen"])) }
    }
}
