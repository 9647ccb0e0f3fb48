import Foundation

/// What a cell means, not how it looks: the theme turns roles into colours and attributes
/// (`Themes/*.yaml`), so views never name a colour and NO_COLOR or a mono theme still shows
/// selection and severity by attribute.
public struct Role: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var name: String
    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { name = value }
    public var description: String { name }

    public static let text: Role = "text"
    public static let dim: Role = "text.dim"
    public static let title: Role = "title"
    public static let header: Role = "list.header"
    public static let selected: Role = "list.selected"
    public static let marked: Role = "list.marked"
    public static let border: Role = "border"
    public static let borderFocus: Role = "border.focus"
    public static let status: Role = "status"
    public static let hint: Role = "hint"
    public static let hintKey: Role = "hint.key"
    public static let error: Role = "error"
    public static let prompt: Role = "prompt"
    public static let keyword: Role = "syntax.keyword"
    public static let kind: Role = "syntax.kind"
    public static let number: Role = "syntax.number"
    public static let string: Role = "syntax.string"
    public static let field: Role = "syntax.field"
    public static let errorMark: Role = "syntax.error"

    public static func severity(_ name: String) -> Role { Role("severity." + name) }

    /// Every role the views use, for theme checks.
    public static let all: [Role] = [
        text, dim, title, header, selected, marked, border, borderFocus, status, hint, hintKey, error, prompt,
        keyword, kind, number, string, field, errorMark,
        severity("info"), severity("low"), severity("medium"), severity("high"), severity("critical"),
    ]
}

/// One terminal cell: a grapheme (or "" for the right half of a wide character) and its role.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var role: Role
    public init(_ text: String = " ", _ role: Role = .text) {
        self.text = text
        self.role = role
    }
}

public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxY: Int { y + height }
    public var maxX: Int { x + width }

    /// The top `n` rows, and the rest.
    public func splitTop(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: n), Rect(x: x, y: y + n, width: width, height: height - n))
    }

    /// The bottom `n` rows, and the rest above them.
    public func splitBottom(_ n: Int) -> (rest: Rect, bottom: Rect) {
        let n = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: height - n), Rect(x: x, y: maxY - n, width: width, height: n))
    }

    /// The left `n` columns, and the rest.
    public func splitLeft(_ n: Int) -> (Rect, Rect) {
        let n = min(max(0, n), width)
        return (Rect(x: x, y: y, width: n, height: height), Rect(x: x + n, y: y, width: width - n, height: height))
    }
}

/// The screen as cells. Views draw here; the terminal driver copies only the cells that changed
/// since the last frame to the terminal, and tests read it back as text and roles.
public struct Grid: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    /// Out of the grid reads as a blank and writes nowhere: a view that miscounts draws less,
    /// never crashes the console.
    public subscript(x: Int, y: Int) -> Cell {
        get { x >= 0 && y >= 0 && x < width && y < height ? cells[y * width + x] : Cell() }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    public mutating func fill(_ area: Rect, _ role: Role = .text) {
        for y in max(0, area.y)..<min(height, area.maxY) {
            for x in max(0, area.x)..<min(width, area.maxX) { self[x, y] = Cell(" ", role) }
        }
    }

    /// Writes `text` at (x, y) in at most `width` cells (default: to the right edge), measured
    /// by cell width (CJK and emoji take two), ending in `…` when it does not fit. Returns the
    /// cells used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, width limit: Int? = nil, role: Role = .text) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let room = min(limit ?? (width - x), width - x)
        guard room > 0 else { return 0 }
        let total = CellWidth.of(text)
        var used = 0
        let clip = total > room
        for ch in text {
            let w = CellWidth.of(ch)
            if w == 0 { continue }
            if clip && used + w > room - 1 { break }
            if used + w > room { break }
            self[x + used, y] = Cell(ch == "\t" ? " " : String(ch), role)
            if w == 2 { self[x + used + 1, y] = Cell("", role) }
            used += w
        }
        if clip && room >= 1 {
            self[x + used, y] = Cell("…", role)
            used += 1
        }
        return used
    }

    /// The text of row `y` (wide characters once), for tests and the end-to-end harness.
    public func row(_ y: Int) -> String {
        (0..<width).map { self[$0, y].text }.joined()
    }

    /// The whole grid as lines, trailing spaces kept.
    public var text: String { (0..<height).map(row).joined(separator: "\n") }

    /// The role of the first cell of `needle` on the screen, for tests ("is it selected?").
    public func role(of needle: String) -> Role? {
        for y in 0..<height {
            let line = row(y)
            guard let r = line.range(of: needle) else { continue }
            let column = CellWidth.of(String(line[..<r.lowerBound]))
            return self[column, y].role
        }
        return nil
    }
}

/// Terminal cell widths: 0 for combining marks and controls, 2 for East Asian wide and emoji.
/// Computed here rather than by `wcwidth`, whose answer depends on the process locale (tests
/// and the terminal must agree).
public enum CellWidth {
    public static func of(_ ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 0 }
        if ch == "\t" { return 1 }
        let v = first.value
        if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark: return 0
        default: break
        }
        if ch.unicodeScalars.contains(where: { $0.value == 0xFE0F }) || first.properties.isEmojiPresentation { return 2 }
        return wide(v) ? 2 : 1
    }

    public static func of(_ s: String) -> Int { s.reduce(0) { $0 + of($1) } }

    private static func wide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
