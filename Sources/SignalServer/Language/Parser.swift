import Model

/// Reads the rule language into `RuleSyntax`:
///
///     rule     := pattern IN span [WITH fields IN COMMON] option*
///     pattern  := '[' clauses ']' | clauses
///     clauses  := clause (('+' | THEN) clause)*
///     clause   := '(' count [DISTINCT field OF] kind-words [WHERE filter] ')'
///     span     := '[' number unit ']' | number unit            4 Hours, 36h, [ 24 Hours ]
///     fields   := '[' field (',' field)* ']' | field (',' field)*
///     option   := TITLE "text" | SEVERITY level | TEAM name | TAGS tag (',' tag)* | SUPPRESS FOR span | CASED
///     filter   := and (OR and)* ;  and := not (AND not)* ;  not := NOT not | '(' filter ')' | test
///     test     := field (= | != | < | <= | > | >=) value | field IN '(' value, ... ')'
///               | field IN "10.0.0.0/8" | field CONTAINS|STARTSWITH|ENDSWITH|MATCHES "text" | field EXISTS
///
/// Keywords are case-insensitive; `#` starts a comment.
struct Parser {
    private let tokens: [Token]
    private let lines: [String]
    /// The text as characters, for clauses' source text (tokens count offsets in characters).
    private let characters: [Character]
    private var i = 0
    /// Whether a bare string or word is free text (searches), or an error (rules).
    private var allowsText = false

    /// The longest rule text taser reads. Real rules are a few hundred characters; the limit keeps
    /// a megabyte posted to `/api/simulate` from costing minutes of parsing and suggestions.
    static let longestRule = 64 << 10
    /// The most clauses a rule may have: every signal is tested against each.
    static let mostClauses = 256

    init(_ text: String) throws(RuleError) {
        guard text.utf8.count <= Parser.longestRule else {
            throw RuleError(message: "the rule is \(text.utf8.count) bytes; a rule is at most \(Parser.longestRule >> 10) KiB", line: 1, column: 1)
        }
        tokens = try Lexer.tokens(text)
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        characters = Array(text)
    }

    static func parse(_ text: String) throws(RuleError) -> RuleSyntax {
        var p = try Parser(text)
        return try p.rule()
    }

    static func search(_ text: String) throws(RuleError) -> SearchSyntax {
        var p = try Parser(text)
        return try p.search()
    }

    // MARK: Errors

    func error(_ message: String, at token: Token, suggestions: [String] = []) -> RuleError {
        let line = min(max(token.line, 1), lines.count)
        return RuleError(message: message, line: token.line, column: token.column, sourceLine: lines[line - 1], suggestions: suggestions)
    }

    private var here: Token { tokens[i] }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "the end of the rule"
        case .string: "\"\(t.text)\""
        default: "'\(t.text)'"
        }
    }

    private func expected(_ what: String) -> RuleError {
        error("expected \(what), found \(describe(here))", at: here)
    }

    // MARK: Token helpers

    private mutating func next() -> Token {
        defer { if i < tokens.count - 1 { i += 1 } }
        return tokens[i]
    }

    private mutating func accept(_ keyword: String) -> Token? {
        here.is(keyword) ? next() : nil
    }

    private mutating func acceptSymbol(_ s: String) -> Token? {
        here.isSymbol(s) ? next() : nil
    }

    private mutating func expect(_ keyword: String, _ what: String) throws(RuleError) -> Token {
        guard let t = accept(keyword) else { throw expected(what) }
        return t
    }

    private mutating func expectSymbol(_ s: String, _ what: String) throws(RuleError) -> Token {
        guard let t = acceptSymbol(s) else { throw expected(what) }
        return t
    }

    // MARK: Grammar

    mutating func rule() throws(RuleError) -> RuleSyntax {
        let bracketed = acceptSymbol("[") != nil
        var clauses = [try clause()]
        var joiners: [Token] = []
        while true {
            if let plus = acceptSymbol("+") { joiners.append(plus) } else if let then = accept("THEN") { joiners.append(then) } else { break }
            guard clauses.count < Parser.mostClauses else {
                throw error("a rule has at most \(Parser.mostClauses) clauses", at: here)
            }
            clauses.append(try clause())
        }
        if bracketed { _ = try expectSymbol("]", "']' to close the clauses, or '+' / THEN and another clause") }
        _ = try expect("IN", "IN and the window, as in: IN [ 4 Hours ]")
        let window = try span(bracketed: true)
        var groupBy: [Name] = []
        if accept("WITH") != nil {
            let open = acceptSymbol("[") != nil
            repeat {
                groupBy.append(try field("a field to group by, as in: WITH [ username ] IN COMMON"))
            } while acceptSymbol(",") != nil
            if open { _ = try expectSymbol("]", "']' after the group-by fields") }
            _ = try expect("IN", "IN COMMON after the group-by fields")
            _ = try expect("COMMON", "COMMON after WITH [...] IN")
        }
        var rule = RuleSyntax(clauses: clauses, joiners: joiners, window: window, groupBy: groupBy, tags: [])
        try options(into: &rule)
        guard here.kind == .end else {
            throw expected("an option (TITLE, SEVERITY, TEAM, TAGS, SUPPRESS FOR, CASED) or the end of the rule")
        }
        return rule
    }

    /// search := [filter] (SINCE time | UNTIL time)*, where a time is an age (`7d`, `36 hours`)
    /// or a date (`2026-11-01`, `2026-11-01T08:00:00Z`) and the filter may hold free text.
    mutating func search() throws(RuleError) -> SearchSyntax {
        allowsText = true
        var out = SearchSyntax()
        if here.kind != .end, !here.is("SINCE"), !here.is("UNTIL") { out.filter = try or() }
        while here.kind != .end {
            if accept("SINCE") != nil {
                out.since = try time("SINCE")
            } else if accept("UNTIL") != nil {
                out.until = try time("UNTIL")
            } else {
                throw expected("AND / OR and another test, SINCE or UNTIL and a time, or the end of the search")
            }
        }
        return out
    }

    /// The tokens of a time up to the next SINCE/UNTIL or the end, as one text.
    private mutating func time(_ keyword: String) throws(RuleError) -> (text: String, at: Token) {
        let start = here
        var parts: [String] = []
        while here.kind != .end, !here.is("SINCE"), !here.is("UNTIL") { parts.append(next().text) }
        guard !parts.isEmpty else { throw expected("a time after \(keyword), as in: \(keyword) 7d or \(keyword) 2026-11-01") }
        return (parts.joined(separator: " "), start)
    }

    private mutating func options(into rule: inout RuleSyntax) throws(RuleError) {
        while here.kind != .end {
            if accept("TITLE") != nil {
                guard here.kind == .string else { throw expected("the title in quotes, as in: TITLE \"New-country login then Duo failures\"") }
                rule.title = next().text
            } else if accept("SEVERITY") != nil {
                guard here.kind == .word || here.kind == .string else { throw expected("a severity: info, low, medium, high or critical") }
                let t = next()
                rule.severity = Name(text: t.text, at: t)
            } else if accept("TEAM") != nil {
                guard here.kind == .word || here.kind == .string else { throw expected("a team name") }
                rule.team = next().text
            } else if accept("TAGS") != nil {
                repeat {
                    guard here.kind == .word || here.kind == .string else { throw expected("a tag") }
                    rule.tags.append(next().text)
                } while acceptSymbol(",") != nil
            } else if accept("SUPPRESS") != nil {
                _ = try expect("FOR", "FOR and a span, as in: SUPPRESS FOR 12 hours")
                rule.suppress = try span(bracketed: false)
            } else if accept("CASED") != nil {
                // Group-by and DISTINCT values keep their case (`Rule.casedValues`).
                rule.cased = true
            } else {
                return
            }
        }
    }

    private mutating func clause() throws(RuleError) -> ClauseSyntax {
        let open = try expectSymbol("(", "a clause in parentheses, as in: (2 failed Duo pushes)")
        guard here.kind == .number else {
            throw expected("how many signals the clause needs, as in: (2 failed Duo pushes)")
        }
        guard let n = Int(here.text), (0...Parser.mostSignals).contains(n) else {
            throw error("'\(here.text)' is not a count of signals from 1 to \(Parser.mostSignals)", at: here)
        }
        let countToken = next()
        var distinct: Name?
        if accept("DISTINCT") != nil {
            distinct = try field("the field whose distinct values count, as in: (3 DISTINCT dst_port OF IDS alerts)")
            _ = try expect("OF", "OF and the kind, as in: DISTINCT dst_port OF IDS alerts")
        }
        var words: [Token] = []
        while here.kind == .word, !here.is("WHERE") {
            words.append(next())
        }
        guard let first = words.first else { throw expected("the kind of signal, as in: failed Duo pushes") }
        let kind = Name(text: words.map(\.text).joined(separator: " "), at: first)
        var filter: FilterSyntax?
        if accept("WHERE") != nil { filter = try or() }
        let close = try expectSymbol(")", filter == nil ? "')' to close the clause, or WHERE and a filter" : "')' to close the clause, or AND / OR and another test")
        let text = lines.isEmpty ? "" : sourceText(from: open, to: close)
        return ClauseSyntax(count: (n, countToken), distinct: distinct, kind: kind, filter: filter, text: text)
    }

    /// The text strictly between two tokens, as written.
    private func sourceText(from open: Token, to close: Token) -> String {
        let start = open.offset + open.length, end = close.offset
        guard start <= end, end <= characters.count else { return "" }
        return String(characters[start..<end]).trimmed
    }

    /// `4 Hours`, `[ 36 Hours ]`, `4h`, `1d12h`: read by `Span.parse`, so a span past
    /// `Span.longest` (`99999999999999999 days`) is an error at its first token, never an overflow.
    private mutating func span(bracketed allowed: Bool) throws(RuleError) -> (ms: Int64, at: Token) {
        let open = allowed && acceptSymbol("[") != nil
        let start = here
        guard here.kind == .number || here.kind == .word else { throw expected("a span of time, as in: 4 Hours") }
        // The span's tokens: a number and unit, repeated (`1 day 12 hours`, `1d12h`). Whether a
        // word belongs to it is a question of form, not size.
        var text = ""
        while here.kind == .number || (here.kind == .word && Span.isSpanText(text + " " + here.text)) {
            text += (text.isEmpty ? "" : " ") + next().text
        }
        let ms: Int64
        do {
            ms = try Span.parse(text, allowZero: true).ms
        } catch .notASpan {
            throw error("'\(text.isEmpty ? start.text : text)' is not a span of time; write it as 4 Hours, 90 minutes or 2 days", at: start)
        } catch {
            throw self.error("\(error)", at: start)
        }
        if open { _ = try expectSymbol("]", "']' after the window") }
        return (ms, start)
    }

    private mutating func field(_ what: String) throws(RuleError) -> Name {
        guard here.kind == .word, !Parser.reserved.contains(here.text.uppercased()) else { throw expected(what) }
        let t = next()
        return Name(text: t.text, at: t)
    }

    /// The largest count a clause may ask for. The correlator keeps up to this many signals per
    /// group key and clause in memory, so it is bounded; no real rule asks for more.
    static let mostSignals = 1_000_000

    static let reserved: Set<String> = ["IN", "WITH", "COMMON", "WHERE", "AND", "OR", "NOT", "THEN", "DISTINCT", "OF"]

    // MARK: Filters

    private mutating func or() throws(RuleError) -> FilterSyntax {
        var parts = [try and()]
        while accept("OR") != nil { parts.append(try and()) }
        return parts.count == 1 ? parts[0] : .any(parts)
    }

    private mutating func and() throws(RuleError) -> FilterSyntax {
        var parts = [try not()]
        while accept("AND") != nil { parts.append(try not()) }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private mutating func not() throws(RuleError) -> FilterSyntax {
        if accept("NOT") != nil { return .not(try not()) }
        // A quoted string is free text in a search; a rule's compiler refuses it with a hint.
        if here.kind == .string || (allowsText && here.kind == .number) {
            let t = next()
            return .text(t.text, at: t)
        }
        if acceptSymbol("(") != nil {
            let inner = try or()
            _ = try expectSymbol(")", "')' to close the parenthesis")
            return inner
        }
        return try test()
    }

    private mutating func test() throws(RuleError) -> FilterSyntax {
        let name = try field("a field to test, as in: WHERE factor = \"push\"")
        // In a search, a word with no comparison after it is free text: `mimikatz AND kind = sysmon`.
        if allowsText, here.kind == .end || here.is("AND") || here.is("OR") || here.is("SINCE") || here.is("UNTIL") || here.isSymbol(")") {
            return .text(name.text, at: name.at)
        }
        for op in ["=", "!=", "<", "<=", ">", ">="] where here.isSymbol(op) {
            _ = next()
            return .test(name, .compare(op, try value()))
        }
        if accept("IN") != nil {
            if here.kind == .string || here.kind == .word, here.text.contains("/") {
                let t = next()
                return .test(name, .network(t.text, at: t))
            }
            _ = try expectSymbol("(", "a list in parentheses, as in: IN (\"push\", \"phone\"), or a network in quotes")
            var values = [try value()]
            while acceptSymbol(",") != nil { values.append(try value()) }
            _ = try expectSymbol(")", "')' to close the list")
            return .test(name, .oneOf(values))
        }
        for (keyword, make) in [("CONTAINS", TestSyntax.contains), ("STARTSWITH", TestSyntax.startsWith),
                                ("ENDSWITH", TestSyntax.endsWith), ("MATCHES", TestSyntax.matches)] where here.is(keyword) {
            _ = next()
            guard here.kind == .string || here.kind == .word || here.kind == .number else { throw expected("the text to look for, in quotes") }
            return .test(name, make(next().text))
        }
        if accept("EXISTS") != nil { return .test(name, .exists) }
        throw expected("a comparison after '\(name.text)': = != < <= > >= IN CONTAINS STARTSWITH ENDSWITH MATCHES EXISTS")
    }

    private mutating func value() throws(RuleError) -> ValueSyntax {
        let t = here
        switch t.kind {
        case .string:
            _ = next()
            return ValueSyntax(value: .text(t.text), at: t)
        case .number:
            _ = next()
            return ValueSyntax(value: .number(Double(t.text) ?? 0), at: t)
        case .word where t.is("TRUE") || t.is("FALSE"):
            _ = next()
            return ValueSyntax(value: .bool(t.is("TRUE")), at: t)
        case .word where t.is("NULL"):
            _ = next()
            return ValueSyntax(value: .null, at: t)
        case .word where !Parser.reserved.contains(t.text.uppercased()):
            _ = next()
            return ValueSyntax(value: .text(t.text), at: t)
        default:
            throw expected("a value: \"text\", a number, true or false")
        }
    }
}
