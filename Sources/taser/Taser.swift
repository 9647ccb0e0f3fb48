import AlertEngine
import ArgumentParser
import Console
import Engine
import Foundation
import SignalServer

/// The `taser` command tree. Each command is a thin call into Engine.
struct Taser: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taser",
        abstract: "Triage & Automated Security Event Response: alerts, cases and pivots on one SQLite file.",
        discussion: """
            With no subcommand, taser opens the console on the database: the alert queue, cases, pivots, the rule editor with its simulator and the Positron prompt (--positron, --secrets as for `taser query`; ? in the console lists the keys). When stdin or stdout is not a terminal it prints the case list instead.

            The database is --db, else $TASER_DB, else $XDG_DATA_HOME/taser/taser.db (~/.local/share/taser/taser.db). You are your OS login; the database file's owner is the admin and may act as another analyst with --as.

            Team mode: one daemon owns the database and analysts reach it through its socket, as who the kernel says they are: --server SOCKET, else $TASER_SERVER, else server: in ~/.config/taser/taser.yaml. The console and every command that reads or changes data work the same through it. An admin sets it up with `sudo taser setup team` (see its --help).

            Start with sample data:
              taser demo --db /tmp/demo.db
              taser --db /tmp/demo.db case list
              taser --db /tmp/demo.db case show 1
            """,
        subcommands: [
            IngestCommand.self, HuntCommand.self, SignalsCommand.self, SignalCommand.self, ArtifactsCommand.self, QuarantineCommand.self,
            RulesCommand.self, SimulateCommand.self, QueryCommand.self, EnrichCommand.self, AutomationCommand.self, SyncCommand.self, CaseCommand.self, AlertCommand.self, PivotCommand.self, ExportCommand.self, VerifyCommand.self,
            DemoCommand.self, InitCommand.self, TeamCommand.self, AnalystCommand.self, IdentitiesCommand.self, WhoAmICommand.self,
            BenchCommand.self, KeysCommand.self, ConfigCommand.self, ConsoleDemoCommand.self, ServeCommand.self, SetupCommand.self,
        ])

    @OptionGroup var global: GlobalOptions
    /// The console's Positron prompt asks through the same config as `taser query`.
    @OptionGroup var positron: QueryCommand.Source

    func run() throws {
        let api = try global.api(create: false)
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            // Scripts and pipes get the cases as text, as before the console existed.
            try CaseCommand.List.show(try api.cases(), json: false)
            return Output.note("(not a terminal: the console needs one; see `taser --help` for the commands)")
        }
        try ConsoleLauncher.run(engine: api, positron: try positron.forConsole(api))
    }
}

@main
enum Entry {
    static func main() {
        var command: any ParsableCommand
        do {
            command = try Taser.parseAsRoot()
        } catch {
            // --help and --version end here cleanly; a mistake on the command line is one line
            // (what is wrong, with which option) and the usual usage exit code, not a screen of usage.
            let code = Taser.exitCode(for: error)
            guard code != .success else { Taser.exit(withError: error) }
            let message = Taser.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            fail(message + " (see --help)", code: code.rawValue)
        }
        do {
            try command.run()
        } catch let error as EngineError {
            fail(error.description)
        } catch let error as StoreError {
            fail(error.description)
        } catch let error as IngestError {
            fail(error.description)
        } catch let error as MappingFormat.Invalid {
            fail(error.description)
        } catch let error as RuleError {
            fail(error.description + (error.excerpt.map { "\n" + $0 } ?? ""))
        } catch let error as TerminalError {
            fail(error.description)
        } catch let error as CLIError {
            fail(error.message, code: error.code)
        } catch let error as TeamFailure {
            fail(error.message, code: error.exitCode)
        } catch let error as TeamWire.Problem {
            fail(error.description)
        } catch {
            Taser.exit(withError: error)
        }
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        Output.error(message)
        exit(code)
    }
}
