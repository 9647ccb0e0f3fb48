import ArgumentParser
import Console
import Credentials
import Engine
import Foundation
import Model
import Positron
import Store  // works on the database file itself (embedded, setup, bench)

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Ask Positron: one question to every data source that can answer it.",
        discussion: """
            taser query IP_TO_HOSTNAME 10.1.2.3 sends the question to every plugin that answers it, at once, each with its own timeout, and shows the merged answers with the plugins that gave them (a failing plugin is listed, not fatal). Plugins, extra queries and who may ask what are in ~/.config/taser/positron.yaml (--positron); secrets in the secrets file (--secrets) or the environment. Every query is audited.

              taser query list
              taser query USER_MANAGER jdoe --json
              taser query audit            (the database owner)
            """,
        subcommands: [Ask.self, List.self, Audit.self],
        defaultSubcommand: Ask.self)

    struct Source: ParsableArguments {
        @Option(help: ArgumentHelp("The Positron config (default: ~/.config/taser/positron.yaml).", valueName: "file")) var positron: String?
        @OptionGroup var secretsFile: SecretsFile
        var secrets: String? { secretsFile.secrets }

        func load() throws -> PositronConfig { try Source.load(positron: positron, secrets: secrets) }

        /// The config file in use: the named one, else the default when it exists.
        var path: String? {
            let file = positron ?? configDirectory() + "/positron.yaml"
            return positron != nil || FileManager.default.fileExists(atPath: file) ? file : nil
        }

        /// The named files, or the defaults in ~/.config/taser when they exist (no positron.yaml:
        /// the built-in catalog, no plugins).
        static func load(positron: String?, secrets: String?) throws -> PositronConfig {
            let dir = configDirectory()
            let store = try SecretsFile.load(secrets)
            let path = positron ?? dir + "/positron.yaml"
            guard positron != nil || FileManager.default.fileExists(atPath: path) else { return PositronConfig.empty() }
            do { return try PositronConfig.load(path: path, secrets: store) } catch { throw CLIError(error.description) }
        }

        /// For the console: a config that cannot be read (not YAML, a missing secret, a secrets
        /// file others can read) is a problem to show, not a reason to stay closed; taser's own
        /// signals still answer.
        /// What `ask` and `enrich` pass: embedded, this config with taser's own signals;
        /// through the daemon, nothing of the analyst's, since the daemon asks with its own
        /// config (the team's plugins and secrets), and a config named here would go unused.
        func config(for api: any TaserAPI) throws -> PositronConfig {
            if let engine = api as? Engine { return try load().withTaser(engine.store) }
            if positron != nil { throw CLIError("--positron names your own Positron config; through the daemon, Positron asks with the daemon's") }
            return .empty()
        }

        /// Through the daemon, the daemon asks Positron with its own config: the console gets
        /// the daemon's queries for its prompt, and no plugins of its own.
        func forConsole(_ api: any TaserAPI) throws -> ConsolePositron {
            if let engine = api as? Engine { return forConsole(engine.store) }
            guard let remote = api as? RemoteEngine else { return ConsolePositron() }
            let config = PositronConfig.catalogOnly(QueryCatalog(try remote.positronQueries()))
            return ConsolePositron(config: config, historyFile: ConsolePositron.historyFile(environment: ProcessInfo.processInfo.environment))
        }

        func forConsole(_ store: Store) -> ConsolePositron {
            let history = ConsolePositron.historyFile(environment: ProcessInfo.processInfo.environment)
            do {
                return ConsolePositron(config: try load().withTaser(store), historyFile: history)
            } catch {
                return ConsolePositron(config: PositronConfig.empty().withTaser(store), problem: (error as? CLIError)?.message ?? "\(error)", historyFile: history)
            }
        }
    }

    struct Ask: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ask", abstract: "Ask one query (the default: taser query NAME VALUE).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: Source
        @Argument(help: "The query, as `taser query list` names it (IP_TO_HOSTNAME).") var name: String
        @Argument(help: "What to ask about (10.1.2.3, jdoe, example.com).") var value: String
        @Flag(help: "Print the result as one JSON object.") var json = false

        func run() throws {
            let api = try global.api()
            let config = try source.config(for: api)
            let result: QueryResult
            do { result = try api.ask(name, value, with: config) } catch let e as PositronError { throw CLIError(e.description) }
            if json { return Output.jsonLines([result.json]) }
            if result.answers.isEmpty {
                Output.line("no answers to \(result.query.name) \(result.value)")
            } else {
                let columns = result.query.output
                Output.table(columns.map { $0.uppercased() } + ["FROM"], result.answers.map { a in
                    columns.map { a.fields[$0] ?? "-" } + [a.plugins.joined(separator: ", ")]
                })
            }
            for o in result.outcomes {
                switch o.result {
                case .answered: break
                case .failed(let why): Output.note("  \(o.plugin) failed: \(why)")
                case .timedOut: Output.note("  \(o.plugin) gave no answer within \(o.seconds) s")
                }
            }
            if result.outcomes.isEmpty { Output.note("no plugin answers \(result.query.name); add one in positron.yaml") }
            if result.cached { Output.note("(from the cache)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The queries, what they take and which plugins answer them.")
        @OptionGroup var source: Source

        func run() throws {
            let config = try source.load()
            let router = config.router
            Output.table(["QUERY", "TAKES", "ANSWERS", "PLUGINS", "WHAT"], router.catalog.names.compactMap { router.catalog.query($0) }.map { q in
                [q.name, q.input.rawValue, q.output.joined(separator: ", "),
                 router.plugins.filter { $0.answers(q.name) }.map(\.name).joined(separator: ", ").ifEmpty("-"), q.description]
            })
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Who asked what, when, and what came back (the database owner only).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "At most this many, newest first.", transform: count(1...10_000_000)) var limit = 50

        func run() throws {
            let entries = try global.api(create: false).queryAudit(limit: limit)
            Output.table(["WHEN", "WHO", "QUERY", "INPUT", "ALLOWED", "ANSWERS", "PLUGINS"], entries.map {
                [Output.when($0.time), $0.analyst, $0.query, $0.input, $0.allowed ? "yes" : "NO", String($0.answers), $0.plugins]
            })
        }
    }
}

extension String {
    fileprivate func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
