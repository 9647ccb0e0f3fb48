import Foundation
import Model
import Yams

/// A question Positron can answer: `IP_TO_HOSTNAME 10.1.2.3`. Queries are data (YAML): adding
/// one needs no code, only plugins that answer it.
public struct QueryDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var input: InputType
    /// The fields an answer carries; the first is the one answers are merged on.
    public var output: [String]
    public var description: String
    /// How long an answer stays in the cache, in seconds.
    public var ttl: Double
}

/// What a query takes, checked before any plugin is asked (a hostname to IP_TO_HOSTNAME is
/// refused, not sent).
public enum InputType: String, Codable, Sendable, Hashable, CaseIterable {
    case ip, hostname, user, email, domain, hash, team, text

    /// The value as plugins get it (trimmed; lowercased where case means nothing), or nil when
    /// it is not of this type.
    public func accept(_ raw: String) -> String? {
        let v = raw.trimmed
        guard !v.isEmpty else { return nil }
        switch self {
        case .ip: return InputType.isIP(v) ? v.lowercased() : nil
        case .hostname:
            guard !InputType.isIP(v), v.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }) else { return nil }
            return v.lowercased()
        case .domain:
            let parts = v.lowercased().split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, !InputType.isIP(v), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else { return nil }
            return v.lowercased()
        case .email:
            let parts = v.split(separator: "@")
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { return nil }
            return v.lowercased()
        case .hash:
            guard [32, 40, 64].contains(v.count), v.allSatisfy(\.isHexDigit) else { return nil }
            return v.lowercased()
        case .user, .team:
            guard !v.contains(where: { $0.isWhitespace }) else { return nil }
            return v.lowercased()
        case .text: return v
        }
    }

    static func isIP(_ v: String) -> Bool {
        var a = in_addr(), b = in6_addr()
        return inet_pton(AF_INET, v, &a) == 1 || inet_pton(AF_INET6, v, &b) == 1
    }
}

extension QueryCatalog {
    /// A catalog of these definitions (the daemon's, for a console in team mode).
    public init(_ definitions: [QueryDefinition]) {
        self.init(queries: Dictionary(definitions.map { ($0.name.uppercased(), $0) }, uniquingKeysWith: { first, _ in first }))
    }
}

public struct QueryCatalog: Sendable {
    public private(set) var queries: [String: QueryDefinition]

    /// The catalog taser ships. `try!` stays: the text is a constant in this file, no input reaches
    /// it, and a mistake in it fails every Positron test at once.
    public static let builtIn: QueryCatalog = try! QueryCatalog.parse(yaml: builtInYAML, file: "built-in catalog")

    public func query(_ name: String) -> QueryDefinition? { queries[name.uppercased()] }

    public var names: [String] { queries.keys.sorted() }

    /// Queries from YAML: `NAME: { input: ip, output: [hostname], ttl: 10m, description: ... }`.
    public static func parse(yaml: String, file: String) throws(PositronError) -> QueryCatalog {
        let root: Any?
        do { root = try Yams.load(yaml: yaml) } catch { throw .config("\(file): not YAML: \(error)") }
        guard let map = root as? [String: Any] else { throw .config("\(file): the catalog is a mapping of query names") }
        var out: [String: QueryDefinition] = [:]
        for (name, value) in map {
            guard let q = value as? [String: Any] else { throw .config("\(file): query \(name) must be a mapping") }
            guard let inputName = q["input"] as? String, let input = InputType(rawValue: inputName) else {
                throw .config("\(file): query \(name) needs an input type: \(InputType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let output = q["output"] as? [String], !output.isEmpty else { throw .config("\(file): query \(name) needs output fields") }
            let ttl = try span(q["ttl"], default: .seconds(300), allowZero: true, at: "\(file): query \(name): ttl")
            out[name.uppercased()] = QueryDefinition(
                name: name.uppercased(), input: input, output: output, description: q["description"] as? String ?? "", ttl: ttl)
        }
        return QueryCatalog(queries: out)
    }

    /// The analyst's additions and changes over this catalog.
    public func merged(with other: QueryCatalog) -> QueryCatalog {
        QueryCatalog(queries: queries.merging(other.queries) { _, theirs in theirs })
    }

    static let builtInYAML = """
        IP_TO_HOSTNAME:     { input: ip,       output: [hostname],                                  ttl: 10m, description: "The host names an IP had (DHCP, EDR, osquery)" }
        HOSTNAME_TO_IP:     { input: hostname, output: [ip],                                        ttl: 10m, description: "The IPs a host had" }
        USER_INFO:          { input: user,     output: [name, email, title, department, location],  ttl: 1h,  description: "Who a user is (HR, directory)" }
        USER_MANAGER:       { input: user,     output: [manager],                                   ttl: 1h,  description: "A user's manager" }
        USER_GROUPS:        { input: user,     output: [group],                                     ttl: 1h,  description: "The groups a user is in" }
        ONCALL_FOR_TEAM:    { input: team,     output: [user],                                      ttl: 1m,  description: "Who is on call for a team now" }
        USER_RECENT_LOGINS: { input: user,     output: [time, ip, country],                         ttl: 1m,  description: "A user's recent sign-ins" }
        IP_GEO:             { input: ip,       output: [country, city],                             ttl: 1d,  description: "Where an IP is" }
        IP_REPUTATION:      { input: ip,       output: [verdict, score],                            ttl: 1h,  description: "What threat intelligence says of an IP" }
        DOMAIN_REPUTATION:  { input: domain,   output: [verdict, score],                            ttl: 1h,  description: "What threat intelligence says of a domain" }
        HASH_REPUTATION:    { input: hash,     output: [verdict, score],                            ttl: 1d,  description: "What threat intelligence says of a file hash" }
        DOMAIN_WHOIS:       { input: domain,   output: [registrar, created, country],               ttl: 1d,  description: "Who registered a domain, and when" }
        """
}

/// A span from a Positron file (`10m`, `1h`, `500ms`, or seconds), in seconds; `default` when
/// the key is absent, a config error naming the key when it is not a span within `limit`.
func span(_ value: Any?, default fallback: Span, limit: Span = .longest, allowZero: Bool = false, at place: String) throws(PositronError) -> Double {
    guard let value else { return fallback.seconds }
    do {
        return try Span.parse(value: value, limit: limit, allowZero: allowZero).seconds
    } catch {
        throw .config("\(place): \(error)")
    }
}

/// What went wrong, said so an analyst can act on it.
public enum PositronError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownQuery(String, known: [String])
    case badInput(query: String, value: String, expected: InputType)
    case notAllowed(query: String, analyst: String)
    case config(String)

    public var description: String {
        switch self {
        case .unknownQuery(let q, let known):
            "no query '\(q)'; did you mean \(nearestNames(q, in: known).joined(separator: ", "))? (`taser query list` has them all)"
        case .badInput(let q, let v, let t): "\(q) takes \(InputType.article(t)) \(t.rawValue); '\(v)' is not one"
        case .notAllowed(let q, let a): "\(a) is not allowed to ask \(q); ask an admin to add your team to Positron's ACL"
        case .config(let m): m
        }
    }
}

extension InputType {
    static func article(_ t: InputType) -> String { [.ip, .email].contains(t) ? "an" : "a" }
}
