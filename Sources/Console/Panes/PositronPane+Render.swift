import Foundation
import Model
import Positron

/// The prompt on top, what Tab offered under it, then the answers: a table with a column per
/// output field, the plugins that gave each answer and when the source saw it, and what each
/// plugin did. Before anything is asked, the catalog: what can be asked and who answers it.
extension PositronPane {
    /// A line of the scrolling part: text, or a row of columns.
    enum BodyLine {
        case text(String, Role)
        case columns([(String, Int, Role)], fill: Role?)
    }

    func render(into grid: inout Grid, area: Rect) {
        guard area.height > 0 else { return }
        let label = "ask › "
        var x = area.x + 1
        x += grid.put(label, x: x, y: area.y, role: .prompt)
        let room = area.maxX - x - 1
        // A long line shows its end, where the typing is.
        let shown = CellWidth.of(input.text) > room ? String(input.text.suffix(max(0, room))) : input.text
        x += grid.put(shown, x: x, y: area.y, width: room, role: .text)
        if x < area.maxX { grid[x, area.y] = Cell(" ", .selected) }

        if area.height > 1 { renderUnderPrompt(into: &grid, Rect(x: area.x, y: area.y + 1, width: area.width, height: 1)) }
        guard area.height > 3 else { return }
        for column in area.x..<area.maxX { grid[column, area.y + 2] = Cell("─", .border) }
        let body = Rect(x: area.x, y: area.y + 3, width: area.width, height: area.height - 3)
        let lines = bodyLines(width: body.width - 2)
        bodyHeight = body.height
        scroll = min(scroll, max(0, lines.count - body.height))
        let first = scroll
        for (n, line) in lines.dropFirst(first).prefix(body.height).enumerated() {
            let y = body.y + n
            switch line {
            case .text(let text, let role): grid.put(text, x: body.x + 1, y: y, width: body.width - 2, role: role)
            case .columns(let values, let fill): grid.columns(values, x: body.x + 1, y: y, width: body.width - 2, fill: fill)
            }
        }
        if lines.count > first + body.height {
            let more = " ↓ \(lines.count - first - body.height) more (pgdn) "
            grid.put(more, x: body.maxX - CellWidth.of(more) - 1, y: body.maxY - 1, role: .hint)
        }
    }

    /// What Tab offered; else the problem with positron.yaml; else what Tab would fill in.
    private func renderUnderPrompt(into grid: inout Grid, _ line: Rect) {
        var x = line.x + 1
        if !completions.isEmpty {
            let current = input.text.split(separator: " ", maxSplits: 1).last.map(String.init) ?? ""
            for c in completions where x < line.maxX {
                let role: Role = c == current || c == input.text.trimmed ? .hintKey : .hint
                x += grid.put(c + "  ", x: x, y: line.y, width: line.maxX - x, role: role)
            }
        } else if let problem = positron.problem {
            grid.put("positron.yaml not used: " + problem, x: x, y: line.y, width: line.width - 2, role: .error)
        } else if let first = artifacts.first {
            let more = artifacts.count > 1 ? " (and \(artifacts.count - 1) more)" : ""
            grid.put("Tab fills in \(first.type.rawValue) \(first.value)\(more) from \(origin ?? "the pane you came from")",
                     x: x, y: line.y, width: line.width - 2, role: .dim)
        } else {
            grid.put("Tab completes a query's name; from an alert, a case or a pivot it fills in the artifact too",
                     x: x, y: line.y, width: line.width - 2, role: .dim)
        }
    }

    func bodyLines(width: Int) -> [BodyLine] {
        switch state {
        case .ready: return catalogLines(width: width)
        case .asking(let q, let v, let since, _):
            let slowest = router.plugins.filter { $0.answers(q) }.map(\.timeout).max() ?? 0
            return [.text("asking \(q) \(v)… \(Int(Date().timeIntervalSince(since))) s", .title),
                    .text("every plugin that answers \(q) is asked at once; the slowest gives up after \(PositronPane.seconds(slowest))", .dim)]
        case .refused(let why): return [.text(why, .error)]
        case .answered(let result): return answerLines(result, width: width)
        }
    }

    private func catalogLines(width: Int) -> [BodyLine] {
        var out: [BodyLine] = [.text("What Positron can be asked", .title)]
        out.append(.columns([("QUERY", 20, .header), ("TAKES", 9, .header), ("ANSWERED BY", 26, .header), ("WHAT", width, .header)], fill: .header))
        for name in router.catalog.names {
            guard let q = router.catalog.query(name) else { continue }
            let plugins = router.plugins.filter { $0.answers(name) }.map(\.name)
            out.append(.columns([(q.name, 20, .text), (q.input.rawValue, 9, .dim),
                                 (plugins.isEmpty ? "-" : plugins.joined(separator: ", "), 26, plugins.isEmpty ? .dim : .field),
                                 (q.description, width, .dim)], fill: nil))
        }
        return out
    }

    private func answerLines(_ r: QueryResult, width: Int) -> [BodyLine] {
        var out: [BodyLine] = []
        let count = "\(r.answers.count) answer\(r.answers.count == 1 ? "" : "s")"
        out.append(.text("\(r.query.name) \(r.value): \(count)\(r.cached ? " (from the cache)" : "")", .title))
        if r.answers.isEmpty {
            out.append(.text(r.outcomes.isEmpty ? "no plugin answers \(r.query.name): add one in positron.yaml" : "no plugin knew", .dim))
        } else {
            let fields = r.query.output
            func widest(_ header: String, _ values: [String], cap: Int) -> Int { min(cap, max(CellWidth.of(header), values.map(CellWidth.of).max() ?? 0)) }
            let widths = fields.map { f in widest(f, r.answers.map { $0.fields[f] ?? "-" }, cap: 40) }
            let fromWidth = widest("FROM", r.answers.map { $0.plugins.joined(separator: ", ") }, cap: 30)
            out.append(.columns(zip(fields, widths).map { ($0.uppercased(), $1, .header) } + [("FROM", fromWidth, .header), ("SEEN", 16, .header)], fill: .header))
            for a in r.answers {
                out.append(.columns(zip(fields, widths).map { (a.fields[$0] ?? "-", $1, .text) }
                    + [(a.plugins.joined(separator: ", "), fromWidth, .field), (Output.short(a.seen), 16, .dim)], fill: nil))
            }
        }
        guard !r.outcomes.isEmpty else { return out }
        out.append(.text("", .text))
        out.append(.text("Plugins", .header))
        let nameWidth = min(24, r.outcomes.map { CellWidth.of($0.plugin) }.max() ?? 0)
        let whatWidth = max(20, width - nameWidth - 10)
        for o in r.outcomes {
            let (what, role): (String, Role)
            switch o.result {
            case .answered(let n): (what, role) = ("answered \(n)", .text)
            case .failed(let why): (what, role) = ("failed: \(why)", .error)
            case .timedOut: (what, role) = ("timed out after \(PositronPane.seconds(o.seconds))", .severity("medium"))
            }
            // Why a plugin failed is the whole point of listing it: long reasons wrap, not cut.
            let parts = PositronPane.wrap(what, width: whatWidth)
            out.append(.columns([(o.plugin, nameWidth, .field), (PositronPane.seconds(o.seconds), 8, .dim), (parts[0], whatWidth, role)], fill: nil))
            for more in parts.dropFirst() { out.append(.columns([("", nameWidth, .text), ("", 8, .text), (more, whatWidth, role)], fill: nil)) }
        }
        return out
    }

    /// Cuts text into lines of at most `width` cells, at spaces where it can; at most five lines.
    static func wrap(_ text: String, width: Int) -> [String] {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        var lines: [String] = [], line = ""
        for word in flat.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            var word = word
            while CellWidth.of(word) > width {
                if !line.isEmpty { lines.append(line); line = "" }
                let cut = word.prefix(width)
                lines.append(String(cut))
                word = String(word.dropFirst(cut.count))
            }
            if line.isEmpty {
                line = word
            } else if CellWidth.of(line) + 1 + CellWidth.of(word) <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines.count > 5 ? Array(lines.prefix(4)) + [String(lines[4].prefix(max(0, width - 1))) + "…"] : lines
    }

    static func seconds(_ s: Double) -> String {
        s < 1 ? String(format: "%.0f ms", s * 1000) : String(format: "%.1f s", s)
    }
}
