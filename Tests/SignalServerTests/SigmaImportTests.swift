import Foundation
import Model
import Testing
@testable import SignalServer

@Suite struct SigmaImportTests {
    @Test func aDetectionRuleIsOneClauseOverItsLogsourceKinds() throws {
        let result = SigmaImport.read(paths: [Sigma.fixture("rules/endpoint/proc_creation_win_whoami.yml")])
        #expect(result.problems.isEmpty, "\(result.problems)")
        let imported = try #require(result.rules.first)
        #expect(imported.name == "5b3d8a0e-1c57-4c42-9a6e-8f5f7b0c2d11")
        #expect(imported.title == "Whoami Run From An Office Or Script Host")
        #expect(imported.enabled)
        #expect(imported.text.hasPrefix("title: Whoami Run From An Office Or Script Host\n"))
        let rule = imported.rule
        #expect(rule.window == 0 && rule.groupBy.isEmpty && !rule.ordered)
        #expect(rule.options == RuleOptions(
            title: "Whoami Run From An Office Or Script Host", severity: .high, tags: ["attack.discovery", "attack.t1033"]))
        let clause = try #require(rule.clauses.first)
        #expect(rule.clauses.count == 1 && clause.count == 1)
        #expect(clause.kinds == ["windows.process_creation", "cbc.alert"])
        #expect(clause.text == imported.title)

        let matcher = try Matcher(try #require(clause.filter))
        let fromWord: JSONObject = [
            "process.executable": #"C:\Windows\System32\whoami.exe"#,
            "process.parent.executable": #"C:\Program Files\Microsoft Office\WINWORD.EXE"#,
            "process.command_line": "whoami /all",
        ]
        #expect(matcher.matches(fromWord))
        // A Windows event keeps Windows' names, and the rule reads them first.
        let sysmon: JSONObject = [
            "Image": #"C:\Windows\System32\whoami.exe"#, "ParentImage": #"C:\Program Files\Microsoft Office\WINWORD.EXE"#,
            "CommandLine": "whoami /all", "process.executable": "elsewhere.exe",
        ]
        #expect(matcher.matches(sysmon))
        var privileges = fromWord
        privileges["process.command_line"] = "whoami /priv"
        #expect(!matcher.matches(privileges), "the filter, windash: /priv as well as -priv")
        var fromExplorer = fromWord
        fromExplorer["process.parent.executable"] = #"C:\Windows\explorer.exe"#
        #expect(!matcher.matches(fromExplorer))
    }

    @Test func levelsMapToSeverities() {
        for (level, severity) in [("informational", Severity.info), ("low", .low), ("medium", .medium), ("high", .high), ("critical", .critical)] {
            let yaml = Sigma.rule(Sigma.selection("User", "x"), more: "level: \(level)\n")
            #expect(SigmaImport.read(yaml: yaml, path: "l.yml").rules.first?.rule.options.severity == severity)
        }
        let bad = SigmaImport.read(yaml: Sigma.rule(Sigma.selection("User", "x"), more: "level: severe\n"), path: "l.yml")
        #expect(bad.rules.isEmpty)
        #expect(bad.problems.map(\.description).mentions("level 'severe' is not a Sigma level"))
    }

    @Test func namesComeFromNameThenIdThenTitle() {
        let base = Sigma.rule(Sigma.selection("User", "x"), title: "'Admin Logon: From *Outside* (VPN)'")
        #expect(SigmaImport.read(yaml: base, path: "n.yml").rules.first?.name == "admin-logon-from-outside-vpn")
        #expect(SigmaImport.read(yaml: base + "id: 1B2C-33\n", path: "n.yml").rules.first?.name == "1b2c-33")
        #expect(SigmaImport.read(yaml: base + "id: 1B2C-33\nname: admin_logon_outside\n", path: "n.yml").rules.first?.name == "admin-logon-outside")
        #expect(SigmaHeader.slug("  --  ") == nil)
    }

    @Test func twoRulesWithOneNameAreReported() {
        let rule = Sigma.rule(Sigma.selection("User", "x"), title: "Same")
        let result = SigmaImport.read(yaml: rule + "---\n" + rule, path: "d.yml")
        #expect(result.rules.count == 1)
        #expect(result.problems.map(\.description).mentions("its name 'same' is already taken by rule 'Same' in d.yml"))
    }

    @Test func aFileThatIsNotYAMLIsReported() {
        let result = SigmaImport.read(paths: [Sigma.fixture("not_yaml.yml")])
        #expect(result.rules.isEmpty)
        #expect(result.problems.count == 1)
        let problem = result.problems.first?.description ?? ""
        #expect(problem.hasSuffix("not_yaml.yml: document 1: 2:5: not valid YAML: mapping values are not allowed in this context")
            || problem.contains("not_yaml.yml: document 1: 2:"), "\(problem)")
        #expect(problem.contains("not valid YAML"))

        let prose = SigmaImport.read(yaml: "Just a note about rules.\n", path: "note.yml")
        #expect(prose.problems.map(\.description) == [
            "note.yml: document 1: 1:1: is not a Sigma rule: it is a single value, where a rule is a map of title, logsource and detection (or correlation)",
        ])

        let binary = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-binary-\(UUID().uuidString).yml")
        FileManager.default.createFile(atPath: binary.path, contents: Data([0xFF, 0xFE, 0x00, 0x81, 0xC3]))
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect(SigmaImport.read(paths: [binary.path]).problems.map(\.description) == [
            "\(binary.path): is not UTF-8 text; a Sigma rule is a YAML text file",
        ])
        // A file far larger than any rule is refused, not read whole.
        let huge = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-huge-\(UUID().uuidString).yml")
        FileManager.default.createFile(atPath: huge.path, contents: Data("title: x\n".utf8))
        defer { try? FileManager.default.removeItem(at: huge) }
        #expect(truncate(huge.path, off_t(SigmaFileReader.largestFile + 1)) == 0)
        #expect(SigmaImport.read(paths: [huge.path]).problems.map(\.description) == [
            "\(huge.path): is larger than 4 MiB; a Sigma rule file is a few KiB, so it is not read",
        ])
        #expect(SigmaImport.read(paths: ["/nonexistent/rules"]).problems.map(\.description) == [
            "/nonexistent/rules: no such file or directory",
        ])
    }

    /// A folder's files are read on several threads at once; what the import says must be
    /// what reading them one at a time in name order says: the same rules and problems in the
    /// same order, and a name two files claim kept by the file first in name order.
    @Test func aFolderReadOnEveryCoreGivesWhatReadingItsFilesInOrderGives() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigma-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for n in 0..<60 {
            let name = n % 7 == 3 ? "shared-name" : "rule-\(n)"
            let text: String
            switch n % 10 {
            case 4: text = "title: Broken \(n)\n  bad: [indent\n"
            case 8: text = "title: Unmapped \(n)\nname: \(name)\nlogsource: {product: zos}\ndetection: {sel: {a: b}, condition: sel}\n"
            default:
                text = "title: Rule \(n)\nname: \(name)\nlogsource: {product: windows, category: process_creation}\n"
                    + "detection: {sel: {Image|endswith: '\\\\tool\(n).exe'}, condition: sel}\n"
            }
            let file = dir.appendingPathComponent(n % 3 == 0 ? "nested/r\(1000 + n).yml" : "r\(1000 + n).yml").path
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let folder = SigmaImport.read(paths: [dir.path])
        let oneByOne = SigmaImport.read(paths: files.sorted())
        #expect(folder.rules.count == 42 && folder.problems.count == 19, "\(folder.rules.count) rules, \(folder.problems)")
        #expect(folder.rules.map { "\($0.name) \($0.path)" } == oneByOne.rules.map { "\($0.name) \($0.path)" })
        #expect(folder.problems.map(\.description) == oneByOne.problems.map(\.description))
        #expect(folder.problems.contains { $0.description.contains("'shared-name' is already taken") })
    }

    @Test func aBrokenDocumentDoesNotHideTheOthers() {
        let good = Sigma.rule(Sigma.selection("User", "x"), title: "Good")
        let result = SigmaImport.read(yaml: good + "---\ntitle: [unclosed\n---\n" + good.replacingOccurrences(of: "Good", with: "Also Good"), path: "m.yml")
        #expect(result.rules.map(\.title) == ["Good", "Also Good"])
        #expect(result.problems.count == 1)
        #expect(result.problems.map(\.description).mentions("m.yml: document 2: ", "not valid YAML"))
    }

    /// A file written on Windows (CRLF line ends) splits at its `---` lines as any other does.
    @Test func aCRLFFileSplitsIntoItsDocuments() {
        let good = Sigma.rule(Sigma.selection("User", "x"), title: "Good")
        let text = (good + "---\ntitle: [unclosed\n---\n" + good.replacingOccurrences(of: "Good", with: "Also Good"))
            .replacingOccurrences(of: "\n", with: "\r\n")
        let result = SigmaImport.read(yaml: text, path: "crlf.yml")
        #expect(result.rules.map(\.title) == ["Good", "Also Good"])
        #expect(result.problems.map(\.description).mentions("crlf.yml: document 2: ", "not valid YAML"))
    }

    @Test func aLogsourceWithNoKindsIsReported() {
        let result = SigmaImport.read(
            yaml: Sigma.rule(Sigma.selection("EventID", "4624"), title: "Logon", logsource: "product: zos\nservice: racf"),
            path: "w.yml")
        #expect(result.rules.isEmpty)
        #expect(result.problems.map(\.description) == [
            "w.yml: rule 'Logon': 3:5: logsource (product zos, service racf) maps to no signal kind; map it under 'logsources:' in a Sigma mapping file",
        ])
        let none = SigmaImport.read(yaml: "title: Nowhere\ndetection:\n    sel:\n        User: x\n    condition: sel\n", path: "n.yml")
        #expect(none.problems.map(\.description).mentions("has no logsource"))
    }

    @Test func logsourcesMapToKinds() {
        let m = SigmaFieldMapping.builtIn
        #expect(m.kinds(product: "okta", service: "okta", category: nil) == SigmaCorrelationTests.okta)
        #expect(m.kinds(product: "duo", service: nil, category: nil) == SigmaCorrelationTests.duo)
        #expect(m.kinds(product: "aws", service: "cloudtrail", category: nil) == ["aws.cloudtrail", "aws.cloudtrail.console_login"])
        #expect(m.kinds(product: nil, service: nil, category: "ids") == ["suricata.alert"])
        #expect(m.kinds(product: "suricata", service: nil, category: "network_connection") == ["suricata.event"])
        #expect(m.kinds(product: "carbonblack", service: nil, category: "process_creation") == ["cbc.alert"])
        #expect(m.kinds(product: "Windows", service: nil, category: "process_creation") == ["windows.process_creation", "cbc.alert"])
        #expect(m.kinds(product: "linux", service: nil, category: "process_creation") == ["cbc.alert", "falco.alert", "wazuh.alert", "linux.process_creation"])
        #expect(m.kinds(product: "aws", service: nil, category: nil) == [])
        #expect(m.kinds(product: "windows", service: "security", category: nil) == ["windows.event", "windows.process_creation"])
        #expect(m.logsource(product: "windows", service: "security", category: nil).condition == .test(field: "Channel", .equals(.text("Security"))))
        #expect(m.kinds(product: "windows", service: nil, category: "registry_event").count == 4)
        #expect(m.kinds(product: "zos", service: "racf", category: nil) == [])
    }

    @Test func theFixtureDirectoryImportsRecursivelyWithNothingLeftOut() {
        let result = SigmaImport.read(paths: [Sigma.fixture("rules")])
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.rules.count == 7)
        #expect(Set(result.rules.map(\.path).map { ($0 as NSString).lastPathComponent }) == [
            "proc_creation_lnx_base64_download.yml", "proc_creation_win_whoami.yml", "okta_chain.yml", "okta_sprayed_users.yml",
        ])

        // Every document of the unsupported fixture is either imported or reported.
        let unsupported = SigmaImport.read(paths: [Sigma.fixture("unsupported.yml")])
        #expect(unsupported.rules.map(\.title) == ["At Most Three Logins", "Okta Login"])
        #expect(unsupported.rules.last?.enabled == false)
        let problems = unsupported.problems.map(\.description)
        #expect(problems.count == 5, "\(problems)")
        #expect(problems.mentions("rule 'Deprecated Aggregation'", "is deprecated Sigma; write it as a correlation rule"))
        #expect(problems.mentions("rule 'Mainframe Logon'", "maps to no signal kind"))
        #expect(problems.mentions("rule 'Misspelt Modifier'", "unknown modifier 'contans'", "did you mean 'contains'"))
        #expect(problems.mentions("rule 'Night Logins'", "'hour' compares a part of a date"))
        #expect(problems.mentions("rule 'Rare Process Per Host'", "'value_percentile' is not imported", "does not say what its condition compares"))
        #expect(problems.allSatisfy { $0.hasPrefix(Sigma.fixture("unsupported.yml") + ": rule '") })
    }

    @Test func ruleCollectionsExpandGlobalAndRepeat() throws {
        let yaml = """
            action: global
            title: Okta Admin Activity
            logsource:
                product: okta
            detection:
                condition: selection
            level: medium
            ---
            id: admin-role-granted
            detection:
                selection:
                    eventtype: user.account.privilege.grant
            ---
            action: repeat
            id: admin-app-assigned
            detection:
                selection:
                    eventtype: application.user_membership.add
            """
        let result = SigmaImport.read(yaml: yaml, path: "c.yml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.rules.map(\.name) == ["admin-role-granted", "admin-app-assigned"])
        let second = try #require(result.rules.last)
        // `eventtype` is read from the event's own field when it has one, else as event.action.
        let test = Test.equals(.text("application.user_membership.add"))
        #expect(second.rule.clauses.first?.filter == .any([
            .all([.test(field: "eventtype", .present), .test(field: "eventtype", test)]),
            .all([.test(field: "eventtype", .absent), .test(field: "event.action", test)]),
        ]))
        #expect(second.rule.options.severity == .medium)
        #expect(SigmaImport.read(yaml: second.text, path: "again.yml").rules.last?.rule == second.rule, "the stored text imports to the same rule")
    }

    @Test func sigmaFiltersNarrowTheRulesTheyName() throws {
        let yaml = Sigma.rule(Sigma.selection("User|startswith", "adm"), title: "Admin Logon", more: "id: admin-logon\n") + """
            ---
            title: Not The Jump Host
            logsource:
                product: okta
            filter:
                rules:
                    - admin-logon
                selection:
                    SourceIp: 10.0.0.5
                condition: not selection
            """
        let result = SigmaImport.read(yaml: yaml, path: "f.yml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.rules.map(\.name) == ["admin-logon"])
        let matcher = try #require(Sigma.matcher(result.rules.first?.rule.clauses.first?.filter))
        #expect(matcher.matches(["user.name": "admin1", "source.ip": "10.0.0.9"]))
        #expect(!matcher.matches(["user.name": "admin1", "source.ip": "10.0.0.5"]))

        let stray = SigmaImport.read(yaml: "title: Stray\nfilter:\n    rules: [nothing]\n    sel:\n        User: x\n    condition: not sel\n", path: "s.yml")
        #expect(stray.problems.map(\.description).mentions("rule 'Stray'", "applies to 'nothing', which no rule in this import names"))
    }

    @Test func aDocumentThatIsNoKindOfRuleIsReported() {
        let result = SigmaImport.read(yaml: "title: Just Metadata\nauthor: someone\n", path: "x.yml")
        #expect(result.problems.map(\.description) == [
            "x.yml: rule 'Just Metadata': 1:1: is not a Sigma rule: it has no detection, correlation or filter section",
        ])
    }

    // MARK: mapping files

    @Test func theBuiltInMappingParses() throws {
        var keys: [[String?]: String] = [:]
        for section in SigmaBuiltInMapping.sections {
            let parsed = try SigmaFieldMapping.parse(yaml: section.yaml, path: "built-in \(section.name)")
            for entry in parsed.logsources {
                #expect(keys[entry.key] == nil, "\(entry.key) is in sections \(keys[entry.key] ?? "") and \(section.name): list a logsource once")
                keys[entry.key] = section.name
            }
        }
        #expect(!SigmaFieldMapping.builtIn.fields.isEmpty && !SigmaFieldMapping.builtIn.logsources.isEmpty)
        #expect(SigmaFieldMapping.builtIn.keywordFields.isEmpty, "keywords search every text field")
    }

    @Test func aUserMappingIsMergedOverTheBuiltInOne() throws {
        let mapping = try SigmaFieldMapping.load(yaml: """
            fields:
              TargetUserName: winlog.event_data.TargetUserName
            logsources:
              - product: windows
                service: security
                kinds: [Wazuh alert]
            """, path: "mine.yml")
        #expect(mapping.field("TargetUserName") == "winlog.event_data.TargetUserName")
        #expect(mapping.field("User") == "user.name", "built-in fields stay")
        #expect(mapping.kinds(product: "windows", service: "security", category: nil) == ["wazuh.alert"])
        let result = SigmaImport.read(
            yaml: Sigma.rule(Sigma.selection("EventID", "4624"), logsource: "product: windows\nservice: security"), path: "w.yml",
            mapping: mapping)
        #expect(result.problems.isEmpty)
        #expect(result.rules.first?.rule.clauses.first?.kinds == ["wazuh.alert"])
    }

    /// A logsource entry's `where:` is what its signals must hold besides their kind, the way
    /// pySigma's pipelines add `Channel: Security` to a `service: security` rule.
    @Test func aLogsourceConditionJoinsTheRulesFilter() throws {
        let mapping = try SigmaFieldMapping.load(yaml: """
            logsources:
              - product: windows
                service: security
                kinds: [wazuh.alert]
                where: {Channel: [Security, security-log]}
            """, path: "mine.yml")
        let result = SigmaImport.read(
            yaml: Sigma.rule(Sigma.selection("EventID", "4624"), logsource: "product: windows\nservice: security"), path: "w.yml",
            mapping: mapping)
        let filter = try #require(result.rules.first?.rule.clauses.first?.filter)
        let matcher = try Matcher(filter)
        #expect(matcher.matches(["Channel": .string("Security"), "EventID": .int(4624)]))
        #expect(!matcher.matches(["Channel": .string("System"), "EventID": .int(4624)]))
        #expect(!matcher.matches(["EventID": .int(4624)]))
        #expect(throws: RuleError.self) {
            try SigmaFieldMapping.load(yaml: "logsources:\n  - product: x\n    kinds: [cbc.alert]\n    where: {Channel: []}\n", path: "m.yml")
        }
    }

    @Test func aBadMappingFileSaysWhereAndSuggests() {
        do {
            _ = try SigmaFieldMapping.load(yaml: "logsources:\n  - product: okta\n    kinds: [okta.sso.logon]\n", path: "mine.yml")
            Issue.record("an unknown kind should be refused")
        } catch {
            #expect(error.message == "mine.yml: no signal kind 'okta.sso.logon'")
            #expect(error.line == 3 && error.column == 12)
            #expect(error.suggestions.first == "okta.sso.login")
        }
        #expect(throws: RuleError.self) { try SigmaFieldMapping.load(yaml: "fieldz: {}\n", path: "mine.yml") }
        #expect(throws: RuleError.self) { try SigmaFieldMapping.load(yaml: "logsources:\n  - kinds: [cbc.alert]\n", path: "mine.yml") }
        #expect(throws: RuleError.self) { try SigmaFieldMapping.load(yaml: "fields: [a, b\n", path: "mine.yml") }
    }
}

@Suite struct SigmaHostileInputTests {
    @Test func hostileInputIsReportedNotCrashedOn() {
        let deepNot = Sigma.rule("sel:\n    User: x\ncondition: " + String(repeating: "not ", count: 5_000) + "sel")
        #expect(Sigma.filter(deepNot).problems.mentions("nests too deep"))
        let deepParens = Sigma.rule("sel:\n    User: x\ncondition: " + String(repeating: "(", count: 5_000) + "sel")
        #expect(Sigma.filter(deepParens).problems.mentions("nests too deep"))
        let deepYAML = "title: Deep\ndetection: " + String(repeating: "[", count: 5_000) + "\n"
        #expect(!SigmaImport.read(yaml: deepYAML, path: "deep.yml").problems.isEmpty)
        let dashes = Sigma.rule(Sigma.selection("CommandLine|windash|contains", "'" + String(repeating: " -a", count: 500) + "'"))
        #expect(Sigma.filter(dashes).problems.mentions("has 500 flags, which make over 390625 variants"))
        for garbage in ["", "---\n---\n", ":", "- - -", "{", "title: x\ncorrelation: 5\n", "title: x\ndetection: {condition: 5}\nlogsource: {product: okta}\n",
                        "title: x\nlogsource: [okta]\ndetection: {sel: {User: x}, condition: sel}\n", "\u{0}\u{1}binary"] {
            let result = SigmaImport.read(yaml: garbage, path: "g.yml")
            #expect(result.rules.isEmpty)
            #expect(!result.problems.isEmpty, "\(garbage.debugDescription) should be reported")
        }
    }
}
