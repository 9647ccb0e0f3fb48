import Foundation
import Model
import Testing
@testable import SignalServer

/// One selection entry: the filter Sigma import makes of it, and signals it must and must not
/// match when the Matcher runs it.
struct ModifierCase: Sendable, CustomTestStringConvertible {
    var key: String
    var value: String
    var filter: Filter
    var matches: [JSONObject]
    var misses: [JSONObject]

    var testDescription: String { "\(key): \(value)" }
}

@Suite struct SigmaModifierTests {
    static let cases: [ModifierCase] = [
        ModifierCase(
            key: "User", value: "alice",
            filter: .test(field: "user.name", .equals(.text("alice"))),
            matches: [["user.name": "Alice"]], misses: [["user.name": "bob"], [:]]),
        ModifierCase(
            key: "User", value: "[alice, bob]",
            filter: .test(field: "user.name", .oneOf([.text("alice"), .text("bob")])),
            matches: [["user.name": "bob"]], misses: [["user.name": "carol"]]),
        ModifierCase(
            key: "EventID", value: "4624",
            filter: .test(field: "EventID", .equals(.number(4624))),
            matches: [["EventID": 4624], ["EventID": "4624"]], misses: [["EventID": 4625]]),
        ModifierCase(
            key: "CommandLine|contains", value: "whoami",
            filter: .test(field: "process.command_line", .contains("whoami")),
            matches: [["process.command_line": "cmd /c WHOAMI /all"]], misses: [["process.command_line": "ipconfig"]]),
        ModifierCase(
            key: "Image|startswith", value: #"'C:\Windows\'"#,
            filter: .test(field: "process.executable", .startsWith(#"C:\Windows\"#)),
            matches: [["process.executable": #"c:\windows\system32\cmd.exe"#]], misses: [["process.executable": #"D:\Windows\cmd.exe"#]]),
        ModifierCase(
            key: "Image|endswith", value: #"'\cmd.exe'"#,
            filter: .test(field: "process.executable", .endsWith(#"\cmd.exe"#)),
            matches: [["process.executable": #"C:\Windows\System32\CMD.EXE"#]], misses: [["process.executable": #"C:\cmd.exe.bak"#]]),
        ModifierCase(
            key: "CommandLine|contains|all", value: "[' -enc ', 'hidden']",
            filter: .all([.test(field: "process.command_line", .contains(" -enc ")), .test(field: "process.command_line", .contains("hidden"))]),
            matches: [["process.command_line": "powershell -w hidden -enc AAAA"]],
            misses: [["process.command_line": "powershell -enc AAAA"]]),
        // Wildcards make a glob; `\\*` is a backslash then a wildcard, `\*` a literal star.
        ModifierCase(
            key: "CommandLine", value: #"'*\temp\\*.ps1'"#,
            filter: .test(field: "process.command_line", .glob(#"*\\temp\\*.ps1"#)),
            matches: [["process.command_line": #"C:\Users\x\AppData\Local\Temp\run.ps1"#]],
            misses: [["process.command_line": #"C:\temp\run.bat"#], ["process.command_line": "/tmp/run.ps1"]]),
        ModifierCase(
            key: "TargetFilename", value: #"'report\*.txt'"#,
            filter: .test(field: "file.path", .equals(.text("report*.txt"))),
            matches: [["file.path": "report*.txt"]], misses: [["file.path": "report1.txt"]]),
        ModifierCase(
            key: "User", value: "'adm?n'",
            filter: .test(field: "user.name", .glob("adm?n")),
            matches: [["user.name": "admin"], ["user.name": "ADMIN"]], misses: [["user.name": "adn"], ["user.name": "admiin"]]),
        ModifierCase(
            key: "CommandLine|contains", value: "'net * /add'",
            filter: .test(field: "process.command_line", .glob("*net * /add*")),
            matches: [["process.command_line": "cmd /c net user eve pw /add"]], misses: [["process.command_line": "net user eve"]]),
        ModifierCase(
            key: "User|cased", value: "Admin",
            filter: .test(field: "user.name", .equals(.text("Admin"), cased: true)),
            matches: [["user.name": "Admin"]], misses: [["user.name": "admin"]]),
        ModifierCase(
            key: "CommandLine|contains|cased", value: "Invoke-",
            filter: .test(field: "process.command_line", .contains("Invoke-", cased: true)),
            matches: [["process.command_line": "Invoke-Mimikatz"]], misses: [["process.command_line": "invoke-mimikatz"]]),
        ModifierCase(
            key: "CommandLine|re", value: #"'\s-e(nc?)?\s'"#,
            filter: .test(field: "process.command_line", .regex(#"\s-e(nc?)?\s"#)),
            matches: [["process.command_line": "powershell -enc AAAA"]], misses: [["process.command_line": "powershell -ENC AAAA"]]),
        ModifierCase(
            key: "CommandLine|re|i", value: #"'\s-e(nc?)?\s'"#,
            filter: .test(field: "process.command_line", .regex(#"\s-e(nc?)?\s"#, caseInsensitive: true)),
            matches: [["process.command_line": "powershell -ENC AAAA"]], misses: [["process.command_line": "powershell -exec"]]),
        ModifierCase(
            key: "CommandLine|re|m", value: "'^whoami$'",
            filter: .test(field: "process.command_line", .regex("(?m)^whoami$")),
            matches: [["process.command_line": "cd /tmp\nwhoami\nexit"]], misses: [["process.command_line": "run whoami now"]]),
        ModifierCase(
            key: "CommandLine|re|s", value: "'curl.+sh'",
            filter: .test(field: "process.command_line", .regex("(?s)curl.+sh")),
            matches: [["process.command_line": "curl x \\\n | sh"]], misses: [["process.command_line": "wget x | sh"]]),
        ModifierCase(
            key: "SourceIp|cidr", value: "10.0.0.0/8",
            filter: .test(field: "source.ip", .inCIDR("10.0.0.0/8")),
            matches: [["source.ip": "10.1.2.3"]], misses: [["source.ip": "192.168.0.1"], [:]]),
        ModifierCase(
            key: "SourceIp|cidr", value: "['10.0.0.0/8', '2001:db8::/32']",
            filter: .any([.test(field: "source.ip", .inCIDR("10.0.0.0/8")), .test(field: "source.ip", .inCIDR("2001:db8::/32"))]),
            matches: [["source.ip": "2001:db8::1"], ["source.ip": "10.9.9.9"]], misses: [["source.ip": "2001:db9::1"]]),
        ModifierCase(
            key: "CommandLine|base64|contains", value: "whoami",
            filter: .test(field: "process.command_line", .contains("d2hvYW1p")),
            matches: [["process.command_line": "powershell -e d2hvYW1p"]], misses: [["process.command_line": "whoami"]]),
        ModifierCase(
            key: "DestinationPort|gt", value: "1024",
            filter: .test(field: "destination.port", .compare(.greater, 1024)),
            matches: [["destination.port": 8080], ["destination.port": "8080"]], misses: [["destination.port": 80], ["destination.port": 1024]]),
        ModifierCase(
            key: "DestinationPort|gte", value: "1024",
            filter: .test(field: "destination.port", .compare(.greaterOrEqual, 1024)),
            matches: [["destination.port": 1024]], misses: [["destination.port": 1023]]),
        ModifierCase(
            key: "DestinationPort|lt", value: "1024",
            filter: .test(field: "destination.port", .compare(.less, 1024)),
            matches: [["destination.port": 22]], misses: [["destination.port": 1024], ["destination.port": "ssh"]]),
        ModifierCase(
            key: "DestinationPort|lte", value: "'1024'",
            filter: .test(field: "destination.port", .compare(.lessOrEqual, 1024)),
            matches: [["destination.port": 1024]], misses: [["destination.port": 1025]]),
        ModifierCase(
            // Sigma: `exists` "only verifies the presence of a field, not its value, be it empty
            // or null" (modifiers appendix, Generic Modifiers).
            key: "User|exists", value: "true",
            filter: .test(field: "user.name", .exists(true)),
            matches: [["user.name": "x"], ["user.name": nil], ["user.name": ""]], misses: [[:]]),
        ModifierCase(
            key: "User|exists", value: "false",
            filter: .test(field: "user.name", .exists(false)),
            matches: [[:]], misses: [["user.name": "x"], ["user.name": nil]]),
        ModifierCase(
            key: "User", value: "null",
            filter: .test(field: "user.name", .equals(.null)),
            matches: [[:], ["user.name": nil]], misses: [["user.name": "x"]]),
        ModifierCase(
            key: "SourceIp|fieldref", value: "DestinationIp",
            filter: .sameAs(field: "source.ip", other: "destination.ip", cased: false),
            matches: [["source.ip": "10.0.0.1", "destination.ip": "10.0.0.1"]],
            misses: [["source.ip": "10.0.0.1", "destination.ip": "10.0.0.2"], ["source.ip": "10.0.0.1"]]),
        ModifierCase(
            key: "User|neq", value: "root",
            filter: .all([.test(field: "user.name", .present), .not(.test(field: "user.name", .equals(.text("root"))))]),
            matches: [["user.name": "alice"]], misses: [["user.name": "ROOT"], [:]]),
        ModifierCase(
            key: "Hashes|contains", value: "'SHA256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'",
            filter: .any([
                .test(field: "process.hash.sha256", .startsWith("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")),
                .test(field: "file.hash.sha256", .startsWith("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")),
            ]),
            matches: [["process.hash.sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]],
            misses: [["process.hash.md5": "e3b0c44298fc1c149afbf4c8996fb924"]]),
        // Keywords: a value under no field, searched in the text fields.
        ModifierCase(
            key: "'|all'", value: "['mimikatz', 'sekurlsa']",
            filter: .all([.anyField(.contains("mimikatz")), .anyField(.contains("sekurlsa"))]),
            matches: [["process.command_line": "mimikatz.exe sekurlsa::logonpasswords"], ["message": "mimikatz", "ScriptBlockText": "sekurlsa"]],
            misses: [["process.command_line": "mimikatz.exe"]]),
    ]

    @Test(arguments: cases)
    func modifier(_ c: ModifierCase) throws {
        let (filter, problems) = Sigma.filter(Sigma.rule(Sigma.selection(c.key, c.value)))
        #expect(problems.isEmpty)
        #expect(filter == c.filter)
        let matcher = try Matcher(try #require(filter))
        for fields in c.matches { #expect(matcher.matches(fields), "should match \(fields)") }
        for fields in c.misses { #expect(!matcher.matches(fields), "should not match \(fields)") }
    }

    /// Sigma rules specification, "Keywords search": "Contrary to the Field Usage, It's a matter
    /// of searching for keywords across an entire event."
    @Test func keywordListSearchesEveryTextFieldOfTheEvent() throws {
        let yaml = Sigma.rule("keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\ncondition: keywords")
        let (filter, problems) = Sigma.filter(yaml)
        #expect(problems.isEmpty)
        #expect(filter == .any([.anyField(.contains("mimikatz")), .anyField(.contains("sekurlsa::"))]))
        let m = try Matcher(try #require(filter))
        #expect(m.matches(["message": "Process Mimikatz started"]))
        #expect(m.matches(["process.command_line": "x.exe sekurlsa::logonpasswords"]))
        #expect(m.matches(["user.name": "mimikatz"]), "any field, not only the message and the command line")
        #expect(m.matches(["ScriptBlockText": "Invoke-Mimikatz", "EventID": 4104]), "a Windows event's own field")
        #expect(m.matches(["tags": ["x", "SEKURLSA::pth"]]), "a list of texts")
        #expect(!m.matches(["event.code": 4104, "user.name": "alice"]))
    }

    @Test func aMappingsKeywordsNarrowTheSearchToItsFields() throws {
        let mapping = try SigmaFieldMapping.load(yaml: "keywords: [message]", path: "m.yml")
        let (filter, problems) = Sigma.filter(Sigma.rule("keywords:\n    - 'mimikatz'\ncondition: keywords"), mapping: mapping)
        #expect(problems.isEmpty)
        #expect(filter == .test(field: "message", .contains("mimikatz")))
    }

    @Test func listOfMapsIsAnyOfThem() throws {
        let yaml = Sigma.rule("selection:\n    - Image|endswith: '\\whoami.exe'\n    - OriginalFileName: whoami.exe\ncondition: selection")
        let (filter, problems) = Sigma.filter(yaml)
        #expect(problems.isEmpty)
        #expect(filter == .any([
            .test(field: "process.executable", .endsWith("\\whoami.exe")),
            .test(field: "process.pe.original_file_name", .equals(.text("whoami.exe"))),
        ]))
    }

    @Test func mapIsAllOfItsFields() {
        let yaml = Sigma.rule("selection:\n    User: alice\n    SourceIp|cidr: 10.0.0.0/8\ncondition: selection")
        #expect(Sigma.filter(yaml).filter == .all([
            .test(field: "user.name", .equals(.text("alice"))), .test(field: "source.ip", .inCIDR("10.0.0.0/8")),
        ]))
    }

    @Test func fieldsMapThroughTheMappingThenAliasesThenAsWritten() {
        let m = SigmaFieldMapping.builtIn
        #expect(m.field("TargetUserName") == "TargetUserName", "never folded into user.name with SubjectUserName")
        #expect(m.field("src_ip") == "source.ip")
        #expect(m.field("dst_port") == "destination.port")
        #expect(m.field("ComputerName") == "host.name")
        #expect(m.field("commandline") == "process.command_line")
        #expect(m.field("ParentImage") == "process.parent.executable")
        #expect(m.field("sha256") == "file.hash.sha256")
        #expect(m.field("event.action") == "event.action")
        #expect(m.field("SomethingElse") == "SomethingElse")
    }

    @Test func placeholdersExpandFromTheMapping() throws {
        let mapping = try SigmaFieldMapping.load(yaml: "placeholders:\n  admins: [root, administrator]\n", path: "m.yml")
        let (filter, problems) = Sigma.filter(Sigma.rule(Sigma.selection("User|expand", "'%admins%'")), mapping: mapping)
        #expect(problems.isEmpty)
        #expect(filter == .test(field: "user.name", .oneOf([.text("root"), .text("administrator")])))

        let (none, missing) = Sigma.filter(Sigma.rule(Sigma.selection("User|expand", "'%admins%'")))
        #expect(none == nil)
        #expect(missing.mentions("needs placeholder values for %admins%", "placeholders: in a Sigma mapping file"))
    }

    /// Combinations taser cannot express, each reported with its reason and place.
    static let refused: [(key: String, value: String, reason: String)] = [
        ("displaymessage|contans", "MFA", "unknown modifier 'contans'"),
        ("published|hour", "22", "compares a part of a date"),
        ("CommandLine|re|contains", "'a.b'", "already match anywhere"),
        ("CommandLine|i", "x", "'i' is a flag of 're'"),
        ("CommandLine|wide", "x", "'wide' only says how to encode"),
        ("CommandLine|base64offset", "x", "add contains"),
        ("CommandLine|base64|contains", "'who*'", "wildcards, which cannot be Base64-encoded"),
        ("SourceIp|cidr", "10.0.0.0/33", "is not a network"),
        ("CommandLine|re", "'(unclosed'", "is not a regular expression"),
        ("DestinationPort|gt", "many", "compares numbers"),
        ("User|exists", "yes-please", "takes true or false"),
        ("SourceIp|cidr|contains", "10.0.0.0/8", "compares whole values"),
        ("User|fieldref|contains", "TargetUser", "compares whole values"),
        ("User|re|cidr", "x", "cannot be combined"),
        ("User|neq|all", "[a, b]", "ambiguous"),
        ("User|contains|endswith", "x", "only one of contains"),
        ("User", "[]", "empty list"),
        ("User", "{a: b}", "holds a map"),
        ("CommandLine|windash|contains", "' -a -b -c -d'", "split the value"),
    ]

    /// Sysmon's `Hashes` is read as written where the event has it; where it does not, the
    /// hash is looked for in the per-algorithm fields, when the value names an algorithm
    /// taser keeps. A value that cannot be split reads the Hashes text only.
    @Test func hashesAreReadAsWrittenFirst() throws {
        let (split, _) = Sigma.filter(Sigma.rule(Sigma.selection("Hashes|contains", "'SHA256=ABCD'")))
        let whole = try #require(SigmaImport.read(yaml: Sigma.rule(Sigma.selection("Hashes|contains", "'SHA256=ABCD'")), path: "h.yml").rules.first?.rule.clauses.first?.filter)
        let m = try Matcher(whole)
        #expect(m.matches(["Hashes": "MD5=00,SHA256=ABCDEF"]))
        #expect(!m.matches(["Hashes": "MD5=00,SHA256=FFFF", "process.hash.sha256": "abcdef"]), "the event's own Hashes decides")
        #expect(m.matches(["process.hash.sha256": "abcdef"]))
        #expect(split != nil)
        for (key, value) in [("Hashes|contains", "'SHA512=abc'"), ("Hashes", "'abc'")] {
            let result = SigmaImport.read(yaml: Sigma.rule(Sigma.selection(key, value)), path: "h.yml")
            #expect(result.problems.isEmpty, "\(result.problems)")
            let filter = try #require(result.rules.first?.rule.clauses.first?.filter)
            #expect(filter.fields == ["Hashes"], "reads the Hashes text only")
            #expect(try Matcher(filter).matches(["Hashes": key == "Hashes" ? "abc" : "SHA512=ABC"]))
        }
    }

    @Test(arguments: refused.indices)
    func refusedCombinations(_ i: Int) {
        let c = Self.refused[i]
        let result = SigmaImport.read(yaml: Sigma.rule(Sigma.selection(c.key, c.value), title: "Refused"), path: "r.yml")
        #expect(result.rules.isEmpty)
        let problems = result.problems.map(\.description)
        #expect(problems.mentions("r.yml: rule 'Refused':", c.reason), "\(c.key): \(problems)")
        #expect(problems.mentions("6:"), "names the line: \(problems)")
    }

    @Test func unknownModifierSuggestsTheNearestAndNamesThePlace() {
        let result = SigmaImport.read(yaml: Sigma.rule(Sigma.selection("displaymessage|contans", "MFA"), title: "Typo"), path: "typo.yml")
        #expect(result.problems.map(\.description) == [
            "typo.yml: rule 'Typo': 6:9: unknown modifier 'contans' in 'displaymessage|contans'; did you mean 'contains'?",
        ])
    }
}
