import Credentials
import Foundation
import Model
import Store
import Yams

/// Positron as the analyst configures it (`~/.config/taser/positron.yaml`, or `--positron`):
///
///     catalog:                  # queries to add or change (the built-in ones need no entry)
///       ASSET_OWNER: { input: hostname, output: [owner], ttl: 1h }
///     plugins:
///       - { name: hr, type: table, file: hr.csv, priority: 60,
///           queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
///       - { name: whois, type: command, command: [/usr/local/bin/whois-json, "{value}"],
///           queries: [DOMAIN_WHOIS], timeout: 5s }
///     enrichment:               # what to ask automatically after ingest (see EnrichmentRules)
///       - { kinds: ["SSO login from a new location"], artifacts: { ip: [IP_GEO], user: [USER_MANAGER] } }
///     acl:                      # which teams may ask what; "*" is every query
///       "*": [soc]
///       USER_RECENT_LOGINS: [soc, ir]
///
/// Paths are relative to the file. Secrets are named (`${secret:whois_key}`), never written here.
public struct PositronConfig: Sendable {
    public var router: Router
    public var acl: QueryACL
    /// What to ask automatically after ingest; empty unless the file says.
    public var enrichment = EnrichmentRules(rules: [])

    /// The same, with the plugin that answers from taser's own signals added.
    public func withTaser(_ store: Store) -> PositronConfig {
        PositronConfig(router: Router(catalog: router.catalog, plugins: router.plugins + [TaserPlugin(store: store)]), acl: acl, enrichment: enrichment)
    }

    /// Whether the file asks for automatic enrichment, read without making its plugins (a
    /// table plugin reads its whole file): `taser ingest` checks this on every run. A file that
    /// cannot be read says yes, so the full load reports what is wrong with it.
    public static func declaresEnrichment(path: String) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let root = try? Yams.load(yaml: text) else { return true }
        guard let map = root as? [String: Any] else { return true }
        guard let rules = map["enrichment"] else { return false }
        return !((rules as? [Any])?.isEmpty ?? false)
    }

    public static func load(path: String, secrets: Secrets) throws(PositronError) -> PositronConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .config("cannot read the Positron config \(path)") }
        return try parse(yaml: text, file: path, secrets: secrets)
    }

    /// Only these queries, no plugins: the prompt of a console whose questions the daemon
    /// answers (team mode), which checks them against the daemon's catalog before sending.
    public static func catalogOnly(_ catalog: QueryCatalog) -> PositronConfig {
        PositronConfig(router: Router(catalog: catalog, plugins: []), acl: QueryACL(rules: nil))
    }

    /// No file: the built-in catalog, no plugins, every analyst allowed.
    public static func empty() -> PositronConfig {
        PositronConfig(router: Router(plugins: []), acl: QueryACL(rules: nil))
    }

    public static func parse(yaml: String, file: String, secrets: Secrets) throws(PositronError) -> PositronConfig {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch { throw .config("\(file): not YAML: \(error)") }
        guard let map = (root ?? [:]) as? [String: Any] else { throw .config("\(file): expected a mapping with plugins, acl, catalog and enrichment") }
        for key in map.keys where !["plugins", "acl", "catalog", "enrichment"].contains(key) {
            throw .config("\(file): unknown key '\(key)'; keys are plugins, acl, catalog and enrichment")
        }
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        let base = (absolute as NSString).deletingLastPathComponent
        var catalog = QueryCatalog.builtIn
        if let extra = map["catalog"] {
            catalog = catalog.merged(with: try QueryCatalog.parse(yaml: (try? Yams.dump(object: extra)) ?? "", file: file))
        }
        var plugins: [Plugin] = []
        for (n, raw) in ((map["plugins"] as? [Any]) ?? []).enumerated() {
            guard let p = raw as? [String: Any], let name = p["name"] as? String, let type = p["type"] as? String else {
                throw .config("\(file): plugin \(n + 1) needs a name and a type (table, sqlite, log, http, command)")
            }
            let priority = p["priority"] as? Int ?? 50
            let timeout = try span(p["timeout"], default: .seconds(5), limit: .seconds(3600), at: "\(file): plugin \(name): timeout")
            let queryNames: [String] = (p["queries"] as? [String]) ?? ((p["queries"] as? [String: Any]).map { Array($0.keys) } ?? [])
            for q in queryNames where catalog.query(q) == nil {
                throw .config("\(file): plugin \(name) answers '\(q)', which is not a query; did you mean \(nearestQuery(q, catalog))?")
            }
            switch type {
            case "table":
                guard let table = p["file"] as? String, let queries = p["queries"] as? [String: Any] else {
                    throw .config("\(file): table plugin \(name) needs file and queries: { QUERY: { key: column, answer: { field: column } } }")
                }
                var mappings: [String: TablePlugin.Mapping] = [:]
                for (q, m) in queries {
                    guard let m = m as? [String: Any], let key = m["key"] as? String, let answer = m["answer"] as? [String: String] else {
                        throw .config("\(file): table plugin \(name), \(q): write { key: column, answer: { field: column } }")
                    }
                    mappings[q.uppercased()] = TablePlugin.Mapping(key: key, answer: answer)
                }
                let path = table.hasPrefix("/") ? table : base + "/" + table
                plugins.append(try TablePlugin(name: name, file: path, mappings: mappings, priority: priority, timeout: timeout))
            case "command":
                guard let command = p["command"] as? [String], !command.isEmpty else {
                    throw .config("\(file): command plugin \(name) needs command: [program, arguments...] (no shell)")
                }
                // A secret the plugin names must exist now, not fail on the first query.
                for a in command { do { _ = try secrets.resolve(a, for: "plugin \(name)") } catch { throw .config("\(file): \(error)") } }
                let program = command[0].hasPrefix("/") ? command[0] : base + "/" + command[0]
                plugins.append(CommandPlugin(
                    name: name, command: [program] + command.dropFirst(), queries: Set(queryNames.map { $0.uppercased() }), secrets: secrets,
                    priority: priority, timeout: timeout))
            case "sqlite":
                guard let db = p["file"] as? String, let queries = p["queries"] as? [String: String] else {
                    throw .config("\(file): sqlite plugin \(name) needs file and queries: { QUERY: \"SELECT ... WHERE ip = :value\" }")
                }
                let path = db.hasPrefix("/") ? db : base + "/" + db
                guard FileManager.default.fileExists(atPath: path) else { throw .config("\(file): sqlite plugin \(name): no database \(path)") }
                plugins.append(SQLitePlugin(
                    name: name, file: path, queries: Dictionary(uniqueKeysWithValues: queries.map { ($0.key.uppercased(), $0.value) }),
                    priority: priority, timeout: timeout))
            case "log":
                let files = (p["files"] as? [String]) ?? ((p["files"] as? String).map { [$0] } ?? [])
                guard !files.isEmpty else { throw .config("\(file): log plugin \(name) needs files: [/var/log/dnsmasq.log*]") }
                var patterns: [String: String] = [:]
                if let format = p["format"] as? String {
                    guard let preset = LogPlugin.formats[format] else {
                        throw .config("\(file): log plugin \(name) has format '\(format)'; formats are \(LogPlugin.formats.keys.sorted().joined(separator: ", ")), or write queries: { QUERY: pattern }")
                    }
                    patterns = preset
                }
                if let own = p["queries"] as? [String: Any] {
                    for (q, pattern) in own {
                        guard let pattern = pattern as? String else { throw .config("\(file): log plugin \(name), \(q): write QUERY: 'pattern with {value} and (?<field>...)'") }
                        patterns[q.uppercased()] = pattern
                    }
                }
                guard !patterns.isEmpty else { throw .config("\(file): log plugin \(name) needs a format (dnsmasq, isc-dhcp) or queries: { QUERY: pattern }") }
                let within = try span(p["within"], default: .seconds(7 * 86_400), at: "\(file): log plugin \(name): within")
                var zone = TimeZone.current
                if let z = p["timezone"] as? String {
                    guard let tz = TimeZone(identifier: z) else { throw .config("\(file): log plugin \(name): unknown timezone '\(z)' (write UTC or Europe/Berlin)") }
                    zone = tz
                }
                let paths = files.map { $0.hasPrefix("/") ? $0 : base + "/" + $0 }
                do {
                    plugins.append(try LogPlugin(name: name, files: paths, patterns: patterns, within: within, timezone: zone, priority: priority, timeout: timeout))
                } catch { throw .config("\(file): \(error)") }
            case "http":
                guard let url = p["url"] as? String, let queries = p["queries"] as? [String: Any] else {
                    throw .config("\(file): http plugin \(name) needs url and queries: { QUERY: { answer: path, fields: { field: path } } }")
                }
                let headers = (p["headers"] as? [String: Any])?.mapValues { "\($0)" } ?? [:]
                for v in [url] + Array(headers.values) {
                    do { _ = try secrets.resolve(v, for: "plugin \(name)") } catch { throw .config("\(file): \(error)") }
                }
                var mappings: [String: HTTPPlugin.Mapping] = [:]
                for (q, m) in queries {
                    guard let m = m as? [String: Any], let fields = m["fields"] as? [String: String] else {
                        throw .config("\(file): http plugin \(name), \(q): write { answer: path, fields: { field: path } }")
                    }
                    mappings[q.uppercased()] = HTTPPlugin.Mapping(answer: m["answer"] as? String ?? "", fields: fields)
                }
                plugins.append(HTTPPlugin(
                    name: name, url: url, headers: headers, queries: mappings, secrets: secrets, proxy: p["proxy"] as? String,
                    priority: priority, timeout: timeout))
            default:
                throw .config("\(file): plugin \(name) has type '\(type)'; types are table, sqlite, log, http and command")
            }
        }
        var acl: [String: Set<String>]?
        if let rules = map["acl"] as? [String: Any] {
            acl = [:]
            for (q, teams) in rules {
                guard q == "*" || catalog.query(q) != nil else { throw .config("\(file): acl names '\(q)', which is not a query; did you mean \(nearestQuery(q, catalog))?") }
                guard let list = teams as? [String] else { throw .config("\(file): acl \(q) must list teams: [soc, ir]") }
                acl![q == "*" ? "*" : q.uppercased()] = Set(list)
            }
        }
        let enrichment = try EnrichmentRules.parse(map["enrichment"], catalog: catalog, file: file)
        return PositronConfig(router: Router(catalog: catalog, plugins: plugins), acl: QueryACL(rules: acl), enrichment: enrichment)
    }

    static func nearestQuery(_ q: String, _ catalog: QueryCatalog) -> String {
        nearestNames(q.uppercased(), in: catalog.names, limit: 1).first ?? "?"
    }
}

/// Which teams may issue which queries. No ACL: everyone may ask everything; with one, a query
/// needs a team listed under it or under "*". The database's admin may always ask.
public struct QueryACL: Sendable {
    let rules: [String: Set<String>]?

    public func allows(_ query: String, teams: [String], isAdmin: Bool) -> Bool {
        guard let rules, !isAdmin else { return true }
        let allowed = (rules[query] ?? []).union(rules["*"] ?? [])
        return !allowed.isDisjoint(with: teams)
    }
}
