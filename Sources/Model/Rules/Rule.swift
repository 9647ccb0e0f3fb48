/// A correlation rule in its compiled form: what the rule language and Sigma import both
/// produce, and what the correlator runs (live and in the simulator alike).
///
///     [ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON
///
/// Semantics (DESIGN.md, "Rule language and correlation"): for each group key, fire when, within
/// a span of at most `window`, every clause has at least its count of matching signals (the
/// trailing window `[t - window, t]`, both ends included). From its first fire an alert stays
/// open for `suppress` (default: the window); later matching signals with the same key attach to
/// it. A signal missing a group-by field does not match. Sigma's upper bounds, ranges and
/// value_ measures (`Clause.limit`, `Clause.aggregate`, `clausesHeld`) are judged when a window
/// closes instead (`judgedAtClose`; see the Correlator).
public struct Rule: Sendable, Hashable, Codable {
    public var clauses: [Clause]
    /// `THEN` instead of `+`: each clause's signals come no earlier than the previous clause's.
    public var ordered: Bool
    /// Milliseconds. A detection (one clause, count 1) may have 0: every signal is its own span.
    public var window: Int64
    /// ECS field names, resolved (`username` -> `user.name`). Empty: one group for everything.
    public var groupBy: [String]
    public var options: RuleOptions
    /// How many clauses must hold (Sigma `temporal` over a subset: `gte: 2` of three rules).
    /// Nil: all of them. Optional so that rules stored before it still decode.
    public var clausesHeld: Bounds?

    public init(clauses: [Clause], ordered: Bool = false, window: Int64, groupBy: [String], options: RuleOptions = RuleOptions(), clausesHeld: Bounds? = nil) {
        self.clauses = clauses
        self.ordered = ordered
        self.window = window
        self.groupBy = groupBy
        self.options = options
        self.clausesHeld = clausesHeld
    }

    /// Whether the rule is judged when a window closes rather than as soon as it holds: an
    /// upper bound (or `neq`) can only be known to hold once no more signals can come, and a
    /// sum, average or median may go down again. See `Correlator`.
    public var judgedAtClose: Bool {
        clauses.contains { $0.aggregate != nil || ($0.limit.map { !$0.isLowerOnly } ?? false) }
            || (clausesHeld.map { !$0.isLowerOnly } ?? false)
    }

    /// Group-by and DISTINCT values keep their case (`HOST4` and `host4` two keys). Off by
    /// default: values compare ignoring case, as Sigma's do.
    public var casedValues: Bool { options.casedValues ?? false }

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
            if let a = c.aggregate { out.insert(a.field) }
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
    /// Bounds on the clause's measure (its count, DISTINCT count, or `aggregate`), judged when
    /// the window closes (Sigma's `lt`, `lte`, `eq`, `neq` and ranges). `count` stays the least
    /// count. Nil: `count` alone, judged as soon as it is reached.
    public var limit: Bounds?
    /// The measure is this function of a numeric field rather than a count (Sigma `value_sum`,
    /// `value_avg`, `value_median`). Signals whose field holds no number take no part.
    public var aggregate: Aggregate?
    /// This clause's signals count toward clause `pool`'s measure instead of one of their own:
    /// Sigma's `event_count` over rules of different logsources, where each rule keeps its own
    /// kinds, filter and field names but one count is taken. Its `count` and `limit` are unused.
    public var pool: Int?

    public init(
        count: Int, kinds: [String], distinct: String? = nil, filter: Filter? = nil, groupBy: [String]? = nil, text: String = "",
        limit: Bounds? = nil, aggregate: Aggregate? = nil, pool: Int? = nil
    ) {
        self.count = count
        self.kinds = kinds
        self.distinct = distinct
        self.filter = filter
        self.groupBy = groupBy
        self.text = text
        self.limit = limit
        self.aggregate = aggregate
        self.pool = pool
    }
}

/// Bounds on a number, each optional and all of which must hold: Sigma correlation conditions
/// (`gt`, `gte`, `lt`, `lte`, `neq`; `eq` is `gte` with `lte`).
public struct Bounds: Sendable, Hashable, Codable {
    public var gt: Double?
    public var gte: Double?
    public var lt: Double?
    public var lte: Double?
    public var neq: Double?

    public init(gt: Double? = nil, gte: Double? = nil, lt: Double? = nil, lte: Double? = nil, neq: Double? = nil) {
        self.gt = gt
        self.gte = gte
        self.lt = lt
        self.lte = lte
        self.neq = neq
    }

    public func holds(_ x: Double) -> Bool {
        if let b = gt, !(x > b) { return false }
        if let b = gte, !(x >= b) { return false }
        if let b = lt, !(x < b) { return false }
        if let b = lte, !(x <= b) { return false }
        if let b = neq, x == b { return false }
        return true
    }

    /// Only lower bounds: once they hold, more signals keep them holding.
    public var isLowerOnly: Bool { lt == nil && lte == nil && neq == nil }

    /// `gte 2, lte 5` as written in Sigma, for messages.
    public var description: String {
        [("gt", gt), ("gte", gte), ("lt", lt), ("lte", lte), ("neq", neq)].compactMap { name, v in
            v.map { "\(name) \($0 == $0.rounded() && abs($0) < 1e15 ? String(Int64($0)) : String($0))" }
        }.joined(separator: ", ")
    }
}

/// A clause's measure as a function of a numeric field over its signals in the window.
public struct Aggregate: Sendable, Hashable, Codable {
    public enum Function: String, Sendable, Hashable, Codable { case sum, average, median }
    public var function: Function
    public var field: String

    public init(_ function: Function, of field: String) {
        self.function = function
        self.field = field
    }
}

public struct RuleOptions: Sendable, Hashable, Codable {
    public var title: String?
    public var severity: Severity?
    public var team: String?
    public var tags: [String]
    /// Milliseconds an alert stays open for attachments; nil means the window.
    public var suppress: Int64?
    /// `CASED` in the rule language, `cased: true` in a Sigma correlation: group-by and
    /// DISTINCT values keep their case. Nil (the default, and rules stored before it): ignored.
    public var casedValues: Bool?

    public init(title: String? = nil, severity: Severity? = nil, team: String? = nil, tags: [String] = [], suppress: Int64? = nil, casedValues: Bool? = nil) {
        self.title = title
        self.severity = severity
        self.team = team
        self.tags = tags
        self.suppress = suppress
        self.casedValues = casedValues
    }
}

/// A condition on one signal's normalized fields (`WHERE factor = "push"`, a Sigma selection).
public indirect enum Filter: Sendable, Hashable, Codable {
    case all([Filter])
    case any([Filter])
    case not(Filter)
    /// `field op value`. A missing field fails every test except `.absent`.
    case test(field: String, Test)
    /// Compares two fields of the same signal (Sigma's `fieldref`), ignoring case unless
    /// `cased` (nil, as in rules stored before it: ignoring case).
    case sameAs(field: String, other: String, cased: Bool? = nil)
    case always
    /// The test on every text field of the signal: passes when any passes (Sigma keywords,
    /// which name no field).
    case anyField(Test)

    /// What `fields` holds for `anyField`: every field of the signal.
    public static let everyField = "*"

    public var fields: Set<String> {
        switch self {
        case .all(let fs), .any(let fs): return fs.reduce(into: []) { $0.formUnion($1.fields) }
        case .not(let f): return f.fields
        case .test(let field, _): return [field]
        case .sameAs(let a, let b, _): return [a, b]
        case .always: return []
        case .anyField: return [Filter.everyField]
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
    /// Present and not null (a null field is taken as missing).
    case present
    case absent
    /// The field is in the signal (true) or not (false), whatever its value, null included:
    /// Sigma's `exists`, which "only verifies the presence of a field, not its value".
    case exists(Bool)
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
