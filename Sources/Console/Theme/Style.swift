import Foundation

/// How a role looks: colours from the terminal's palette and attributes. Themes map roles to
/// styles (`Themes/*.yaml`); the driver turns styles into curses colour pairs.
public struct Style: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false

    public init(foreground: TerminalColor = .default, background: TerminalColor = .default, bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }

    public static let plain = Style()
}

/// A colour as themes name it: the terminal's own default, one of its 16 palette colours (so
/// the default theme follows whatever palette the analyst chose), or an xterm-256 index.
public enum TerminalColor: Hashable, Sendable {
    case `default`
    /// 0-15: black, red, green, yellow, blue, magenta, cyan, white, then the bright ones.
    case palette(Int)
    case index(Int)

    public static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// `default`, `red`, `bright-red`, `color208` or `208`.
    public init?(name: String) {
        let n = name.lowercased().trimmingCharacters(in: .whitespaces)
        if n == "default" || n == "none" { self = .default; return }
        if let i = TerminalColor.names.firstIndex(of: n) { self = .palette(i); return }
        for prefix in ["bright-", "bright_", "light-"] where n.hasPrefix(prefix) {
            if let i = TerminalColor.names.firstIndex(of: String(n.dropFirst(prefix.count))) { self = .palette(i + 8); return }
        }
        let digits = n.hasPrefix("color") ? String(n.dropFirst(5)) : n
        if let i = Int(digits), (0...255).contains(i) { self = i < 16 ? .palette(i) : .index(i); return }
        return nil
    }
}
