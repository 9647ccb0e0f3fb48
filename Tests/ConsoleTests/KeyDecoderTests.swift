import Testing
@testable import Console

@Suite struct KeyDecoderTests {
    func key(_ c: UInt32) -> String? { KeyDecoder.key(.character(c))?.name }
    func code(_ c: Int32) -> String? { KeyDecoder.key(.code(c))?.name }

    @Test func controlBytesAreNamedAsKeymapsWriteThem() {
        #expect(key(13) == "enter" && key(10) == "enter" && key(9) == "tab")
        #expect(key(127) == "backspace" && key(8) == "backspace")
        #expect(key(1) == "ctrl-a" && key(4) == "ctrl-d" && key(12) == "ctrl-l" && key(26) == "ctrl-z")
        #expect(key(32) == "space" && key(27) == "esc")
        #expect(key(28) == nil && key(0x85) == nil)
    }

    @Test func printableCharactersAreThemselves() {
        #expect(key(UInt32(UInt8(ascii: "j"))) == "j" && key(UInt32(UInt8(ascii: "G"))) == "G")
        #expect(key(0x65E5) == "日" && key(0x1F6A8) == "🚨")
        #expect(KeyDecoder.key(.character(UInt32(UInt8(ascii: "?"))))?.character == "?")
    }

    @Test func cursesKeyCodesAreNamed() {
        #expect(code(CursesKey.up) == "up" && code(CursesKey.down) == "down")
        #expect(code(CursesKey.left) == "left" && code(CursesKey.right) == "right")
        #expect(code(CursesKey.pageUp) == "pgup" && code(CursesKey.pageDown) == "pgdn")
        #expect(code(CursesKey.home) == "home" && code(CursesKey.end) == "end")
        #expect(code(CursesKey.enter) == "enter" && code(CursesKey.backspace) == "backspace")
        #expect(code(CursesKey.delete) == "delete" && code(CursesKey.backTab) == "shift-tab")
        #expect(code(CursesKey.f(1)) == "f1" && code(CursesKey.f(12)) == "f12")
        #expect(KeyDecoder.key(.code(CursesKey.resize)) == .resize)
        #expect(code(CursesKey.f(13)) == nil)
    }

    @Test func escAloneIsEscAndEscThenAKeyIsAlt() {
        #expect(KeyDecoder.escape(followedBy: nil) == [.escape])
        #expect(KeyDecoder.escape(followedBy: .character(UInt32(UInt8(ascii: "x")))) == [Key("alt-x")])
        #expect(KeyDecoder.escape(followedBy: .character(UInt32(UInt8(ascii: "X")))) == [Key("alt-X")])
        #expect(KeyDecoder.escape(followedBy: .code(CursesKey.up)) == [Key("alt-up")])
        #expect(KeyDecoder.escape(followedBy: .escape) == [.escape, .escape])
        // The keymap's spelling of the same key.
        #expect(Key("M-x") == Key("alt-x"))
    }
}
