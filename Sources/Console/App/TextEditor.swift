/// A small multi-line editor for notes: arrows, home/end, enter for a new line, backspace and
/// delete, typed text at the cursor (by character, so wide ones stay whole).
struct TextEditor {
    var lines: [[Character]]
    var row = 0
    var column = 0

    /// The text it opened with: leaving with other text asks first.
    let original: String

    /// `original` other than `text`: text that came back from `$EDITOR` is a change, and
    /// leaving with it asks first.
    init(text: String, original: String? = nil) {
        self.original = original ?? text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        if lines.isEmpty { lines = [[]] }
        row = lines.count - 1
        column = lines[row].count
    }

    var text: String { lines.map { String($0) }.joined(separator: "\n") }
    var changed: Bool { text != original }

    /// The cursor as a character offset into `text` (a line break counts one).
    var offset: Int { lines[0..<row].reduce(0) { $0 + $1.count + 1 } + column }

    /// Replaces the characters at offsets `range` of `text` with `replacement` and puts the
    /// cursor after it (completion inserting an option over what was typed of it).
    mutating func replace(_ range: Range<Int>, with replacement: String) {
        var chars = Array(lines.joined(separator: ["\n"]))
        let lower = min(max(range.lowerBound, 0), chars.count)
        let upper = min(max(range.upperBound, lower), chars.count)
        let inserted = Array(replacement)
        chars.replaceSubrange(lower..<upper, with: inserted)
        lines = chars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        var rest = lower + inserted.count
        row = 0
        while row < lines.count - 1, rest > lines[row].count {
            rest -= lines[row].count + 1
            row += 1
        }
        column = min(rest, lines[row].count)
    }

    mutating func edit(_ key: Key) {
        switch key {
        case .enter:
            let rest = Array(lines[row][column...])
            lines[row].removeSubrange(column...)
            lines.insert(rest, at: row + 1)
            row += 1
            column = 0
        case .backspace:
            if column > 0 {
                lines[row].remove(at: column - 1)
                column -= 1
            } else if row > 0 {
                column = lines[row - 1].count
                lines[row - 1] += lines[row]
                lines.remove(at: row)
                row -= 1
            }
        case .delete:
            if column < lines[row].count { lines[row].remove(at: column) } else if row + 1 < lines.count {
                lines[row] += lines.remove(at: row + 1)
            }
        case .left:
            if column > 0 { column -= 1 } else if row > 0 { row -= 1; column = lines[row].count }
        case .right:
            if column < lines[row].count { column += 1 } else if row + 1 < lines.count { row += 1; column = 0 }
        case .up:
            if row > 0 { row -= 1; column = min(column, lines[row].count) }
        case .down:
            if row + 1 < lines.count { row += 1; column = min(column, lines[row].count) }
        case .home, Key("ctrl-a"): column = 0
        case .end, Key("ctrl-e"): column = lines[row].count
        default:
            if let c = key.character {
                lines[row].insert(c, at: column)
                column += 1
            }
        }
    }
}

/// The editor's text cut into screen rows of a given width (soft wrap: the text is unchanged),
/// so a long line stays readable and the cursor is always on screen.
struct WrappedText {
    /// One screen row: columns `start..<end` of logical line `line`.
    struct Row: Equatable {
        var line: Int
        var start: Int
        var end: Int
    }

    let rows: [Row]

    init(_ lines: [[Character]], width: Int) {
        let width = max(2, width)
        var rows: [Row] = []
        for (n, line) in lines.enumerated() {
            var start = 0, cells = 0
            for (c, ch) in line.enumerated() {
                let w = max(1, CellWidth.of(ch))
                // One cell is kept for the cursor after the last character.
                if cells + w > width - 1, c > start {
                    rows.append(Row(line: n, start: start, end: c))
                    start = c
                    cells = 0
                }
                cells += w
            }
            rows.append(Row(line: n, start: start, end: line.count))
        }
        self.rows = rows
    }

    /// The screen row holding (line, column): the row it falls in, or for the end of a line,
    /// that line's last row.
    func row(line: Int, column: Int) -> Int {
        var found = 0
        for (n, r) in rows.enumerated() where r.line == line {
            found = n
            if column < r.end { return n }
        }
        return found
    }

    /// The first row to show so that `row` is on a screen of `height` rows, keeping `top`
    /// when it already is.
    static func top(showing row: Int, height: Int, from top: Int) -> Int {
        let height = max(1, height)
        if row < top { return row }
        if row >= top + height { return row - height + 1 }
        return top
    }
}
