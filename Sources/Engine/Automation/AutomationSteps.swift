import Automation
import Foundation
import Model
import Positron
import Store

/// A step that cannot go on, said for the case log and the job row.
struct StepFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs jobs step by step. A step's effect and the job's move to the next step share a
/// transaction when the step writes only through the runner (log, ask, page, tag, assignment);
/// steps that go through the Engine's own workflows (open a case, change its status, Positron)
/// are made harmless to repeat instead (the alert's case is taken if it has one; a case already
/// in the wanted status is left), so a crash between the two repeats nothing.
extension AutomationRunner {
    struct JobState {
        var job: AutomationJob
        var handler: Handler
        var playbook: Playbook
        var vars: [String: String]
        var caseID: Int64?
    }

    func runJobs(_ pass: inout AutomationPass) throws {
        let jobs = try engine.read { tx in try tx.automationJobs(status: "pending") }
        for job in jobs {
            guard let playbook = library.playbook(named: job.playbook), job.handler < playbook.handlers.count else {
                try finish(job, vars: job.vars, caseID: job.caseID, status: "failed",
                           error: "playbook \(job.playbook) (handler \(job.handler + 1)) is not loaded; check --playbooks", &pass)
                continue
            }
            var state = JobState(job: job, handler: playbook.handlers[job.handler], playbook: playbook, vars: job.vars, caseID: job.caseID)
            var step = job.nextStep
            do {
                while step < state.handler.steps.count {
                    try perform(state.handler.steps[step], index: step, &state)
                    step += 1
                    pass.stepsRun += 1
                }
                try finish(job, vars: state.vars, caseID: state.caseID, status: "done", error: nil, &pass)
            } catch {
                let message = "\(error)"
                pass.errors.append("\(playbook.name)/\(state.handler.name) step \(step + 1): \(message)")
                // The failure is in the job row in any case; the log entry is best effort.
                if let caseID = state.caseID {
                    _ = try? engine.change { tx, now in
                        try tx.appendLog(
                            NewLogEntry(
                                kind: .automation,
                                body: "\(playbook.name): step \(step + 1) (\(state.handler.steps[step].action.name), \(state.handler.steps[step].place)) failed: \(message)",
                                data: ["playbook": .string(playbook.name), "step": .int(Int64(step + 1)), "error": .string(message)]),
                            toCase: caseID, author: actor, at: now)
                    }
                }
                try finish(job, vars: state.vars, caseID: state.caseID, status: "failed", error: message, nextStep: step, &pass)
            }
        }
    }

    private func finish(_ job: AutomationJob, vars: [String: String], caseID: Int64?, status: String, error: String?, nextStep: Int? = nil, _ pass: inout AutomationPass) throws {
        try engine.change { tx, now in
            try tx.updateAutomationJob(job.id, caseID: caseID, vars: vars, nextStep: nextStep ?? job.nextStep, status: status, error: error, at: now)
        }
        if status == "done" { pass.jobsFinished += 1 } else { pass.jobsFailed += 1 }
    }

    // MARK: - One step

    private func perform(_ step: Step, index: Int, _ state: inout JobState) throws {
        try refreshCaseVars(&state)
        if !step.conditions.isEmpty {
            let held = try engine.read { tx in try conditionsHold(step.conditions, caseID: state.caseID, vars: state.vars, tx) }
            if !held {
                try record(index, state, "skipped \(step.action.name): needs \(step.conditions.map(\.text).joined(separator: " and "))")
                return
            }
        }
        let vars = state.vars
        let fill = { (text: String) in Template.fill(text, vars) }
        switch step.action {
        case .openCase(let title, let severity, let team, let tags):
            try openCase(title: title.map(fill), severity: severity, team: team.map(fill), tags: tags, index: index, &state)
        case .updateCase(let status, let resolution, let severity, let comment):
            let caseID = try requireCase(state, "update_case")
            var said: [String] = []
            if let severity {
                try engine.change { tx, now in
                    var c = try engine.writableCase(caseID, tx)
                    guard c.severity != severity else { return }
                    let from = c.severity
                    c.severity = severity
                    try tx.updateCase(c, at: now)
                    try tx.appendLog(
                        NewLogEntry(kind: .automation, body: "\(state.playbook.name): severity \(from.name) → \(severity.name)",
                                    data: ["playbook": .string(state.playbook.name), "from": .string(from.name), "to": .string(severity.name)]),
                        toCase: caseID, author: actor, at: now)
                }
                said.append("severity \(severity.name)")
            }
            if let status {
                let current = try engine.read { tx in try tx.storedCase(caseID)?.status }
                if current != status {
                    try engine.setStatus(caseID, to: status, resolution: resolution, comment: comment.map(fill) ?? "by playbook \(state.playbook.name)")
                }
                said.append("status \(status.rawValue)")
            }
            try record(index, state, "updated the case: " + (said.isEmpty ? "nothing to change" : said.joined(separator: ", ")))
        case .query(let name, let value, let name2):
            let positron = try requirePositron(name)
            let v = fill(value)
            let result = try engine.query(name, v, with: positron)
            guard let first = result.answers.first else { throw StepFailure("Positron has no answer to \(name) \(v)") }
            for (k, val) in first.fields { state.vars["\(name2).\(k)"] = val }
            try record(index, state, "asked Positron \(name) \(v): " + first.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                + " (from \(first.plugins.joined(separator: ", ")))")
        case .enrich:
            let positron = try requirePositron("enrichment")
            let caseID = try requireCase(state, "enrich")
            let alertIDs = try engine.read { tx in try tx.alerts(ofCase: caseID).map(\.id) }
            var artifacts: [Artifact] = [], seen = Set<Int64>()
            for id in alertIDs { for a in try engine.artifacts(ofAlert: id) where seen.insert(a.id).inserted { artifacts.append(a) } }
            let results = try engine.enrich(artifacts, with: positron)
            let answered = results.filter { !$0.results.isEmpty }.count
            try record(index, state, "enriched \(artifacts.count) artifact\(artifacts.count == 1 ? "" : "s") (\(answered) with answers)")
        case .ask(let who, let text, let within, let channel):
            try ask(who, text: text, within: within, channel: channel.map(fill) ?? state.playbook.channel, index: index, &state)
        case .assignOncall(let team):
            try assignOncall(team: fill(team), index: index, &state)
        case .page(let endpoint, let text):
            let caseID = try requireCase(state, "page")
            let message = fill(text)
            try advance(index, state) { tx, now in
                let c = try engine.writableCase(caseID, tx)
                let oncall = state.vars["oncall"] ?? c.owner
                try tx.enqueue(
                    endpoint: endpoint, entity: "case", id: caseID, event: PageMessage.event,
                    payload: PageMessage.payload(caseID: caseID, text: message, severity: c.severity, oncall: oncall),
                    key: "page:case:\(caseID):job:\(state.job.id):step:\(index)", at: now)
                return ("paged through \(endpoint)" + (oncall.map { " (on call: \($0))" } ?? "") + ": \(message)",
                        ["endpoint": .string(endpoint), "oncall": JSONValue(oncall)])
            }
        case .log(let text):
            _ = try requireCase(state, "log")
            try record(index, state, fill(text))
        case .tag(let tags):
            let caseID = try requireCase(state, "tag")
            try advance(index, state) { tx, now in
                var c = try engine.writableCase(caseID, tx)
                let added = tags.filter { t in !c.tags.contains { $0.caseInsensitiveCompare(t) == .orderedSame } }
                if !added.isEmpty {
                    c.tags += added
                    try tx.updateCase(c, at: now)
                }
                return ("tagged " + tags.joined(separator: ", ") + (added.isEmpty ? " (already)" : ""), ["tags": .array(tags.map { .string($0) })])
            }
        }
    }

    // MARK: - Steps with more to them

    private func openCase(title: String?, severity: Severity?, team: String?, tags: [String], index: Int, _ state: inout JobState) throws {
        if state.caseID == nil, let alertID = state.job.alertID {
            let alert = try engine.read { tx in try tx.alert(alertID) }
            guard let alert else { throw StepFailure("alert \(alertID) is gone") }
            if let existing = alert.caseID {
                state.caseID = existing
            } else {
                let c = try engine.openCase(NewCase(
                    title: title ?? alert.title, severity: severity ?? alert.severity, team: team ?? alert.team,
                    tags: tags, alertIDs: [alertID]))
                state.caseID = c.id
            }
        } else if state.caseID == nil {
            let c = try engine.openCase(NewCase(title: title ?? "\(state.playbook.name): \(state.job.trigger)", severity: severity ?? .medium, team: team, tags: tags))
            state.caseID = c.id
        }
        try refreshCaseVars(&state)
        try record(index, state, "case #\(state.caseID!) for \(state.job.trigger) (playbook \(state.playbook.name), handler \(state.handler.name))")
    }

    private func ask(_ who: AskedRole, text: String, within: Int64?, channel: String, index: Int, _ state: inout JobState) throws {
        let caseID = try requireCase(state, "ask_\(who.rawValue)")
        guard let user = state.vars["user"], !user.isEmpty else {
            throw StepFailure("no {user} to ask about: the trigger's alert names no user.name")
        }
        var login = user
        if who == .manager {
            if let known = state.vars["manager"], !known.isEmpty {
                login = known
            } else {
                let positron = try requirePositron("USER_MANAGER")
                let result = try engine.query("USER_MANAGER", user, with: positron)
                guard let manager = result.answers.first?.fields["manager"], !manager.isEmpty else {
                    throw StepFailure("USER_MANAGER has no manager for \(user); add them to the HR source Positron reads")
                }
                login = manager
                state.vars["manager"] = manager
            }
        }
        let email = try emailOf(login, state)
        state.vars["\(who.rawValue).email"] = email
        let question = Template.fill(text, state.vars)
        let namespace = state.playbook.namespace
        let endpoint = state.playbook.slackEndpoint
        let playbook = state.playbook.name
        try advance(index, state) { tx, now in
            _ = try engine.writableCase(caseID, tx)
            let due = within.map { Timestamp(ms: now.ms + $0) }
            let askID = try tx.insertAutomationAsk(
                playbook: playbook, caseID: caseID, role: who.rawValue, login: login, email: email, namespace: namespace, dueAt: due, at: now)
            try tx.enqueue(
                endpoint: endpoint, entity: "case", id: caseID, event: SlackAsk.event,
                payload: SlackAsk.payload(caseID: caseID, channel: channel, email: email, text: question, namespace: namespace),
                key: "slack.ask:case:\(caseID):ask:\(askID)", at: now)
            let wait = within.map { "; waiting \(Span(ms: $0).text) for a reply" } ?? ""
            return ("asked the \(who.rawValue) \(login) (\(email)) on Slack: \"\(question)\"\(wait)",
                    ["role": .string(who.rawValue), "login": .string(login), "email": .string(email), "ask": .int(askID), "due": JSONValue(due)])
        }
    }

    private func assignOncall(team: String, index: Int, _ state: inout JobState) throws {
        let caseID = try requireCase(state, "assign_oncall")
        let positron = try requirePositron("ONCALL_FOR_TEAM")
        let result = try engine.query("ONCALL_FOR_TEAM", team, with: positron)
        guard let oncall = result.answers.first?.fields["user"], !oncall.isEmpty else {
            throw StepFailure("ONCALL_FOR_TEAM has nobody on call for \(team); check the on-call source Positron reads")
        }
        state.vars["oncall"] = oncall
        try advance(index, state) { tx, now in
            var c = try engine.writableCase(caseID, tx)
            // Whoever is on call works cases, though they may never have opened taser yet.
            if try tx.analyst(oncall) == nil { try tx.saveAnalyst(Analyst(name: oncall), at: now) }
            if c.owner != oncall {
                let from = c.owner
                c.owner = oncall
                try tx.updateCase(c, at: now)
                try tx.appendLog(
                    NewLogEntry(kind: .assignment, body: "Assigned to \(oncall)", data: ["from": JSONValue(from), "to": .string(oncall)]),
                    toCase: caseID, author: actor, at: now)
            }
            return ("on call for \(team): \(oncall) (ONCALL_FOR_TEAM, from \(result.answers[0].plugins.joined(separator: ", "))); case assigned",
                    ["team": .string(team), "oncall": .string(oncall)])
        }
    }

    /// A person's email for Slack: USER_INFO, else the analyst record, else the login itself
    /// when it is an address (Okta names people by their login email), else the playbook's
    /// email_domain.
    private func emailOf(_ login: String, _ state: JobState) throws -> String {
        if let positron, positron.router.plugins.contains(where: { $0.answers("USER_INFO") }),
           let email = try? engine.query("USER_INFO", login, with: positron).answers.first?.fields["email"], !email.isEmpty {
            return email
        }
        if let email = try engine.read({ tx in try tx.analyst(login)?.email }), !email.isEmpty { return email }
        if login.contains("@") { return login }
        if let domain = state.playbook.emailDomain { return "\(login)@\(domain)" }
        throw StepFailure("no email for \(login): add USER_INFO to Positron, an email to the analyst, or email_domain: to the playbook")
    }

    // MARK: - Bookkeeping

    /// Writes the step's case log entry and moves the job on, in one transaction with `body`'s
    /// own writes.
    private func advance(_ index: Int, _ state: JobState, _ body: (Tx, Timestamp) throws -> (String, [String: JSONValue])) throws {
        let s = state
        try engine.change { tx, now in
            let (text, data) = try body(tx, now)
            try logStep(tx, now, index, s, text, data)
            if let caseID = s.caseID { try tx.saveAutomationVars(playbook: s.playbook.name, caseID: caseID, vars: s.vars, at: now) }
            try tx.updateAutomationJob(s.job.id, caseID: s.caseID, vars: s.vars, nextStep: index + 1, status: "pending", error: nil, at: now)
        }
    }

    private func record(_ index: Int, _ state: JobState, _ text: String) throws {
        try advance(index, state) { _, _ in (text, [:]) }
    }

    private func logStep(_ tx: Tx, _ now: Timestamp, _ index: Int, _ state: JobState, _ text: String, _ extra: [String: JSONValue]) throws {
        var data: [String: JSONValue] = [
            "playbook": .string(state.playbook.name), "handler": .string(state.handler.name), "step": .int(Int64(index + 1)),
            "action": .string(state.handler.steps[index].action.name), "job": .int(state.job.id),
        ]
        data.merge(extra) { _, new in new }
        guard let caseID = state.caseID else { return }
        try tx.appendLog(NewLogEntry(kind: .automation, body: "\(state.playbook.name): \(text)", data: .object(data)), toCase: caseID, author: actor, at: now)
    }

    private func refreshCaseVars(_ state: inout JobState) throws {
        guard let caseID = state.caseID, let c = try engine.read({ tx in try tx.storedCase(caseID) }) else { return }
        state.vars["case.id"] = String(c.id)
        state.vars["case.title"] = c.title
        state.vars["case.severity"] = c.severity.name
        state.vars["case.status"] = c.status.rawValue
        state.vars["case.owner"] = c.owner ?? ""
        state.vars["case.team"] = c.team ?? ""
    }

    private func requireCase(_ state: JobState, _ action: String) throws -> Int64 {
        guard let caseID = state.caseID else { throw StepFailure("\(action) needs a case: put open_case before it") }
        return caseID
    }

    private func requirePositron(_ what: String) throws -> PositronConfig {
        guard let positron else { throw StepFailure("\(what) needs Positron: pass --positron FILE (or ~/.config/taser/positron.yaml)") }
        return positron
    }
}
