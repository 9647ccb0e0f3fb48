import Foundation
import Model
import Testing
@testable import SignalServer

/// Sigma fixtures (written from the Sigma specification) and small rule builders.
enum Sigma {
    static func fixture(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: "Fixtures/sigma/\(name)", withExtension: nil) else {
            Issue.record("missing fixture sigma/\(name)")
            return "/nonexistent/\(name)"
        }
        return url.path
    }

    /// A detection rule around a `detection:` block written without indentation.
    static func rule(_ detection: String, title: String = "Test rule", logsource: String = "product: okta", more: String = "") -> String {
        let indented = detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        let source = logsource.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return "title: \(title)\nlogsource:\n\(source)\ndetection:\n\(indented)\n\(more)"
    }

    /// One selection entry and `condition: selection`.
    static func selection(_ key: String, _ value: String) -> String {
        "selection:\n    \(key): \(value)\ncondition: selection"
    }

    /// The filter of the one detection rule in `yaml`, or the problems instead, on its mapped
    /// side (`mappedSide`): what it reads of an event that has only ECS fields.
    static func filter(_ yaml: String, mapping: SigmaFieldMapping = .builtIn) -> (filter: Filter?, problems: [String]) {
        let result = SigmaImport.read(yaml: yaml, path: "test.yml", mapping: mapping)
        return (result.rules.first?.rule.clauses.first?.filter.map(mappedSide), result.problems.map(\.description))
    }

    /// A filter with every own-field-first choice (SigmaOwnFields.wrap:
    /// `any(all(present(own), F), all(absent(own), F'))`) replaced by its mapped side F', as
    /// the filter reads an event that has only the mapped (ECS) fields. Tests of the shapes the
    /// modifiers and conditions make use it; SigmaOwnFieldsTests check the choice itself.
    static func mappedSide(_ f: Filter) -> Filter {
        switch f {
        case .any(let branches):
            // The choice's two branches, maybe flattened into an enclosing `any`.
            var out: [Filter] = []
            var i = 0
            while i < branches.count {
                if i + 1 < branches.count, case .all(let first) = branches[i], case .all(let second) = branches[i + 1],
                   case .test(let own, .present)? = first.first, case .test(own, .absent)? = second.first {
                    let rest = Array(second.dropFirst())
                    let side = mappedSide(rest.count == 1 ? rest[0] : .all(rest))
                    if case .any(let inner) = side { out += inner } else { out.append(side) }
                    i += 2
                } else {
                    out.append(mappedSide(branches[i]))
                    i += 1
                }
            }
            return out.count == 1 ? out[0] : .any(out)
        case .all(let fs): return .all(fs.map(mappedSide))
        case .not(let inner): return .not(mappedSide(inner))
        default: return f
        }
    }

    /// A rule with each clause's filter on its mapped side.
    static func mappedSide(_ rule: Rule) -> Rule {
        var out = rule
        out.clauses = rule.clauses.map { c in
            var c = c
            c.filter = c.filter.map(mappedSide)
            return c
        }
        return out
    }

    static func matcher(_ filter: Filter?) -> Matcher? {
        guard let filter else { return nil }
        return try? Matcher(filter)
    }
}

extension Array where Element == String {
    /// Whether any problem mentions every one of `words`.
    func mentions(_ words: String...) -> Bool {
        contains { p in words.allSatisfy { p.contains($0) } }
    }
}
