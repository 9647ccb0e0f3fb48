import Foundation
import Model

/// Turns rule text into a `Rule`: parses it, resolves kinds (name, display name or alias, case-
/// and plural-insensitive) and fields (aliases such as `username` to ECS names), and checks what
/// would make a rule that never fires. Every error points at the place in the text.
public struct RuleCompiler: Sendable {
    /// Kinds of mapping files, besides the built-in catalog.
    public var extraKinds: [SignalKind]
    /// Fields a rule may name: the built-in formats' fields, plus whatever the caller knows
    /// (mapping files, fields seen in stored signals).
    public var knownFields: Set<String>

    public init(extraKinds: [SignalKind] = [], knownFields: Set<String> = FieldCatalog.builtIn) {
        self.extraKinds = extraKinds
        self.knownFields = knownFields.union(FieldAliases.table.values)
    }

    public func compile(_ text: String) throws(RuleError) -> Rule {
        var parser = try Parser(text)
        let syntax = try parser.rule()

        if let first = syntax.joiners.first, let other = syntax.joiners.first(where: { $0.isSymbol("+") != first.isSymbol("+") }) {
            throw parser.error("a rule joins its clauses with '+' (any order) or THEN (in order), not both", at: other)
        }
        guard syntax.window.ms > 0 else {
            throw parser.error("the window must be longer than zero; write it as 4 Hours", at: syntax.window.at)
        }
        var clauses: [Clause] = []
        for c in syntax.clauses {
            guard c.count.value >= 1 else {
                throw parser.error("a clause needs a count of at least 1", at: c.count.at)
            }
            guard let kind = SignalKind.find(c.kind.text, among: extraKinds) else {
                throw parser.error(
                    "no signal kind '\(c.kind.text)'", at: c.kind.at,
                    suggestions: SignalKind.nearest(c.kind.text, among: extraKinds).map(\.displayName))
            }
            var distinct: String?
            if let d = c.distinct { distinct = try field(d, parser) }
            var test: Filter?
            if let f = c.filter { test = try filter(f, parser) }
            clauses.append(Clause(count: c.count.value, kinds: [kind.name], distinct: distinct, filter: test, text: c.text))
        }
        var groupBy: [String] = []
        for name in syntax.groupBy { groupBy.append(try field(name, parser)) }
        var options = RuleOptions(title: syntax.title, team: syntax.team, tags: syntax.tags, casedValues: syntax.cased ? true : nil)
        if let s = syntax.severity {
            guard let severity = Severity(parsing: s.text) else {
                throw parser.error("no severity '\(s.text)'; severities are \(Severity.names)", at: s.at)
            }
            options.severity = severity
        }
        if let suppress = syntax.suppress {
            guard suppress.ms > 0 else { throw parser.error("SUPPRESS FOR must be longer than zero", at: suppress.at) }
            options.suppress = suppress.ms
        }
        return Rule(
            clauses: clauses, ordered: syntax.joiners.first?.is("THEN") ?? false, window: syntax.window.ms,
            groupBy: groupBy, options: options)
    }

    /// The ECS name of a field as written, if taser knows it.
    func field(_ name: Name, _ parser: Parser) throws(RuleError) -> String {
        let resolved = FieldAliases.resolve(name.text)
        if knownFields.contains(resolved) { return resolved }
        let nearest = nearestNames(name.text, in: Array(Set(FieldAliases.table.keys).union(knownFields)))
        throw parser.error("no field '\(name.text)' in any signal taser knows", at: name.at, suggestions: nearest)
    }

    func filter(_ f: FilterSyntax, _ parser: Parser) throws(RuleError) -> Filter {
        switch f {
        case .all(let parts):
            var out: [Filter] = []
            for p in parts { out.append(try filter(p, parser)) }
            return .all(out)
        case .any(let parts):
            var out: [Filter] = []
            for p in parts { out.append(try filter(p, parser)) }
            return .any(out)
        case .not(let inner):
            return .not(try filter(inner, parser))
        case .text(let text, let at):
            throw parser.error("free text (\"\(text)\") searches signals; a rule tests a field, as in: message CONTAINS \"\(text)\"", at: at)
        case .test(let name, let test):
            let field = try field(name, parser)
            switch test {
            case .compare(let op, let v):
                switch (op, v.value) {
                case ("=", let value): return .test(field: field, .equals(value))
                case ("!=", let value): return .not(.test(field: field, .equals(value)))
                case (_, .number(let n)):
                    return .test(field: field, .compare(Comparison(rawValue: op)!, n))
                default:
                    throw parser.error("'\(op)' compares numbers; \(v.at.kind == .string ? "\"\(v.at.text)\"" : v.at.text) is not one", at: v.at)
                }
            case .oneOf(let values):
                return .test(field: field, .oneOf(values.map(\.value)))
            case .network(let text, let at):
                guard Network(text) != nil else {
                    throw parser.error("'\(text)' is not a network; write it as \"10.0.0.0/8\" or \"2001:db8::/32\"", at: at)
                }
                return .test(field: field, .inCIDR(text))
            case .contains(let s): return .test(field: field, .contains(s))
            case .startsWith(let s): return .test(field: field, .startsWith(s))
            case .endsWith(let s): return .test(field: field, .endsWith(s))
            case .matches(let pattern):
                guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw parser.error("'\(pattern)' is not a valid regular expression", at: name.at)
                }
                return .test(field: field, .regex(pattern))
            case .exists: return .test(field: field, .present)
            }
        }
    }
}
