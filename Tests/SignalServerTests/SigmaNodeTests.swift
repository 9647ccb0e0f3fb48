import Testing
import Yams
@testable import SignalServer

/// Sigma's YAML scalars read with taser's one-rule resolver as with YAML's default seven:
/// every spelling YAML 1.1 gives a type (bools, octal, hex, sexagesimal, dates, infinities,
/// exponents with and without signs, underscores), quoted and explicitly tagged ones too.
@Suite struct SigmaNodeTests {
    static let scalars = [
        "4688", "-12", "+12", "0", "-0", "0755", "09", "0o17", "0x1F", "0b101", "1_000", "1:30", "190:20:30.15",
        "1e5", "1E+5", "1.5e3", "1.", "1.e5", "3.0", ".5", ".5e+3", ".5e3", "1.5.5", ".inf", "-.INF", ".NaN", "1e400",
        "true", "True", "TRUE", "tRue", "false", "FALSE", "yes", "No", "on", "OFF", "y",
        "~", "null", "Null", "NULL", "nUll", "", "<<", "=", "2024-01-01", "2024-01-01T10:00:00Z",
        "'5'", "\"true\"", "'null'", "!!str 5", "!!int 5", "!!bool yes", "!!null x", "!!float 1", "C:\\Windows\\cmd.exe", "cmd.exe /c",
    ]

    static func render(_ v: SigmaNode.Value) -> String {
        switch v {
        case .text(let s): return "text(\(s))"
        case .number(let d, let t): return "number(\(d), \(t))"
        case .bool(let b): return "bool(\(b))"
        case .null: return "null"
        case .map(let entries): return "map(" + entries.map { "\($0.key): \(render($0.value.value))" }.joined(separator: ", ") + ")"
        case .list(let items): return "list(" + items.map { render($0.value) }.joined(separator: ", ") + ")"
        }
    }

    @Test func theOneRuleReadsWhatTheDefaultRulesRead() throws {
        for scalar in Self.scalars {
            let yaml = "value: \(scalar)\nlist: [\(scalar.isEmpty ? "''" : scalar)]\n"
            let ours = try #require(try SigmaNode.parse(yaml, firstLine: 1))
            let theirs = try #require(try SigmaNode.parse(yaml, firstLine: 1, resolver: .default))
            #expect(Self.render(ours.value) == Self.render(theirs.value), "\(scalar)")
        }
        // The types that matter, read as such.
        let typed = try #require(try SigmaNode.parse("a: 4688\nb: true\nc: ~\nd: '4688'\ne: yes\n", firstLine: 1))
        #expect(Self.render(typed.value) == "map(a: number(4688.0, 4688), b: bool(true), c: null, d: text(4688), e: text(yes))")
    }
}
