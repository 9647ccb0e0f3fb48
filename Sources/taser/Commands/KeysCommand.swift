import ArgumentParser
import Console
import Foundation

/// The key reference, made from the same registry and keymap files the console reads, so the
/// documentation cannot drift from the keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "The console's keys: every action by context, with its keys.",
        discussion: """
            Without --keymap it lists your keys: the built-in keymap with $XDG_CONFIG_HOME/taser/keys.yaml (~/.config/taser/keys.yaml) on top. Problems in that file are noted on standard error; `taser config check` explains them.

              taser keys
              taser keys --keymap emacs
              taser keys --markdown > docs/keys.md
            """)

    @Flag(help: "Print Markdown: a table per context (Keys | Action | What it does).") var markdown = false
    @Option(help: ArgumentHelp("A built-in keymap instead of your own keys: default (vim-like) or emacs.", valueName: "name"))
    var keymap: String?

    func run() throws {
        let keys: Keymap
        if let keymap {
            guard Keymap.builtInNames.contains(keymap) else {
                throw CLIError("there is no built-in keymap '\(keymap)'; use one of: \(Keymap.builtInNames.joined(separator: ", "))")
            }
            do { keys = try Keymap.load(named: keymap) } catch { throw CLIError(error.description) }
        } else {
            let (mine, problems) = Keymap.forUser(environment: ProcessInfo.processInfo.environment)
            if !problems.isEmpty {
                Output.note("\(problems.count) problem\(problems.count == 1 ? "" : "s") in your keys (see `taser config check`); listing the keys that work")
            }
            keys = mine
        }
        try Output.write(markdown ? KeysCommand.markdown(keys) : KeysCommand.text(keys), to: nil)
    }

    /// What each context means to the analyst, for headings.
    static let contextTitles = [
        "global": "Everywhere",
        "list": "Any list, inside the queue, cases, an alert, pivots, search results, rules and sync",
        "alerts": "Alerts, wherever they show: the queue, an alert, a pivot's alerts",
        "queue": "The alert queue",
        "alert": "An alert's detail",
        "cases": "The case list",
        "case": "A case",
        "pivot": "Pivot results",
        "search": "Search results (signals)",
        "pager": "The raw-body pager",
        "rules": "Rules",
        "sync": "The Sync pane (the outbox: dead letters and retries)",
        "positron": "The Positron prompt (printable keys are the query being typed)",
        "editor": "Text editing, in notes, the rule editor and prompts",
    ]

    static func byContext() -> [(context: String, actions: [ActionInfo])] {
        var contexts = Registry.contexts
        for a in Registry.actions where !contexts.contains(a.context) { contexts.append(a.context) }
        return contexts.map { c in (c, Registry.actions.filter { $0.context == c }) }.filter { !$0.actions.isEmpty }
    }

    static func markdown(_ keymap: Keymap) -> String {
        var out = "# taser console keys\n\nActions marked **asks first** ask for confirmation. Override keys in `~/.config/taser/keys.yaml`.\n"
        for (context, actions) in byContext() {
            out += "\n## \(contextTitles[context] ?? context): `\(context)`\n\n| Keys | Action | What it does |\n|---|---|---|\n"
            for a in actions {
                let keys = keymap.keys(for: a.name).map { code($0.name) }.joined(separator: ", ")
                let title = cell(a.title) + (a.dangerous ? " **(asks first)**" : "")
                out += "| \(keys.isEmpty ? "(none)" : keys) | `\(a.name)` | \(title) |\n"
            }
        }
        return out
    }

    static func text(_ keymap: Keymap) -> String {
        var out = ""
        for (context, actions) in byContext() {
            out += (out.isEmpty ? "" : "\n") + "\(contextTitles[context] ?? context) [\(context)]\n"
            let rows = actions.map { a in
                [keymap.keys(for: a.name).map(\.name).joined(separator: " "), a.name, a.title + (a.dangerous ? " (asks first)" : "")]
            }
            let width0 = rows.map { $0[0].count }.max() ?? 0, width1 = rows.map { $0[1].count }.max() ?? 0
            for r in rows {
                out += "  " + r[0].padding(toLength: width0, withPad: " ", startingAt: 0) + "  "
                    + r[1].padding(toLength: width1, withPad: " ", startingAt: 0) + "  " + r[2] + "\n"
            }
        }
        return out
    }

    /// A key as Markdown code; a backtick or a pipe in it must not end the span or the cell.
    static func code(_ key: String) -> String {
        let escaped = key.replacingOccurrences(of: "|", with: "\\|")
        return escaped.contains("`") ? "`` \(escaped) ``" : "`\(escaped)`"
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
