import Model

/// A Sigma string value: characters and the wildcards `*` (any run) and `?` (one character).
struct SigmaString: Sendable, Hashable {
    enum Piece: Sendable, Hashable {
        case char(Character)
        case anyRun
        case oneChar
    }

    var pieces: [Piece]

    init(pieces: [Piece]) { self.pieces = pieces }

    /// Text with no wildcards, as encodings and placeholders produce it.
    init(literal: String) { pieces = literal.map { .char($0) } }

    /// Reads Sigma's escapes: `\*`, `\?` and `\\` stand for the character itself; a backslash
    /// before anything else is a plain backslash, so Windows paths (`C:\Windows\*`) need no
    /// doubling (Sigma specification, "Escaping").
    init(sigma text: String) {
        var out: [Piece] = []
        var escaped = false
        for c in text {
            if escaped {
                if c == "*" || c == "?" || c == "\\" {
                    out.append(.char(c))
                } else {
                    out.append(.char("\\"))
                    out.append(.char(c))
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "*" {
                out.append(.anyRun)
            } else if c == "?" {
                out.append(.oneChar)
            } else {
                out.append(.char(c))
            }
        }
        if escaped { out.append(.char("\\")) }
        pieces = out
    }

    var hasWildcards: Bool { pieces.contains { $0 == .anyRun || $0 == .oneChar } }

    /// The text when there are no wildcards.
    var plain: String? {
        var s = ""
        for p in pieces {
            guard case .char(let c) = p else { return nil }
            s.append(c)
        }
        return s
    }

    /// As written in Sigma (escapes restored), for messages.
    var display: String {
        var s = ""
        for p in pieces {
            switch p {
            case .char(let c): s += (c == "*" || c == "?") ? "\\\(c)" : String(c)
            case .anyRun: s += "*"
            case .oneChar: s += "?"
            }
        }
        return s
    }

    /// The pattern for `Test.glob`: Matcher reads `\*`, `\?` and `\\` as the characters
    /// themselves, so literal ones are escaped and every other character is written as is.
    var glob: String {
        var s = ""
        for p in pieces {
            switch p {
            case .char(let c) where c == "*" || c == "?" || c == "\\": s += "\\\(c)"
            case .char(let c): s.append(c)
            case .anyRun: s += "*"
            case .oneChar: s += "?"
            }
        }
        return s
    }

    /// The test for this value at a position. A value without wildcards becomes the plain
    /// test (equals, contains, startsWith, endsWith); one with wildcards becomes a glob over
    /// the whole value, with `*` added where the position asks for it (as Sigma's `contains`
    /// does).
    func test(_ position: SigmaPosition, cased: Bool) -> Test {
        if let text = plain {
            switch position {
            case .whole: return .equals(.text(text), cased: cased)
            case .contains: return .contains(text, cased: cased)
            case .prefix: return .startsWith(text, cased: cased)
            case .suffix: return .endsWith(text, cased: cased)
            }
        }
        var p = pieces
        if position == .contains || position == .suffix, p.first != .anyRun { p.insert(.anyRun, at: 0) }
        if position == .contains || position == .prefix, p.last != .anyRun { p.append(.anyRun) }
        return .glob(SigmaString(pieces: p).glob, cased: cased)
    }
}

/// Where a value must sit in the field: Sigma's `contains`, `startswith`, `endswith`, or the
/// whole value (no modifier).
enum SigmaPosition: Sendable, Hashable {
    case whole, contains, prefix, suffix
}
