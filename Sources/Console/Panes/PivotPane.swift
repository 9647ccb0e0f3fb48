import Engine
import Model
import Store

/// From one artifact: every alert and case that shares it, with signal counts and first and
/// last seen. Enter opens one; from there Enter on another artifact pivots again, and the
/// breadcrumbs show the path (Esc goes back a step).
final class PivotPane: LinesPane, Pane {
    let engine: Engine
    let value: String

    init(engine: Engine, value: String) throws {
        self.engine = engine
        self.value = value
        super.init()
        try reload()
        // On the first alert rather than the artifact itself: going on from it is what comes next.
        cursor = selectable.first { if case .artifact = lines[$0].target { false } else { true } } ?? cursor
    }

    var title: String { "Pivot \(value)" }
    var contexts: [String] { ["pivot", "list"] }
    var status: String { "\(value) · {open} opens · {back} goes back" }

    func reload() throws {
        var out: [Line] = []
        for pivot in try engine.pivot(value) {
            let a = pivot.artifact
            out.append(Line(text: "\(a.type.rawValue) \(a.shownValue) · first seen \(Output.short(a.firstSeen)) · last seen \(Output.short(a.lastSeen))",
                            role: .title, target: .artifact(a)))
            out.append(Line(text: "Alerts (\(pivot.alerts.count))", role: .header))
            for hit in pivot.alerts {
                out.append(Line(text: "  \(hit.id)  \(hit.status)  \(Output.count(hit.signals, "signal"))  \(Output.short(hit.firstSeen)) → \(Output.short(hit.lastSeen))  \(hit.title)", target: .alert(hit.id)))
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
