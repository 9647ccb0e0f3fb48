import Foundation
import Testing

/// Issue 14, "broken today" 4, 5, 6 and 8, each as the analyst meets it under tmux: the rule
/// editor remembers it saved, hints name the keys that work, ctrl-g cancels in the emacs
/// keymap, and typed text is never lost.
@Suite(.timeLimit(.minutes(3))) struct ConsoleFlowE2ETests {
    /// The last line: the hint bar (or the prompt typed into).
    func bottom(_ screen: String) -> String { screen.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? "" }

    func demo(_ dir: TempDir) throws -> String {
        let db = dir.file()
        let demo = try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"])
        try #require(demo.status == 0, "\(demo.stderr)")
        return db
    }

    /// 5: the case view names the key that adds a note, the empty Rules pane the key that
    /// starts one, `/ filter` is hinted only where a list filters, and the editors hint only
    /// their own keys (printable keys are text there).
    @Test func hintsNameTheKeysThatWork() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = try demo(dir)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40)
        var screen = try tmux.waitFor(text: "sorted by time")
        #expect(bottom(screen).contains("/ filter"), "the queue filters: \(bottom(screen))")
        // Every list filters now, so each offers / (the Sync pane too).
        try tmux.type("2")
        screen = try tmux.waitFor(text: "cases ·")
        #expect(bottom(screen).contains("/ filter") && bottom(screen).contains("v view"), "\(bottom(screen))")
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor(text: "adds a note")
        #expect(screen.contains("a adds a note · s changes the status"), "\(screen)")
        #expect(bottom(screen).contains("/ filter"))
        try tmux.type("5")
        screen = try tmux.waitFor(text: "Sync")
        #expect(bottom(screen).contains("/ filter"), "\(bottom(screen))")
        try tmux.type("3")
        screen = try tmux.waitFor(text: "rules ·")
        #expect(bottom(screen).contains("/ filter"), "\(bottom(screen))")
        try tmux.type("e")
        screen = try tmux.waitFor(text: "Simulator")
        let hints = bottom(screen)
        #expect(hints.contains("ctrl-s save") && !hints.contains("q quit") && !hints.contains(": command"), "\(hints)")
        #expect(screen.contains("ctrl-s saves a new version · esc leaves"), "\(screen)")
        try tmux.send(keys: ["Escape"])
        // Esc then a key at once reads as alt-key: wait for the editor to go first.
        try tmux.waitFor(text: "rules ·")
        // A number key goes back to that pane where it is on the stack, never a second copy.
        try tmux.type("2")
        screen = try tmux.waitFor(text: "cases ·")
        let crumbs = screen.split(separator: "\n").first.map(String.init) ?? ""
        #expect(crumbs.hasPrefix(" Queue › Cases ") && !crumbs.contains("Rules"), "\(crumbs)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)

        // A database with no rules says which key starts one.
        let empty = dir.file("empty.db")
        try #require(try Taser.run(["--db", empty, "team", "add", "soc"]).status == 0)
        let fresh = try Tmux([Taser.binary, "--db", empty], width: 120, height: 30)
        // An empty queue says how to start.
        screen = try fresh.waitFor(text: "To start:")
        #expect(screen.contains("taser demo") && screen.contains("taser ingest") && screen.contains("taser rules add"), "\(screen)")
        try fresh.type("3")
        screen = try fresh.waitFor(text: "no rules yet")
        #expect(screen.contains("no rules yet: a starts one"), "\(screen)")
        try fresh.type("q")
        #expect(try fresh.waitForExit() == 0)
    }

    /// 4: a new rule saved twice is saved once then left as it is; the title says its version.
    @Test func theRuleEditorRemembersItSaved() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = try demo(dir)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40)
        try tmux.waitFor(text: "sorted by time")
        try tmux.type("3")
        try tmux.waitFor(text: "rules ·")
        try tmux.type("a")
        try tmux.waitFor(text: "Name of the new rule:")
        try tmux.type("from-tmux")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "Rule from-tmux (new)")
        try tmux.send(keys: ["C-s"])
        var screen = try tmux.waitFor(text: "saved as version 1")
        #expect(screen.contains("Rule from-tmux (version 1)"), "\(screen)")
        try tmux.send(keys: ["C-s"])
        screen = try tmux.waitFor(text: "Rule from-tmux (version 1)")
        #expect(!screen.contains("exists"), "\(screen)")
        // Leaving with unsaved changes asks; "n" keeps the editor and the text.
        try tmux.type(" ")
        try tmux.send(keys: ["Escape"])
        screen = try tmux.waitFor(text: "without saving")
        try tmux.type("n")
        screen = try tmux.waitFor(text: "cancelled")
        #expect(screen.contains("Rule from-tmux"))
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "without saving")
        try tmux.type("y")
        try tmux.waitFor(text: "rules ·")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        #expect(try Taser.run(["--db", db, "rules", "show", "from-tmux"]).status == 0)
    }

    /// 6: in the emacs keymap ctrl-g backs out of the alt-x command line and the filter line.
    @Test func ctrlGCancelsEveryPromptInEmacs() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = try demo(dir)
        let config = dir.file("config")
        try FileManager.default.createDirectory(atPath: config + "/taser", withIntermediateDirectories: true)
        try "base: emacs\n".write(toFile: config + "/taser/keys.yaml", atomically: true, encoding: .utf8)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40, env: ["XDG_CONFIG_HOME": config])
        try tmux.waitFor(text: "sorted by time")
        try tmux.send(keys: ["M-x"])
        try tmux.waitFor("the command line") { self.bottom($0).hasPrefix(":") }
        try tmux.type("prom")
        try tmux.send(keys: ["C-g"])
        var screen = try tmux.waitFor("the hint bar back") { !self.bottom($0).hasPrefix(":") }
        #expect(screen.contains("Queue") && !screen.contains("Title of the new case"))
        // emacs filters with ctrl-s (isearch).
        try tmux.send(keys: ["C-s"])
        try tmux.type("zzz-no-such")
        try tmux.waitFor(text: "no alerts match")
        try tmux.send(keys: ["C-g"])
        screen = try tmux.waitFor("the filter gone") { !$0.contains("no alerts match") && !self.bottom($0).hasPrefix("/") }
        #expect(!screen.contains("filter: zzz"))
        try tmux.send(keys: ["C-q"])
        #expect(try tmux.waitForExit() == 0)
    }

    /// 8: a note on a case shared read-only is refused before the editor opens; Esc in the
    /// note editor with text asks, and "n" gives the text back.
    @Test func typedTextIsNeverLost() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["team", "add", "ir"], ["analyst", "add", "ana", "--team", "soc"], ["analyst", "add", "dana", "--team", "ir"],
                     ["--as", "ana", "case", "new", "--title", "Shared for reading", "--team", "soc"], ["--as", "ana", "case", "share", "1", "ir", "--read"]] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        let reader = try Tmux([Taser.binary, "--db", db, "--as", "dana"], width: 120, height: 30)
        try reader.waitFor(text: "alerts")
        try reader.type("2")
        try reader.waitFor(text: "Shared for reading")
        try reader.send(keys: ["Enter"])
        try reader.waitFor(text: "Case 1: Shared for reading")
        try reader.type("a")
        var screen = try reader.waitFor(text: "read-only")
        #expect(!screen.contains("Note on case"), "\(screen)")
        try reader.type("q")
        #expect(try reader.waitForExit() == 0)

        let writer = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30)
        try writer.waitFor(text: "alerts")
        try writer.type("2")
        try writer.waitFor(text: "Shared for reading")
        try writer.send(keys: ["Enter"])
        try writer.waitFor(text: "Case 1: Shared for reading")
        try writer.type("a")
        try writer.waitFor(text: "Note on case 1")
        try writer.type("half a thought")
        try writer.send(keys: ["Escape"])
        try writer.waitFor(text: "Discard what you typed?")
        try writer.type("n")
        screen = try writer.waitFor(text: "half a thought")
        try writer.type(" and the rest")
        try writer.send(keys: ["C-s"])
        screen = try writer.waitFor(text: "note added")
        #expect(screen.contains("half a thought and the rest"), "\(screen)")
        try writer.type("q")
        #expect(try writer.waitForExit() == 0)
    }
}

/// Issue 14, "broken today" 7: one numbering of log entries. The number the console shows
/// (`#2`) is the one `taser case correct` takes, and a correction made in the console marks
/// the original "corrected by".
@Suite(.timeLimit(.minutes(2))) struct LogNumberingE2ETests {
    @Test func theConsolesNumberIsTheCLIsAndCorrectionsMarkTheOriginal() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"], ["--as", "ana", "case", "new", "--title", "Numbered", "--team", "soc"]] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        let note = try Taser.run(["--db", db, "--as", "ana", "case", "note", "1", "host isolated at 14:05"])
        #expect(note.stdout.contains("Added entry #2 to case 1"), "\(note.stdout)")
        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30)
        try tmux.waitFor(text: "alerts")
        try tmux.type("2")
        try tmux.waitFor(text: "Numbered")
        try tmux.send(keys: ["Enter"])
        var screen = try tmux.waitFor(text: "#2 ")
        #expect(screen.contains("note: host isolated at 14:05"), "\(screen)")

        // The CLI corrects #2 by the number the console shows.
        let fixed = try Taser.run(["--db", db, "--as", "ana", "case", "correct", "1", "2", "isolated at 15:05, not 14:05"])
        #expect(fixed.status == 0 && fixed.stdout.contains("Added entry #3 to case 1, correcting #2"), "\(fixed.stdout)\(fixed.stderr)")
        screen = try tmux.waitFor(text: "(corrected by #3)")
        #expect(screen.contains("(corrects #2)"), "\(screen)")
        let shown = try Taser.run(["--db", db, "--as", "ana", "case", "show", "1"]).stdout
        #expect(shown.contains("#2 ") && shown.contains("(corrected by #3)") && shown.contains("(corrects #2)"), "\(shown)")

        // From the console: the last entry (#3), corrected in place.
        try tmux.type("G")
        try tmux.type("c")
        try tmux.waitFor(text: "Correction of #3 on case 1")
        try tmux.type("15:05 UTC, confirmed by IR")
        try tmux.send(keys: ["C-s"])
        screen = try tmux.waitFor(text: "#4 corrects #3")
        #expect(screen.contains("(corrected by #4)"), "\(screen)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}

/// Issue 14, "broken today" 3 (editors): at 80x24, text typed past the box's edge wraps and
/// the cursor stays in the box, in the rule editor and in the note editor.
@Suite(.timeLimit(.minutes(2))) struct EditorWrapE2ETests {
    @Test func typedTextWrapsAndStaysInTheBox() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"]).status == 0)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 80, height: 24)
        try tmux.waitFor(text: "alerts")
        try tmux.type("3")
        try tmux.waitFor(text: "rules ·")
        try tmux.type("e")
        try tmux.waitFor(text: "Simulator")
        try tmux.send(keys: ["End"])
        let tail = " WHERE process.name = \"invoice_8812.exe\" OR process.name = \"wordpad.exe\" ENDMARK"
        try tmux.type(tail)
        // The end of what was typed is on screen, inside the rule's box (the left three
        // fifths), wrapped (the marker may be cut across two rows), and no "4~" from End.
        var screen = try tmux.waitFor(text: "MARK")
        #expect(screen.contains("wordpad.exe") && !screen.contains("4~"), "\(screen)")
        let rows = screen.split(separator: "\n").filter { $0.contains("wordpad") || $0.contains("MARK") }
        #expect(rows.allSatisfy { $0.prefix(48).contains("wordpad") || $0.prefix(48).contains("MARK") }, "\(rows)")
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "without saving")
        try tmux.type("y")
        try tmux.waitFor(text: "rules ·")

        // The note editor: a long note wraps inside its box.
        try tmux.type("2")
        try tmux.waitFor(text: "cases ·")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "adds a note")
        try tmux.type("a")
        try tmux.waitFor(text: "Note on case")
        let note = String(repeating: "word ", count: 30) + "NOTEEND"
        try tmux.type(note)
        screen = try tmux.waitFor(text: "NOTEEND")
        let words = screen.split(separator: "\n").filter { $0.contains("word") }
        #expect(words.count >= 2, "the note wraps over several rows: \(screen)")
        try tmux.send(keys: ["C-s"])
        try tmux.waitFor(text: "note added")
        // The timeline shows the whole note, wrapped, not cut at the edge.
        screen = try tmux.waitFor(text: "NOTEEND")
        #expect(screen.split(separator: "\n").filter { $0.contains("word word") }.count >= 2, "\(screen)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}

/// Issue 14, small: an export from the console never replaces a file without asking.
@Suite(.timeLimit(.minutes(2))) struct ConsoleExportE2ETests {
    @Test func anExportAsksBeforeReplacingAFile() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"], ["--as", "ana", "case", "new", "--title", "Exported", "--team", "soc"]] {
            try #require(try Taser.run(["--db", db] + args).status == 0)
        }
        let target = dir.file("mine.json")
        try "KEEP\n".write(toFile: target, atomically: true, encoding: .utf8)
        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30)
        try tmux.waitFor(text: "alerts")
        try tmux.type("2")
        try tmux.waitFor(text: "Exported")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "Case 1: Exported")
        for answer in ["n", "y"] {
            try tmux.type("x")
            try tmux.waitFor(text: "Export case 1 to file")
            try tmux.send(keys: ["C-u"])
            try tmux.type(target)
            try tmux.send(keys: ["Enter"])
            try tmux.waitFor(text: "exists. Replace it?")
            try tmux.type(answer)
            try tmux.waitFor(text: answer == "n" ? "cancelled" : "written to")
            let content = try String(contentsOfFile: target, encoding: .utf8)
            #expect(answer == "n" ? content == "KEEP\n" : content.contains("\"taser.case-export\""), "\(answer): \(content.prefix(80))")
        }
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}

/// Issue 14: a case lists the cases that share its artifacts (as `taser case related`), and
/// Enter opens one.
@Suite(.timeLimit(.minutes(2))) struct RelatedCasesE2ETests {
    @Test func aCaseShowsItsRelatedCasesAndOpensThem() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [
            ["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"],
            ["--as", "ana", "case", "new", "--title", "Phish from evil-invoices", "--team", "soc"],
            ["--as", "ana", "case", "new", "--title", "Second wave", "--team", "soc"],
            ["--as", "ana", "case", "add-artifact", "1", "domain", "evil-invoices.example"],
            ["--as", "ana", "case", "add-artifact", "2", "domain", "evil-invoices.example"],
        ] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30)
        try tmux.waitFor(text: "alerts")
        try tmux.type("2")
        try tmux.waitFor(text: "Second wave")
        try tmux.send(keys: ["Enter"])
        var screen = try tmux.waitFor(text: "Related cases")
        let opened = screen.contains("Case 2: Second wave") ? 2 : 1
        let other = opened == 2 ? "Phish from evil-invoices" : "Second wave"
        #expect(screen.contains(other) && screen.contains("evil-invoices.example"), "\(screen)")
        // The first row to move to is the shared artifact; the next, the related case.
        try tmux.type("g")
        try tmux.type("j")
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor(text: "Case \(3 - opened): \(other)")
        #expect(screen.contains("Related cases"))
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}

/// Issue 14: closing an alert asks why, and the reason, who and when show in `alert show`;
/// the CLI closes the same way and refuses a close without a reason.
@Suite(.timeLimit(.minutes(2))) struct CloseReasonE2ETests {
    @Test func closingAnAlertAsksWhyAndRecordsIt() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "20000", "--days", "10"]).status == 0)
        let tmux = try Tmux([Taser.binary, "--db", db], width: 140, height: 40)
        try tmux.waitFor(text: "sorted by time")
        try tmux.type("/")
        try tmux.type("status:new")
        try tmux.send(keys: ["Enter"])
        let screen = try tmux.waitFor(text: "filter: status:new")
        let first = try #require(screen.split(separator: "\n").dropFirst(2).first.flatMap { Int($0.split(separator: " ").first ?? "") })
        try tmux.type("c")
        try tmux.waitFor(text: "why?")
        try tmux.type("2")
        try tmux.waitFor(text: "closed as benign")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        let shown = try Taser.run(["--db", db, "alert", "show", String(first)])
        #expect(shown.stdout.contains("status    closed") && shown.stdout.contains("closed    benign by "), "\(shown.stdout)")

        let noReason = try Taser.run(["--db", db, "alert", "close", String(first + 1)])
        #expect(noReason.status != 0 && noReason.stderrLines.count == 1, "\(noReason.stderr)")
        let badReason = try Taser.run(["--db", db, "alert", "close", String(first + 1), "--reason", "meh"])
        #expect(badReason.status == 1 && badReason.stderr.contains("true_positive, benign, false_positive, duplicate"), "\(badReason.stderr)")
    }
}

/// Issue 14: copy any value to the analyst's clipboard with OSC 52, which works through SSH
/// and tmux (here: into tmux's paste buffer).
@Suite(.timeLimit(.minutes(2))) struct ClipboardE2ETests {
    @Test func yCopiesTheValueUnderTheCursor() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"],
                     ["--as", "ana", "case", "new", "--title", "Copy me", "--team", "soc"],
                     ["--as", "ana", "case", "add-artifact", "1", "ip", "203.0.113.77"]] {
            try #require(try Taser.run(["--db", db] + args).status == 0)
        }
        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30)
        try tmux.waitFor(text: "alerts")
        try tmux.type("2")
        try tmux.waitFor(text: "Copy me")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "203.0.113.77")
        try tmux.type("g")
        try tmux.type("y")
        try tmux.waitFor(text: "copied 203.0.113.77")
        var buffer: String?
        for _ in 0..<50 where buffer == nil {
            buffer = try tmux.pasteBuffer()
            if buffer == nil { usleep(100_000) }
        }
        #expect(buffer == "203.0.113.77", "\(buffer ?? "no buffer")")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}

/// Mistakes in the analyst's keys.yaml and theme.yaml show in the status bar, named from the
/// config folder with where to read them all, and nowhere else: nothing is written to the
/// terminal outside the console's frame, and the rest of the screen is the console's.
@Suite(.timeLimit(.minutes(2))) struct ConfigWarningE2ETests {
    @Test func problemsInTheAnalystsFilesShowInTheStatusBarOnly() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        try #require(try Taser.run(["--db", db, "demo", "--signals", "2000"]).status == 0)
        let config = dir.file("config")
        try FileManager.default.createDirectory(atPath: config + "/taser", withIntermediateDirectories: true)
        try "alerts:\n  x: alert.promot\n".write(toFile: config + "/taser/keys.yaml", atomically: true, encoding: .utf8)
        try "text: { fg: redd }\n".write(toFile: config + "/taser/theme.yaml", atomically: true, encoding: .utf8)
        // Standard error to a file: whatever the console wrote there would land on its screen.
        let stderr = dir.file("stderr")
        let command = ["/bin/sh", "-c", "exec \"$0\" --db \"$1\" 2>\"$2\"", Taser.binary, db, stderr]
        let tmux = try Tmux(command, width: 120, height: 20, env: ["XDG_CONFIG_HOME": config])
        let problem = " keys.yaml:2: unknown action 'alert.promot'; did you mean 'alert.promote'?"
        var screen = try tmux.waitFor(text: problem)
        var rows = screen.components(separatedBy: "\n")
        try #require(rows.count == 20)
        #expect(rows[18] == problem + " (+1 more; taser config check for all)", "\(screen)")
        #expect(rows[0].hasPrefix(" Queue ") && rows[1].contains("SEVERITY") && rows[19].hasPrefix("a acknowledge"), "\(screen)")
        // Nowhere but the status bar, and not as the whole path.
        #expect(rows.enumerated().allSatisfy { $0.offset == 18 || !$0.element.contains("yaml") }, "\(screen)")
        #expect(!screen.contains(config))

        // Narrow: the bar cuts the problem and keeps where to read the rest while it has room.
        try tmux.resize(width: 80, height: 12)
        screen = try tmux.waitFor("the narrow bar") { $0.components(separatedBy: "\n").count == 12 }
        rows = screen.components(separatedBy: "\n")
        #expect(rows[10].hasPrefix(" keys.yaml:2: unknown action") && rows[10].hasSuffix("… (+1 more; taser config check for all)"), "\(screen)")
        #expect(rows[10].count <= 80 && rows[11].hasPrefix("a acknowledge"), "\(screen)")
        #expect(rows.enumerated().allSatisfy { $0.offset == 10 || !$0.element.contains("yaml") }, "\(screen)")

        // The next key takes the message away, and the pane's own line is back.
        try tmux.type("j")
        screen = try tmux.waitFor(text: "sorted by time")
        #expect(!screen.contains("yaml"))
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        #expect(try String(contentsOfFile: stderr, encoding: .utf8) == "")
    }
}
