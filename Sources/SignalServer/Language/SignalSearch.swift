import Model
import Store

/// A search over stored signals (`:search`, `taser signals --where`): the rule language's
/// filter, where a test on a field means what it means in a rule, plus
/// - `kind` and `source` as fields (`kind = cbc.alert`, `kind IN ("failed Duo pushes", sysmon)`;
///   kinds by name, display name or alias),
/// - free text: a quoted string or a bare word (`"invoice_8812.exe"`, `mimikatz`), searched in raw
///   bodies through FTS5, joined to the rest with AND (`"a" OR "b"` and `NOT "c"` are fine too),
/// - a time range at the end: `SINCE 7d`, `UNTIL 2026-11-01`.
///
///     host.name = "LT-KLOPE47" AND kind = cbc.alert SINCE 7d
public struct SignalSearch: Sendable {
    /// What SQL narrows to before the filter runs.
    public var scan: SignalScan
    /// The tests on fields (and on kind or source where they are not plain conjuncts).
    public var filter: Filter?
    /// The text as written, for titles.
    public var text: String

    /// The fields `kind` and `source` stand for the signal's own columns.
    public static let columnFields: Set<String> = ["kind", "source"]
}

extension RuleCompiler {
    public func compileSearch(_ text: String, now: Timestamp = .now) throws(RuleError) -> SignalSearch {
        var parser = try Parser(text)
        let syntax = try parser.search()
        var search = SignalSearch(scan: SignalScan(), filter: nil, text: text.trimmed)
        if let since = syntax.since { search.scan.since = try time(since, parser, now: now) }
        if let until = syntax.until { search.scan.until = try time(until, parser, now: now) }
        if let s = search.scan.since, let u = search.scan.until, let at = syntax.until?.at, s.ms > u.ms {
            throw parser.error("SINCE is after UNTIL; nothing can match", at: at)
        }
        guard let filter = syntax.filter else { return search }
        var conjuncts: [FilterSyntax] = []
        if case .all(let parts) = filter { conjuncts = parts } else { conjuncts = [filter] }
        var tests: [Filter] = []
        for part in conjuncts {
            if let freeText = try Self.freeText(part, parser, top: true) {
                search.scan.text.append(freeText)
                continue
            }
            let test = try searchFilter(part, parser)
            // Plain `kind = x` / `source IN (...)` conjuncts go to SQL (kind has an index).
            switch test {
            case .test(field: "kind", .equals(.text(let kind), cased: false)) where search.scan.kinds.isEmpty:
                search.scan.kinds = [kind]
            case .test(field: "kind", .oneOf(let values, cased: false)) where search.scan.kinds.isEmpty && values.allSatisfy(\.isText):
                search.scan.kinds = values.compactMap(\.textValue)
            case .test(field: "source", .equals(.text(let source), cased: false)) where search.scan.sources.isEmpty:
                search.scan.sources = [source]
            case .test(field: "source", .oneOf(let values, cased: false)) where search.scan.sources.isEmpty && values.allSatisfy(\.isText):
                search.scan.sources = values.compactMap(\.textValue)
            default:
                if let needles = Self.needles(test) { search.scan.containing.append(needles) }
                tests.append(test)
            }
        }
        search.filter = tests.isEmpty ? nil : tests.count == 1 ? tests[0] : .all(tests)
        search.scan.fields = (search.filter?.fields ?? []).subtracting(SignalSearch.columnFields).sorted()
        return search
    }

    /// Texts one of which a signal's fields JSON must hold for `test` to pass, when that can be
    /// known from the text alone: a value written in JSON as it is typed (ASCII, nothing JSON
    /// escapes), so a case-insensitive LIKE over the fields is a superset of the matches.
    static func needles(_ test: Filter) -> [String]? {
        func plain(_ v: String) -> Bool {
            !v.isEmpty && v.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" }
        }
        guard case .test(let field, let t) = test, !SignalSearch.columnFields.contains(field) else { return nil }
        switch t {
        case .equals(.text(let v), _), .contains(let v, _), .startsWith(let v, _), .endsWith(let v, _):
            return plain(v) ? [v] : nil
        case .oneOf(let values, _):
            let texts = values.compactMap(\.textValue)
            return texts.count == values.count && texts.allSatisfy(plain) ? texts : nil
        default:
            return nil
        }
    }

    /// A filter part with `kind` and `source` as fields; kinds resolve to their names.
    private func searchFilter(_ f: FilterSyntax, _ parser: Parser) throws(RuleError) -> Filter {
        switch f {
        case .all(let parts):
            var out: [Filter] = []
            for p in parts { out.append(try searchFilter(p, parser)) }
            return .all(out)
        case .any(let parts):
            var out: [Filter] = []
            for p in parts { out.append(try searchFilter(p, parser)) }
            return .any(out)
        case .not(let inner):
            return .not(try searchFilter(inner, parser))
        case .text(let text, let at):
            throw parser.error(
                "free text (\"\(text)\") is joined to field tests with OR; search it with AND, or test a field: message CONTAINS \"\(text)\"",
                at: at)
        case .test(let name, let test):
            let column = name.text.lowercased()
            guard SignalSearch.columnFields.contains(column) else { return try filter(f, parser) }
            func value(_ v: ValueSyntax) throws(RuleError) -> FilterValue {
                guard case .text(let text) = v.value else {
                    throw parser.error("\(column) is a name, as in: \(column) = \(column == "kind" ? "cbc.alert" : "okta")", at: v.at)
                }
                guard column == "kind" else { return .text(text.lowercased()) }
                guard let kind = SignalKind.find(text, among: extraKinds) else {
                    throw parser.error("no signal kind '\(text)'", at: v.at, suggestions: SignalKind.nearest(text, among: extraKinds).map(\.name))
                }
                return .text(kind.name)
            }
            switch test {
            case .compare("=", let v): return .test(field: column, .equals(try value(v)))
            case .compare("!=", let v): return .not(.test(field: column, .equals(try value(v))))
            case .oneOf(let values):
                var out: [FilterValue] = []
                for v in values { out.append(try value(v)) }
                return .test(field: column, .oneOf(out))
            default:
                throw parser.error("\(column) is compared with = , != or IN (...)", at: name.at)
            }
        }
    }

    /// The FTS5 query for a part made only of free text (nil when it holds a field test). At the
    /// top, `NOT "x"` excludes; inside, NOT needs a term beside it (`"a" AND NOT "b"`).
    private static func freeText(_ f: FilterSyntax, _ parser: Parser, top: Bool) throws(RuleError) -> (query: String, negated: Bool)? {
        guard f.isFreeText else { return nil }
        if top, case .not(let inner) = f {
            return (try ftsQuery(inner, parser), true)
        }
        return (try ftsQuery(f, parser), false)
    }

    private static func ftsQuery(_ f: FilterSyntax, _ parser: Parser) throws(RuleError) -> String {
        switch f {
        case .text(let text, let at):
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
                throw parser.error("free text needs a letter or a digit to look for", at: at)
            }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        case .all(let parts):
            var included: [String] = [], excluded: [String] = []
            for p in parts {
                if case .not(let inner) = p { excluded.append(try ftsQuery(inner, parser)) } else { included.append(try ftsQuery(p, parser)) }
            }
            guard !included.isEmpty else { throw parser.error("NOT needs free text beside it to exclude from, as in: \"a\" AND NOT \"b\"", at: f.firstToken) }
            let kept = included.map { "(\($0))" }.joined(separator: " AND ")
            return excluded.isEmpty ? kept : "(\(kept)) NOT (\(excluded.map { "(\($0))" }.joined(separator: " OR ")))"
        case .any(let parts):
            var out: [String] = []
            for p in parts {
                if case .not = p { throw parser.error("NOT inside OR cannot be searched as free text; move it out: (\"a\" OR \"b\") AND NOT \"c\"", at: p.firstToken) }
                out.append("(\(try ftsQuery(p, parser)))")
            }
            return out.joined(separator: " OR ")
        case .not:
            throw parser.error("NOT needs free text beside it to exclude from, as in: \"a\" AND NOT \"b\"", at: f.firstToken)
        case .test(let name, _):
            throw parser.error("'\(name.text)' is a field test inside free text", at: name.at)
        }
    }

    private func time(_ t: (text: String, at: Token), _ parser: Parser, now: Timestamp) throws(RuleError) -> Timestamp {
        do {
            return try Timestamp.reading(t.text, now: now)
        } catch {
            throw parser.error("'\(t.text)' \(error.reason); write an age (7d, 36 hours) or a date (2026-11-01, 2026-11-01T08:00:00Z)", at: t.at)
        }
    }
}

extension FilterSyntax {
    /// Whether the part holds only free text (and AND/OR/NOT of it).
    var isFreeText: Bool {
        switch self {
        case .text: true
        case .test: false
        case .not(let inner): inner.isFreeText
        case .all(let parts), .any(let parts): parts.allSatisfy(\.isFreeText)
        }
    }

    var firstToken: Token {
        switch self {
        case .text(_, let at): at
        case .test(let name, _): name.at
        case .not(let inner): inner.firstToken
        case .all(let parts), .any(let parts): parts.first?.firstToken ?? Token(kind: .end, text: "", line: 1, column: 1, offset: 0, length: 0)
        }
    }
}

extension FilterValue {
    var isText: Bool { if case .text = self { true } else { false } }
    var textValue: String? { if case .text(let t) = self { t } else { nil } }
}
