import Foundation
import Model

/// The layout: breadcrumbs on top, the pane, the status bar, and the hint bar (or the line
/// being typed) at the bottom; overlays (help, confirm, editor) over the pane.
extension App {
    public func render(into grid: inout Grid) {
        let screen = Rect(x: 0, y: 0, width: grid.width, height: grid.height)
        grid.fill(screen)
        let (crumbs, rest) = screen.splitTop(1)
        let (main, bars) = rest.splitBottom(2)
        renderCrumbs(into: &grid, crumbs)
        top.render(into: &grid, area: main)
        renderStatus(into: &grid, Rect(x: 0, y: bars.y, width: bars.width, height: 1))
        renderBottom(into: &grid, Rect(x: 0, y: bars.y + 1, width: bars.width, height: 1))
        switch mode {
        case .help(let filter, let cursor): renderHelp(into: &grid, main, filter: filter.text, cursor: cursor)
        case .confirm(let question, _): renderConfirm(into: &grid, main, question)
        case .editor(let editor, let title, _): renderEditor(into: &grid, main, editor, title)
        case .choose(let chooser): renderChooser(into: &grid, main, chooser)
        default: break
        }
    }

    private func renderCrumbs(into grid: inout Grid, _ area: Rect) {
        grid.fill(area, .header)
        let (path, who) = Header.fit(titles: panes.map(\.title), actor: engine.callerName, database: engine.location, width: area.width)
        grid.put(path, x: Header.margin, y: area.y, width: area.width - 2 * Header.margin, role: .header)
        if let who {
            grid.put(who, x: area.width - Header.margin - CellWidth.of(who), y: area.y, role: .header)
        }
    }

    private func renderStatus(into grid: inout Grid, _ area: Rect) {
        grid.fill(area, .status)
        // Dead letters, at the right end on every pane but Sync's own (which lists them), so
        // they are noticed; the message or the pane's line gets the rest of the bar.
        var room = area.width
        if deadLetters > 0, !(top is SyncPane) {
            let warning = " sync: \(deadLetters) dead "
            let width = CellWidth.of(warning)
            if width + 12 <= area.width {
                grid.put(warning, x: area.width - width, y: area.y, role: .error)
                room -= width + 1
            }
        }
        if let message {
            let text = StatusText.fit(" " + message.text, keeping: messageEnd, width: room)
            grid.put(text, x: 0, y: area.y, width: room, role: message.isError ? .error : .status)
        } else {
            grid.put(" " + withKeys(top.status), x: 0, y: area.y, width: room, role: .status)
        }
    }

    /// The hint bar: the hinted actions of where the analyst is, with their first key.
    private func renderBottom(into grid: inout Grid, _ area: Rect) {
        switch mode {
        case .command(let line):
            grid.put(":" + line.text, x: 0, y: area.y, role: .prompt)
            return
        case .prompt(let label, let input, _):
            grid.put(label + " " + input.text, x: 0, y: area.y, role: .prompt)
            return
        case .confirm(let question, _):
            grid.put(question + " (y/n)", x: 0, y: area.y, role: .prompt)
            return
        default:
            break
        }
        if let typing = top as? TypingPane, typing.isTyping, let typed = typing.typedText {
            grid.put("/" + typed, x: 0, y: area.y, role: .prompt)
            return
        }
        if case .choose(let chooser) = mode {
            let hint = chooser.typing == nil ? "Enter or 1-9 chooses · Esc leaves" : "type to narrow · ↑↓ move · Enter chooses · Esc leaves"
            grid.put(hint, x: 0, y: area.y, role: .hint)
            return
        }
        // At a prompt or in an editor printable keys are text: only the other keys are worth
        // hinting, and in an editor only the editor's own actions.
        let editing: Bool
        if case .editor = mode { editing = true } else { editing = top.contexts.contains("editor") }
        let prompt = top is PromptPane || editing
        var x = 0
        for context in editing ? ["editor"] : contexts {
            for action in Registry.actions where action.context == context && action.hint && top.supports(action.name) {
                // A key that runs it here (one an inner context binds to something else does
                // not), the one bound innermost first: the queue's own p before the alerts' P.
                let runs = bindings.keys(for: action.name).filter { key in
                    (!prompt || key.character == nil) && (editing || bindings.action(for: key, in: contexts) == action.name)
                }
                let here = contexts, keys = bindings
                let depth = { (key: Key) in here.firstIndex { keys.action(for: key, in: [$0]) == action.name } ?? here.count }
                guard let key = runs.min(by: { depth($0) < depth($1) }) else { continue }
                // The action's own last word (`alert.promote` -> promote): short and what `:` takes.
                let label = String(action.name.split(separator: ".").last ?? "")
                let need = CellWidth.of(key.name) + CellWidth.of(label) + 3
                guard x + need <= area.width else { return }
                x += grid.put(key.name, x: x, y: area.y, role: .hintKey)
                x += grid.put(" " + label + "  ", x: x, y: area.y, role: .hint)
            }
        }
    }

    private func overlay(_ area: Rect, width: Int, height: Int) -> Rect {
        let w = min(width, area.width - 2), h = min(height, area.height - 2)
        return Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
    }

    private func renderHelp(into grid: inout Grid, _ area: Rect, filter: String, cursor: Int) {
        let box = overlay(area, width: 90, height: area.height - 2)
        grid.fill(box)
        grid.box(box, title: "Keys and actions — type to filter, Enter runs, Esc closes", role: .borderFocus)
        grid.put("filter: " + filter, x: box.x + 2, y: box.y + 1, width: box.width - 4, role: .prompt)
        let entries = helpEntries(filter)
        let rows = box.height - 4
        let first = max(0, min(cursor - rows / 2, entries.count - rows))
        for (n, entry) in entries.dropFirst(first).prefix(rows).enumerated() {
            let y = box.y + 3 + n
            let selected = first + n == cursor
            let keys = entry.keys.map(\.name).joined(separator: " ")
            grid.columns([
                (keys.isEmpty ? "-" : keys, 16, .hintKey), (entry.action.context, 8, .dim),
                (entry.action.title + (entry.action.dangerous ? " (asks first)" : ""), box.width - 30, .text),
            ], x: box.x + 2, y: y, width: box.width - 4, fill: selected ? .selected : nil)
        }
    }

    private func renderConfirm(into grid: inout Grid, _ area: Rect, _ question: String) {
        let box = overlay(area, width: CellWidth.of(question) + 8, height: 5)
        grid.fill(box)
        grid.box(box, title: "Are you sure?", role: .borderFocus)
        grid.put(question, x: box.x + 2, y: box.y + 2, width: box.width - 4, role: .text)
    }

    private func renderEditor(into grid: inout Grid, _ area: Rect, _ editor: TextEditor, _ title: String) {
        let box = overlay(area, width: 100, height: 16)
        grid.fill(box)
        let save = bindings.keys(for: "editor.save").first?.name ?? "?"
        let cancel = bindings.keys(for: "editor.cancel").first?.name ?? "?"
        grid.box(box, title: "\(title) — \(save) saves, \(cancel) cancels", role: .borderFocus)
        // Soft-wrapped, scrolled so the cursor's row is always inside the box.
        let height = box.height - 2
        let wrapped = WrappedText(editor.lines, width: box.width - 2)
        let cursorRow = wrapped.row(line: editor.row, column: editor.column)
        let first = WrappedText.top(showing: cursorRow, height: height, from: max(0, cursorRow - height + 1))
        for (n, row) in wrapped.rows.dropFirst(first).prefix(height).enumerated() {
            let y = box.y + 1 + n
            let line = editor.lines[row.line]
            grid.put(String(line[row.start..<row.end]), x: box.x + 1, y: y, width: box.width - 2)
            if first + n == cursorRow {
                let x = box.x + 1 + CellWidth.of(String(line[row.start..<editor.column]))
                if x < box.maxX - 1 {
                    grid[x, y] = Cell(editor.column < line.count ? String(line[editor.column]) : " ", .selected)
                }
            }
        }
    }
}

extension App {
    /// A pane's text with `{action}` replaced by the first key bound to it (`:name` when none),
    /// so what a pane says about keys is what the keymap says.
    func withKeys(_ text: String) -> String {
        guard text.contains("{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            if Registry.action(named: name) != nil {
                out += bindings.keys(for: name).first?.name ?? ":" + (name.split(separator: ".").last.map(String.init) ?? name)
            } else {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// The top row: where the analyst is (the panes' titles) on the left, who and which database on
/// the right. Each is shortened as a whole, never cut into the other: the path loses its first
/// panes for `…` (the pane open now matters most), the right side falls back to the database's
/// file name, then that alone, then nothing, and the two stay `gap` cells apart.
enum Header {
    static let margin = 1, gap = 2
    static let separator = " › "

    /// The path and, when there is room, who; each fits in `width` less the margins as it is,
    /// but for a lone pane title wider than the row, which the grid cuts with `…`.
    static func fit(titles: [String], actor: String, database: String, width: Int) -> (path: String, who: String?) {
        let room = width - 2 * margin
        var path = titles.joined(separator: separator)
        var shown = titles[...]
        while CellWidth.of(path) > room, shown.count > 1 {
            shown = shown.dropFirst()
            path = (["…"] + shown).joined(separator: separator)
        }
        if CellWidth.of(path) > room { path = shown.last ?? "" }
        let left = room - CellWidth.of(path) - gap
        let file = (database as NSString).lastPathComponent
        let choices = [actor + " · " + database, actor + " · " + file, file]
        return (path, choices.first { !$0.isEmpty && CellWidth.of($0) <= left })
    }
}

/// A status message cut to the bar's width with its end kept (`… (+2 more; taser config check
/// for all)`), so a narrow terminal still says where the rest is; when keeping it would leave
/// less than half the bar to the message itself, the message is cut at the end as any other.
enum StatusText {
    static func fit(_ text: String, keeping end: String?, width: Int) -> String {
        guard let end, CellWidth.of(text) > width, text.hasSuffix(end) else { return text }
        let room = width - CellWidth.of(end) - 1
        guard room >= width / 2 else { return text }
        var head = "", used = 0
        for ch in text.dropLast(end.count) {
            let w = CellWidth.of(ch)
            if used + w > room { break }
            head.append(ch)
            used += w
        }
        return head + "…" + end
    }
}
