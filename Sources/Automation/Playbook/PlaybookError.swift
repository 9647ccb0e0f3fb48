/// A mistake in a playbook file, said as `file:line:column: where: what (did you mean ...?)`.
public struct PlaybookError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// The key path that is wrong: `on[2].do[1].ask_user.reply_within`.
    public var key: String
    public var message: String
    public var suggestions: [String]

    public init(file: String, line: Int? = nil, column: Int? = nil, key: String, message: String, suggestions: [String] = []) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.message = message
        self.suggestions = suggestions
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        var text = "\(place): " + (key.isEmpty ? "" : "\(key): ") + message
        if !suggestions.isEmpty { text += "; did you mean \(suggestions.joined(separator: " or "))?" }
        return text
    }
}
