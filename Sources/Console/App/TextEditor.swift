/// A small multi-line editor for notes: arrows, home/end, enter for a new line, backspace and
/// delete, typed text at the cursor (by character, so wide ones stay whole).
struct TextEditor {
    var lines: [[Character]]
    var row = 0
    var column = 0

    /// The text it opened with: leaving with other text asks first.
    let original: String

    init(text: String) {
        original = text
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        if lines.isEmpty { lines = [[]] }
        row = lines.count - 1
        column = lines[row].count
    }

    var text: String { lines.map { String($0) }.joined(separator: "\n") }
    var changed: Bool { text != original }

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
