import Engine
import Model

/// From one artifact: every alert and case that shares it, with signal counts and first and
/// last seen. Enter opens one; from there Enter on another artifact pivots again, and the
/// breadcrumbs show the path (Esc goes back a step).
final class PivotPane: LinesPane, Pane, MarkingPane, AlertsPane, TypingPane {
    let engine: any TaserAPI
    let value: String

    init(engine: any TaserAPI, value: String) throws {
        self.engine = engine
        self.value = value
        super.init()
        try reload()
        // On the first alert rather than the artifact itself: going on from it is what comes next.
        cursor = selectable.first { if case .artifact = lines[$0].target { false } else { true } } ?? cursor
    }

    var title: String { "Pivot \(value)" }
    var contexts: [String] { ["pivot", "alerts", "list"] }
    var status: String { "\(value)\(marks.isEmpty ? "" : " · \(marks.count) marked") · {open} opens · {mark} marks alerts · {back} goes back" }
    /// Marked alerts: the alert verbs act on them (close the 127 alerts that share a file).
    var marks = Set<Int64>()

    var alertTargets: [Int64] {
        if !marks.isEmpty { return marks.sorted() }
        if case .alert(let id)? = current { return [id] }
        return []
    }

    func alertsChanged() throws {
        marks.removeAll()
        try reload()
    }

    /// The alerts on the page, for `mark.all`.
    private var hits: [PivotHit] = []

    func reload() throws {
        var out: [Line] = []
        let pivots = try engine.pivot(value)
        hits = pivots.flatMap(\.alerts)
        for pivot in pivots {
            let a = pivot.artifact
            out.append(Line(text: "\(a.type.rawValue) \(a.shownValue) · first seen \(Output.short(a.firstSeen)) · last seen \(Output.short(a.lastSeen))",
                            role: .title, target: .artifact(a)))
            out.append(Line(text: "Alerts (\(pivot.alerts.count))", role: .header))
            for hit in pivot.alerts {
                out.append(Line(text: "\(marks.contains(hit.id) ? "* " : "  ")\(hit.id)  \(hit.status)  \(Output.count(hit.signals, "signal"))  \(Output.short(hit.firstSeen)) → \(Output.short(hit.lastSeen))  \(hit.title)", role: marks.contains(hit.id) ? .marked : .text, target: .alert(hit.id)))
            }
            out.append(Line(text: "Cases (\(pivot.cases.count))", role: .header))
            for hit in pivot.cases {
                out.append(Line(text: "  \(hit.id)  \(hit.status)  \(Output.count(hit.signals, "signal"))  \(Output.short(hit.firstSeen)) → \(Output.short(hit.lastSeen))  \(hit.title)", target: .entry(hit.id)))
            }
            out.append(Line(text: ""))
        }
        lines = out
        if current == nil { cursor = selectable.first ?? 0 }
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        if action == "mark" || action == "mark.all" {
            if action == "mark.all" {
                // The alerts a verb can still change: one in a case changes with its case.
                let free = Set(hits.filter { $0.status != AlertStatus.promoted.rawValue }.map(\.id))
                if marks.isEmpty {
                    marks = free
                    let held = hits.count - free.count
                    app.say("\(Output.count(free.count, "alert")) marked" + (held > 0 ? " (\(held) in a case left out: change those with their case)" : ""))
                } else {
                    marks.removeAll()
                }
            } else if case .alert(let id)? = current {
                if marks.contains(id) { marks.remove(id) } else { marks.insert(id) }
                move(1)
            }
            try reload()
            return true
        }
        if try AlertVerbs.perform(action, on: self, app: app) { return true }
        guard action == "open" || action == "pivot.again" else { return false }
        switch current {
        case .alert(let id)?: app.push(try AlertPane(engine: engine, id: id))
        case .entry(let id)?: app.push(try CasePane(engine: engine, id: id))
        // The artifact this pivot is on: pivoting on it again would be this page.
        case .artifact(let artifact)?: app.offerQueries(about: artifact, pivot: false)
        default: break
        }
        return true
    }
}
