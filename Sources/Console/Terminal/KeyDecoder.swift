import CNcursesw

/// What `wget_wch` hands back: a character typed, or a curses key code (arrows, F-keys).
enum RawInput: Hashable, Sendable {
    case character(UInt32)
    case code(Int32)

    static let escape = RawInput.character(27)
}

/// curses' key codes, read once from the shim (they are macros in C).
enum CursesKey {
    static let up = taser_key_up(), down = taser_key_down(), left = taser_key_left(), right = taser_key_right()
    static let pageUp = taser_key_ppage(), pageDown = taser_key_npage(), home = taser_key_home(), end = taser_key_end()
    static let backspace = taser_key_backspace(), delete = taser_key_dc(), enter = taser_key_enter()
    static let backTab = taser_key_btab(), resize = taser_key_resize()
    static func f(_ n: Int32) -> Int32 { taser_key_f(n) }
}

/// Raw terminal input to the key names keymaps use (`Key`). Pure, so it is tested without a
/// terminal; the driver only does the reading and the Esc timing.
enum KeyDecoder {
    /// The key for one input; nil for input no keymap can name (stray control bytes, unknown codes).
    static func key(_ raw: RawInput) -> Key? {
        switch raw {
        case .character(let c): return character(c)
        case .code(let code): return function(code)
        }
    }

    /// Esc, then `next` if one arrived within the Esc delay: Esc followed by a key is how
    /// terminals send Alt (Meta) with it, so `ESC x` is `alt-x`; a lone Esc is `esc`.
    static func escape(followedBy next: RawInput?) -> [Key] {
        guard let next else { return [.escape] }
        if next == .escape { return [.escape, .escape] }
        guard let key = key(next) else { return [.escape] }
        return [Key("alt-" + key.name)]
    }

    static func character(_ c: UInt32) -> Key? {
        switch c {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 32: return .space
        case 0: return Key("ctrl-space")
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(96 + c))))
        case 28..<32, 0x80..<0xA0: return nil
        default:
            guard let scalar = Unicode.Scalar(c) else { return nil }
            return Key(String(Character(scalar)))
        }
    }

    static func function(_ code: Int32) -> Key? {
        switch code {
        case CursesKey.up: return .up
        case CursesKey.down: return .down
        case CursesKey.left: return .left
        case CursesKey.right: return .right
        case CursesKey.pageUp: return .pageUp
        case CursesKey.pageDown: return .pageDown
        case CursesKey.home: return .home
        case CursesKey.end: return .end
        case CursesKey.enter: return .enter
        case CursesKey.backspace: return .backspace
        case CursesKey.delete: return .delete
        case CursesKey.backTab: return .backTab
        case CursesKey.resize: return .resize
        default:
            for n in Int32(1)...12 where code == CursesKey.f(n) { return Key("f\(n)") }
            return nil
        }
    }
}
