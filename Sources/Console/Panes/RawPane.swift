import Engine
import Model

/// A pager over raw bodies, as the tools sent them: JSON pretty-printed (one field a line, so
/// a 5 KB body reads), anything else as it came; every revision of each signal, newest first.
/// `w` turns wrapping off and on (off: long lines are cut, one row each); `/` keeps only the
/// lines holding the typed words; `y` copies the line under the cursor.
final class RawPane: LinesPane, Pane, TypingPane, CopyablePane {
    let title: String
    private let bodies: [(label: String, raw: String)]

    init(title: String, bodies: [(label: String, raw: String)]) {
        self.title = title
        self.bodies = bodies
        super.init()
        reload()
        cursor = 0
    }

    /// The raw bodies of signals, each with its earlier revisions.
    convenience init(title: String, signals: [(signal: Signal, earlier: [SignalRevision])]) {
        var bodies: [(String, String)] = []
        for (signal, earlier) in signals {
            let revision = earlier.isEmpty ? "" : ", revision \(signal.revision)"
            bodies.append(("signal \(signal.id) · \(signal.kind) · \(signal.source)\(revision)", signal.raw))
            for r in earlier.reversed() { bodies.append(("signal \(signal.id), revision \(r.revision) (earlier)", r.raw)) }
        }
        self.init(title: title, bodies: bodies)
    }

    var contexts: [String] { ["pager", "list"] }
    var status: String { "\(wraps ? "wrapped" : "not wrapped") · {pager.wrap} wraps · {filter} finds lines · {copy} copies a line" }

    func reload() {
        var out: [Line] = []
        for (label, raw) in bodies {
            out.append(Line(text: label, role: .header))
            for line in RawPane.shown(raw) { out.append(Line(text: line, role: .text, target: .line)) }
            out.append(Line(text: ""))
        }
        lines = out
    }

    /// Pretty JSON when the body is JSON, else its own lines; tabs as spaces and control
    /// characters as `·`, so the analyst sees where they were (the grid drops them anyway: no
    /// byte of a body reaches the terminal as a command).
    static func shown(_ raw: String) -> [String] {
        let text: String
        if let first = raw.first(where: { !$0.isWhitespace }), first == "{" || first == "[", let json = try? JSONValue.parse(raw) {
            text = json.pretty()
        } else {
            text = raw
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.replacingOccurrences(of: "\t", with: "    ").map { $0.isASCII && ($0.asciiValue ?? 32) < 32 ? "·" : $0 })
        }
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "pager.wrap": wraps.toggle()
        case "open": break
        default: return false
        }
        return true
    }
}
