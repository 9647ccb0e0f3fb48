import Foundation
import Testing

/// The Positron prompt for real: the binary under tmux with a positron.yaml over a CSV table,
/// a query typed with Tab completion, and the answer with the plugin that gave it.
@Suite(.timeLimit(.minutes(2))) struct PositronConsoleE2ETests {
    @Test func askAQueryFromTheConsoleAndSeeWhoAnswered() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        #expect(try Taser.run(["--db", db, "team", "add", "soc"]).status == 0)
        try "login,manager_login\njdoe,mboss\n".write(toFile: dir.file("hr.csv"), atomically: true, encoding: .utf8)
        try """
            plugins:
              - { name: hr-export, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
            """.write(toFile: dir.file("positron.yaml"), atomically: true, encoding: .utf8)
        // The analyst's own config and history stay out of it.
        let env = ["XDG_CONFIG_HOME": dir.file("config"), "XDG_STATE_HOME": dir.file("state")]
        let tmux = try Tmux([Taser.binary, "--db", db, "--positron", dir.file("positron.yaml")], width: 120, height: 40, env: env)
        try tmux.waitFor(text: "sorted by time", timeout: 30)
        try tmux.type("4")
        // A frame can be caught half drawn: wait for the catalog's row, not only its heading.
        var screen = try tmux.waitFor("the catalog with the plugin") { $0.contains("What Positron can be asked") && $0.contains("hr-export") }
        #expect(screen.contains("Queue › Positron"))
        try tmux.type("user_man")
        try tmux.send(keys: ["Tab"])
        try tmux.waitFor(text: "ask › USER_MANAGER")
        try tmux.type("jdoe")
        try tmux.send(keys: ["Enter"])
        screen = try tmux.waitFor("the answer and the plugin outcomes", timeout: 60) {
            $0.contains("USER_MANAGER jdoe: 1 answer") && $0.contains("mboss") && $0.contains("answered 1")
        }
        let row = try #require(screen.split(separator: "\n").first { $0.contains("mboss") })
        #expect(row.contains("hr-export"), "\(screen)")
        #expect(screen.contains("answered 1"))
        // The history file has it for next time; Esc goes back, q quits.
        #expect((try? String(contentsOfFile: dir.file("state") + "/taser/positron_history", encoding: .utf8)) == "USER_MANAGER jdoe\n")
        try tmux.send(keys: ["Escape"])
        try tmux.waitFor(text: "sorted by time")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
        #expect(tmux.restored)
    }

    @Test func aBrokenPositronConfigIsShownAndTheConsoleStillOpens() throws {
        try #require(Tmux.available, "tmux is not installed (make deps installs it)")
        let dir = TempDir()
        let db = dir.file()
        #expect(try Taser.run(["--db", db, "team", "add", "soc"]).status == 0)
        try "plugins: [{ name: x, type: ldap }]\n".write(toFile: dir.file("positron.yaml"), atomically: true, encoding: .utf8)
        let env = ["XDG_CONFIG_HOME": dir.file("config"), "XDG_STATE_HOME": dir.file("state")]
        let tmux = try Tmux([Taser.binary, "--db", db, "--positron", dir.file("positron.yaml")], width: 200, height: 30, env: env)
        let screen = try tmux.waitFor("the config's problem on the status line", timeout: 30) {
            $0.contains("Positron runs without your positron.yaml") && $0.contains("and command")
        }
        #expect(screen.contains("types are table, sqlite, log, http and command"), "\(screen)")
        try tmux.type("q")
        #expect(try tmux.waitForExit() == 0)
    }
}
