import Model

/// Where the cursor stands in rule text, as completion sees it: which slot of the grammar is
/// being typed, what of it is typed so far, and what an accepted option replaces. Read from the
/// tokens before the cursor, so it works on text that does not parse yet (it rarely does while
/// being typed).
public struct CompletionPoint: Sendable, Equatable {
    public enum Slot: Sendable, Equatable {
        /// A clause's kind, after its count: `(2 ` (the count, so the kind reads plural or not).
        case kind(count: Int)
        /// A field of signals of these kinds (names as stored: `duo.push.failed`): in `WITH [ ]`
        /// every clause's kinds; after `WHERE`, `AND`, `OR`, `NOT` or `DISTINCT`, the clause's.
        case field(kinds: [String])
        /// A value of `field` (its ECS name) in a clause of `kind`: after `field =`, `!=` or
        /// `IN (`.
        case value(field: String, kind: String)
    }

    public var slot: Slot
    /// What is typed of the slot up to the cursor, without an opening quote: narrows the options.
    public var typed: String
    /// Character offsets of the text an accepted option replaces: what is typed, and the rest of
    /// the word (or quoted text) the cursor is in.
    public var range: Range<Int>

    public init(slot: Slot, typed: String, range: Range<Int>) {
        self.slot = slot
        self.typed = typed
        self.range = range
    }

    /// The completion point at character offset `cursor` of `text`, or nil where nothing is
    /// offered (a count, a window, a comment, after a closed list).
    public static func at(_ cursor: Int, in text: String, extraKinds: [SignalKind] = []) -> CompletionPoint? {
        let chars = Array(text)
        let cursor = min(max(cursor, 0), chars.count)
        let open = OpenText.scan(chars, to: cursor)
        guard !open.inComment else { return nil }
        // Text in quotes not closed yet is a value being typed: the tokens end before its quote.
        guard var tokens = try? Lexer.tokens(String(chars[0..<(open.quote ?? cursor)])) else { return nil }
        tokens.removeLast()  // .end
        // Every token, for the kinds of clauses after the cursor; while the text does not lex
        // (a quote not closed yet), those before it.
        let all = (try? Lexer.tokens(text)) ?? tokens

        // A word or number that ends at the cursor is being typed: what comes before it decides
        // the slot, and an accepted option replaces it, with the rest of its word.
        var partial: Token?
        if open.quote == nil, let last = tokens.last, last.kind == .word || last.kind == .number, last.offset + last.length == cursor {
            partial = tokens.removeLast()
        }
        let end = open.quote != nil ? OpenText.endOfQuoted(chars, from: cursor) : partial != nil ? OpenText.endOfWord(chars, from: cursor) : cursor
        let start = open.quote ?? partial?.offset ?? cursor
        let typed = open.quote.map { String(chars[($0 + 1)..<cursor]) } ?? partial?.text ?? ""
        let point = { (slot: Slot) in CompletionPoint(slot: slot, typed: typed, range: start..<end) }
        // Only a value may be in quotes, and only a value or a count is a number.
        let aName = open.quote == nil && partial?.kind != .number

        if let clause = RuleShape(tokens).openClause {
            // The kind: every token after the count (or after DISTINCT f OF) is a word, and a
            // space separates it from the count (`(2` is still the count). Its words are typed.
            if let kindStart = clause.kindStart, !clause.pastWhere {
                let words = tokens[kindStart...]
                guard aName, words.allSatisfy({ $0.kind == .word }) else { return nil }
                let from = words.first?.offset ?? start
                guard from > clause.countEnd else { return nil }
                return CompletionPoint(slot: .kind(count: clause.count), typed: String(chars[from..<cursor]), range: from..<end)
            }
            guard let last = tokens.last, let kind = clause.kind(in: all, extraKinds: extraKinds) else { return nil }
            if clause.pastWhere, let field = RuleShape.comparedField(tokens) {
                return point(.value(field: FieldAliases.resolve(field), kind: kind))
            }
            let testStarts = ["WHERE", "AND", "OR", "NOT"].contains { last.is($0) } || last.isSymbol("(")
            if aName, last.is("DISTINCT") || clause.pastWhere && testStarts { return point(.field(kinds: [kind])) }
            return nil
        }
        // The group-by: WITH, an optional '[', then fields and commas up to the cursor.
        guard aName, let with = tokens.lastIndex(where: { $0.is("WITH") }) else { return nil }
        var rest = tokens[(with + 1)...]
        if rest.first?.isSymbol("[") == true { rest = rest.dropFirst() }
        for (n, t) in rest.enumerated() {
            let fits = n % 2 == 0 ? t.kind == .word && !Parser.reserved.contains(t.text.uppercased()) : t.isSymbol(",")
            guard fits else { return nil }
        }
        let kinds = RuleShape.kinds(all, extraKinds: extraKinds)
        guard rest.count % 2 == 0, !kinds.isEmpty else { return nil }
        return point(.field(kinds: kinds))
    }
}

/// The clauses in tokens before the cursor, read as the parser would but without failing.
struct RuleShape {
    struct Clause {
        var open: Int
        var count: Int
        /// The offset just after the count, where a kind may start after a space.
        var countEnd: Int
        /// The index of the token where the kind's words start (after the count, or after
        /// DISTINCT f OF); nil while DISTINCT is not followed by its OF yet.
        var kindStart: Int?
        var pastWhere: Bool

        /// The kind of this clause, read from every token (it may come after the cursor:
        /// `(3 DISTINCT |dst_port OF IDS alerts)`), by name as stored.
        func kind(in all: [Token], extraKinds: [SignalKind]) -> String? {
            guard let at = all.firstIndex(where: { $0.offset == open }) else { return nil }
            return RuleShape.clauseKind(all, from: at, extraKinds: extraKinds)
        }
    }

    /// The clause the last token is in, if it is in one whose count is typed.
    var openClause: Clause?

    init(_ tokens: [Token]) {
        var depth = 0
        var clause: Clause?
        for (i, t) in tokens.enumerated() {
            if t.isSymbol("(") {
                // A clause is a '(' outside any other with a count after it; inside one, a '('
                // groups tests.
                if depth == 0 {
                    let count = i + 1 < tokens.count && tokens[i + 1].kind == .number ? tokens[i + 1] : nil
                    clause = count.map { Clause(open: t.offset, count: Int($0.text) ?? 0, countEnd: $0.offset + $0.length, kindStart: i + 2, pastWhere: false) }
                }
                depth += 1
            } else if t.isSymbol(")") {
                depth = max(0, depth - 1)
                if depth == 0 { clause = nil }
            } else if depth == 1, var c = clause, !c.pastWhere {
                if t.is("WHERE") {
                    c.pastWhere = true
                } else if i == c.kindStart, t.is("DISTINCT") {
                    c.kindStart = nil
                } else if c.kindStart == nil, t.is("OF") {
                    c.kindStart = i + 1
                }
                clause = c
            }
        }
        openClause = depth > 0 ? clause : nil
    }

    /// The kinds every clause names (by stored name), in order, each once; names that are no
    /// kind are left out.
    static func kinds(_ tokens: [Token], extraKinds: [SignalKind]) -> [String] {
        var out: [String] = []
        var depth = 0
        for (i, t) in tokens.enumerated() {
            if t.isSymbol("(") {
                if depth == 0, let kind = clauseKind(tokens, from: i, extraKinds: extraKinds), !out.contains(kind) { out.append(kind) }
                depth += 1
            } else if t.isSymbol(")") {
                depth = max(0, depth - 1)
            }
        }
        return out
    }

    /// The kind of the clause opened at `tokens[open]`: its words after the count (and after
    /// DISTINCT f OF) up to WHERE or anything not a word.
    static func clauseKind(_ tokens: [Token], from open: Int, extraKinds: [SignalKind]) -> String? {
        var i = open + 1
        guard i < tokens.count, tokens[i].kind == .number else { return nil }
        i += 1
        if i < tokens.count, tokens[i].is("DISTINCT") {
            guard i + 2 < tokens.count, tokens[i + 2].is("OF") else { return nil }
            i += 3
        }
        var words: [String] = []
        while i < tokens.count, tokens[i].kind == .word, !tokens[i].is("WHERE") {
            words.append(tokens[i].text)
            i += 1
        }
        guard !words.isEmpty else { return nil }
        return SignalKind.find(words.joined(separator: " "), among: extraKinds)?.name
    }

    /// The field a value is being typed for: `field =`, `field !=`, `field IN (` or
    /// `field IN ("a", ` at the end of the tokens.
    static func comparedField(_ tokens: [Token]) -> String? {
        var i = tokens.count - 1
        guard i >= 1 else { return nil }
        if tokens[i].isSymbol("=") || tokens[i].isSymbol("!=") {
            let field = tokens[i - 1]
            return field.kind == .word && !Parser.reserved.contains(field.text.uppercased()) ? field.text : nil
        }
        // Back over `value ,` pairs to the list's '('.
        while i >= 1, tokens[i].isSymbol(","), [.string, .number, .word].contains(tokens[i - 1].kind) { i -= 2 }
        guard i >= 2, tokens[i].isSymbol("("), tokens[i - 1].is("IN") else { return nil }
        let field = tokens[i - 2]
        return field.kind == .word && !Parser.reserved.contains(field.text.uppercased()) ? field.text : nil
    }
}

/// The cursor's line up to the cursor: whether it is in a comment or in quotes not closed yet.
enum OpenText {
    struct State {
        /// The offset of the opening quote of unclosed text.
        var quote: Int?
        var inComment: Bool
    }

    static func scan(_ chars: [Character], to cursor: Int) -> State {
        var lineStart = cursor
        while lineStart > 0, !chars[lineStart - 1].isNewline { lineStart -= 1 }
        var state = State(quote: nil, inComment: false)
        var i = lineStart
        while i < cursor {
            let c = chars[i]
            if state.quote != nil {
                if c == "\\" { i += 2; continue }
                if c == "\"" { state.quote = nil }
            } else if c == "\"" {
                state.quote = i
            } else if c == "#" {
                state.inComment = true
                return state
            }
            i += 1
        }
        return state
    }

    /// The end of the word the cursor is in (the cursor itself when it is at none).
    static func endOfWord(_ chars: [Character], from cursor: Int) -> Int {
        var i = cursor
        while i < chars.count, isWord(chars[i]) { i += 1 }
        return i
    }

    /// The end of the quoted text the cursor is in: after its closing quote on the same line,
    /// or the cursor when there is none.
    static func endOfQuoted(_ chars: [Character], from cursor: Int) -> Int {
        var i = cursor
        while i < chars.count, !chars[i].isNewline {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "\"" { return i + 1 }
            i += 1
        }
        return cursor
    }

    /// As the lexer's words.
    static func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || "_.-:/@*'?".contains(c) }
}
