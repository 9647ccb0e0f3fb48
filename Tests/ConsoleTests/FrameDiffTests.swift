import Testing
@testable import Console

@Suite struct FrameDiffTests {
    func grid(_ rows: [String], width: Int = 10, role: Role = .text) -> Grid {
        var g = Grid(width: width, height: rows.count)
        for (y, row) in rows.enumerated() { g.put(row, x: 0, y: y, role: role) }
        return g
    }

    @Test func theFirstFrameWritesEveryRowOnce() {
        let runs = FrameDiff.runs(from: nil, to: grid(["hello", "world"]))
        #expect(runs == [FrameRun(x: 0, y: 0, text: "hello     ", role: .text), FrameRun(x: 0, y: 1, text: "world     ", role: .text)])
    }

    @Test func anUnchangedFrameWritesNothing() {
        #expect(FrameDiff.runs(from: grid(["same", "rows"]), to: grid(["same", "rows"])).isEmpty)
    }

    @Test func onlyChangedCellsAreWrittenInRunsPerRow() {
        let runs = FrameDiff.runs(from: grid(["abcdefghij", "0123456789"]), to: grid(["abXYefghiZ", "0123456789"]))
        #expect(runs == [FrameRun(x: 2, y: 0, text: "XY", role: .text), FrameRun(x: 9, y: 0, text: "Z", role: .text)])
    }

    @Test func aRunSplitsWhereTheRoleChanges() {
        var new = grid(["abcdef"])
        new.put("XY", x: 0, y: 0, role: .selected)
        new.put("Z", x: 2, y: 0, role: .status)
        let runs = FrameDiff.runs(from: grid(["abcdef"]), to: new)
        #expect(runs == [FrameRun(x: 0, y: 0, text: "XY", role: .selected), FrameRun(x: 2, y: 0, text: "Z", role: .status)])
    }

    @Test func aRoleChangeAloneIsWritten() {
        let runs = FrameDiff.runs(from: grid(["abc"], width: 3), to: grid(["abc"], width: 3, role: .selected))
        #expect(runs == [FrameRun(x: 0, y: 0, text: "abc", role: .selected)])
    }

    @Test func wideCharactersAreSentOnceAndTheirHalvesGoTogether() {
        let runs = FrameDiff.runs(from: grid(["ab日本"], width: 6), to: grid(["ab日x"], width: 6))
        #expect(runs == [FrameRun(x: 4, y: 0, text: "x ", role: .text)])
        let first = FrameDiff.runs(from: nil, to: grid(["日本語"], width: 6))
        #expect(first == [FrameRun(x: 0, y: 0, text: "日本語", role: .text)])
        // Only the right half differs from the old frame: the whole character is written.
        var old = grid(["a日"], width: 3)
        old[2, 0] = Cell("b")
        #expect(FrameDiff.runs(from: old, to: grid(["a日"], width: 3)) == [FrameRun(x: 1, y: 0, text: "日", role: .text)])
    }

    @Test func aStrayRightHalfIsDrawnAsASpace() {
        var new = grid(["日x"], width: 3)
        new[0, 0] = Cell("a")
        #expect(FrameDiff.runs(from: nil, to: new) == [FrameRun(x: 0, y: 0, text: "a x", role: .text)])
    }

    @Test func aNewSizeWritesEverything() {
        let runs = FrameDiff.runs(from: grid(["abc"], width: 3), to: grid(["abc", "def"], width: 4))
        #expect(runs.count == 2 && runs[0].text == "abc ")
    }

    @Test func theRoomMessageIsCentredAndNamesBothSizes() {
        var g = Grid(width: 30, height: 8)
        RoomMessage.render(into: &g, minimumWidth: 40, minimumHeight: 10)
        #expect(g.row(2) == "    taser needs more room     ")
        #expect(g.text.contains("at least 40x10, now 30x8"))
        var tiny = Grid(width: 5, height: 1)
        RoomMessage.render(into: &tiny, minimumWidth: 40, minimumHeight: 10)
        #expect(tiny.row(0) == "tase…")
    }
}
