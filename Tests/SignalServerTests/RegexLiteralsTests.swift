import Foundation
import Testing
@testable import SignalServer

/// The text a regex cannot match without, which the hunt's pre-filter looks for. Expected
/// literals for SigmaHQ's own patterns, no literal wherever one is not certain, and a
/// property checked against ICU itself: whenever a pattern matches a text, the text
/// lower-cased holds one of its literals.
@Suite struct RegexLiteralsTests {
    @Test(arguments: [
        ("ipconfig\\s+/all", ["ipconfig"]),
        ("\\$PSHome\\[\\s*\\d{1,3}\\s*\\]\\s*\\+\\s*\\$PSHome\\[", ["$pshome["]),
        ("\\$VerbosePreference\\.ToString\\(", ["$verbosepreference.tostring("]),
        ("(?i)\\.exe[\\\"\\']?\\s+[^\\\"]{0,64}werfaultsecure\\.exe[\\\"\\']?\\s+\\d{2,10}", ["werfaultsecure.exe"]),
        ("(cmd|powershell)\\.exe", [".exe"]),
        ("(cmdline|powershell)\\s", ["cmdline", "powershell"]),
        ("net\\s+config", ["config"]),
        ("abcd?ef", ["abc"]),  // d may be absent: `abc` stands, `ef` is too short
        ("abcd+ef", ["abcd"]),
        ("x(?:abc){2}y", ["abc"]),
        ("(?<name>secret)", ["secret"]),
        ("\\x41bcd", ["bcd"]),
        ("\\0123abc", ["abc"]),
        ("[abc]def[ghi]", ["def"]),
        ("a[\\]x]bcd", ["bcd"]),
    ] as [(String, [String])])
    func literalsOfPatterns(_ pattern: String, _ expected: [String]) {
        let needed = RegexLiterals.needed(pattern, caseInsensitive: false)
        let want = expected.filter { $0.utf8.count >= 3 }
        if want.isEmpty { #expect(needed == nil, "\(pattern)") } else { #expect(needed?.literals == want.sorted(), "\(pattern)") }
    }

    @Test(arguments: [
        "\\Qabc\\E",  // quoted text is not read
        "(?x) a b c",  // comments mode: spaces mean nothing
        "(?=abcdef)x",  // a look-ahead consumes nothing
        "(?<!abcdef)x",
        "(abc)?def?",  // `de` is too short, abc optional
        "abc|\\d+",  // one branch has no text
        "a*bc*",
        "(abc",  // unbalanced
        "+abc",
    ])
    func noLiteralWhereNoneIsCertain(_ pattern: String) {
        #expect(RegexLiterals.needed(pattern, caseInsensitive: false) == nil, "\(pattern)")
    }

    @Test func caseIgnoredIsSaid() {
        #expect(RegexLiterals.needed("abcdef", caseInsensitive: true)?.caseless == true)
        #expect(RegexLiterals.needed("(?i)abcdef", caseInsensitive: false)?.caseless == true)
        #expect(RegexLiterals.needed("(?i:ab)cdef", caseInsensitive: false)?.caseless == true)
        #expect(RegexLiterals.needed("ABCdef", caseInsensitive: false) == .init(literals: ["abcdef"], caseless: false))
    }

    /// Random patterns from pieces (plain text, classes, groups, alternations, quantifiers,
    /// escapes, flags) against random texts over the same letters: ICU's match implies a
    /// literal in the text lower-cased (in all-ASCII text when the pattern ignores case).
    @Test func everyMatchHoldsALiteral() throws {
        var r = MatcherProgramTests.Random(state: 17)
        let pieces = ["ab", "abc", "Bc", "cab", "a", "b", "c", "\\.", "\\s", "\\d", "[ab]", ".", "x", "X", "\\x61", "\\\\"]
        // Groups repeat a bounded number of times only: `(a*)*` backtracks exponentially.
        func quantified(_ depth: Int) -> String {
            if depth < 2 && r.next(5) == 0 {
                let inner = (0..<(1 + r.next(3))).map { _ in sequence(depth + 1) }.joined(separator: "|")
                return r.pick(["(", "(?:", "(?i:", "(?<g\(r.next(9))>"]) + inner + ")" + r.pick(["", "", "?", "{2}"])
            }
            return r.pick(pieces) + r.pick(["", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,3}", "+?"])
        }
        func sequence(_ depth: Int) -> String { (0..<(1 + r.next(4))).map { _ in quantified(depth) }.joined() }
        var checked = 0, withLiterals = 0
        for _ in 0..<6000 {
            var pattern = (0..<(1 + r.next(2))).map { _ in sequence(0) }.joined(separator: "|")
            if r.next(6) == 0 { pattern = "(?i)" + pattern }
            let insensitive = r.next(5) == 0
            guard let regex = try? NSRegularExpression(pattern: pattern, options: insensitive ? [.caseInsensitive] : []),
                  let needed = RegexLiterals.needed(pattern, caseInsensitive: insensitive) else { continue }
            withLiterals += 1
            for _ in 0..<40 {
                let text = (0..<r.next(12)).map { _ in r.pick(["ab", "abc", "bc", "cab", "a", "b", "c", ".", " ", "1", "x", "X", "\\", "A", "B", "ABC"]) }.joined()
                guard regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else { continue }
                checked += 1
                let lower = text.lowercased()
                #expect(needed.literals.contains { lower.contains($0) }, "/\(pattern)/ matches \(text) without any of \(needed.literals)")
            }
        }
        #expect(withLiterals > 500 && checked > 1500)
    }
}
