import Engine
import Foundation
import Model
import SignalServer

/// The rules: name, on or off, version, text. Enter edits one beside the live simulator.
final class RulesPane: LinesPane, Pane, TypingPane {
    let engine: any TaserAPI
    var rules: [StoredRule] = []

    init(engine: any TaserAPI) throws {
        self.engine = engine
        super.init()
        try reload()
    }

    var title: String { "Rules" }
    var contexts: [String] { ["rules", "list"] }
    var status: String {
        rules.isEmpty ? "no rules yet: {rules.new} starts one" : "\(Output.count(rules.count, "rule")) · {open} edits with the simulator beside it"
    }

    func reload() throws {
        rules = try engine.rules()
        lines = rules.enumerated().map { n, r in
            Line(text: "\(r.enabled ? "on " : "off") v\(r.version)  \(r.name)  \(r.text.split(separator: "\n").first ?? "")",
                 role: r.enabled ? .text : .dim, target: .entry(Int64(n)))
        }
        if current == nil { cursor = selectable.first ?? 0 }
    }

    var selected: StoredRule? {
        if case .entry(let n)? = current, rules.indices.contains(Int(n)) { return rules[Int(n)] }
        return nil
    }

    func render(into grid: inout Grid, area: Rect) {
        if rules.isEmpty { grid.put("  no rules yet", x: area.x, y: area.y + 1, role: .dim) }
        renderLines(into: &grid, area: area)
    }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "open", "rules.edit":
            if let rule = selected { app.push(try RuleEditorPane(engine: engine, saved: rule)) }
        case "rules.new":
            app.prompt("Name of the new rule:") { [self] name in
                app.push(try RuleEditorPane(engine: engine, newName: name.trimmed))
            }
        case "rules.enable", "rules.disable":
            guard let rule = selected else { return true }
            let on = action == "rules.enable"
            let change = { [self] in
                _ = try engine.setRuleEnabled(name: rule.name, on)
                try reload()
                app.say("rule \(rule.name) \(on ? "enabled" : "disabled")")
            }
            if on { try change() } else { app.confirm("Disable rule \(rule.name)?", then: change) }
        default:
            return false
        }
        return true
    }
}

/// Rule text on the left with the language coloured and the parser's error marked in place;
/// on the right, the simulator over the stored signals, rerun as the text changes: alerts,
/// a per-day sparkline, the busiest group keys, and the difference from the saved version.
final class RuleEditorPane: Pane, TypingPane {
    let engine: any TaserAPI
    let name: String
    /// The rule as last saved (nil until a new rule's first save): a second save is a new
    /// version, not a second "new rule".
    var saved: StoredRule?
    var editor: TextEditor
    /// The text as opened or last saved: leaving with other text asks first.
    private var baseline: String
    var isTyping: Bool { true }
    private var error: RuleError?
    private var report: SimulationReport?
    private var savedReport: SimulationReport?
    /// Typed since the last run: the simulator's result is not this text's yet.
    private var dirty = true
    private var lastRun = Date.distantPast
    private var seconds = 0.0
    /// The shortest pause between reruns while typing (tests lengthen it to see a rerun pending).
    var rerunPause: TimeInterval = 0.3
    /// Completion: the list when open, and the stored signals' kinds, fields and values, read
    /// once per editing session.
    var completion: CompletionList?
    let vocabulary: RuleVocabulary
    /// Where the cursor was drawn, for the completion list to open under it.
    var cursorCell: (x: Int, y: Int)?

    init(engine: any TaserAPI, saved: StoredRule) throws {
        self.engine = engine
        self.name = saved.name
        self.saved = saved
        vocabulary = RuleVocabulary(engine: engine)
        editor = TextEditor(text: saved.text)
        baseline = saved.text
        savedReport = try? engine.simulate(savedRule: saved.name)
        simulate()
    }

    init(engine: any TaserAPI, newName: String) throws {
        self.engine = engine
        self.name = newName
        saved = nil
        vocabulary = RuleVocabulary(engine: engine)
        editor = TextEditor(text: "[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON")
        baseline = editor.text
        simulate()
    }

    var title: String { "Rule \(name)" }
    var contexts: [String] { ["editor"] }
    var status: String {
        if completion != nil { return "↑↓ choose · tab or enter inserts · esc closes the list" }
        if let error { return "error \(error.description)" }
        guard let report else { return "" }
        return "\(Output.count(report.alerts.count, "alert")) in \(String(format: "%.0f", seconds * 1000)) ms · {editor.save} saves a new version · {editor.cancel} leaves"
    }

    func reload() throws {
        if dirty { simulate() }
    }

    var needsRun: Bool { dirty }

    /// Reruns at most every 300 ms while typing; the tick catches the last edit.
    func simulateIfDue() {
        guard dirty, Date().timeIntervalSince(lastRun) > rerunPause else { return }
        simulate()
    }

    func simulate() {
        dirty = false
        lastRun = Date()
        do {
            let t0 = Date()
            report = try engine.simulate(ruleText: editor.text)
            seconds = Date().timeIntervalSince(t0)
            error = nil
        } catch let e as RuleError {
            error = e
        } catch {
            self.error = RuleError(message: "\(error)")
        }
    }

    /// Why the simulator's result is not what this text does: nil when it is (or there is none).
    var staleness: String? {
        guard report != nil else { return nil }
        if dirty { return "rerun pending" }
        return error != nil ? "the rule has an error" : nil
    }

    func type(_ key: Key, app: App) {
        // The open completion list takes its keys first (Esc closes it, not the editor).
        switch completionKey(key, app: app) {
        case .taken: return
        case .inserted:
            dirty = true
            simulateIfDue()
            return
        case .notTaken: break
        }
        if let action = app.bindings.action(for: key, in: ["editor"]) {
            if action == "editor.save" { save(app); return }
            if action == "editor.complete" { openCompletion(app); return }
            if action == "editor.external" {
                // The analyst's own editor on the rule; what it saves comes back here, unsaved.
                app.externalEdit = ExternalEdit(text: editor.text) { [self] result in
                    switch result {
                    case .success(let text):
                        editor = TextEditor(text: text, original: editor.original)
                        dirty = true
                        simulateIfDue()
                    case .failure(let error):
                        app.message = ("\(error)", true)
                    }
                }
                return
            }
            if action == "editor.cancel" {
                guard editor.text != baseline else {
                    _ = try? app.run("back")
                    return
                }
                app.confirm("Leave rule \(name) without saving your changes?") { _ = try app.run("back") }
                return
            }
        }
        editor.edit(key)
        dirty = true
        refreshCompletion()
        simulateIfDue()
    }

    private func save(_ app: App) {
        // The saved version's result is this text's, not one from before the last keys.
        if dirty { simulate() }
        do {
            let stored = saved == nil ? try engine.addRule(name: name, text: editor.text) : try engine.editRule(name: name, text: editor.text)
            saved = stored
            baseline = editor.text
            savedReport = report
            app.say("rule \(stored.name) saved as version \(stored.version)")
        } catch {
            app.message = ("\(error)", true)
        }
    }

    func perform(_ action: String, app: App) throws -> Bool { false }

    func render(into grid: inout Grid, area: Rect) {
        simulateIfDue()
        let (left, right) = area.splitLeft(area.width * 3 / 5)
        grid.box(left, title: "Rule \(name)\(saved.map { " (version \($0.version))" } ?? " (new)")", role: .borderFocus)
        let text = Rect(x: left.x + 1, y: left.y + 1, width: left.width - 2, height: left.height - 2)
        renderText(into: &grid, text)
        grid.box(right, title: "Simulator")
        renderSimulation(into: &grid, Rect(x: right.x + 1, y: right.y + 1, width: right.width - 2, height: right.height - 2))
        if let completion, let at = cursorCell { completion.render(into: &grid, area: text, cursor: at) }
    }

    /// The first screen row shown: kept across frames, moved only to keep the cursor in view.
    private var scrollTop = 0

    private func renderText(into grid: inout Grid, _ area: Rect) {
        let roles = RuleEditorPane.colours(editor.text)
        // Soft-wrapped, scrolled so the cursor is always inside the box.
        let wrapped = WrappedText(editor.lines, width: area.width)
        let cursorRow = wrapped.row(line: editor.row, column: editor.column)
        scrollTop = WrappedText.top(showing: cursorRow, height: area.height, from: scrollTop)
        cursorCell = nil
        for (n, row) in wrapped.rows.enumerated().dropFirst(scrollTop).prefix(area.height) {
            let y = area.y + n - scrollTop
            let line = editor.lines[row.line]
            var x = area.x
            for c in row.start..<row.end where x < area.maxX {
                let ch = line[c]
                let isCursor = row.line == editor.row && c == editor.column
                if isCursor { cursorCell = (x, y) }
                grid[x, y] = Cell(String(ch), isCursor ? .selected : roles[row.line]?[c] ?? .text)
                x += max(1, CellWidth.of(ch))
            }
            if n == cursorRow && editor.column >= row.end && x < area.maxX {
                grid[x, y] = Cell(" ", .selected)
                cursorCell = (x, y)
            }
        }
        // The error: its character marked where it is, the message under that row.
        if let error, let line = error.line, let column = error.column, editor.lines.indices.contains(line - 1) {
            let at = wrapped.row(line: line - 1, column: max(0, column - 1))
            let row = wrapped.rows.indices.contains(at) ? wrapped.rows[at] : nil
            let y = area.y + at - scrollTop
            if let row, y >= area.y, y < area.maxY {
                let prefix = String(editor.lines[row.line][row.start..<min(max(row.start, column - 1), row.end)])
                let x = min(area.x + CellWidth.of(prefix), area.maxX - 1)
                grid[x, y] = Cell(grid[x, y].text, .errorMark)
                // The message under the text, never over it (the status bar says it too).
                let below = area.y + wrapped.rows.count - scrollTop + 1
                if below < area.maxY {
                    grid.put("^ " + error.description, x: area.x, y: below, width: area.width, role: .error)
                }
            }
        }
    }

    private func renderSimulation(into grid: inout Grid, _ area: Rect) {
        guard let report else {
            grid.put("fix the rule to see what it would do", x: area.x, y: area.y, width: area.width, role: .dim)
            return
        }
        var y = area.y
        // A stale result stays in view (what the text did a moment ago) but dimmed, under the
        // reason, so it is not read as this text's.
        let stale = staleness
        if let stale {
            grid.put("stale: \(stale)", x: area.x, y: y, width: area.width, role: .error)
            y += 1
        }
        func line(_ text: String, _ role: Role = .text) {
            guard y < area.maxY else { return }
            grid.put(text, x: area.x, y: y, width: area.width, role: stale == nil ? role : .dim)
            y += 1
        }
        line("\(Output.count(report.alerts.count, "alert")) from \(report.signalsMatched) of \(Output.count(report.signalsRead, "signal"))", .title)
        line(RuleEditorPane.sparkline(report.perDay.map(\.alerts), width: area.width), .severity("medium"))
        if let first = report.perDay.first, let last = report.perDay.last { line("\(first.day) … \(last.day)", .dim) }
        if let savedReport, saved != nil {
            let diff = report.difference(from: savedReport)
            line("saved version: \(savedReport.alerts.count) · this text +\(diff.added.count) −\(diff.removed.count)", .field)
        }
        line("")
        line("top group keys", .header)
        for k in report.topKeys(max(1, area.maxY - y)) { line("\(k.alerts)  \(k.key)  (\(Output.count(k.signals, "signal")))") }
    }

    /// One character per day, scaled to the busiest.
    static func sparkline(_ values: [Int], width: Int) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        guard let top = values.max(), top > 0 else { return "" }
        return String(values.suffix(width).map { bars[min(bars.count - 1, $0 * (bars.count - 1) / top)] })
    }

    /// Roles by line and character from the lexer's tokens: keywords, numbers, text, and the
    /// words of kinds.
    static func colours(_ text: String) -> [Int: [Int: Role]] {
        guard let tokens = try? Lexer.tokens(text) else { return [:] }
        let keywords: Set<String> = ["IN", "WITH", "COMMON", "WHERE", "AND", "OR", "NOT", "THEN", "DISTINCT", "OF", "TITLE", "SEVERITY",
                                     "TEAM", "TAGS", "SUPPRESS", "FOR", "CONTAINS", "STARTSWITH", "ENDSWITH", "MATCHES", "EXISTS"]
        var out: [Int: [Int: Role]] = [:]
        for t in tokens where t.kind != .end {
            let role: Role
            switch t.kind {
            case .number: role = .number
            case .string: role = .string
            case .symbol: role = .text
            default: role = keywords.contains(t.text.uppercased()) ? .keyword : .kind
            }
            for i in 0..<t.length { out[t.line - 1, default: [:]][t.column - 1 + i] = role }
        }
        return out
    }
}
