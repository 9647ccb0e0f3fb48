import CNcursesw

/// What the terminal can show, decided once at start: the themes' styles fall back on it
/// (a mono theme shows selection by reverse video).
public enum ColourSupport: Sendable, Equatable {
    /// NO_COLOR is set or the terminal has no colours: attributes only.
    case none
    /// 8 or 16 colours: the palette the analyst chose.
    case palette
    /// 256 colours or more: xterm's indices too.
    case indexed
}

/// Styles to curses attributes and colour pairs. A pair is made the first time a (foreground,
/// background) is drawn: themes use a handful, and terminals have a limited number of pairs.
final class Colours {
    let support: ColourSupport
    let colourCount: Int
    private let pairLimit: Int
    private var pairs: [Pair: Int16] = [:]

    struct Pair: Hashable { var foreground: Int16, background: Int16 }

    init(support: ColourSupport, colourCount: Int, pairLimit: Int) {
        self.support = support
        self.colourCount = colourCount
        self.pairLimit = pairLimit
    }

    /// What `style` looks like on this terminal: its attributes and the pair to draw with.
    func look(_ style: Style) -> (attributes: attr_t, pair: Int16) {
        var style = style
        if support == .none { style = Colours.withoutColour(style) }
        var attributes = taser_a_normal()
        if style.bold { attributes |= taser_a_bold() }
        if style.dim { attributes |= taser_a_dim() }
        if style.underline { attributes |= taser_a_underline() }
        if style.reverse { attributes |= taser_a_reverse() }
        guard support != .none else { return (attributes, 0) }
        let key = Pair(
            foreground: Colours.number(style.foreground, colours: colourCount),
            background: Colours.number(style.background, colours: colourCount))
        if key.foreground == -1 && key.background == -1 { return (attributes, 0) }
        if let pair = pairs[key] { return (attributes, pair) }
        let next = pairs.count + 1
        // Out of pairs (a theme with very many colours on an old terminal): the terminal's own
        // colours, which still read, rather than a wrong pair.
        guard next < pairLimit, next <= Int(Int16.max) else { return (attributes, 0) }
        init_pair(Int16(next), key.foreground, key.background)
        pairs[key] = Int16(next)
        return (attributes, Int16(next))
    }

    /// A style with its colours taken away. What the colours said must still show: a style
    /// that stood out by its background (selection, the status bar) becomes reverse video.
    static func withoutColour(_ style: Style) -> Style {
        var mono = style
        if style.background != .default { mono.reverse = true }
        mono.foreground = .default
        mono.background = .default
        return mono
    }

    /// The curses colour number for a theme colour on a terminal with `colours` colours; -1 is
    /// the terminal's default (use_default_colors).
    static func number(_ colour: TerminalColor, colours: Int) -> Int16 {
        switch colour {
        case .default: return -1
        case .palette(let i):
            let i = min(max(i, 0), 15)
            return Int16(i < colours ? i : i % 8)
        case .index(let i):
            let i = min(max(i, 0), 255)
            if i < colours { return Int16(i) }
            return Int16(nearestBasic(i))
        }
    }

    /// One of the 8 basic colours for an xterm-256 index, for terminals that have only those.
    static func nearestBasic(_ index: Int) -> Int {
        if index < 16 { return index % 8 }
        if index >= 232 { return index < 244 ? 0 : 7 }
        let cube = index - 16
        let r = cube / 36, g = (cube / 6) % 6, b = cube % 6
        return (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
    }
}
