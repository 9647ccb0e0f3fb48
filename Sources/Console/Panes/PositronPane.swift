import Engine
import Foundation
import Model
import Positron

/// The Positron prompt: `IP_TO_HOSTNAME 10.1.2.3`, asked through the engine (the ACL, then
/// every plugin that answers, then the audit) on a worker thread, so the console keeps
/// drawing while the slowest plugin runs out its timeout. Tab completes the query's name and
/// then the value, from the artifacts of the pane the analyst came from; Up and Down walk the
/// queries asked before. Answers show as a table with the plugins that gave each one, and
/// under it what every plugin did: a plugin that failed is listed, the others still answer.
final class PositronPane: Pane, PromptPane {
    let engine: any TaserAPI
    let positron: ConsolePositron
    var input = LineInput()
    var history: PromptHistory
    /// The artifacts of the pane the analyst came from, the one under its cursor first.
    var artifacts: [Artifact] = []
    /// That pane's title, to say where the artifacts come from.
    var origin: String?
    private(set) var state: State = .ready
    /// What the last Tab could have chosen, listed under the prompt.
    private(set) var completions: [String] = []
    /// The first line of the answers shown, and how many fit (what a page scrolls by).
    var scroll = 0
    var bodyHeight = 10
    private var shownSeconds = -1

    enum State {
        case ready
        case asking(query: String, value: String, since: Date, answer: PendingAnswer)
        case answered(QueryResult)
        /// Bad input, an unknown query, "not allowed": the one line that says so.
        case refused(String)
    }

    init(engine: any TaserAPI, positron: ConsolePositron) {
        self.engine = engine
        self.positron = positron
        history = PromptHistory(file: positron.historyFile)
    }

    var router: Router { positron.config.router }
    var title: String { "Positron" }
    var contexts: [String] { ["positron"] }
    var isAsking: Bool { if case .asking = state { true } else { false } }

    var status: String {
        switch state {
        case .ready: return "QUERY VALUE and Enter asks · Tab completes · Up and Down: history · Esc goes back"
        case .asking(let q, let v, let since, _): return "asking \(q) \(v)… \(Int(Date().timeIntervalSince(since))) s"
        case .answered(let r):
            let failed = r.outcomes.filter { if case .answered = $0.result { false } else { true } }.count
            return "\(r.query.name) \(r.value): \(r.answers.count) answer\(r.answers.count == 1 ? "" : "s") from \(r.outcomes.count) plugin\(r.outcomes.count == 1 ? "" : "s")"
                + (failed > 0 ? " (\(failed) without an answer)" : "") + (r.cached ? " · from the cache" : "")
        case .refused: return "not asked · fix the line and Enter again"
        }
    }

    func reload() throws {}

    // MARK: Typing

    /// Printable keys and line editing are the prompt's; the rest are actions.
    func takeText(_ key: Key) -> Bool {
        guard input.edit(key) else { return false }
        completions = []
        return true
    }

    func perform(_ action: String, app: App) throws -> Bool {
        switch action {
        case "positron.ask": ask(app)
        case "positron.complete": complete(app)
        case "positron.history.previous":
            if let line = history.previous(typing: input.text) { input.text = line }
        case "positron.history.next":
            if let line = history.next() { input.text = line }
        case "positron.scroll.down": scroll += max(1, bodyHeight / 2)
        case "positron.scroll.up": scroll = max(0, scroll - max(1, bodyHeight / 2))
        default: return false
        }
        return true
    }

    /// Checks the line here (so a typo is answered at once), then asks on a worker thread; the
    /// console's tick collects the answer.
    func ask(_ app: App) {
        let line = input.text.trimmed
        guard !line.isEmpty else { return }
        if case .asking(let q, let v, _, _) = state {
            app.say("still asking \(q) \(v); the answer comes within the slowest plugin's timeout")
            return
        }
        history.add(line)
        completions = []
        scroll = 0
        let words = line.split(separator: " ", maxSplits: 1).map(String.init)
        let name = words[0], value = words.count > 1 ? words[1].trimmed : ""
        let query: QueryDefinition, checked: String
        do {
            if value.isEmpty, let q = router.catalog.query(name) {
                throw PromptProblem("\(q.name) needs a value: \(InputType.articled(q.input)) after the name (Tab fills in the artifact you came from)")
            }
            (query, checked) = try router.prepare(name, value)
        } catch {
            state = .refused(PositronPane.describe(error))
            return
        }
        let answer = PendingAnswer()
        let engine = self.engine, config = positron.config
        state = .asking(query: query.name, value: checked, since: Date(), answer: answer)
        shownSeconds = 0
        DispatchQueue.global(qos: .userInitiated).async {
            answer.set(Result { try engine.ask(query.name, checked, with: config) })
        }
    }

    /// The tick's part: takes the answer once it is in; true when the pane should be drawn again
    /// (the answer came, or another second of waiting is worth showing).
    func collect() -> Bool {
        guard case .asking(_, _, let since, let answer) = state else { return false }
        if let got = answer.take() {
            switch got {
            case .success(let result): state = .answered(result)
            case .failure(let error): state = .refused(PositronPane.describe(error))
            }
            return true
        }
        let seconds = Int(Date().timeIntervalSince(since))
        defer { shownSeconds = seconds }
        return seconds != shownSeconds
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as PositronError: e.description
        case let e as CustomStringConvertible: e.description
        default: "\(error)"
        }
    }

    // MARK: Completion

    /// Tab: before the first space, the query's name (case-insensitive prefix; the common start
    /// of several, listed under the prompt); after it, the value, from the artifacts of the pane
    /// the analyst came from that the query takes (Tab again: the next one).
    func complete(_ app: App) {
        let text = input.text
        guard let space = text.firstIndex(of: " ") else {
            let typed = text.uppercased()
            let names = router.catalog.names.filter { $0.hasPrefix(typed) }
            switch names.count {
            case 0:
                completions = []
                app.message = ("no query starts with '\(text)'; did you mean \(nearestNames(typed, in: router.catalog.names).joined(separator: ", "))?", true)
            case 1:
                completions = []
                input.text = names[0] + " "
            default:
                completions = names
                let common = PositronPane.commonPrefix(names)
                // The common start, in the catalog's capitals, even when no longer than what was typed.
                if common.count >= typed.count { input.text = common }
            }
            return
        }
        let name = String(text[..<space])
        let typed = text[text.index(after: space)...].trimmed
        let query = router.catalog.query(name)
        var seen = Set<String>()
        let values = artifacts.filter { a in query.map { ArtifactQueries.fits(a, $0) } ?? true }.map(\.value).filter { seen.insert($0).inserted }
        guard !values.isEmpty else {
            completions = []
            if artifacts.isEmpty {
                app.say("no artifact to fill in: open Positron (or press Enter on an artifact) from an alert, a case or a pivot")
            } else {
                app.say("none of the artifacts of \(origin ?? "that pane") is \(query.map { InputType.articled($0.input) } ?? "a value")")
            }
            return
        }
        let chosen: String?
        if let at = values.firstIndex(of: typed) {
            chosen = values[(at + 1) % values.count]
        } else {
            chosen = values.first { $0.lowercased().hasPrefix(typed.lowercased()) }
        }
        guard let chosen else {
            app.say("no artifact of \(origin ?? "that pane") starts with '\(typed)'")
            return
        }
        completions = values
        input.text = (query?.name ?? name) + " " + chosen
    }

    static func commonPrefix(_ names: [String]) -> String {
        guard var common = names.first else { return "" }
        for n in names.dropFirst() { while !n.hasPrefix(common) { common.removeLast() } }
        return common
    }
}

/// A line the prompt refuses before anything is asked.
struct PromptProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The answer of a query asked on a worker thread, waiting for the console's thread to take it.
typealias PendingAnswer = Pending<QueryResult>

/// A result computed on a worker thread (a Positron answer, a search), waiting for the
/// console's thread to take it on a tick.
final class Pending<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Value, any Error>?
    private let ready = DispatchSemaphore(value: 0)

    /// Called once, by the worker.
    func set(_ result: Result<Value, any Error>) {
        lock.withLock { self.result = result }
        ready.signal()
    }

    /// Waits at most `seconds` for the result (it stays to `take`).
    func wait(_ seconds: Double) {
        if ready.wait(timeout: .now() + seconds) == .success { ready.signal() }
    }

    func take() -> Result<Value, any Error>? {
        lock.withLock {
            defer { result = nil }
            return result
        }
    }
}

extension InputType {
    /// "an ip", "a hostname": how the prompt names what a query takes.
    static func articled(_ t: InputType) -> String { ([.ip, .email].contains(t) ? "an " : "a ") + t.rawValue }
}
