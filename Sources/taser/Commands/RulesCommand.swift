import ArgumentParser
import Engine
import Foundation
import Model
import SignalServer

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Correlation rules: write, check, version, enable and import them.",
        discussion: """
            A rule names signal kinds the way you say them, a window and what the signals share:

              [ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON
              [ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON
              [ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON

            Also: (2 failed Duo pushes WHERE factor = "push"), comparisons (= != < <= > >=), IN ("a", "b"), IN "10.0.0.0/8", CONTAINS, STARTSWITH, ENDSWITH, MATCHES "regex", EXISTS, AND/OR/NOT; (3 DISTINCT dst_port OF IDS alerts); THEN instead of + for order; and after the rule TITLE "..." SEVERITY high TEAM soc TAGS a, b SUPPRESS FOR 12 hours CASED (group-by and DISTINCT values keep their case; by default HOST4 and host4 are one value).

            Try a rule on stored signals before you enable it: `taser simulate "RULE"`. Every edit is a new version; `taser rules history NAME` shows who changed what.
            """,
        subcommands: [Add.self, List.self, Show.self, Edit.self, Enable.self, Disable.self, History.self, Check.self, Import.self])

    /// Rule text from the argument, `--file`, or `-` for standard input.
    static func text(_ argument: String?, file: String?) throws -> String? {
        if let file {
            do { return try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw CLIError("cannot read the rule file \(file): \(error.localizedDescription)")
            }
        }
        if argument == "-" {
            // A rule is at most 64 KiB (the parser says so); a little more is read so it can say it.
            return try readStandardInput(limit: 1 << 20, what: "a rule")
        }
        return argument
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a new rule (disabled until you enable it).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name: lowercase, digits and - _ . (repeated-carbonblack-alerts).") var name: String
        @Argument(help: "The rule text (quote it), or - to read it from standard input.") var text: String?
        @Option(help: "Read the rule text from this file.") var file: String?
        @Flag(help: "Enable it for live evaluation right away.") var enable = false

        func run() throws {
            guard let text = try RulesCommand.text(text, file: file) else { throw CLIError("give the rule text, --file FILE, or - for standard input") }
            let rule = try global.api().addRule(name: name, text: text, enable: enable)
            Output.line("Saved rule \(rule.name) version \(rule.version)\(rule.enabled ? ", enabled" : "; enable it with `taser rules enable \(rule.name)`")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON Lines: one rule per line.") var json = false

        func run() throws {
            let rules = try global.api(create: false).rules()
            if json { return Output.jsonLines(rules.map(\.json)) }
            guard !rules.isEmpty else { return Output.note("no rules yet; add one with `taser rules add NAME \"RULE\"`") }
            Output.table(
                ["NAME", "ON", "VERSION", "LANGUAGE", "CHANGED", "BY", "RULE"],
                rules.map { [$0.name, $0.enabled ? "yes" : "no", String($0.version), $0.language, Output.when($0.updatedAt), $0.updatedBy,
                             String($0.text.split(separator: "\n").first ?? "").prefix(70).description] })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a rule's text and compiled form (or an older version).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name.") var name: String
        @Option(help: "This version instead of the current one.", transform: count(1...Int(Int32.max))) var version: Int?
        @Flag(help: "Print it as one JSON object.") var json = false

        func run() throws {
            let engine = try global.api(create: false)
            let rule = try engine.rule(named: name)
            let versions = try engine.ruleVersions(name: name)
            guard let v = versions.first(where: { $0.version == (version ?? rule.version) }) else {
                throw CLIError("rule \(name) has no version \(version ?? 0); it has 1 to \(rule.version)")
            }
            let compiled = try engine.compiledRule(named: name, version: v.version)
            if json {
                var o = rule.jsonObject
                o["version"] = .int(Int64(v.version))
                o["text"] = .string(v.text)
                o["late_signals"] = .int(Int64(try engine.lateSignals(rule: name)))
                return Output.jsonLines([.object(o)])
            }
            Output.line("Rule \(rule.name), version \(v.version) of \(rule.version) (\(rule.language)), \(rule.enabled ? "enabled" : "disabled")")
            Output.line("  saved \(Output.when(v.createdAt)) by \(v.createdBy)")
            Output.line("")
            for line in v.text.split(separator: "\n", omittingEmptySubsequences: false) { Output.line("  " + line) }
            Output.line("")
            Output.line("  window \(Span(ms: compiled.window).text), alerts stay open \(Span(ms: compiled.suppression).text), group by \(compiled.groupBy.isEmpty ? "nothing" : compiled.groupBy.joined(separator: ", "))")
            for n in compiled.clauses.indices {
                Output.line("  clause \(n + 1): \(RuleSummary.clause(n, of: compiled))")
            }
            for note in RuleSummary.notes(compiled) { Output.line("  \(note)") }
            let late = try engine.lateSignals(rule: name)
            if late > 0 { Output.line("  \(late) signals came too late for live evaluation; `taser simulate --rule \(name)` covers them") }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a new version of a rule.",
            discussion: "With no text and no --file, opens the current text in $EDITOR (vi if unset).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name.") var name: String
        @Argument(help: "The new rule text, or - to read it from standard input.") var text: String?
        @Option(help: "Read the new text from this file.") var file: String?

        func run() throws {
            let engine = try global.api()
            let current = try engine.rule(named: name)
            let newText = try RulesCommand.text(text, file: file) ?? (try editInEditor(current.text))
            let saved = try engine.editRule(name: name, text: newText)
            Output.line(saved.version == current.version ? "Rule \(name) unchanged (version \(saved.version))" : "Saved rule \(name) version \(saved.version)")
        }

        func editInEditor(_ text: String) throws -> String {
            let path = NSTemporaryDirectory() + "taser-rule-\(getpid()).txt"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let editor = ProcessInfo.processInfo.environment["EDITOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "vi"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "\(editor) \"$1\"", "editor", path]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CLIError("the editor (\(editor)) exited with \(process.terminationStatus); nothing saved") }
            return try String(contentsOfFile: path, encoding: .utf8)
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run a rule live on every ingest from now on.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name.") var name: String

        func run() throws {
            let rule = try global.api().setRuleEnabled(name: name, true)
            Output.line("Rule \(rule.name) is enabled (version \(rule.version))")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop running a rule live; its alerts stay.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name.") var name: String

        func run() throws {
            let rule = try global.api().setRuleEnabled(name: name, false)
            Output.line("Rule \(rule.name) is disabled")
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who created, edited, enabled and disabled a rule, and when.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule's name.") var name: String
        @Flag(help: "Also print each version's text.") var text = false

        func run() throws {
            let engine = try global.api(create: false)
            let versions = Dictionary(uniqueKeysWithValues: try engine.ruleVersions(name: name).map { ($0.version, $0) })
            for change in try engine.ruleHistory(name: name) {
                Output.line("\(Output.when(change.time))  \(change.author)  \(change.change) (version \(change.version))")
                if text, change.change == "created" || change.change == "edited", let v = versions[change.version] {
                    for line in v.text.split(separator: "\n") { Output.line("    " + line) }
                }
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check rule text without saving it: where it is wrong, or what it means.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The rule text, or - to read it from standard input.") var text: String?
        @Option(help: "Read the rule text from this file.") var file: String?

        func run() throws {
            guard let text = try RulesCommand.text(text, file: file) else { throw CLIError("give the rule text, --file FILE, or - for standard input") }
            let rule = try global.api(create: false).checkRule(text)
            Output.line("OK: \(rule.clauses.count) clause\(rule.clauses.count == 1 ? "" : "s")\(rule.ordered ? " in order" : ""), window \(Span(ms: rule.window).text), group by \(rule.groupBy.isEmpty ? "nothing" : rule.groupBy.joined(separator: ", "))")
            for (n, c) in rule.clauses.enumerated() {
                Output.line("  \(n + 1). \(c.text)  ->  \(c.kinds.joined(separator: ", "))")
            }
        }
    }
}

extension StoredRule {
    var json: JSONValue { .object(jsonObject) }

    var jsonObject: JSONObject {
        JSONObject([
            "id": .int(id), "name": .string(name), "version": .int(Int64(version)), "language": .string(language),
            "enabled": .bool(enabled), "text": .string(text), "updated_at": .string(updatedAt.iso8601), "updated_by": .string(updatedBy),
        ])
    }
}
