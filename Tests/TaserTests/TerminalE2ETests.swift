import Foundation
import Testing

/// The terminal driver for real: `taser console-demo` under tmux, keys in, screen out.
@Suite(.timeLimit(.minutes(3))) struct TerminalE2ETests {
    let title = "taser console demo"

    func demo(width: Int = 120, height: Int = 40, env: [String: String] = [:]) throws -> Tmux {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        return try Tmux([Taser.binary, "console-demo"], width: width, height: height, env: env)
    }

    /// The line of the screen that holds `text`.
    func line(_ screen: String, _ text: String) -> String? {
        screen.components(separatedBy: "\n").first { $0.contains(text) }
    }

    @Test func theFirstFrameFillsTheWindowWithWideCharactersInPlace() throws {
        let tmux = try demo()
        let screen = try tmux.waitFor(text: "size 120x40")
        let lines = screen.components(separatedBy: "\n")
        #expect(lines[0].hasPrefix(title))
        #expect(lines[1].hasPrefix("▸ row 001"))
        #expect(lines[39].hasPrefix("key none  size 120x40"))
        // Wide characters take two cells: what follows them lines up.
        #expect(line(screen, "row 001")?.hasSuffix("db-02  🚨 impossible travel") == true)
        #expect(line(screen, "row 007")?.hasSuffix("東京-gw  failed Duo push ×3") == true)
        #expect(line(screen, "row 010")?.hasSuffix("web-01  日本語のアラート") == true)
        #expect(try tmux.format("alternate_on") == "1")
        try tmux.type("q")
    }

    @Test func jMovesTheSelectionAndOnlyTheChangeIsSent() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.type("j")
        var screen = try tmux.waitFor(text: "row 2/200")
        #expect(line(screen, "row 002")?.hasPrefix("▸ row 002") == true)
        #expect(line(screen, "row 001")?.hasPrefix("  row 001") == true)
        #expect(line(screen, "key j") != nil)
        try tmux.send(keys: ["Down", "Down"])
        screen = try tmux.waitFor(text: "row 4/200")
        #expect(line(screen, "key down") != nil)
        // The status shows what the frame before it sent: a cursor move is a few rows, not
        // the 4800 cells of a full screen.
        try tmux.type("x")
        screen = try tmux.waitFor(text: "key x")
        let sent = try #require(line(screen, "sent ")?.components(separatedBy: "sent ").last?.split(separator: " ").first.flatMap { Int($0) })
        #expect(sent > 0 && sent < 1000, "a cursor move sent \(sent) bytes")
        try tmux.send(keys: ["NPage"])
        try tmux.waitFor(text: "row 42/200")
        try tmux.type("q")
    }

    @Test func escAltAndCtrlLReachTheModelByName() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.send(keys: ["M-x"])
        try tmux.waitFor(text: "key alt-x")
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "key esc ")
        try tmux.send(keys: ["F5"])
        try tmux.waitFor(text: "key f5 ")
        try tmux.send(keys: ["BTab"])
        try tmux.waitFor(text: "key shift-tab")
        try tmux.type("日")
        try tmux.waitFor(text: "key 日 ")
        // Ctrl-L repaints everything (the model hears it too): the next frame shows what it sent.
        try tmux.send(keys: ["C-l"])
        try tmux.waitFor(text: "key ctrl-l")
        try tmux.type("x")
        let screen = try tmux.waitFor(text: "key x")
        let sent = try #require(line(screen, "sent ")?.components(separatedBy: "sent ").last?.split(separator: " ").first.flatMap { Int($0) })
        #expect(sent > 4800, "a full repaint sent only \(sent) bytes")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func selectionShowsInColourAndByReverseWithNoColor() throws {
        let colour = try demo()
        try colour.waitFor(text: "size 120x40")
        let selected = try #require(line(try colour.screen(escapes: true), "row 001"))
        #expect(selected.contains("\u{1b}[44m"), "blue background: \(selected.debugDescription)")
        try colour.type("q")

        let mono = try demo(env: ["NO_COLOR": "1"])
        try mono.waitFor(text: "size 120x40")
        let reversed = try #require(line(try mono.screen(escapes: true), "row 001"))
        #expect(reversed.contains("\u{1b}[7m") && !reversed.contains("44m"), "reverse, no colour: \(reversed.debugDescription)")
        try mono.type("q")
    }

    @Test func ctrlCRestoresTheTerminal() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.send(keys: ["C-c"])
        #expect(try tmux.waitForExit() == 128 + SIGINT)
        #expect(tmux.restored)
    }

    @Test func aResizeRedrawsAtTheNewSize() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.resize(width: 60, height: 20)
        let screen = try tmux.waitFor(text: "size 60x20")
        let lines = screen.components(separatedBy: "\n")
        #expect(lines.count == 20 && lines[0].hasPrefix(title), "\(lines)")
        #expect(lines[19].hasPrefix("key resize  size 60x20"))
        #expect(lines[18].hasPrefix("  row 018"))
    }

    @Test func aTooSmallTerminalAsksForRoomAndRecovers() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.resize(width: 30, height: 8)
        let screen = try tmux.waitFor(text: "taser needs more room")
        #expect(screen.contains("now 30x8"))
        #expect(!screen.contains("row 001"))
        // Keys are not acted on while the analyst cannot see the list.
        try tmux.type("j")
        try tmux.resize(width: 80, height: 24)
        let back = try tmux.waitFor(text: "size 80x24")
        #expect(back.contains("row 1/200") && !back.contains("more room"))
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func qExitsZeroAndRestoresTheTerminal() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        try tmux.type("q")
        let status = try tmux.waitForExit()
        #expect(status == 0, "\((try? tmux.screen()) ?? "")")
        #expect(tmux.restored)
        // The console's frames were on the alternate screen, which is gone: none is left behind.
        #expect(!(try tmux.screen(history: true)).contains(title))
    }

    @Test func aHangupRestoresTheTerminal() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        #expect(kill(try tmux.pid(), SIGHUP) == 0)
        #expect(try tmux.waitForExit() == 128 + SIGHUP)
        #expect(tmux.restored)
        // The console's frames were on the alternate screen, which is gone: none is left behind.
        #expect(!(try tmux.screen(history: true)).contains(title))
    }

    @Test func aTerminateRestoresTheTerminal() throws {
        let tmux = try demo()
        try tmux.waitFor(text: "size 120x40")
        #expect(kill(try tmux.pid(), SIGTERM) == 0)
        #expect(try tmux.waitForExit() == 128 + SIGTERM)
        #expect(tmux.restored)
    }

    @Test func aDumbTerminalGetsOneLineAndTheScreenIsUntouched() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let tmux = try Tmux([Taser.binary, "console-demo"], width: 200, env: ["TERM": "dumb"])
        let status = try tmux.waitForExit()
        let lines = try tmux.lines(history: true)
        #expect(status == 1)
        #expect(lines == ["taser: taser's console needs a terminal that can move the cursor (TERM is dumb); use the commands (taser --help) instead"])
        #expect(tmux.restored)
    }

    @Test func withoutATerminalTheDemoSaysSo() throws {
        let r = try Taser.run(["console-demo"], env: ["TERM": "xterm-256color"])
        #expect(r.status == 1 && r.stdout.isEmpty)
        #expect(r.stderr == "taser: taser's console needs a terminal, but standard input is not one (piped or redirected?); use the commands (taser --help) instead\n")
        let dumb = try Taser.run(["console-demo"], env: ["TERM": "dumb"])
        #expect(dumb.status == 1 && dumb.stdout.isEmpty)
        #expect(dumb.stderrLines == ["taser: taser's console needs a terminal that can move the cursor (TERM is dumb); use the commands (taser --help) instead"])
    }
}
