import ArgumentParser
import Engine
import Foundation
import SignalServer

extension RulesCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import Sigma detection and correlation rules.",
            discussion: """
                Reads Sigma files and directories (their .yml and .yaml files, recursively). Each rule is saved under its Sigma name, id or title; importing it again saves a new version only when it changed. Sigma field names become taser's through a field mapping (--mapping adds to the built-in one: `fields: {TargetUserName: user.name}`, `logsources: [{product: okta, kinds: [okta.sso.login]}]`).

                Whatever cannot be expressed is listed with the file, the rule and the reason, and the command exits non-zero; the rules that could be read are saved. New rules are disabled until you enable them (--enable turns on those Sigma says should alert).
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Sigma files or directories.") var paths: [String]
        @Option(help: "A YAML field mapping to merge over the built-in one.") var mapping: String?
        @Flag(help: "Enable the imported rules that Sigma says should alert.") var enable = false
        @Flag(help: "Only report what would be imported; save nothing.") var dryRun = false

        func run() throws {
            for path in paths where !FileManager.default.fileExists(atPath: path) {
                throw CLIError("no file or directory \(path)")
            }
            var fieldMapping = SigmaFieldMapping.builtIn
            if let mapping {
                let text: String
                do { text = try String(contentsOfFile: mapping, encoding: .utf8) } catch {
                    throw CLIError("cannot read the field mapping \(mapping): \(error.localizedDescription)")
                }
                // Logsources may name the kinds ingest mapping files define, as rules and searches do.
                fieldMapping = try SigmaFieldMapping.load(yaml: text, path: mapping, kinds: mappingKinds())
            }
            let result = SigmaImport.read(paths: paths, mapping: fieldMapping)
            let engine = try global.api()
            var saved = 0, unchanged = 0
            for rule in result.rules {
                if dryRun {
                    Output.line("would import \(rule.name): \(rule.title) (\(rule.path))")
                    continue
                }
                let (stored, changed) = try engine.saveImportedRule(name: rule.name, language: "sigma", text: rule.text, rule: rule.rule)
                if changed { saved += 1 } else { unchanged += 1 }
                if enable && rule.enabled && !stored.enabled { _ = try engine.setRuleEnabled(name: rule.name, true) }
                Output.line("\(changed ? "saved" : "unchanged") \(stored.name) version \(stored.version): \(rule.title)")
            }
            for problem in result.problems { Output.error("not imported: \(problem)") }
            Output.note("\(result.rules.count) rules read (\(saved) saved, \(unchanged) unchanged), \(result.problems.count) not imported")
            if !result.problems.isEmpty { throw ExitCode(1) }
        }
    }
}
