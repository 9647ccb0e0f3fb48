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

/// The editors' soft wrap: every character lands on exactly one row, and the cursor's row is
/// the one holding its column (the end of a line on that line's last row).
@Suite struct WrappedTextTests {
    @Test func longLinesWrapAndTheCursorRowIsFound() {
        let lines: [[Character]] = [Array("0123456789abcdef"), [], Array("xy")]
        let wrapped = WrappedText(lines, width: 6)
        #expect(wrapped.rows.map { "\($0.line):\($0.start)-\($0.end)" } == ["0:0-5", "0:5-10", "0:10-15", "0:15-16", "1:0-0", "2:0-2"])
        #expect(wrapped.row(line: 0, column: 0) == 0)
        #expect(wrapped.row(line: 0, column: 7) == 1)
        #expect(wrapped.row(line: 0, column: 16) == 3)
        #expect(wrapped.row(line: 1, column: 0) == 4)
        #expect(wrapped.row(line: 2, column: 2) == 5)
        // Scrolling moves only as far as needed.
        #expect(WrappedText.top(showing: 5, height: 3, from: 0) == 3)
        #expect(WrappedText.top(showing: 1, height: 3, from: 3) == 1)
        #expect(WrappedText.top(showing: 4, height: 3, from: 3) == 3)
    }
}

@Suite struct CountWordsTests {
    @Test func oneIsSingular() {
        #expect(Output.count(1, "alert") == "1 alert" && Output.count(0, "alert") == "0 alerts" && Output.count(2, "signal") == "2 signals")
    }
}

@Suite struct LineWrapTests {
    @Test func longLinesWrapAtSpacesUnderTheirIndent() {
        let rows = LinesPane.wrap("  #2 note: the host was isolated at 15:05 UTC by the EDR team", width: 24)
        #expect(rows.count > 1 && rows.allSatisfy { CellWidth.of($0) <= 24 }, "\(rows)")
        #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "\(rows)")
        #expect(rows.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == "#2 note: the host was isolated at 15:05 UTC by the EDR team")
        #expect(LinesPane.wrap("short", width: 24) == ["short"])
        // No space at all: cut at the edge.
        #expect(LinesPane.wrap(String(repeating: "x", count: 30), width: 10).allSatisfy { CellWidth.of($0) <= 10 })
    }
}
