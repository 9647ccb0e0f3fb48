import Engine
import Model

/// A small menu over the pane: "what about 10.1.2.3?" with one line per choice. Up and Down
/// (or j and k) move, Enter chooses, Esc leaves; the keys of a menu, like those of the `?`
/// overlay, are the same whatever the keymap, since nothing else is live while it is open.
///
/// A picker (`typing` set) is a menu over a longer list (cases, analysts, teams): typed text
/// narrows it to the options holding every typed word, so nothing is typed from memory; Enter
/// on text that matches nothing goes to `typed`, when the picker takes free text (a new tag).
struct Chooser {
    struct Option {
        var label: String
        var detail: String
        var role: Role = .text
        var choose: () throws -> Void
    }

    var title: String
    var options: [Option]
    var cursor = 0
    /// The picker's typed text; nil for a plain menu.
    var typing: LineInput?
    var typed: ((String) throws -> Void)?

    /// What a key does to the menu: nil when it closes it (chosen or left).
    enum Outcome { case stay(Chooser), choose(Option), leave, typed(String, (String) throws -> Void) }

    /// The options shown: all of a menu's, or a picker's that hold every typed word.
    var shown: [Option] {
        guard let words = typing?.text.lowercased().split(separator: " "), !words.isEmpty else { return options }
        return options.filter { o in
            let text = (o.label + " " + o.detail).lowercased()
            return words.allSatisfy { text.contains($0) }
        }
    }

    func handle(_ key: Key, cancels: Bool = false) -> Outcome {
        var next = self
        let shown = self.shown
        if cancels || key == .escape { return .leave }
        switch key {
        case .down, Key("ctrl-n"), .tab: next.cursor = min(cursor + 1, max(0, shown.count - 1))
        case .up, Key("ctrl-p"), .backTab: next.cursor = max(0, cursor - 1)
        case .enter:
            if shown.indices.contains(cursor) { return .choose(shown[cursor]) }
            if let text = typing?.text.trimmed, !text.isEmpty, let typed { return .typed(text, typed) }
            return .leave
        default:
            if var input = typing {
                if input.edit(key) {
                    next.typing = input
                    next.cursor = 0
                }
                return .stay(next)
            }
            switch key {
            case Key("q"), Key("ctrl-g"): return .leave
            case Key("j"): next.cursor = min(cursor + 1, max(0, shown.count - 1))
            case Key("k"): next.cursor = max(0, cursor - 1)
            case .home, Key("g"): next.cursor = 0
            case .end, Key("G"): next.cursor = max(0, shown.count - 1)
            default:
                // 1 to 9 choose directly: the menu is short, and a number is one key.
                if let c = key.character, let n = c.wholeNumberValue, n >= 1, shown.indices.contains(n - 1) { return .choose(shown[n - 1]) }
            }
        }
        return .stay(next)
    }
}

extension App {
    /// Opens a menu; with nothing to choose it says so instead.
    func choose(_ title: String, _ options: [Chooser.Option], otherwise: String) {
        guard !options.isEmpty else {
            message = (otherwise, true)
            return
        }
        mode = .choose(Chooser(title: title, options: options))
    }

    /// Opens a picker: type to narrow, Enter chooses. `typed` takes text that matches nothing
    /// (nil: such text chooses nothing).
    func pick(_ title: String, _ options: [Chooser.Option], otherwise: String, typed: ((String) throws -> Void)? = nil) {
        guard !options.isEmpty || typed != nil else {
            message = (otherwise, true)
            return
        }
        mode = .choose(Chooser(title: title, options: options, typing: LineInput(), typed: typed))
    }

    /// A case the analyst may write, open ones first (newest first): merge targets.
    func pickCase(_ title: String, then: @escaping (Int64) throws -> Void) {
        let cases = ((try? engine.cases(CaseFilter(limit: 2000))) ?? []).filter { $0.access >= .write && $0.case.mergedInto == nil }
        let open = cases.filter { $0.case.status.isOpen }, closed = cases.filter { !$0.case.status.isOpen }
        let options = (open + closed).map { c in
            Chooser.Option(label: "\(c.case.id)  \(c.case.title)", detail: "\(c.case.status.rawValue) · \(c.case.owner ?? "unassigned") · \(c.case.team ?? "-")") {
                try then(c.case.id)
            }
        }
        pick(title, options, otherwise: "no case you may change; open one first (promote)")
    }

    /// An analyst to assign to, by login or name; with `unassign`, "nobody" first.
    func pickAnalyst(_ title: String, unassign: (() throws -> Void)? = nil, then: @escaping (String) throws -> Void) {
        let analysts = (try? engine.analysts()) ?? []
        let nobody = unassign.map { [Chooser.Option(label: "nobody", detail: "unassigned", role: .dim, choose: $0)] } ?? []
        let options = nobody + analysts.map { a in
            Chooser.Option(label: a.name, detail: [a.displayName, a.teams.joined(separator: ", ")].filter { !$0.isEmpty }.joined(separator: " · ")) { try then(a.name) }
        }
        pick(title, options, otherwise: "no analysts yet: add them with taser analyst add")
    }

    func renderChooser(into grid: inout Grid, _ area: Rect, _ chooser: Chooser) {
        let shown = chooser.shown
        let labelWidth = min(chooser.typing == nil ? 28 : 44, chooser.options.map { CellWidth.of($0.label) }.max() ?? 0)
        let widest = chooser.options.map { labelWidth + CellWidth.of($0.detail) + 10 }.max() ?? 0
        let w = min(max(widest, CellWidth.of(chooser.title) + 8, 40), area.width - 2)
        let typingRows = chooser.typing == nil ? 0 : 1
        let h = min(max(shown.count, 1) + 2 + typingRows, area.height - 2, chooser.typing == nil ? .max : 16)
        let box = Rect(x: area.x + (area.width - w) / 2, y: area.y + max(1, (area.height - h) / 3), width: w, height: h)
        grid.fill(box)
        grid.box(box, title: chooser.title, role: .borderFocus)
        if let typing = chooser.typing {
            let counted = "\(shown.count)/\(chooser.options.count)"
            grid.put("› " + typing.text, x: box.x + 2, y: box.y + 1, width: box.width - 6 - counted.count, role: .text)
            grid.put(counted, x: box.maxX - 2 - counted.count, y: box.y + 1, width: counted.count, role: .dim)
        }
        let rows = box.height - 2 - typingRows
        if shown.isEmpty {
            let none = chooser.typed == nil ? "nothing matches" : "nothing matches; Enter takes the text"
            grid.put(none, x: box.x + 2, y: box.y + 1 + typingRows, width: box.width - 4, role: .dim)
            return
        }
        let first = max(0, min(chooser.cursor - rows / 2, shown.count - rows))
        for (n, option) in shown.dropFirst(first).prefix(rows).enumerated() {
            let index = first + n
            let number = chooser.typing == nil && index < 9 ? "\(index + 1)" : " "
            grid.columns([(number, 1, .hintKey), (option.label, labelWidth, option.role), (option.detail, box.width, .dim)],
                         x: box.x + 2, y: box.y + 1 + typingRows + n, width: box.width - 4, fill: index == chooser.cursor ? .selected : nil)
        }
    }
}
