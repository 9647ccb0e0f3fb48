import Foundation
import Model
import Testing
@testable import SignalServer

/// The rule language, Sigma YAML and spans, mutated: every text either compiles or is refused
/// with an error that points inside it. None may crash.
@Suite struct RuleFuzzTests {
    static let rules = [
        "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON",
        "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON TITLE \"Repeated\" SEVERITY high TEAM soc TAGS edr",
        "[ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON SUPPRESS FOR 12 hours",
        "(3 DISTINCT dst_port OF IDS alerts WHERE src_ip IN \"10.0.0.0/8\" AND NOT dst_port IN (22, 443)) IN 1d12h WITH src_ip IN COMMON",
        "(2 failed Duo pushes WHERE factor = \"push\" OR (country != \"Canada\" AND user MATCHES \"^j.*\")) THEN (1 SSO login from a new location) IN 90 minutes",
    ]

    @Test func mutatedRulesCompileOrSayWhere() {
        var mutator = Mutator(seed: FuzzBudget.seed)
        let compiler = RuleCompiler()
        let others = Self.rules.map { Array($0.utf8) }
        var compiled = 0, refused = 0
        for n in 0..<FuzzBudget.mutants(1000) {
            let bytes = mutator.mutate(others[n % others.count], with: others + Mutator.hugeNumbers.map { Array($0.utf8) })
            let text = String(decoding: bytes, as: UTF8.self)
            FuzzBudget.keep(bytes, test: "rules", name: "rule")
            do {
                let rule = try compiler.compile(text)
                compiled += 1
                #expect(rule.window > 0 && rule.window <= Span.longest.ms, "\(text)")
                #expect(rule.clauses.allSatisfy { $0.count >= 1 }, "\(text)")
            } catch {
                refused += 1
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                if let line = error.line { #expect(line >= 1 && line <= lines + 1, "\(error) in \(text.prefix(200))") }
                #expect(!error.description.contains("\n"), "\(error)")
            }
        }
        #expect(compiled > 0 && refused > 0, "compiled \(compiled), refused \(refused)")
    }

    static let sigmaDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SignalServerTests/Fixtures/sigma")

    @Test func mutatedSigmaRulesImportOrListTheirProblems() throws {
        let files = FileManager.default.enumerator(atPath: Self.sigmaDirectory.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yml") }.sorted() ?? []
        try #require(files.count >= 5)
        let sources = try files.map { Array(try Data(contentsOf: Self.sigmaDirectory.appendingPathComponent($0))) }
        var mutator = Mutator(seed: FuzzBudget.seed &+ 1)
        var imported = 0, problems = 0
        for n in 0..<FuzzBudget.mutants(600) {
            let bytes = mutator.mutate(sources[n % sources.count], with: sources)
            FuzzBudget.keep(bytes, test: "sigma", name: files[n % files.count])
            let result = SigmaImport.read(yaml: String(decoding: bytes, as: UTF8.self), path: "fuzz.yml")
            imported += result.rules.count
            problems += result.problems.count
            for rule in result.rules { #expect(rule.rule.window <= Span.longest.ms) }
        }
        #expect(imported > 0 && problems > 0, "imported \(imported), problems \(problems)")
    }

    @Test func randomSpansAreReadOrRefusedNeverWrapped() {
        var mutator = Mutator(seed: FuzzBudget.seed &+ 2)
        let seeds = ["4h", "1d12h", "90 minutes", "500ms", "2 weeks", "1.5h", "36600d", "0s"].map { Array($0.utf8) }
        for n in 0..<FuzzBudget.mutants(5000) {
            let text = String(decoding: mutator.mutate(seeds[n % seeds.count], with: Mutator.hugeNumbers.map { Array($0.utf8) }), as: UTF8.self)
            if let span = try? Span.parse(text, allowZero: true, bareUnit: 1000) {
                #expect(span.ms >= 0 && span.ms <= Span.longest.ms, "\(text)")
            }
            if let size = try? ByteCount.parse(text) { #expect(size >= 1, "\(text)") }
            if let t = try? Timestamp.reading(text) { #expect(Timestamp.plausible.contains(t.ms), "\(text)") }
        }
    }
}
