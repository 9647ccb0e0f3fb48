import Model

/// A piece of rule text. The console colours rule text by these, and every error points at one.
public struct Token: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case word       // SSO, login, username, src_ip, okta.sso.login, IN, WITH (keywords are words)
        case number     // 4, 2.5
        case string     // "push" (text without the quotes)
        case symbol     // [ ] ( ) + , = != < <= > >=
        case end
    }

    public var kind: Kind
    public var text: String
    /// 1-based line and column of the first character; `offset` counts characters.
    public var line: Int
    public var column: Int
    public var offset: Int
    public var length: Int

    /// Whether this is the keyword `k` (keywords are case-insensitive words).
    func `is`(_ k: String) -> Bool { kind == .word && text.uppercased() == k }
    func isSymbol(_ s: String) -> Bool { kind == .symbol && text == s }
}

/// Splits rule text into tokens. Words run over letters, digits, `_ . - : / @ * '` so that kind
/// names (`okta.sso.login`, `sign-in`), fields (`source.geo.country_name`) and bare values
/// (`10.0.0.0/8`) are one token each.
public enum Lexer {
    public static func tokens(_ text: String) throws(RuleError) -> [Token] {
        let chars = Array(text)
        // Line ends are any newline Character: "\r\n" is one Character, never equal to "\n", so a
        // rule file written on Windows read as one long line (a comment ran to its end).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        var out: [Token] = []
        var i = 0, line = 1, column = 1
        func fail(_ message: String) -> RuleError {
            RuleError(message: message, line: line, column: column, sourceLine: lines[line - 1])
        }
        func advance(_ n: Int = 1) {
            for _ in 0..<n {
                if chars[i].isNewline { line += 1; column = 1 } else { column += 1 }
                i += 1
            }
        }
        func isWord(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || "_.-:/@*'?".contains(c)
        }
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { advance(); continue }
            if c == "#" {  // a comment to the end of the line
                while i < chars.count, !chars[i].isNewline { advance() }
                continue
            }
            let start = (i, line, column)
            func token(_ kind: Token.Kind, _ text: String) {
                out.append(Token(kind: kind, text: text, line: start.1, column: start.2, offset: start.0, length: i - start.0))
            }
            if c == "\"" {
                advance()
                var s = ""
                while true {
                    guard i < chars.count, !chars[i].isNewline else {
                        line = start.1; column = start.2
                        throw fail("this text has no closing quote")
                    }
                    if chars[i] == "\\", i + 1 < chars.count {
                        advance()
                        s.append(chars[i])
                        advance()
                        continue
                    }
                    if chars[i] == "\"" { advance(); break }
                    s.append(chars[i])
                    advance()
                }
                token(.string, s)
                continue
            }
            if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                var dot = false
                while j < chars.count, chars[j].isNumber || (!dot && chars[j] == "." && j + 1 < chars.count && chars[j + 1].isNumber) {
                    if chars[j] == "." { dot = true }
                    j += 1
                }
                // `4h` is a number and its unit; `10.0.0.0/8` or `3des` is one word.
                if j < chars.count, isWord(chars[j]), !isUnitStart(chars, j) {
                    var s = ""
                    while i < chars.count, isWord(chars[i]) { s.append(chars[i]); advance() }
                    token(.word, s)
                } else {
                    let s = String(chars[i..<j])
                    advance(j - i)
                    token(.number, s)
                }
                continue
            }
            if isWord(c) {
                var s = ""
                while i < chars.count, isWord(chars[i]) { s.append(chars[i]); advance() }
                token(.word, s)
                continue
            }
            for symbol in ["!=", "<=", ">=", "==", "[", "]", "(", ")", "+", ",", "=", "<", ">"] where text.hasPrefixAt(chars, i, symbol) {
                advance(symbol.count)
                token(.symbol, symbol == "==" ? "=" : symbol)
                break
            }
            if i == start.0 { throw fail("unexpected character '\(c)'") }
        }
        out.append(Token(kind: .end, text: "", line: line, column: column, offset: chars.count, length: 0))
        return out
    }

    /// `4h`, `36hours`, `5m`: a unit right after a number.
    private static func isUnitStart(_ chars: [Character], _ i: Int) -> Bool {
        var word = ""
        var j = i
        while j < chars.count, chars[j].isLetter { word.append(chars[j]); j += 1 }
        return Span.unit(word) != nil
    }
}

extension String {
    fileprivate func hasPrefixAt(_ chars: [Character], _ i: Int, _ p: String) -> Bool {
        let p = Array(p)
        guard i + p.count <= chars.count else { return false }
        return Array(chars[i..<(i + p.count)]) == p
    }
}


