import Model
import Yams

/// Which artifacts of which signals get which queries, automatically after ingest. In
/// positron.yaml:
///
///     enrichment:
///       - sources: [okta, duo]                      # the tool (okta, duo, cbc, suricata, ...) or
///                                                   # the signal's source; any when absent
///         kinds: ["SSO login from a new location"]  # names, display names or aliases; any when absent
///         roles: [src]                              # the artifact's role in the signal; any when absent
///         artifacts:
///           ip: [IP_GEO, IP_REPUTATION]
///           user: [USER_MANAGER]
///
/// No `enrichment:` section: nothing is asked automatically (each query may leave the jump
/// host); `taser enrich` still asks on demand.
public struct EnrichmentRules: Sendable {
    public struct Rule: Sendable {
        var sources: Set<String>?
        var kinds: Set<String>?
        var roles: Set<String>?
        var queries: [ArtifactType: [String]]
    }

    public let rules: [Rule]

    public var isEmpty: Bool { rules.isEmpty }

    /// The queries for one artifact of one signal, in the order the rules name them, once each.
    public func queries(source: String, kind: String, type: ArtifactType, role: String) -> [String] {
        let tool = SignalKind.find(kind)?.source ?? String(kind.split(separator: ".").first ?? "")
        var out: [String] = []
        for rule in rules {
            if let s = rule.sources, !s.contains(tool), !s.contains(source) { continue }
            if let k = rule.kinds, !k.contains(kind) { continue }
            if let r = rule.roles, !r.contains(role) { continue }
            for q in rule.queries[type] ?? [] where !out.contains(q) { out.append(q) }
        }
        return out
    }

    static func parse(_ raw: Any?, catalog: QueryCatalog, file: String) throws(PositronError) -> EnrichmentRules {
        guard let raw else { return EnrichmentRules(rules: []) }
        guard let list = raw as? [Any] else { throw .config("\(file): enrichment is a list of rules: - { kinds: [...], artifacts: { ip: [IP_GEO] } }") }
        var rules: [Rule] = []
        for (n, item) in list.enumerated() {
            let at = "\(file): enrichment rule \(n + 1)"
            guard let map = item as? [String: Any] else { throw .config("\(at) must be a mapping with artifacts: { TYPE: [QUERY, ...] }") }
            for key in map.keys where !["sources", "kinds", "roles", "artifacts"].contains(key) {
                throw .config("\(at): unknown key '\(key)'; keys are sources, kinds, roles and artifacts")
            }
            func names(_ key: String) throws(PositronError) -> [String]? {
                guard let v = map[key] else { return nil }
                if let s = v as? String { return [s] }
                guard let list = v as? [Any] else { throw .config("\(at): \(key) is a list") }
                return list.map { "\($0)" }
            }
            var kinds: Set<String>?
            if let given = try names("kinds") {
                kinds = []
                for k in given {
                    guard let kind = SignalKind.find(k) else {
                        let near = SignalKind.nearest(k).map { "\"\($0.displayName)\"" }.joined(separator: ", ")
                        throw .config("\(at): no signal kind '\(k)'; did you mean \(near)?")
                    }
                    kinds!.insert(kind.name)
                }
            }
            guard let artifacts = map["artifacts"] as? [String: Any], !artifacts.isEmpty else {
                throw .config("\(at) needs artifacts: { ip: [IP_GEO], user: [USER_MANAGER] }")
            }
            var queries: [ArtifactType: [String]] = [:]
            for (typeName, qs) in artifacts {
                guard let type = ArtifactType(parsing: typeName) else {
                    throw .config("\(at): no artifact type '\(typeName)'; types are \(ArtifactType.names)")
                }
                let list = (qs as? [Any])?.map { "\($0)" } ?? (qs as? String).map { [$0] } ?? []
                guard !list.isEmpty else { throw .config("\(at): \(typeName) lists queries: [QUERY, ...]") }
                for q in list {
                    guard let query = catalog.query(q) else {
                        throw .config("\(at): '\(q)' is not a query; did you mean \(PositronConfig.nearestQuery(q, catalog))?")
                    }
                    guard query.input.takes(type) else {
                        throw .config("\(at): \(query.name) takes \(InputType.article(query.input)) \(query.input.rawValue); \(type.rawValue) artifacts cannot be asked")
                    }
                    queries[type, default: []].append(query.name)
                }
            }
            rules.append(Rule(
                sources: try names("sources").map { Set($0.map { $0.lowercased() }) }, kinds: kinds,
                roles: try names("roles").map(Set.init), queries: queries))
        }
        return EnrichmentRules(rules: rules)
    }
}

extension InputType {
    /// Whether an artifact of this type is the kind of value the query takes.
    public func takes(_ type: ArtifactType) -> Bool {
        switch self {
        case .ip: type == .ip
        case .hostname: type == .host || type == .domain
        case .user: type == .user || type == .email
        case .email: type == .email
        case .domain: type == .domain
        case .hash: type == .md5 || type == .sha1 || type == .sha256
        case .team: false
        case .text: true
        }
    }
}
