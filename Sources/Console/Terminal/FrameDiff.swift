/// One write to the terminal: text that starts at (x, y), all cells in one role.
struct FrameRun: Hashable, Sendable {
    var x: Int
    var y: Int
    var text: String
    var role: Role
}

/// What to send so the terminal shows `new` when it shows `old`: only the cells that changed,
/// grouped into runs on a row that share a role (one curses call each). Over SSH every byte
/// is latency, so a cursor move in a list costs two rows, not a screen.
public enum FrameDiff {
    /// About what the terminal receives to go from `old` to `new`: each run's text, plus ~8
    /// bytes per run for the cursor move and attributes curses sends before it (an estimate:
    /// curses picks the shortest sequences it can). For `taser bench console`.
    public static func bytes(from old: Grid?, to new: Grid) -> Int {
        runs(from: old, to: new).reduce(0) { $0 + $1.text.utf8.count + 8 }
    }

    /// `old` is nil (first frame, resize, Ctrl-L) or of another size: every cell is written.
    static func runs(from old: Grid?, to new: Grid) -> [FrameRun] {
        let full = old == nil || old!.width != new.width || old!.height != new.height
        var runs: [FrameRun] = []
        for y in 0..<new.height {
            let changed = changedCells(row: y, old: full ? nil : old, new: new)
            var x = 0
            while x < new.width {
                guard changed[x] else { x += 1; continue }
                let role = new[x, y].role
                var text = ""
                let start = x
                while x < new.width, changed[x], new[x, y].role == role {
                    text += drawn(new, x, y)
                    x += 1
                }
                runs.append(FrameRun(x: start, y: y, text: text, role: role))
            }
        }
        return runs
    }

    /// The cells of row `y` to write. The two halves of a wide character go together: if
    /// either changed, both are written, so the terminal never holds half of one.
    static func changedCells(row y: Int, old: Grid?, new: Grid) -> [Bool] {
        var changed = (0..<new.width).map { x in old.map { $0[x, y] != new[x, y] } ?? true }
        for x in 1..<max(1, new.width) where isRightHalf(new, x, y) && (changed[x] || changed[x - 1]) {
            changed[x] = true
            changed[x - 1] = true
        }
        return changed
    }

    /// What a cell puts on the wire: nothing for the right half of a wide character (the left
    /// half already covers it), a space for a stray half left by a view drawing over one.
    static func drawn(_ grid: Grid, _ x: Int, _ y: Int) -> String {
        let text = grid[x, y].text
        if text.isEmpty { return isRightHalf(grid, x, y) ? "" : " " }
        return text
    }

    static func isRightHalf(_ grid: Grid, _ x: Int, _ y: Int) -> Bool {
        guard x > 0, grid[x, y].text.isEmpty, let left = grid[x - 1, y].text.first else { return false }
        return CellWidth.of(left) == 2
    }
}
