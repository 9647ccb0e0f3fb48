import Credentials
import Model
import Foundation
import Yams

/// Where outbox messages go (`~/.config/taser/sync.yaml`, or `--config`):
///
///     defaults: { timeout: 10s, max_attempts: 8, backoff: 2s, max_backoff: 10m }
///     endpoints:
///       hive:  { type: thehive, url: "https://hive.example.com", api_key: "${secret:hive_key}", pull: 5m }
///       soc:   { type: slack, token: "${secret:slack_bot}", channel: "#soc", events: [case.created, slack.ask] }
///       jira:  { type: jira, url: "https://acme.atlassian.net", project: SEC, email: bot@acme.com,
///                token: "${secret:jira_token}", events: [case.*] }
///       pager: { type: webhook, url: "https://events.example.com/v2/enqueue", hmac_secret: "${secret:pager_hmac}",
///                events: [page] }
///       splunk: { type: splunk_hec, url: "https://splunk.example.com:8088", token: "${secret:hec_token}" }
///       es:    { type: elasticsearch, url: "https://es.example.com:9200", api_key: "${secret:es_key}" }
///       cef:   { type: syslog, host: siem.example.com, tls: true }
///
/// Secrets are named, never written here: a credential field that holds a literal is refused.
public struct SyncConfig: Sendable {
    public var endpoints: [EndpointConfig]
    public var policy: RetryPolicy

    public init(endpoints: [EndpointConfig], policy: RetryPolicy = RetryPolicy()) {
        self.endpoints = endpoints
        self.policy = policy
    }

    public func endpoint(named name: String) -> EndpointConfig? { endpoints.first { $0.name == name } }

    public static func load(path: String, secrets: Secrets) throws(SyncError) -> SyncConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .config("cannot read the sync config \(path); write one (see `taser sync --help`) or pass --config")
        }
        return try parse(yaml: text, file: path, secrets: secrets)
    }

    public static func parse(yaml: String, file: String, secrets: Secrets) throws(SyncError) -> SyncConfig {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch {
            throw .config("\(file): not YAML: \("\(error)".split(separator: "\n").first ?? "")")
        }
        guard let map = (root ?? [:]) as? [String: Any] else { throw .config("\(file): expected a mapping with endpoints: and defaults:") }
        for key in map.keys where !["endpoints", "defaults"].contains(key) {
            throw .config("\(file): unknown key '\(key)'; the file has endpoints: and defaults:")
        }
        let defaults = try Settings(map["defaults"] ?? [String: Any](), where: "\(file): defaults")
        let policy = try RetryPolicy(defaults, base: RetryPolicy(), where: "\(file): defaults")
        guard let list = map["endpoints"] as? [String: Any] else {
            throw .config("\(file): endpoints: must map names to endpoints, for example  hive: { type: thehive, url: ..., api_key: \"${secret:hive_key}\" }")
        }
        var endpoints: [EndpointConfig] = []
        for (name, value) in list.sorted(by: { $0.key < $1.key }) {
            let at = "\(file): endpoint \(name)"
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }), name != "*" else {
                throw .config("\(at): a name is letters, digits, - _ and . only")
            }
            let settings = try Settings(value, where: at)
            endpoints.append(try EndpointConfig(name: name, settings: settings, policy: policy, secrets: secrets, where: at))
        }
        return SyncConfig(endpoints: endpoints, policy: policy)
    }
}

/// How hard to try: per request timeout, attempts before a dead letter, backoff between them.
public struct RetryPolicy: Sendable {
    public var timeout: Double = 10
    public var maxAttempts: Int = 8
    public var backoff: Double = 2
    public var maxBackoff: Double = 600

    public init(timeout: Double = 10, maxAttempts: Int = 8, backoff: Double = 2, maxBackoff: Double = 600) {
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
    }

    init(_ s: Settings, base: RetryPolicy, where at: String) throws(SyncError) {
        self = base
        if let t = try s.duration("timeout") { timeout = t }
        if let n = try s.int("max_attempts") {
            guard n >= 1 else { throw .config("\(at): max_attempts must be at least 1") }
            maxAttempts = n
        }
        if let b = try s.duration("backoff") { backoff = b }
        if let m = try s.duration("max_backoff") { maxBackoff = m }
        guard timeout > 0, backoff >= 0, maxBackoff >= backoff else {
            throw .config("\(at): timeout must be above 0 and max_backoff at least backoff")
        }
    }

    /// The wait before attempt `attempt + 1`: exponential from `backoff`, capped, with jitter
    /// (half to all of it) so workers that failed together do not retry together.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0...1)) -> Double {
        let exponential = backoff * pow(2, Double(max(0, attempt - 1)))
        return min(maxBackoff, exponential) * (0.5 + 0.5 * random)
    }
}

/// One endpoint as configured: its kind, what it takes, and its settings (credentials still
/// as references).
public struct EndpointConfig: Sendable {
    public var name: String
    public var type: EndpointType
    public var events: EventFilter
    public var policy: RetryPolicy
    /// A thehive endpoint's `pull:`: how often to fetch what TheHive users changed (nil: never).
    public var pullEvery: Double?
    let settings: Settings

    /// The shortest and longest `pull:` period: more often would load TheHive for little, less
    /// often than daily is not "both ways" any more.
    public static let pullPeriods: ClosedRange<Double> = 30...86_400

    init(name: String, settings: Settings, policy: RetryPolicy, secrets: Secrets, where at: String) throws(SyncError) {
        self.name = name
        self.settings = settings
        guard let typeName = try settings.string("type") else {
            throw .config("\(at) needs a type: \(EndpointType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let type = EndpointType(rawValue: typeName) else {
            throw .config("\(at) has type '\(typeName)'; types are \(EndpointType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.type = type
        self.policy = try RetryPolicy(settings, base: policy, where: at)
        let allowed = Set(type.keys + ["type", "events", "timeout", "max_attempts", "backoff", "max_backoff"])
        for key in settings.keys where !allowed.contains(key) {
            throw .config("\(at): unknown key '\(key)' for \(type.oneEndpoint); it takes \(type.keys.joined(separator: ", "))")
        }
        events = try EventFilter(try settings.strings("events"), type: type, where: at)
        for key in type.required where try settings.string(key) == nil {
            throw .config("\(at): \(type.oneEndpoint) needs \(key)\(type.example(key))")
        }
        try EndpointConfig.checkForwarding(type, settings, where: at)
        if let every = try settings.duration("pull") {
            guard EndpointConfig.pullPeriods.contains(every) else {
                throw .config("\(at): pull must be from 30s to 24h (how often to fetch what changed in TheHive), not '\(try settings.string("pull") ?? "")'")
            }
            pullEvery = every
        }
        if type == .slack, try settings.string("token") == nil, try settings.string("webhook") == nil {
            throw .config("\(at): a slack endpoint needs token: \"${secret:NAME}\" (a bot token) or webhook: \"${secret:NAME}\" (an incoming webhook URL)")
        }
        for key in type.secretKeys {
            guard let value = try settings.string(key) else { continue }
            guard value.contains("${") else {
                throw .config("\(at): \(key) must name a secret (\"${secret:NAME}\" or \"${env:NAME}\"), not hold it")
            }
        }
        // Every reference must resolve now, not on the first delivery.
        for key in settings.keys {
            for value in (try? settings.strings(key)) ?? [] where value.contains("${") {
                do { _ = try secrets.resolve(value, for: at) } catch { throw .config("\(error)") }
            }
        }
    }

    public func string(_ key: String) -> String? { try? settings.string(key) }
}

public enum EndpointType: String, Sendable, CaseIterable {
    case thehive, slack, jira, webhook
    /// The SIEM forwarders: Splunk's HTTP Event Collector, Elasticsearch's bulk API, CEF over syslog.
    case splunkHEC = "splunk_hec", elasticsearch, syslog

    var keys: [String] {
        switch self {
        case .thehive: ["url", "api_key", "organisation", "pull"]
        case .slack: ["token", "webhook", "channel", "url"]
        case .jira: ["url", "project", "issue_type", "email", "token"]
        case .webhook: ["url", "hmac_secret", "signature_header", "headers"]
        case .splunkHEC: ["url", "token", "index", "host"]
        case .elasticsearch: ["url", "index", "api_key", "username", "password"]
        case .syslog: ["host", "port", "tls", "ca_file"]
        }
    }

    var required: [String] {
        switch self {
        case .thehive: ["url", "api_key"]
        case .slack: []
        case .jira: ["url", "project", "token"]
        case .webhook: ["url"]
        case .splunkHEC: ["url", "token"]
        case .elasticsearch: ["url"]
        case .syslog: ["host"]
        }
    }

    /// Settings that carry credentials: references only.
    var secretKeys: [String] {
        switch self {
        case .thehive: ["api_key"]
        case .slack: ["token", "webhook"]
        case .jira: ["token"]
        case .webhook: ["hmac_secret"]
        case .splunkHEC: ["token"]
        case .elasticsearch: ["api_key", "password"]
        case .syslog: []
        }
    }

    /// "a slack endpoint", "an elasticsearch endpoint": how errors name the kind.
    var oneEndpoint: String { (self == .elasticsearch ? "an " : "a ") + rawValue + " endpoint" }

    func example(_ key: String) -> String {
        switch key {
        case "api_key", "token", "password": ": \"${secret:NAME}\""
        case "url":
            switch self {
            case .splunkHEC: ": https://splunk.example.com:8088"
            case .elasticsearch: ": https://es.example.com:9200"
            default: ": https://..."
            }
        case "host": ": siem.example.com"
        case "project": ": SEC (the project key)"
        default: ""
        }
    }
}

/// What went wrong with Sync's configuration, in one line: where and what to do.
public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    case config(String)
    /// A remote's answer to a direct call (not a delivery): what failed, secrets taken out.
    case remote(String)
    public var description: String {
        switch self {
        case .config(let message): message
        case .remote(let message): message
        }
    }
}

/// A YAML mapping read with errors that say where.
struct Settings: Sendable {
    // Values are kept as strings or lists of strings: all Sync needs, and Sendable.
    private let scalars: [String: String]
    private let lists: [String: [String]]
    private let maps: [String: [String: String]]
    let at: String

    var keys: [String] { Array(scalars.keys) + Array(lists.keys) + Array(maps.keys) }

    init(_ raw: Any, where at: String) throws(SyncError) {
        guard let map = raw as? [String: Any] else { throw .config("\(at): expected a mapping (key: value)") }
        self.at = at
        var scalars: [String: String] = [:], lists: [String: [String]] = [:], maps: [String: [String: String]] = [:]
        for (k, v) in map {
            if let l = v as? [Any] {
                lists[k] = l.map { "\($0)" }
            } else if let m = v as? [String: Any] {
                maps[k] = m.mapValues { "\($0)" }
            } else {
                scalars[k] = "\(v)"
            }
        }
        self.scalars = scalars
        self.lists = lists
        self.maps = maps
    }

    func string(_ key: String) throws(SyncError) -> String? {
        if lists[key] != nil || maps[key] != nil { throw .config("\(at): \(key) must be one value, not a list") }
        return scalars[key]
    }

    func strings(_ key: String) throws(SyncError) -> [String]? {
        if let l = lists[key] { return l }
        if let m = maps[key] { return Array(m.values) }
        return scalars[key].map { [$0] }
    }

    func map(_ key: String) throws(SyncError) -> [String: String]? {
        if scalars[key] != nil || lists[key] != nil { throw .config("\(at): \(key) must be a mapping (Name: value)") }
        return maps[key]
    }

    func int(_ key: String) throws(SyncError) -> Int? {
        guard let s = try string(key) else { return nil }
        guard let n = Int(s) else { throw .config("\(at): \(key) must be a whole number, not '\(s)'") }
        return n
    }

    /// A whole number within `range` (a port: 1...65535).
    func int(_ key: String, in range: ClosedRange<Int>) throws(SyncError) -> Int? {
        guard let s = try string(key) else { return nil }
        guard let n = Int(s), range.contains(n) else {
            throw .config("\(at): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(s)'")
        }
        return n
    }

    /// `true` or `false`, nothing else: `tls: yes` may mean either to a reader.
    func bool(_ key: String) throws(SyncError) -> Bool? {
        guard let s = try string(key) else { return nil }
        switch s {
        case "true": return true
        case "false": return false
        default: throw .config("\(at): \(key) must be true or false, not '\(s)'")
        }
    }

    /// `10s`, `500ms`, `2m`, `1h`, or seconds; at most a day (a timeout or a backoff of more is
    /// a mistake, and Double seconds must stay far from what `Timestamp` arithmetic can hold).
    func duration(_ key: String) throws(SyncError) -> Double? {
        guard let s = try string(key) else { return nil }
        do {
            return try Span.parse(s, limit: .seconds(86_400), allowZero: true, bareUnit: 1000).seconds
        } catch {
            throw .config("\(at): \(key): \(error)")
        }
    }
}
