import Testing
@testable import Console

@Suite struct TerminalTests {
    @Test func aDumbOrMissingTermIsRefusedWithOneLine() {
        #expect(throws: TerminalError.dumbTerminal(term: "dumb")) { try Terminal.checkEnvironment(["TERM": "dumb"]) }
        #expect(throws: TerminalError.dumbTerminal(term: nil)) { try Terminal.checkEnvironment([:]) }
        #expect(TerminalError.dumbTerminal(term: "dumb").description
            == "taser's console needs a terminal that can move the cursor (TERM is dumb); use the commands (taser --help) instead")
        #expect(!TerminalError.notATerminal(which: "standard output").description.contains("\n"))
    }

    @Test func coloursMapToTheTerminalsPalette() {
        #expect(Colours.number(.default, colours: 256) == -1)
        #expect(Colours.number(.palette(9), colours: 16) == 9 && Colours.number(.palette(9), colours: 8) == 1)
        #expect(Colours.number(.index(208), colours: 256) == 208)
        #expect(Colours.number(.index(196), colours: 8) == 1)  // xterm red
        #expect(Colours.number(.index(21), colours: 16) == 4)  // blue
        #expect(Colours.number(.index(250), colours: 8) == 7 && Colours.number(.index(233), colours: 8) == 0)
    }

    @Test func withoutColourSelectionStillShowsByReverse() {
        let selected = Style(foreground: .palette(15), background: .palette(4), bold: true)
        #expect(Colours.withoutColour(selected) == Style(bold: true, reverse: true))
        #expect(Colours.withoutColour(Style(foreground: .palette(1), underline: true)) == Style(underline: true))
        #expect(Colours.withoutColour(Style(background: .palette(4), reverse: true)).reverse)
    }

    @Test func theDemoModelMovesItsCursorAndQuitsOnQ() {
        let model = DemoModel(count: 50)
        var grid = Grid(width: 60, height: 12)
        model.render(into: &grid)
        #expect(grid.row(1).hasPrefix("▸ row 001") && grid.role(of: "row 001") == .selected)
        #expect(model.handle(Key("j")) && model.handle(.down) && model.cursor == 2)
        #expect(model.handle(.pageDown) && model.cursor == 12)
        model.render(into: &grid)
        #expect(model.top == 3 && grid.row(10).hasPrefix("▸ row 013"))
        #expect(grid.row(11).contains("key pgdn  size 60x12"))
        #expect(model.handle(Key("G")) && model.cursor == 49 && model.handle(.up) && model.cursor == 48)
        #expect(model.tick() && model.ticks == 1)
        #expect(!model.handle(Key("q")))
    }
}
