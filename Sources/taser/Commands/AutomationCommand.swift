import ArgumentParser
import Automation
import Engine
import Foundation
import Model

struct AutomationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "automation",
        abstract: "Run playbooks: triggers, conditions and steps, with stored timers.",
        discussion: """
            Playbooks are YAML files in ~/.config/taser/playbooks/ (--playbooks DIR). Each handler is a trigger (a new alert matching a filter, a case status change, no Slack reply in time, a Slack reply), conditions, and steps (open_case, update_case, query, enrich, ask_user, ask_manager, assign_oncall, page, log, tag); every step writes to the case log. Cursors, jobs and timers live in the database, so a restart repeats and skips nothing. A playbook reads the alerts that arrive after its first run. The database owner runs automation (it acts on every team's cases).

              taser automation check Playbooks/            validate, name each mistake as file:line:column
              taser automation run --once --positron positron.yaml
              taser automation run --every 15s             until Ctrl-C or SIGTERM
              taser automation list                        playbooks, waiting questions, recent jobs
            """,
        subcommands: [Run.self, List.self, Check.self])

    struct Source: ParsableArguments {
        @Option(help: ArgumentHelp("The playbooks directory (default: ~/.config/taser/playbooks).", valueName: "dir")) var playbooks: String?

        func load() throws -> PlaybookLibrary {
            let dir = playbooks ?? configDirectory() + "/playbooks"
            let (library, problems) = PlaybookLibrary.load(directory: dir, required: playbooks != nil)
            guard problems.isEmpty else { throw CLIError(problems.map(\.description).joined(separator: "\n")) }
            return library
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the playbooks: one pass with --once, else a pass every --every until stopped.",
            discussion: """
                A pass reads new alerts and case log entries (each playbook from its stored cursor), fires overdue questions' timers, and runs pending jobs step by step. A failed step is written to the case log and to the job; the other jobs go on.

                  taser automation run --once --playbooks Playbooks/ --positron ~/.config/taser/positron.yaml
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: Source
        @OptionGroup var positron: QueryCommand.Source
        @Flag(help: "One pass, then exit.") var once = false
        @Option(help: "Time between passes (15s, 1m).") var every = "15s"

        func run() throws {
            try global.requireLocal()
            // Broken playbooks are refused before the database is touched.
            let library = try source.load()
            let config = try positron.load()
            let engine = try global.engine()
            let runner = try AutomationRunner(engine: engine, library: library, positron: config)
            if once {
                let pass = try runner.runDue()
                Output.line(AutomationCommand.describe(pass))
                for e in pass.errors { Output.error(e) }
                if !pass.errors.isEmpty { throw ExitCode(1) }
                return
            }
            let ms = try span(every, "--every", limit: .seconds(86_400)).ms
            Signals.installStopHandlers()
            Output.note("running \(library.playbooks.count) playbook(s) every \(every); Ctrl-C stops")
            runner.run(every: Double(ms) / 1000, keepGoing: { !Signals.stopRequested }) { result in
                switch result {
                case .success(let pass):
                    if pass != AutomationPass() { Output.line(AutomationCommand.describe(pass)) }
                    for e in pass.errors { Output.error(e) }
                case .failure(let error):
                    Output.error("automation pass failed: \(error)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the playbooks, the questions waiting for a reply (timers) and recent jobs.",
            discussion: "  taser automation list --playbooks Playbooks/")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: Source
        @Flag(help: "JSON Lines: playbooks, questions and jobs, one object each.") var json = false

        func run() throws {
            let library = try source.load()
            let engine = try global.api(create: false)
            let waiting = try engine.waitingQuestions()
            let jobs = try engine.automationJobs(status: nil, limit: 20)
            if json {
                return Output.jsonLines(
                    library.playbooks.map { p in
                        .object(["type": "playbook", "name": .string(p.name), "file": .string(p.file),
                                 "handlers": .array(p.handlers.map { .string($0.name + ": " + $0.trigger.text) })])
                    } + waiting.map { a in
                        .object(["type": "question", "id": .int(a.id), "playbook": .string(a.playbook), "case_id": .int(a.caseID),
                                 "role": .string(a.role), "login": .string(a.login), "due": JSONValue(a.dueAt)])
                    } + jobs.map { j in
                        .object(["type": "job", "id": .int(j.id), "playbook": .string(j.playbook), "handler": .string(j.handlerName),
                                 "trigger": .string(j.trigger), "case_id": JSONValue(j.caseID), "status": .string(j.status), "error": JSONValue(j.error)])
                    })
            }
            Output.line("Playbooks (\(library.directory)):")
            if library.playbooks.isEmpty { Output.line("  none") }
            for p in library.playbooks {
                Output.line("  \(p.name)  \(p.file)")
                for h in p.handlers { Output.line("    \(h.name): \(h.trigger.text) → \(h.steps.map(\.action.name).joined(separator: ", "))") }
            }
            Output.line()
            Output.line("Waiting for a reply:")
            if waiting.isEmpty { Output.line("  none") }
            Output.table(waiting.isEmpty ? [] : ["ID", "PLAYBOOK", "CASE", "ASKED", "WHO", "DUE"], waiting.map { a in
                [String(a.id), a.playbook, String(a.caseID), a.role, a.login, a.dueAt.map { $0.local() } ?? "-"]
            })
            Output.line()
            Output.line("Recent jobs:")
            if jobs.isEmpty { Output.line("  none") }
            Output.table(jobs.isEmpty ? [] : ["ID", "PLAYBOOK", "HANDLER", "TRIGGER", "CASE", "STATUS"], jobs.map { j in
                [String(j.id), j.playbook, j.handlerName, j.trigger, j.caseID.map(String.init) ?? "-", j.status + (j.error.map { ": \($0)" } ?? "")]
            })
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate playbooks: each mistake as file:line:column, the key and what to write instead.",
            discussion: """
                Unknown triggers, actions and conditions get the nearest names; spans, severities, statuses, kinds and WHERE filters are checked as the runner reads them. Exits 1 when anything is wrong.

                  taser automation check Playbooks/
                  taser automation check ~/.config/taser/playbooks/securitybot.yaml
                """)
        @Argument(help: "A playbooks directory or one file.") var path: String

        func run() throws {
            let (library, problems) = PlaybookLibrary.load(directory: path)
            for p in problems { Output.error(p.description) }
            for p in library.playbooks { Output.line("ok  \(p.name)  \(p.file)  (\(p.handlers.count) handler\(p.handlers.count == 1 ? "" : "s"))") }
            if !problems.isEmpty { throw ExitCode(1) }
        }
    }

    static func describe(_ p: AutomationPass) -> String {
        "\(p.jobsStarted) job(s) started, \(p.stepsRun) step(s) run, \(p.jobsFinished) finished, \(p.jobsFailed) failed, \(p.timersFired) timer(s) fired"
    }
}
