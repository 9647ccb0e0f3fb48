import Foundation
import Model
import Store

/// A parameterized query on an SQLite file, such as DHCP leases:
///
///     queries:
///       IP_TO_HOSTNAME: "SELECT hostname, lease_start AS seen FROM leases WHERE ip = :value ORDER BY lease_start DESC LIMIT 5"
///
/// Columns named like the query's output fields make the answer; a `seen` column (epoch
/// seconds or milliseconds, or ISO 8601) says when it was true.
public struct SQLitePlugin: Plugin {
    public let name: String
    public let priority: Int
    public let timeout: Double
    let file: String
    let queries: [String: String]

    public init(name: String, file: String, queries: [String: String], priority: Int = 50, timeout: Double = 5) {
        self.name = name
        self.file = file
        self.queries = queries
        self.priority = priority
        self.timeout = timeout
    }

    public func answers(_ query: String) -> Bool { queries[query] != nil }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        guard let sql = queries[query.name] else { return [] }
        let rows: [[String: String]]
        do { rows = try Store.queryExternal(path: file, sql: sql, value: value) } catch { throw PluginFailure("plugin \(name): \(error)") }
        return rows.map { row in
            Answer(fields: row.filter { query.output.contains($0.key) }, seen: row["seen"].flatMap { Timestamp(parsing: $0) })
        }.filter { !$0.fields.isEmpty }
    }
}

/// Answers from taser's own signals: IP_TO_HOSTNAME and HOSTNAME_TO_IP from EDR signals,
/// USER_RECENT_LOGINS from SSO signals. Always there, no configuration.
public struct TaserPlugin: Plugin {
    public let name = "taser"
    public let priority = 30
    public let timeout: Double = 5
    let store: Store

    public init(store: Store) { self.store = store }

    static let edr = ["cbc.alert", "falco.alert", "wazuh.alert"]
    static let sso = ["okta.sso.login", "okta.sso.new_location", "duo.auth.success"]

    public func answers(_ query: String) -> Bool { ["IP_TO_HOSTNAME", "HOSTNAME_TO_IP", "USER_RECENT_LOGINS"].contains(query) }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        try store.read { tx in
            switch query.name {
            case "IP_TO_HOSTNAME":
                return try tx.fieldValues(kinds: TaserPlugin.edr, match: "host.ip", value: value, answer: "host.name")
                    .map { Answer(fields: ["hostname": $0.value], seen: $0.seen) }
            case "HOSTNAME_TO_IP":
                return try tx.fieldValues(kinds: TaserPlugin.edr, match: "host.name", value: value, answer: "host.ip")
                    .map { Answer(fields: ["ip": $0.value], seen: $0.seen) }
            default:
                return try tx.fieldValues(kinds: TaserPlugin.sso, match: "user.name", value: value, answer: "source.ip")
                    .map { Answer(fields: ["time": $0.seen.iso8601, "ip": $0.value], seen: $0.seen) }
            }
        }
    }
}
