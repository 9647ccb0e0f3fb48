import Engine
import Model

/// Which action a key means where the analyst is: contexts innermost first
/// (`["queue", "list", "global"]`). `Keymap` (Keymaps/*.yaml plus the user's file) is the one
/// the console uses; tests may pass a small one.
public protocol KeyBindings: Sendable {
    func action(for key: Key, in contexts: [String]) -> String?
    func keys(for action: String) -> [Key]
}

/// One full-screen place in the console: the queue, a case, a pivot, the rules. Panes stack;
/// `back` pops one.
protocol Pane: AnyObject {
    /// For the breadcrumbs: `Queue`, `Case 12`, `Pivot 10.1.2.3`.
    var title: String { get }
    /// Innermost first; `global` is always added.
    var contexts: [String] { get }
    /// The pane's own line of state for the status bar (`row 3 · 2 marked · sorted by time`).
    var status: String { get }
    func render(into grid: inout Grid, area: Rect)
    /// Runs a registry action; returns false when the pane does not know it.
    func perform(_ action: String, app: App) throws -> Bool
    /// Reloads from the database (another process changed it, or the pane's own action did).
    func reload() throws
    /// Whether the pane does what its contexts offer: the hint bar and `?` show only what it
    /// does. Only panes with a filter line filter.
    func supports(_ action: String) -> Bool
}

extension Pane {
    func supports(_ action: String) -> Bool {
        switch action {
        case "filter", "filter.next", "filter.previous": self is TypingPane
        case "mark", "mark.all": self is MarkingPane
        // The note editor shares the editor's keys but has nothing to complete.
        case "editor.complete": self is RuleEditorPane
        default: true
        }
    }
}

/// A list whose rows can be marked, so that its actions apply to every marked row.
protocol MarkingPane: Pane {}

/// A line of text being typed: the filter, the `:` command line, a prompt.
struct LineInput {
    var text = ""
    /// Handles editing keys; returns false for keys it does not take (enter, esc, arrows).
    mutating func edit(_ key: Key) -> Bool {
        if let c = key.character {
            text.append(c)
            return true
        }
        switch key {
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return true
        case Key("ctrl-u"):
            text = ""
            return true
        case Key("ctrl-w"):
            while text.last == " " { text.removeLast() }
            while let last = text.last, last != " " { text.removeLast() }
            return true
        default:
            return false
        }
    }
}

extension LineInput {
    /// A key on a `/` filter line: Esc (or the keymap's back key, `cancels`) clears it and
    /// leaves, Enter leaves keeping it, the rest edit it. False when the key changed nothing.
    mutating func filterKey(_ key: Key, typing: inout Bool, cancels: Bool) -> Bool {
        if cancels {
            typing = false
            self = LineInput()
            return true
        }
        if key == .enter {
            typing = false
            return true
        }
        return edit(key)
    }
}

extension Severity {
    var role: Role { Role.severity(name) }
}

extension Grid {
    /// A row of columns, each cut to its width, separated by one space.
    mutating func columns(_ values: [(String, Int, Role)], x: Int, y: Int, width: Int, fill role: Role? = nil) {
        if let role { fill(Rect(x: x, y: y, width: width, height: 1), role) }
        var at = x
        for (text, w, r) in values where at < x + width {
            let cell = min(w, x + width - at)
            put(text, x: at, y: y, width: cell, role: role ?? r)
            at += cell + 1
        }
    }

    /// A titled box border.
    mutating func box(_ area: Rect, title: String, role: Role = .border) {
        guard area.width >= 2, area.height >= 2 else { return }
        for x in area.x..<area.maxX {
            self[x, area.y] = Cell("─", role)
            self[x, area.maxY - 1] = Cell("─", role)
        }
        for y in area.y..<area.maxY {
            self[area.x, y] = Cell("│", role)
            self[area.maxX - 1, y] = Cell("│", role)
        }
        self[area.x, area.y] = Cell("┌", role)
        self[area.maxX - 1, area.y] = Cell("┐", role)
        self[area.x, area.maxY - 1] = Cell("└", role)
        self[area.maxX - 1, area.maxY - 1] = Cell("┘", role)
        if !title.isEmpty { put(" \(title) ", x: area.x + 2, y: area.y, width: area.width - 4, role: .title) }
    }
}

/// The console's keys are the keymap's (Keymaps/*.yaml and the analyst's keys.yaml).
extension Keymap: KeyBindings {}
