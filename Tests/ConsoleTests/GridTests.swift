import Testing
@testable import Console

@Suite struct GridTests {
    @Test func widthsAreCellsNotCharacters() {
        #expect(CellWidth.of("abc") == 3 && CellWidth.of("日本") == 4 && CellWidth.of("e\u{301}") == 1 && CellWidth.of("🙅") == 2)
    }

    @Test func textIsCutWithAnEllipsisByCellWidth() {
        var g = Grid(width: 10, height: 2)
        #expect(g.put("hello world", x: 0, y: 0, role: .title) == 10)
        #expect(g.row(0) == "hello wor…")
        g.put("日本語テキスト", x: 0, y: 1)
        #expect(g.row(1) == "日本語テ… " && CellWidth.of(g.row(1)) == 10)
        #expect(g.role(of: "hello") == .title)
    }

    @Test func keysReadAsKeymapFilesWriteThem() {
        #expect(Key("C-d") == Key("ctrl-d") && Key("^D") == Key("ctrl-d") && Key("Escape") == .escape && Key("PageDown") == .pageDown)
        #expect(Key("N") != Key("n") && Key.char(" ") == .space && Key("j").character == "j")
    }
}
