import Model

/// Turns signals into correlation events for one rule: which clauses each signal matches
/// (kind and filter), its group key (coded), and its DISTINCT value (coded). A signal missing a
/// group-by field matches nothing. Live evaluation and the simulator both build events here.
public struct EventBuilder: Sendable {
    public let rule: Rule
    private let matchers: [Matcher?]
    private let clausesByKind: [String: [Int32]]
    /// Group key text (`user.name=jdoe`) by code, in order of first appearance.
    public private(set) var keyNames: [String] = []
    private var keyCodes: [String: Int32] = [:]
    private var distinctCodes: [String: Int32] = [:]
    public private(set) var events: [CorrelationEvent] = []
    /// How group-by values read: identities and hosts (set before adding signals).
    public var keys = GroupKeys()

    public init(rule: Rule) throws(RuleError) {
        self.rule = rule
        var matchers: [Matcher?] = []
        for c in rule.clauses { matchers.append(try c.filter.map { f throws(RuleError) in try Matcher(f) }) }
        self.matchers = matchers
        var byKind: [String: [Int32]] = [:]
        for (i, c) in rule.clauses.enumerated() {
            for kind in c.kinds { byKind[kind, default: []].append(Int32(i)) }
        }
        clausesByKind = byKind
    }

    /// The key's code, for stored alerts whose key text is known (`OpenAlert`).
    public mutating func code(forKey name: String) -> Int32 {
        if let code = keyCodes[name] { return code }
        let code = Int32(keyNames.count)
        keyCodes[name] = code
        keyNames.append(name)
        return code
    }

    /// Adds one signal; returns whether it matched any clause.
    @discardableResult
    public mutating func add(signal: Int64, time: Int64, kind: String, fields: JSONObject, live: Bool = true) -> Bool {
        guard let clauses = clausesByKind[kind] else { return false }
        var matched = false
        for c in clauses {
            let clause = rule.clauses[Int(c)]
            if let m = matchers[Int(c)], !m.matches(fields) { continue }
            guard let key = EventBuilder.groupKey(
                names: rule.groupBy, fields: clause.groupBy ?? rule.groupBy, values: fields, keys: keys, cased: rule.casedValues)
            else { continue }
            var distinct: Int32 = 0
            if let field = clause.distinct {
                guard let raw = fields[field]?.stringValue else { continue }
                let value = GroupKeys.text(raw, cased: rule.casedValues)
                distinct = distinctCodes[value] ?? Int32(distinctCodes.count + 1)
                distinctCodes[value] = distinct
            }
            var number = 0.0
            if let a = clause.aggregate {
                guard let n = fields[a.field].flatMap(EventBuilder.number) else { continue }
                number = n
            }
            events.append(CorrelationEvent(
                time: time, signal: signal, clause: c, key: code(forKey: key), distinct: distinct, value: number, live: live))
            matched = true
        }
        return matched
    }

    /// `user.name=jdoe`, `source.ip=10.0.0.5,destination.port=22`: the rule's field names with
    /// this clause's values, as `keys` reads them. Nil when a field is missing. The one
    /// spelling of group keys.
    static func groupKey(names: [String], fields: [String], values: JSONObject, keys: GroupKeys, cased: Bool) -> String? {
        var parts: [String] = []
        for (name, field) in zip(names, fields) {
            guard let v = values[field]?.stringValue, !v.isEmpty else { return nil }
            parts.append(name + "=" + keys.value(of: field, v, cased: cased))
        }
        return parts.joined(separator: ",")
    }

    /// A field's value as a number for `Aggregate` (a number, or text that reads as one);
    /// nil otherwise, and for infinities, which no sum should take.
    static func number(_ v: JSONValue) -> Double? {
        let n: Double?
        switch v {
        case .int(let i): n = Double(i)
        case .double(let d): n = d
        case .string(let s): n = Double(s.trimmed)
        default: n = nil
        }
        return n.flatMap { $0.isFinite ? $0 : nil }
    }

    /// The events in the order the correlator needs.
    public var sortedEvents: [CorrelationEvent] { events.sorted(by: <) }

    /// Runs the rule over what was added.
    /// `closeBy`: windows that end by then are judged at the end (rules judged at close).
    public func correlate(open: [OpenAlert] = [], closeBy: Int64? = nil) -> [CorrelatedAlert] {
        Correlator(rule: rule).run(sortedEvents, keys: keyNames.count, open: open, closeBy: closeBy)
    }
}
