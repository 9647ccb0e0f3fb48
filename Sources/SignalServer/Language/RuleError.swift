/// Why a rule cannot be used, and where: `1:24: no signal kind 'failed Duo pushs'`, with the
/// line and a caret under the problem, and the nearest valid names.
public struct RuleError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based; nil when the problem is the rule as a whole (or not in its text).
    public var line: Int?
    public var column: Int?
    /// The source line the problem is on, for the caret.
    public var sourceLine: String?
    /// Nearest valid names ("did you mean").
    public var suggestions: [String]

    public init(message: String, line: Int? = nil, column: Int? = nil, sourceLine: String? = nil, suggestions: [String] = []) {
        self.message = message
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
        self.suggestions = suggestions
    }

    /// One line: place, problem, suggestions.
    public var description: String {
        var out = ""
        if let line, let column { out += "\(line):\(column): " }
        out += message
        if !suggestions.isEmpty { out += "; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ") + "?" }
        return out
    }

    /// The source line and a caret under the column, for a terminal.
    public var excerpt: String? {
        guard let sourceLine, let column else { return nil }
        let pad = String(sourceLine.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " })
        return "  " + sourceLine + "\n  " + pad + "^"
    }
}
