import Foundation
import Yams

/// A YAML node as Sigma import reads it, copied out of Yams once: Yams' nodes hold tag classes
/// that are not Sendable, and every problem we report wants the node's line and column in the
/// file (not in the document), which we fix up here.
struct SigmaNode: Sendable {
    enum Value: Sendable {
        /// A quoted scalar, or a plain one that YAML does not read as a number, bool or null.
        case text(String)
        /// A plain decimal number, with its text as written (`4624`, `0.5`).
        case number(Double, text: String)
        case bool(Bool)
        case null
        case map([Entry])
        case list([SigmaNode])
    }

    struct Entry: Sendable {
        var key: String
        /// Where the key is: problems with a field's modifiers point here.
        var place: Place
        var value: SigmaNode
    }

    var value: Value
    var place: Place

    subscript(key: String) -> SigmaNode? {
        guard case .map(let entries) = value else { return nil }
        return entries.first { $0.key == key }?.value
    }

    var entries: [Entry]? {
        if case .map(let e) = value { return e }
        return nil
    }

    /// A scalar's text: numbers as written, bools as `true`/`false`. Nil for null, maps and lists.
    var text: String? {
        switch value {
        case .text(let s): return s
        case .number(_, let t): return t
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A scalar or a list of scalars, as texts (Sigma lets one value stand for a list of one).
    var texts: [String]? {
        if case .list(let items) = value {
            var out: [String] = []
            for item in items {
                guard let t = item.text else { return nil }
                out.append(t)
            }
            return out
        }
        return text.map { [$0] }
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// What a problem message calls this node's shape.
    var shape: String {
        switch value {
        case .text, .number, .bool: return "a single value"
        case .null: return "empty"
        case .map: return "a map"
        case .list: return "a list"
        }
    }
}

/// A line and column in a file, 1-based, as problems name them.
struct Place: Sendable, Hashable {
    var line: Int
    var column: Int
}

extension RuleError {
    /// A problem at a place in a Sigma file.
    init(_ message: String, at place: Place?, suggestions: [String] = []) {
        self.init(message: message, line: place?.line, column: place?.column, suggestions: suggestions)
    }
}

extension SigmaNode {
    /// Deeper than any Sigma rule nests; stops a hostile file from exhausting the stack.
    static let maxDepth = 64

    /// Parses one YAML document. `firstLine` is the document's first line in its file, so places
    /// read as file lines. Nil for a document with no content (only comments).
    static func parse(_ text: String, firstLine: Int, resolver: Resolver = SigmaNode.resolver) throws(RuleError) -> SigmaNode? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, resolver, .default, .utf8)
        } catch let error as YamlError {
            throw yamlProblem(error, firstLine: firstLine)
        } catch {
            throw RuleError(message: "not valid YAML (\(error))", line: firstLine)
        }
        guard let root else { return nil }
        return try convert(root, firstLine: firstLine, depth: 0)
    }

    private static func yamlProblem(_ error: YamlError, firstLine: Int) -> RuleError {
        func at(_ problem: String, _ mark: Mark, _ context: YamlError.Context?) -> RuleError {
            let what = context.map { "\($0.text) " } ?? ""
            return RuleError(message: "not valid YAML: \(what)\(problem)", line: mark.line + firstLine - 1, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _): return at(problem, mark, context)
        case .parser(let context, let problem, let mark, _): return at(problem, mark, context)
        case .composer(let context, let problem, let mark, _): return at(problem, mark, context)
        case .reader(let problem, _, _, _): return RuleError(message: "not YAML text: \(problem)", line: firstLine)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return RuleError(message: "not valid YAML: \(keys) appears twice in one map", line: context.mark.line + firstLine - 1, column: context.mark.column)
        default:
            return RuleError(message: "not valid YAML: \(error.description.split(separator: "\n").first ?? "")", line: firstLine)
        }
    }

    private static func convert(_ node: Node, firstLine: Int, depth: Int) throws(RuleError) -> SigmaNode {
        let place = Place(line: (node.mark?.line ?? 1) + firstLine - 1, column: node.mark?.column ?? 1)
        guard depth < maxDepth else { throw RuleError("YAML nested more than \(maxDepth) levels deep", at: place) }
        switch node {
        case .scalar(let scalar):
            return SigmaNode(value: scalarValue(scalar.string, tag: Tag.Name(rawValue: node.tag.rawValue)), place: place)
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (key, value) in mapping {
                let keyPlace = Place(line: (key.mark?.line ?? 1) + firstLine - 1, column: key.mark?.column ?? 1)
                guard case .scalar(let k) = key else {
                    throw RuleError("a map key must be a plain name, not a map or a list", at: keyPlace)
                }
                entries.append(Entry(key: k.string, place: keyPlace, value: try convert(value, firstLine: firstLine, depth: depth + 1)))
            }
            return SigmaNode(value: .map(entries), place: place)
        case .sequence(let sequence):
            var items: [SigmaNode] = []
            for item in sequence { items.append(try convert(item, firstLine: firstLine, depth: depth + 1)) }
            return SigmaNode(value: .list(items), place: place)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one is not a value we can read.
            throw RuleError("a YAML alias that names no anchor", at: place)
        }
    }

    /// The tag of an untagged plain scalar that may be a null, a bool or a number.
    static let typed = Tag.Name(rawValue: "tag:taser,2026:typed")

    /// One rule for every plain scalar that keeps a type (`scalarValue`), where YAML's default
    /// resolver tries seven (bool, int, float, merge, null, timestamp, value), each an
    /// NSRegularExpression run on every scalar: a fifth of reading SigmaHQ's rules went there.
    /// It matches what the default rules would tag null, `true`/`false`, int or float and
    /// `scalarValue` would then read as such: the default rules' decimal forms (digits, a point,
    /// an exponent, no `_`), `~`, `null` and the empty scalar. Everything else is text either
    /// way, and explicit tags (`!!int`) are the document's, not the resolver's.
    static let resolver: Resolver = {
        let pattern = #"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?|)$"#
        do { return Resolver.basic.appending(try Resolver.Rule(typed, pattern)) } catch {
            // A literal pattern; were it ever invalid, the default resolver reads the same values.
            return .default
        }
    }()

    /// YAML 1.1 reads `yes`, `0x1F` and `2024-01-01` as bools, numbers and dates; Sigma values
    /// are compared with log text, so only plain `true`/`false` and decimal numbers keep a type
    /// and everything else stays the text the author wrote.
    private static func scalarValue(_ s: String, tag: Tag.Name) -> Value {
        switch tag {
        case typed:
            switch s {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return scalarValue(s, tag: .float)
            }
        case .null: return .null
        case .bool:
            switch s.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: return .text(s)
            }
        case .int, .float:
            let decimal = !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E") }
            if decimal, let d = Double(s), d.isFinite { return .number(d, text: s) }
            return .text(s)
        default: return .text(s)
        }
    }
}
