import Foundation

/// A key as the console sees it, named the way keymap files write it: `j`, `G`, `ctrl-d`,
/// `esc`, `enter`, `space`, `up`, `pgdn`, `f5`. Letters keep their case (`n` and `N` differ).
public struct Key: Hashable, Sendable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) { self.name = Key.normalize(name) }

    public var description: String { name }

    /// A printable character the user typed (for the filter line, the editor), if it is one.
    public var character: Character? {
        if name == "space" { return " " }
        guard name.count == 1, let c = name.first, !c.isNewline else { return nil }
        return c
    }

    public static func char(_ c: Character) -> Key { c == " " ? Key("space") : Key(String(c)) }
    public static func ctrl(_ c: Character) -> Key { Key("ctrl-" + String(c).lowercased()) }

    public static let up = Key("up"), down = Key("down"), left = Key("left"), right = Key("right")
    public static let pageUp = Key("pgup"), pageDown = Key("pgdn"), home = Key("home"), end = Key("end")
    public static let enter = Key("enter"), escape = Key("esc"), backspace = Key("backspace"), delete = Key("delete")
    public static let tab = Key("tab"), backTab = Key("shift-tab"), space = Key("space")
    /// Not a key: the terminal changed size.
    public static let resize = Key("resize")

    /// Spellings people write in keymap files, made one: `C-d`, `Ctrl+D`, `^D` are `ctrl-d`;
    /// `Esc`, `Escape` are `esc`; `PageDown` is `pgdn`.
    static func normalize(_ raw: String) -> String {
        if raw.count == 1 { return raw }
        var s = raw.trimmingCharacters(in: .whitespaces)
        let lower = s.lowercased()
        for prefix in ["ctrl-", "ctrl+", "c-", "control-"] where lower.hasPrefix(prefix) && s.count > prefix.count {
            return "ctrl-" + String(s.dropFirst(prefix.count)).lowercased()
        }
        if s.hasPrefix("^"), s.count == 2 { return "ctrl-" + String(s.dropFirst()).lowercased() }
        if lower.hasPrefix("m-") || lower.hasPrefix("alt-") || lower.hasPrefix("meta-") {
            s = String(s.drop { $0 != "-" }.dropFirst())
            return "alt-" + (s.count == 1 ? s : s.lowercased())
        }
        switch lower {
        case "escape": return "esc"
        case "return", "ret", "cr": return "enter"
        case "pagedown", "page-down", "pgdown", "next": return "pgdn"
        case "pageup", "page-up", "prior": return "pgup"
        case "spc": return "space"
        case "bs", "backspace", "del-backward": return "backspace"
        case "del": return "delete"
        case "backtab", "s-tab": return "shift-tab"
        default: return lower
        }
    }
}
