import Model

/// Single-event rules (Sigma detections) arranged so that an event is tested only against the
/// rules that could match it: by the event's kind (the logsource), by text, and by its EventID
/// when a rule names some. Each rule's necessary literals (strings the rule cannot match
/// without) are looked for, for all the kind's rules at once, in one scan of the event's text
/// (`LiteralSearch`); the literals found name the rules to run, so a rule whose text is absent
/// costs nothing, not even a look. What survives is run by the matcher, so the index changes
/// how much work is done, never what matches (tests compare it with running every rule).
public struct RuleIndex: Sendable {
    public struct Entry: Sendable {
        public var name: String
        public var rule: Rule
    }

    public private(set) var entries: [Entry] = []
    // What matching reads per entry is in flat arrays of plain values, not in the entries:
    // reading a struct that holds arrays out of an array retains each of them, which for a
    // thousand candidate rules per event cost more than the matching itself.
    /// Every rule's filter, in one program; per entry, its root.
    private var program = MatchProgram()
    private var roots: [Int] = []
    /// Per entry, its EventIDs in `eventIDs` (start, count); count -1: any EventID.
    private var eventIDRanges: [Range] = []
    private var eventIDs: [Int64] = []
    /// The fields every rule reads, one slot each, so an event finds each once.
    private let fields: MatchFields
    private let byKind: [String: KindIndex]

    private struct Range {
        var start: Int32
        var count: Int32
        static let none = Range(start: 0, count: -1)
    }

    /// The rules of one kind, by the literals that make them worth running.
    private struct KindIndex {
        /// Every entry of the kind, in index order.
        var entries: [Int] = []
        /// Entries that need no literal: run on every event of the kind.
        var unconditional: [Int32] = []
        var search = LiteralSearch([])
        /// Per literal (the search's ids): the entries needing it, `postings` from
        /// `postingStart[id]` to `postingStart[id + 1]`.
        var postingStart: [Int32] = []
        var postings: [Int32] = []

        init(entries: [Int], literals: [Int: [String]]) {
            self.entries = entries
            var ids: [[UInt8]: Int] = [:]
            var texts: [[UInt8]] = []
            var needing: [[Int32]] = []
            for entry in entries {
                guard let needed = literals[entry] else {
                    unconditional.append(Int32(entry))
                    continue
                }
                for text in needed {
                    let bytes = Array(text.utf8)
                    let id: Int
                    if let known = ids[bytes] {
                        id = known
                    } else {
                        id = texts.count
                        ids[bytes] = id
                        texts.append(bytes)
                        needing.append([])
                    }
                    if needing[id].last != Int32(entry) { needing[id].append(Int32(entry)) }
                }
            }
            search = LiteralSearch(texts)
            for list in needing {
                postingStart.append(Int32(postings.count))
                postings += list
            }
            postingStart.append(Int32(postings.count))
        }
    }

    /// Literals shorter than this find too much to be worth it: the rule is always run.
    static let shortest = 3

    /// Detection rules: one clause of count 1 and no window. Others are not the index's.
    public init(_ rules: [(name: String, rule: Rule)]) throws(RuleError) {
        var literals: [Int: [String]] = [:]
        var entriesByKind: [String: [Int]] = [:]
        var fields = MatchFields()
        for (name, rule) in rules {
            guard let clause = rule.clauses.first, rule.clauses.count == 1, clause.count == 1 else { continue }
            let filter = clause.filter ?? .always
            roots.append(try program.add(filter, fields: &fields))
            literals[entries.count] = RuleIndex.necessary(filter)
            if let ids = RuleIndex.eventIDs(filter) {
                eventIDRanges.append(Range(start: Int32(eventIDs.count), count: Int32(ids.count)))
                eventIDs += ids.sorted()
            } else {
                eventIDRanges.append(.none)
            }
            for kind in clause.kinds { entriesByKind[kind, default: []].append(entries.count) }
            entries.append(Entry(name: name, rule: rule))
        }
        byKind = entriesByKind.mapValues { KindIndex(entries: $0, literals: literals) }
        self.fields = fields
    }

    /// The entries whose rules match the event, in index order.
    public func matches(kind: String, fields: JSONObject) -> [Int] {
        var event = MatchEvent(fields, reading: self.fields)
        let run = candidates(kind: kind, event: &event)
        guard !run.isEmpty else { return [] }
        return program.running { program in run.filter { program.node(roots[$0], &event) } }
    }

    /// How many rules the pre-filter leaves to run on the event, and how many its kind has.
    public func prefiltered(kind: String, fields: JSONObject) -> (run: Int, of: Int) {
        var event = MatchEvent(fields, reading: self.fields)
        return (candidates(kind: kind, event: &event).count, byKind[kind]?.entries.count ?? 0)
    }

    /// The entries worth running on the event, in index order: those of its kind whose
    /// literals it holds (or that need none) and whose EventIDs include its.
    private func candidates(kind: String, event: inout MatchEvent) -> [Int] {
        guard let index = byKind[kind], !index.entries.isEmpty else { return [] }
        var candidates = index.unconditional
        if index.search.count > 0 {
            var found = [Bool](repeating: false, count: index.search.count)
            var hits: [Int32] = []
            index.search.scan(event.searchText(), into: &found, hits: &hits)
            for id in hits {
                candidates += index.postings[Int(index.postingStart[Int(id)])..<Int(index.postingStart[Int(id) + 1])]
            }
            candidates.sort()
        }
        let eventID = event.fields["EventID"].flatMap(RuleIndex.integer)
        var out: [Int] = []
        var previous: Int32 = -1
        for c in candidates where c != previous {
            previous = c
            let i = Int(c)
            let ids = eventIDRanges[i]
            if ids.count >= 0 {
                guard let id = eventID, eventIDs[Int(ids.start)..<Int(ids.start + ids.count)].contains(id) else { continue }
            }
            out.append(i)
        }
        return out
    }

    /// The same answer with no pre-filter: every rule of the kind run (for the bench and the
    /// tests that check the pre-filter never changes what matches).
    public func matchesWithoutPrefilter(kind: String, fields: JSONObject) -> [Int] {
        var event = MatchEvent(fields, reading: self.fields)
        return program.running { run in (byKind[kind]?.entries ?? []).filter { run.node(roots[$0], &event) } }
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
