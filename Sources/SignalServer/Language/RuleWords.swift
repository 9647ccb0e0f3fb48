import Model

/// Values and kinds written as rule text, for completion to insert: what the lexer reads back
/// as the same value or kind.
public enum RuleWords {
    /// Text in quotes (quotes and backslashes escaped), numbers and true/false bare; nil for
    /// what rule text cannot hold (text over several lines, lists, objects, null).
    public static func literal(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s):
            guard !s.contains(where: \.isNewline) else { return nil }
            return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .int, .double, .bool: return value.stringValue
        case .null, .array, .object: return nil
        }
    }

    /// The kind as a clause of `count` names it: its display name, plural unless the count is 1
    /// ("2 failed Duo pushes", "1 SSO login"). The plural is used only when it reads back as the
    /// same kind (the language drops a plural `s` or `es`, not `ies`: "DNS queries" would not).
    public static func kind(_ kind: SignalKind, count: Int, among extra: [SignalKind] = []) -> String {
        guard count != 1 else { return kind.displayName }
        let plural = plural(kind.displayName)
        return SignalKind.find(plural, among: extra) == kind ? plural : kind.displayName
    }

    /// The noun is the last word before a preposition ("SSO login from a new location").
    static func plural(_ name: String) -> String {
        var words = name.split(separator: " ").map(String.init)
        let prepositions: Set<String> = ["from", "of", "to", "in", "on", "with", "by", "for", "at"]
        let noun = (words.firstIndex { prepositions.contains($0.lowercased()) } ?? words.count) - 1
        guard words.indices.contains(noun) else { return name }
        let w = words[noun]
        let lower = w.lowercased()
        if ["s", "sh", "ch", "x", "z"].contains(where: lower.hasSuffix) {
            words[noun] = w + "es"
        } else if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) {
            words[noun] = w.dropLast() + "ies"
        } else {
            words[noun] = w + "s"
        }
        return words.joined(separator: " ")
    }
}
