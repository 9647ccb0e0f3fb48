import Foundation
import Yams

/// Keymap and theme files are maps of maps of scalars. This reads them with Yams' composer
/// rather than `Yams.load`, because only the composed nodes keep their line numbers, and every
/// problem has to say where it is.
struct ConfigEntry {
    var key: String
    var line: Int
    var column: Int
    var value: Node
}

public enum ConfigYAML {
    /// A file of plain `name: text` settings (the CLI's taser.yaml): each top-level entry with
    /// its line, and its text (nil when the value is a map or a list). Exposed so the CLI reads
    /// its file with the same YAML reading, and the same file:line messages, as keymaps and themes.
    public static func settings(_ text: String, file: String, example: String) throws(ConfigError) -> [(name: String, line: Int, text: String?)] {
        try topLevel(text, file: file, example: example).map { (name: $0.key, line: $0.line, text: isNull($0.value) ? nil : scalar($0.value)) }
    }

    /// The top-level map's entries; empty for an empty file (only comments).
    static func topLevel(_ text: String, file: String, example: String = "global: { q: quit }") throws(ConfigError) -> [ConfigEntry] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(problem(error, file: file))
        } catch {
            throw ConfigError(ConfigProblem(file: file, line: nil, "not valid YAML (\(error))"))
        }
        guard let root, !isNull(root) else { return [] }
        guard case .mapping = root else {
            throw ConfigError(ConfigProblem(file: file, line: line(root), column: root.mark?.column, "expected a map of names to settings at the top, like `\(example)`"))
        }
        return try entries(root, file: file)
    }

    /// A map's entries, in file order; a non-scalar key is a problem.
    static func entries(_ node: Node, file: String) throws(ConfigError) -> [ConfigEntry] {
        guard case .mapping(let mapping) = node else { return [] }
        var out: [ConfigEntry] = []
        for (key, value) in mapping {
            guard case .scalar(let k) = key else {
                throw ConfigError(ConfigProblem(file: file, line: line(key), column: key.mark?.column, "a name must be plain text, not a map or a list"))
            }
            out.append(ConfigEntry(key: k.string, line: line(key), column: key.mark?.column ?? 1, value: value))
        }
        return out
    }

    static func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    /// `~`, `null` or nothing at all.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return Tag.Name(rawValue: node.tag.rawValue) == .null
    }

    static func scalar(_ node: Node) -> String? {
        guard case .scalar(let s) = node else { return nil }
        return s.string
    }

    private static func problem(_ error: YamlError, file: String) -> ConfigProblem {
        func at(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> ConfigProblem {
            let what = context.map { "\($0.text) " } ?? ""
            return ConfigProblem(file: file, line: mark.line, column: mark.column, "not valid YAML: \(what)\(problem)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return at(problem, mark, context)
        case .parser(let context, let problem, let mark, _): return at(problem, mark, context)
        case .composer(let context, let problem, let mark, _): return at(problem, mark, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return ConfigProblem(file: file, line: context.mark.line, column: context.mark.column, "\(keys) appears twice in one map; keep one")
        default:
            return ConfigProblem(file: file, line: nil, "not valid YAML: \(error.description.split(separator: "\n").first ?? "")")
        }
    }
}
