import ArgumentParser
import Console
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Your console settings: keys.yaml and theme.yaml in $XDG_CONFIG_HOME/taser.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check keys.yaml and theme.yaml: unknown actions, roles and colours, keys that clash.",
            discussion: """
                Prints each problem as file:line: problem and exits 1 when there is any. A missing file is fine: the built-in keys and theme apply.
                """)

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let problems = Keymap.forUser(environment: environment).1 + Theme.forUser(environment: environment).1
            guard problems.isEmpty else {
                for p in problems { Output.line(p.description) }
                throw CLIError("\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(ConfigFiles.directory(environment: environment)); the console opens anyway, with the built-in keys and colours where yours do not work")
            }
            Output.line("keys.yaml and theme.yaml are fine")
        }
    }
}
