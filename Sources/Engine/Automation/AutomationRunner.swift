import Automation
import Foundation
import Model
import Positron
import Store

/// What one runner pass did.
public struct AutomationPass: Sendable, Equatable {
    public var jobsStarted = 0
    public var stepsRun = 0
    public var jobsFinished = 0
    public var jobsFailed = 0
    public var timersFired = 0
    public var errors: [String] = []
    public init() {}
}

/// Runs playbooks: a pass reads what happened since the last one from the database (new alerts
/// and case log entries, each playbook behind its own stored cursor; questions whose reply is
/// overdue), records a job for every handler it triggers, and runs pending jobs step by step.
///
/// Why the split: `Automation` (below Engine) holds the playbook language and what can be
/// decided without the database (parsing, triggers, conditions, templates, Slack signing); this
/// runner lives in Engine because its steps are the Engine's case workflows and Positron
/// queries, with the same access checks and log entries as an analyst's. Everything it knows
/// between passes is in the database, so `taser serve`, `taser automation run` and a restart
/// after kill -9 all carry on where the last pass stopped.
public final class AutomationRunner: Sendable {
    public let engine: Engine
    public let library: PlaybookLibrary
    public let positron: PositronConfig?
    /// Alerts and log entries read per transaction.
    let batch = 500

    /// Who automation acts as in case logs, assignments and the query audit.
    public static let actorName = "automation"

    /// `engine` must be the admin's (the database owner's): a playbook acts on every team's cases.
    public init(engine: Engine, library: PlaybookLibrary, positron: PositronConfig? = nil) throws {
        try engine.requireAdmin("run automation (playbooks act on every team's cases)")
        self.engine = engine.acting(as: Actor(name: AutomationRunner.actorName, isAdmin: true))
        self.library = library
        self.positron = positron.map { $0.withTaser(engine.store) }
    }

    /// One pass: triggers first (alerts, log entries, overdue replies), then every pending job.
    /// A failing job is recorded (in its row and its case log) and the others still run.
    @discardableResult
    public func runDue(now: Timestamp? = nil) throws -> AutomationPass {
        let now = now ?? engine.clock()
        var pass = AutomationPass()
        for playbook in library.playbooks {
            try collectAlerts(playbook, &pass)
            try collectLogEntries(playbook, &pass)
        }
        try collectOverdueReplies(now, &pass)
        try runJobs(&pass)
        return pass
    }

    /// Runs passes until `keepGoing` says stop, sleeping `every` seconds between them (for
    /// `taser automation run` and `taser serve`). An error ends no loop: it is reported and the
    /// next pass tries again.
    public func run(every seconds: Double, keepGoing: @Sendable () -> Bool = { true }, report: (Result<AutomationPass, any Error>) -> Void) {
        while keepGoing() {
            do { report(.success(try runDue())) } catch { report(.failure(error)) }
            var left = seconds
            while left > 0 && keepGoing() {
                Thread.sleep(forTimeInterval: min(left, 0.2))
                left -= 0.2
            }
        }
    }

    /// The same loop as a task for a server: cancel the task to stop it.
    public func start(every seconds: Double, report: @escaping @Sendable (Result<AutomationPass, any Error>) -> Void) -> Task<Void, Never> {
        Task.detached { [self] in
            while !Task.isCancelled {
                do { report(.success(try self.runDue())) } catch { report(.failure(error)) }
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            }
        }
    }

    // MARK: - Triggers

    private func collectAlerts(_ playbook: Playbook, _ pass: inout AutomationPass) throws {
        let handlers = playbook.handlers.enumerated().compactMap { i, h -> (Int, Handler, AlertTrigger)? in
            if case .alert(let t) = h.trigger { return (i, h, t) }
            return nil
        }
        guard !handlers.isEmpty else { return }
        while true {
            let more: Bool = try engine.change { tx, now in
                // A playbook starts with the alerts that come after it was first run: old alerts
                // are not news, and paging for last year's would be worse than useless.
                guard let cursor = try tx.automationCursor(playbook: playbook.name, source: "alerts") else {
                    try tx.setAutomationCursor(playbook: playbook.name, source: "alerts", position: try tx.lastAlertID(), at: now)
                    return false
                }
                let ids = try tx.alertIDs(after: cursor, limit: batch)
                for id in ids {
                    guard let alert = try tx.alert(id) else { continue }
                    let signals = try tx.signals(ofAlert: id)
                    let facts = AlertFacts(alert: alert, signals: signals.map { ($0.kind, $0.fields) })
                    for (i, handler, trigger) in handlers where trigger.matches(facts) {
                        let vars = AutomationRunner.alertVars(alert, signals)
                        let subject = ConditionSubject(severity: alert.severity, status: nil, tags: [], vars: vars)
                        guard handler.conditions.allSatisfy({ $0.holds(for: subject) }) else { continue }
                        if try tx.insertAutomationJob(
                            playbook: playbook.name, handler: i, handlerName: handler.name, trigger: "alert #\(id)", caseID: alert.caseID,
                            alertID: id, vars: vars, dedup: "alert:\(id):\(playbook.name):\(i)", at: now) { pass.jobsStarted += 1 }
                    }
                }
                if let last = ids.last { try tx.setAutomationCursor(playbook: playbook.name, source: "alerts", position: last, at: now) }
                return ids.count == batch
            }
            if !more { break }
        }
    }

    private func collectLogEntries(_ playbook: Playbook, _ pass: inout AutomationPass) throws {
        let handlers = playbook.handlers.enumerated().filter { _, h in
            switch h.trigger {
            case .caseStatus, .reply: true
            default: false
            }
        }
        guard !handlers.isEmpty else { return }
        while true {
            let more: Bool = try engine.change { tx, now in
                guard let cursor = try tx.automationCursor(playbook: playbook.name, source: "case_log") else {
                    try tx.setAutomationCursor(playbook: playbook.name, source: "case_log", position: try tx.lastCaseLogID(), at: now)
                    return false
                }
                let entries = try tx.caseLogEntries(after: cursor, kinds: [.status, .automation], limit: batch)
                for entry in entries {
                    let data = entry.data.flatMap { try? JSONValue.parse($0) }
                    for (i, handler) in handlers {
                        var extra: [String: String] = [:]
                        switch handler.trigger {
                        case .caseStatus(let from, let to):
                            // Automation's own status changes trigger nothing: no playbook loops on itself.
                            guard entry.kind == .status, entry.author != AutomationRunner.actorName,
                                  let f = data?["from"]?.stringValue.flatMap(CaseStatus.init(rawValue:)),
                                  let t = data?["to"]?.stringValue.flatMap(CaseStatus.init(rawValue:)),
                                  from.isEmpty || from.contains(f), to.isEmpty || to.contains(t)
                            else { continue }
                            extra = ["status.from": f.rawValue, "status.to": t.rawValue, "status.by": entry.author]
                        case .reply(let trigger):
                            guard entry.kind == .automation, data?["event"]?.stringValue == "slack.reply",
                                  let ns = data?["namespace"]?.stringValue, let answer = data?["answer"]?.stringValue
                            else { continue }
                            let role = data?["role"]?.stringValue.flatMap(AskedRole.init(rawValue:))
                            guard trigger.matches(namespace: ns, answer: answer, from: role, playbookNamespace: playbook.namespace) else { continue }
                            extra = [
                                "reply.answer": answer, "reply.role": role?.rawValue ?? "", "reply.by": data?["login"]?.stringValue ?? "",
                            ]
                        default: continue
                        }
                        var vars = try tx.automationVars(playbook: playbook.name, caseID: entry.caseID)
                        vars.merge(extra) { _, new in new }
                        guard try conditionsHold(handler.conditions, caseID: entry.caseID, vars: vars, tx) else { continue }
                        if try tx.insertAutomationJob(
                            playbook: playbook.name, handler: i, handlerName: handler.name, trigger: "case \(entry.caseID) log #\(entry.seq)",
                            caseID: entry.caseID, alertID: nil, vars: vars, dedup: "log:\(entry.id):\(playbook.name):\(i)", at: now) { pass.jobsStarted += 1 }
                    }
                }
                if let last = entries.last { try tx.setAutomationCursor(playbook: playbook.name, source: "case_log", position: last.id, at: now) }
                return entries.count == batch
            }
            if !more { break }
        }
    }

    /// Questions whose answer is overdue: each is closed as expired with a log entry, and the
    /// playbook's no_reply handlers for that role start, in one transaction.
    private func collectOverdueReplies(_ now: Timestamp, _ pass: inout AutomationPass) throws {
        let due = try engine.read { tx in try tx.dueAutomationAsks(at: now) }
        for ask in due {
            try engine.change { tx, at in
                try tx.closeAutomationAsk(ask.id, status: "expired", answer: nil, at: at)
                let waited = ask.dueAt.map { Span(ms: $0.ms - ask.askedAt.ms).text } ?? "?"
                try tx.appendLog(
                    NewLogEntry(
                        kind: .automation, body: "\(ask.playbook): no reply from the \(ask.role) (\(ask.login)) within \(waited)",
                        data: ["playbook": .string(ask.playbook), "event": "no_reply", "role": .string(ask.role), "login": .string(ask.login), "ask": .int(ask.id)]),
                    toCase: ask.caseID, author: actor, at: at)
                pass.timersFired += 1
                guard let playbook = library.playbook(named: ask.playbook) else { return }
                var vars = try tx.automationVars(playbook: playbook.name, caseID: ask.caseID)
                vars["no_reply.role"] = ask.role
                vars["no_reply.login"] = ask.login
                for (i, handler) in playbook.handlers.enumerated() {
                    guard case .noReply(let from) = handler.trigger, from == nil || from?.rawValue == ask.role else { continue }
                    guard try conditionsHold(handler.conditions, caseID: ask.caseID, vars: vars, tx) else { continue }
                    if try tx.insertAutomationJob(
                        playbook: playbook.name, handler: i, handlerName: handler.name, trigger: "no reply to question #\(ask.id)",
                        caseID: ask.caseID, alertID: nil, vars: vars, dedup: "ask:\(ask.id):\(i)", at: at) { pass.jobsStarted += 1 }
                }
            }
        }
    }

    func conditionsHold(_ conditions: [Condition], caseID: Int64?, vars: [String: String], _ tx: Tx) throws -> Bool {
        guard !conditions.isEmpty else { return true }
        let c = try caseID.flatMap { try tx.storedCase($0) }
        let subject = ConditionSubject(severity: c?.severity ?? vars["alert.severity"].flatMap(Severity.init(parsing:)), status: c?.status, tags: c?.tags ?? [], vars: vars)
        return conditions.allSatisfy { $0.holds(for: subject) }
    }

    var actor: String { engine.actor.name }

    /// What a playbook knows about an alert: `{alert.*}`, `{signal.*}` (the first signal's
    /// text fields) and `{user}`: the first `user.name`, else the group key's.
    static func alertVars(_ alert: Alert, _ signals: [Signal]) -> [String: String] {
        var vars: [String: String] = [
            "alert.id": String(alert.id), "alert.title": alert.title, "alert.rule": alert.rule,
            "alert.severity": alert.severity.name, "alert.group_key": alert.groupKey,
        ]
        if let first = signals.first {
            for (k, v) in first.fields { if let s = v.stringValue { vars["signal." + k] = s } }
        }
        if let user = signals.lazy.compactMap({ $0.fields["user.name"]?.stringValue }).first {
            vars["user"] = user
        } else if let part = alert.groupKey.split(separator: ",").first(where: { $0.hasPrefix("user.name=") }) {
            vars["user"] = String(part.dropFirst("user.name=".count))
        }
        return vars
    }
}
