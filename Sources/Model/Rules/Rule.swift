/// A correlation rule in its compiled form: what the rule language and Sigma import both
/// produce, and what the correlator runs (live and in the simulator alike).
///
///     [ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON
///
/// Semantics (DESIGN.md, "Rule language and correlation"): for each group key, fire when, within
/// a span of at most `window`, every clause has at least its count of matching signals (the
/// trailing window `[t - window, t]`, both ends included). From its first fire an alert stays
/// open for `suppress` (default: the window); later matching signals with the same key attach to
/// it. A signal missing a group-by field does not match.
public struct Rule: Sendable, Hashable, Codable {
    public var clauses: [Clause]
    /// `THEN` instead of `+`: each clause's signals come no earlier than the previous clause's.
    public var ordered: Bool
    /// Milliseconds. A detection (one clause, count 1) may have 0: every signal is its own span.
    public var window: Int64
    /// ECS field names, resolved (`username` -> `user.name`). Empty: one group for everything.
    public var groupBy: [String]
    public var options: RuleOptions

    public init(clauses: [Clause], ordered: Bool = false, window: Int64, groupBy: [String], options: RuleOptions = RuleOptions()) {
        self.clauses = clauses
        self.ordered = ordered
        self.window = window
        self.groupBy = groupBy
        self.options = options
    }

    /// How long an alert stays open for attachments, from its first fire.
    public var suppression: Int64 { options.suppress ?? window }

    /// Every signal kind any clause reads: what the simulator loads.
    public var kinds: Set<String> { Set(clauses.flatMap(\.kinds)) }

    /// Every field the rule reads (group-by, per-clause group-by, DISTINCT, filters).
    public var fields: Set<String> {
        var out = Set(groupBy)
        for c in clauses {
            out.formUnion(c.groupBy ?? [])
            if let d = c.distinct { out.insert(d) }
            out.formUnion(c.filter?.fields ?? [])
        }
        return out
    }
}

/// One `(count [DISTINCT field OF] kind [WHERE filter])` term.
public struct Clause: Sendable, Hashable, Codable {
    /// At least this many matching signals (or distinct values of `distinct`).
    public var count: Int
    /// Resolved kind names (`okta.sso.new_location`). Sigma's logsource may name several.
    /// A name `rule:NAME` means the alerts of rule NAME, each as one event whose fields are its
    /// group key (Sigma correlation chains).
    public var kinds: [String]
    public var distinct: String?
    public var filter: Filter?
    /// Group-by fields for this clause alone, when its signals name the key differently
    /// (Sigma correlation `aliases`). Nil: the rule's `groupBy`. Same length as the rule's.
    public var groupBy: [String]?
    /// What the analyst wrote (`2 failed Duo pushes`), for messages and the simulator's report.
    public var text: String

    public init(count: Int, kinds: [String], distinct: String? = nil, filter: Filter? = nil, groupBy: [String]? = nil, text: String = "") {
        self.count = count
        self.kinds = kinds
        self.distinct = distinct
        self.filter = filter
        self.groupBy = groupBy
        self.text = text
    }
}

public struct RuleOptions: Sendable, Hashable, Codable {
    public var title: String?
    public var severity: Severity?
    public var team: String?
    public var tags: [String]
    /// Milliseconds an alert stays open for attachments; nil means the window.
    public var suppress: Int64?

    public init(title: String? = nil, severity: Severity? = nil, team: String? = nil, tags: [String] = [], suppress: Int64? = nil) {
        self.title = title
        self.severity = severity
        self.team = team
        self.tags = tags
        self.suppress = suppress
    }
}

/// A condition on one signal's normalized fields (`WHERE factor = "push"`, a Sigma selection).
public indirect enum Filter: Sendable, Hashable, Codable {
    case all([Filter])
    case any([Filter])
    case not(Filter)
    /// `field op value`. A missing field fails every test except `.absent`.
    case test(field: String, Test)
    /// Compares two fields of the same signal (Sigma's `fieldref`).
    case sameAs(field: String, other: String)
    case always

    public var fields: Set<String> {
        switch self {
        case .all(let fs), .any(let fs): return fs.reduce(into: []) { $0.formUnion($1.fields) }
        case .not(let f): return f.fields
        case .test(let field, _): return [field]
        case .sameAs(let a, let b): return [a, b]
        case .always: return []
        }
    }
}

/// One test on a field's value. Text tests are case-insensitive unless `cased`; a field holding
/// a list passes when any element passes.
public enum Test: Sendable, Hashable, Codable {
    case equals(FilterValue, cased: Bool = false)
    case contains(String, cased: Bool = false)
    case startsWith(String, cased: Bool = false)
    case endsWith(String, cased: Bool = false)
    /// A glob with `*` and `?` (Sigma's wildcards), whole value.
    case glob(String, cased: Bool = false)
    /// A regular expression (Sigma's `re`), anywhere in the value.
    case regex(String, caseInsensitive: Bool = false)
    /// Greater/less than, numerically (both sides must be numbers).
    case compare(Comparison, Double)
    /// IP inside a network (`10.0.0.0/8`, `2001:db8::/32`).
    case inCIDR(String)
    /// Any of these values (`factor in ("push", "phone")`).
    case oneOf([FilterValue], cased: Bool = false)
    case present
    case absent
}

public enum Comparison: String, Sendable, Hashable, Codable {
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

public enum FilterValue: Sendable, Hashable, Codable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// A rule as stored: the text the analyst wrote (or the Sigma YAML), its compiled form, and
/// its place in the version history.
public struct StoredRule: Codable, Sendable, Hashable {
    public var id: Int64
    /// The stable handle alerts carry (`repeated-carbonblack-alerts`).
    public var name: String
    public var version: Int
    public var text: String
    /// `taser` (the rule language) or `sigma`.
    public var language: String
    public var enabled: Bool
    public var updatedAt: Timestamp
    public var updatedBy: String

    public init(id: Int64, name: String, version: Int, text: String, language: String, enabled: Bool, updatedAt: Timestamp, updatedBy: String) {
        self.id = id
        self.name = name
        self.version = version
        self.text = text
        self.language = language
        self.enabled = enabled
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}
