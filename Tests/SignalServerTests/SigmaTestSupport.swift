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

    /// The filter of the one detection rule in `yaml`, or the problems instead.
    static func filter(_ yaml: String, mapping: SigmaFieldMapping = .builtIn) -> (filter: Filter?, problems: [String]) {
        let result = SigmaImport.read(yaml: yaml, path: "test.yml", mapping: mapping)
        return (result.rules.first?.rule.clauses.first?.filter, result.problems.map(\.description))
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
