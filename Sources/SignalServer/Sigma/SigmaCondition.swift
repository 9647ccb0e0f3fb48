import Model

/// A detection's `condition:` (`selection and not 1 of filter_*`) over its named selections.
/// Precedence as in Sigma: `not` binds tightest, then `and`, then `or`; parentheses group.
/// `1 of`/`all of` take a selection name with `*` wildcards or `them` (every selection whose
/// name does not start with `_`, as the specification reserves those for helpers).
struct SigmaCondition {
    struct Selection: Sendable {
        var name: String
        var filter: Filter
    }

    private enum Token: Equatable {
        case word(String)
        case open, close
    }

    private let tokens: [(token: Token, offset: Int)]
    private let selections: [Selection]
    private let text: String
    private let place: Place
    private var index = 0
    /// Parentheses and `not`s open: bounded, so a hostile condition cannot exhaust the stack.
    private var depth = 0
    private static let maxDepth = 64

    static func compile(_ text: String, at place: Place, selections: [Selection]) throws(RuleError) -> Filter {
        var parser = try SigmaCondition(text, at: place, selections: selections)
        guard !parser.tokens.isEmpty else { throw RuleError("the condition is empty", at: place) }
        let filter = try parser.or()
        if let (token, offset) = parser.peek {
            throw parser.problem("unexpected \(describe(token)) after a complete condition", at: offset)
        }
        return filter
    }

    private init(_ text: String, at place: Place, selections: [Selection]) throws(RuleError) {
        self.text = text
        self.place = place
        self.selections = selections
        var out: [(Token, Int)] = []
        var word = ""
        var wordStart = 0
        func flush() {
            if !word.isEmpty { out.append((.word(word), wordStart)) }
            word = ""
        }
        for (offset, c) in text.enumerated() {
            switch c {
            case "(": flush(); out.append((.open, offset))
            case ")": flush(); out.append((.close, offset))
            case "|":
                throw RuleError(
                    "aggregation '\(text[text.index(text.startIndex, offsetBy: offset)...].trimmed)' is deprecated Sigma; write it as a correlation rule (event_count or value_count)",
                    at: Place(line: place.line, column: place.column + offset))
            default:
                if c.isWhitespace {
                    flush()
                } else {
                    if word.isEmpty { wordStart = offset }
                    word.append(c)
                }
            }
        }
        flush()
        tokens = out
    }

    private var peek: (Token, Int)? { index < tokens.count ? tokens[index] : nil }

    private func problem(_ message: String, at offset: Int, suggestions: [String] = []) -> RuleError {
        RuleError("condition '\(text)': \(message)", at: Place(line: place.line, column: place.column + offset), suggestions: suggestions)
    }

    private var endOffset: Int { text.count }

    private static func describe(_ token: Token) -> String {
        switch token {
        case .word(let w): return "'\(w)'"
        case .open: return "'('"
        case .close: return "')'"
        }
    }

    private func isKeyword(_ token: Token?, _ keyword: String) -> Bool {
        guard case .word(let w)? = token else { return false }
        return w.lowercased() == keyword
    }

    private mutating func or() throws(RuleError) -> Filter {
        var terms = [try and()]
        while isKeyword(peek?.0, "or") {
            index += 1
            terms.append(try and())
        }
        return SigmaFilters.any(terms)
    }

    private mutating func and() throws(RuleError) -> Filter {
        var terms = [try not()]
        while isKeyword(peek?.0, "and") {
            index += 1
            terms.append(try not())
        }
        return SigmaFilters.all(terms)
    }

    private mutating func not() throws(RuleError) -> Filter {
        guard isKeyword(peek?.0, "not"), let (_, offset) = peek else { return try primary() }
        index += 1
        depth += 1
        defer { depth -= 1 }
        guard depth < Self.maxDepth else { throw problem("nests too deep", at: offset) }
        return .not(try not())
    }

    private mutating func primary() throws(RuleError) -> Filter {
        guard let (token, offset) = peek else {
            throw problem("ends where a selection name, 'not', '(' or '1 of' should follow", at: endOffset)
        }
        index += 1
        switch token {
        case .open:
            depth += 1
            guard depth < Self.maxDepth else { throw problem("nests too deep", at: offset) }
            let inner = try or()
            depth -= 1
            guard case (.close, _)? = peek else {
                throw problem("'(' is not closed", at: offset)
            }
            index += 1
            return inner
        case .close:
            throw problem("unexpected ')'", at: offset)
        case .word(let word):
            let lower = word.lowercased()
            if isKeyword(peek?.0, "of") {
                index += 1
                return try quantified(lower, at: offset)
            }
            if ["and", "or", "not", "of", "them"].contains(lower) {
                throw problem("expected a selection name, found '\(word)'", at: offset)
            }
            guard let selection = selections.first(where: { $0.name == word }) else {
                let near = selections.map(\.name).filter { editDistance($0, word) <= 3 }
                    .sorted { editDistance($0, word) < editDistance($1, word) }.prefix(2)
                throw problem("'\(word)' is not a selection of this detection", at: offset, suggestions: Array(near))
            }
            return selection.filter
        }
    }

    /// `1 of pattern`, `all of pattern`, `1 of them`, `all of them`.
    private mutating func quantified(_ quantifier: String, at offset: Int) throws(RuleError) -> Filter {
        guard quantifier == "1" || quantifier == "any" || quantifier == "all" else {
            throw problem("'\(quantifier) of' is not Sigma; write '1 of' or 'all of'", at: offset)
        }
        guard case (.word(let pattern), let patternOffset)? = peek else {
            throw problem("'\(quantifier) of' needs a selection name pattern or 'them'", at: offset)
        }
        index += 1
        let matched: [Selection]
        if pattern.lowercased() == "them" {
            matched = selections.filter { !$0.name.hasPrefix("_") }
        } else {
            matched = selections.filter { Glob.matches(Array($0.name.utf8)[...], Array(pattern.utf8)[...]) }
        }
        guard !matched.isEmpty else {
            throw problem("'\(quantifier) of \(pattern)' names no selection", at: patternOffset)
        }
        let filters = matched.map(\.filter)
        return quantifier == "all" ? SigmaFilters.all(filters) : SigmaFilters.any(filters)
    }
}
