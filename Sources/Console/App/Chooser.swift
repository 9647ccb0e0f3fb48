/// A small menu over the pane: "what about 10.1.2.3?" with one line per choice. Up and Down
/// (or j and k) move, Enter chooses, Esc leaves; the keys of a menu, like those of the `?`
/// overlay, are the same whatever the keymap, since nothing else is live while it is open.
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

    /// What a key does to the menu: nil when it closes it (chosen or left).
    enum Outcome { case stay(Chooser), choose(Option), leave }

    func handle(_ key: Key) -> Outcome {
        var next = self
        switch key {
        case .escape, Key("q"), Key("ctrl-g"): return .leave
        case .down, Key("j"), Key("ctrl-n"), .tab: next.cursor = min(cursor + 1, max(0, options.count - 1))
        case .up, Key("k"), Key("ctrl-p"), .backTab: next.cursor = max(0, cursor - 1)
        case .home, Key("g"): next.cursor = 0
        case .end, Key("G"): next.cursor = max(0, options.count - 1)
        case .enter:
            return options.indices.contains(cursor) ? .choose(options[cursor]) : .leave
        default:
            // 1 to 9 choose directly: the menu is short, and a number is one key.
            if let c = key.character, let n = c.wholeNumberValue, n >= 1, options.indices.contains(n - 1) { return .choose(options[n - 1]) }
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

    func renderChooser(into grid: inout Grid, _ area: Rect, _ chooser: Chooser) {
        let labelWidth = min(28, chooser.options.map { CellWidth.of($0.label) }.max() ?? 0)
        let widest = chooser.options.map { labelWidth + CellWidth.of($0.detail) + 10 }.max() ?? 0
        let w = min(max(widest, CellWidth.of(chooser.title) + 8, 40), area.width - 2)
        let h = min(chooser.options.count + 2, area.height - 2)
        let box = Rect(x: area.x + (area.width - w) / 2, y: area.y + max(1, (area.height - h) / 3), width: w, height: h)
        grid.fill(box)
        grid.box(box, title: chooser.title, role: .borderFocus)
        let rows = box.height - 2
        let first = max(0, min(chooser.cursor - rows / 2, chooser.options.count - rows))
        for (n, option) in chooser.options.dropFirst(first).prefix(rows).enumerated() {
            let index = first + n
            let number = index < 9 ? "\(index + 1)" : " "
            grid.columns([(number, 1, .hintKey), (option.label, labelWidth, option.role), (option.detail, box.width, .dim)],
                         x: box.x + 2, y: box.y + 1 + n, width: box.width - 4, fill: index == chooser.cursor ? .selected : nil)
        }
    }
}
