import Model

/// Single-event rules (Sigma detections) arranged so that an event is tested only against the
/// rules that could match it: by the event's kind (the logsource), by its EventID when a rule
/// names some, and by text: each rule's necessary literal (a string the rule cannot match
/// without) is looked for, for all rules at once, in one scan of the event's text
/// (`LiteralSearch`). What survives is run by the Matcher, so the index changes how much work
/// is done, never what matches (tests compare it with running every rule).
public struct RuleIndex: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var rule: Rule
    }

    public private(set) var entries: [Entry] = []
    // What matching reads per entry, in arrays of their own: reading a struct holding them out
    // of an array copies it (and retains everything in it), which cost more than the matching.
    private var matchers: [Matcher] = []
    /// Per entry, the EventIDs it needs (nil: any).
    private var eventIDSets: [Set<Int64>?] = []
    /// Per entry, literal ids of which at least one must be in the event's text (nil: none).
    private var literalSets: [[Int]?] = []
    private let search: LiteralSearch
    /// Kind -> entries reading it.
    private let byKind: [String: [Int]]

    /// Literals shorter than this find too much to be worth it: the rule is always run.
    static let shortest = 3

    /// Detection rules: one clause of count 1 and no window. Others are not the index's.
    public init(_ rules: [(name: String, rule: Rule)]) throws(RuleError) {
        var literalIDs: [[UInt8]: Int] = [:]
        var literalList: [[UInt8]] = []
        var byKind: [String: [Int]] = [:]
        for (name, rule) in rules {
            guard let clause = rule.clauses.first, rule.clauses.count == 1, clause.count == 1 else { continue }
            let filter = clause.filter ?? .always
            var literals: [Int]?
            if let needed = RuleIndex.necessary(filter) {
                literals = needed.map { text in
                    let bytes = Array(text.utf8)
                    if let id = literalIDs[bytes] { return id }
                    literalList.append(bytes)
                    literalIDs[bytes] = literalList.count - 1
                    return literalList.count - 1
                }
            }
            let index = entries.count
            entries.append(Entry(name: name, rule: rule))
            matchers.append(try Matcher(filter))
            eventIDSets.append(RuleIndex.eventIDs(filter))
            literalSets.append(literals)
            for kind in clause.kinds { byKind[kind, default: []].append(index) }
        }
        self.byKind = byKind
        search = LiteralSearch(literalList)
    }

    /// The entries whose rules match the event, in index order.
    public func matches(kind: String, fields: JSONObject) -> [Int] {
        guard let candidates = byKind[kind], !candidates.isEmpty else { return [] }
        let eventID = fields["EventID"].flatMap(RuleIndex.integer)
        var found: [Bool]?
        var out: [Int] = []
        for i in candidates {
            if let ids = eventIDSets[i] {
                guard let id = eventID, ids.contains(id) else { continue }
            }
            if let literals = literalSets[i] {
                if found == nil {
                    var flags = [Bool](repeating: false, count: search.count)
                    search.scan(RuleIndex.text(fields), into: &flags)
                    found = flags
                }
                guard let flags = found, literals.contains(where: { flags[$0] }) else { continue }
            }
            if matchers[i].matches(fields) { out.append(i) }
        }
        return out
    }

    /// The same answer with no pre-filter: every rule of the kind run (for the bench and the
    /// tests that check the pre-filter never changes what matches).
    public func matchesWithoutPrefilter(kind: String, fields: JSONObject) -> [Int] {
        (byKind[kind] ?? []).filter { matchers[$0].matches(fields) }
    }

    /// Every value of the event as lower-cased text, one after another: what a rule's text
    /// tests can read (a test reads one field, so a literal it needs is in this text).
    static func text(_ fields: JSONObject) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        func add(_ v: JSONValue) {
            switch v {
            case .string(let s): out += s.lowercased().utf8
            case .int(let n): out += String(n).utf8
            case .double(let d): out += String(d).utf8
            case .bool(let b): out += (b ? "true" : "false").utf8
            case .array(let items): for item in items { add(item) }
            default: break
            }
            out.append(0)
        }
        for (_, v) in fields { add(v) }
        return out
    }

    static func integer(_ v: JSONValue) -> Int64? {
        switch v {
        case .int(let n): return n
        case .string(let s): return Int64(s.trimmed)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? Int64(d) : nil
        default: return nil
        }
    }

    /// EventIDs the rule requires (a top-level `EventID` equality or list), nil when it
    /// requires none.
    static func eventIDs(_ filter: Filter) -> Set<Int64>? {
        func ids(_ f: Filter) -> Set<Int64>? {
            guard case .test("EventID", let test) = f else { return nil }
            var out = Set<Int64>()
            let values: [FilterValue]
            switch test {
            case .equals(let v, _): values = [v]
            case .oneOf(let vs, _): values = vs
            default: return nil
            }
            for v in values {
                switch v {
                case .number(let d) where d.rounded() == d && abs(d) < 1e15: out.insert(Int64(d))
                case .text(let s): guard let n = Int64(s.trimmed) else { return nil }; out.insert(n)
                default: return nil
                }
            }
            return out
        }
        switch filter {
        case .all(let fs):
            var best: Set<Int64>?
            for f in fs { if let s = ids(f) { best = best.map { $0.intersection(s) } ?? s } }
            return best
        default:
            return ids(filter)
        }
    }

    /// Literals (lower-cased) of which the event's text must hold at least one for the filter
    /// to match; nil when no such set is known.
    static func necessary(_ filter: Filter) -> [String]? {
        switch filter {
        case .test(_, let test):
            return literal(test)
        case .all(let fs):
            // The strongest child: the set whose shortest literal is longest.
            var best: [String]?
            for f in fs {
                guard let set = necessary(f) else { continue }
                if best == nil || strength(set) > strength(best ?? []) { best = set }
            }
            return best
        case .any(let fs):
            var out: [String] = []
            for f in fs {
                guard let set = necessary(f) else { return nil }
                out += set
            }
            return out.isEmpty ? nil : Array(Set(out)).sorted()
        case .anyField(let test):
            // A keyword: its text is somewhere in the event's text, like any field's.
            return literal(test)
        case .not, .sameAs, .always:
            return nil
        }
    }

    private static func strength(_ set: [String]) -> Int { set.map(\.utf8.count).min() ?? 0 }

    private static func literal(_ test: Test) -> [String]? {
        func usable(_ s: String) -> [String]? {
            let lower = s.lowercased()
            return lower.utf8.count >= shortest ? [lower] : nil
        }
        switch test {
        case .contains(let s, _), .startsWith(let s, _), .endsWith(let s, _): return usable(s)
        case .equals(.text(let s), _): return usable(s)
        case .glob(let pattern, _): return longestPlainRun(pattern).flatMap(usable)
        case .oneOf(let values, _):
            var out: [String] = []
            for v in values {
                guard case .text(let s) = v, let l = usable(s) else { return nil }
                out += l
            }
            return out.isEmpty ? nil : out
        default:
            return nil
        }
    }

    /// The longest run of a glob without wildcards (`\*` and `\?` are literal, as in Glob).
    static func longestPlainRun(_ pattern: String) -> String? {
        var best = "", run = ""
        var chars = Array(pattern)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "\\", let n = chars.first, n == "*" || n == "?" {
                run.append(n)
                chars = chars.dropFirst()
            } else if c == "*" || c == "?" {
                if run.count > best.count { best = run }
                run = ""
            } else {
                run.append(c)
            }
        }
        if run.count > best.count { best = run }
        return best.isEmpty ? nil : best
    }
}
