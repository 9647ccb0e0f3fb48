import Foundation
import Model

/// Sigma detection and correlation rules read into taser's compiled `Rule` form.
///
/// A detection rule becomes one clause (count 1, window 0) over the kinds its logsource maps
/// to, with its detection as the clause's filter. A correlation rule becomes the clauses of the
/// rules it references (see `SigmaCorrelationCompiler`). Everything that cannot be expressed is
/// a `Problem` naming the file, the rule and the reason; a rule with a problem is not imported,
/// and nothing is left out without one.
public struct SigmaImport: Sendable {
    public struct Imported: Sendable {
        /// The stable handle alerts carry: from the Sigma `name`, else `id`, else the title.
        public var name: String
        public var title: String
        public var rule: Rule
        /// The YAML the rule was read from, as stored with it.
        public var text: String
        public var path: String
        /// False for a detection rule that correlations reference and that Sigma says should not
        /// alert on its own (the correlation has no `generate: true`). It is imported all the
        /// same, so the analyst sees it and can turn it on. Correlations a chain reads are
        /// enabled: their alerts are what the outer rule counts.
        public var enabled: Bool

        public init(name: String, title: String, rule: Rule, text: String, path: String, enabled: Bool = true) {
            self.name = name
            self.title = title
            self.rule = rule
            self.text = text
            self.path = path
            self.enabled = enabled
        }
    }

    public struct Problem: Sendable, CustomStringConvertible {
        public var path: String
        /// The rule's title (or name, or id); nil for a problem with the file itself.
        public var rule: String?
        public var reason: String

        public init(path: String, rule: String?, reason: String) {
            self.path = path
            self.rule = rule
            self.reason = reason
        }

        public var description: String {
            if let rule { return "\(path): rule '\(rule)': \(reason)" }
            return "\(path): \(reason)"
        }
    }

    public var rules: [Imported]
    public var problems: [Problem]

    public init(rules: [Imported] = [], problems: [Problem] = []) {
        self.rules = rules
        self.problems = problems
    }

    /// Reads files, and directories recursively (their `.yml` and `.yaml` files, in name
    /// order). Correlations may reference rules in any file read here.
    public static func read(paths: [String], mapping: SigmaFieldMapping = .builtIn) -> SigmaImport {
        let importer = SigmaImporter(mapping: mapping)
        for path in paths { importer.add(path: path) }
        return importer.finish()
    }

    /// Reads the text of one file (which may hold several YAML documents).
    public static func read(yaml: String, path: String, mapping: SigmaFieldMapping = .builtIn) -> SigmaImport {
        let importer = SigmaImporter(mapping: mapping)
        importer.add(yaml: yaml, path: path)
        return importer.finish()
    }
}
