import Foundation
import Testing

/// A note opened in the analyst's own editor, as git does: ctrl-o in the note editor runs
/// `$EDITOR` on the text, the console takes the screen back with what the editor saved, and
/// ctrl-s saves it to the case. An editor that fails leaves the text as it was.
@Suite(.timeLimit(.minutes(2))) struct ConsoleEditorE2ETests {
    @Test func ctrlOEditsTheNoteInEDITOR() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        for args in [["team", "add", "soc"], ["analyst", "add", "ana", "--team", "soc"], ["--as", "ana", "case", "new", "--title", "Edited", "--team", "soc"]] {
            let r = try Taser.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.stderr)")
        }
        // An "editor" that appends a line to the file it is given, and one that fails.
        let editor = dir.file("editor.sh"), broken = dir.file("broken.sh")
        try "#!/bin/sh\nprintf 'pasted from the editor\\n' >> \"$1\"\n".write(toFile: editor, atomically: true, encoding: .utf8)
        try "#!/bin/sh\nexit 3\n".write(toFile: broken, atomically: true, encoding: .utf8)
        for file in [editor, broken] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file) }

        let tmux = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30, env: ["EDITOR": editor, "VISUAL": ""])
        try tmux.waitFor(text: "alerts")
        try tmux.type("2")
        try tmux.waitFor(text: "Edited")
        try tmux.send(keys: ["Enter"])
        try tmux.waitFor(text: "Case 1")
        try tmux.type("a")
        try tmux.waitFor(text: "Note on case 1")
        #expect(try tmux.screen().contains("ctrl-o external"))
        try tmux.type("typed here")
        try tmux.send(keys: ["C-o"])
        try tmux.waitFor(text: "pasted from the editor")
        try tmux.send(keys: ["C-s"])
        try tmux.waitFor(text: "note added to case 1")
        let shown = try Taser.run(["--db", db, "case", "show", "1"]).stdout
        #expect(shown.contains("typed here") && shown.contains("pasted from the editor"), "\(shown)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)

        let failing = try Tmux([Taser.binary, "--db", db, "--as", "ana"], width: 120, height: 30, env: ["EDITOR": broken, "VISUAL": ""])
        try failing.waitFor(text: "alerts")
        try failing.type("2")
        try failing.waitFor(text: "Edited")
        try failing.send(keys: ["Enter"])
        try failing.waitFor(text: "Case 1")
        try failing.type("a")
        try failing.waitFor(text: "Note on case 1")
        try failing.type("kept text")
        try failing.send(keys: ["C-o"])
        let screen = try failing.waitFor(text: "exited with status 3")
        #expect(screen.contains("kept text") && screen.contains("Note on case 1"), "\(screen)")
        failing.kill()
    }
}
