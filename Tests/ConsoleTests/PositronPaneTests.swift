import Credentials
import Foundation
import Model
import Positron
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The Positron prompt without a terminal: keys in (through Keymaps/default.yaml), the grid out,
/// over a real router (CSV tables and a program that fails) and a real database with one alert.
@Suite(.serialized) struct PositronPaneTests: ConsoleDriving {
    /// A database with one alert (user jdoe from 10.1.2.3 on LT-JDOE01), the tables the plugins
    /// read, a program that always fails, and positron.yaml over them.
    final class World {
        let dir = NSTemporaryDirectory() + "taser-positron-pane-\(UUID().uuidString)"
        let engine: Engine
        let alert: Alert
        let config: PositronConfig

        init(acl: String = "") throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "login,manager_login,full_name\njdoe,mboss,Jane Doe\n".write(toFile: dir + "/hr.csv", atomically: true, encoding: .utf8)
            try "user,boss\nJDOE,mboss\n".write(toFile: dir + "/directory.csv", atomically: true, encoding: .utf8)
            try "ip,host\n10.1.2.3,web-01\n".write(toFile: dir + "/assets.csv", atomically: true, encoding: .utf8)
            try "#!/bin/sh\necho \"lookup of $1 refused\" >&2\nexit 3\n".write(toFile: dir + "/fail.sh", atomically: true, encoding: .utf8)
            chmod(dir + "/fail.sh", 0o755)
            let yaml = """
                plugins:
                  - { name: hr, type: table, file: hr.csv, priority: 60, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
                  - { name: directory, type: table, file: directory.csv, queries: { USER_MANAGER: { key: user, answer: { manager: boss } } } }
                  - { name: broken, type: command, command: [fail.sh, "{value}"], queries: [USER_MANAGER] }
                  - { name: assets, type: table, file: assets.csv, queries: { IP_TO_HOSTNAME: { key: ip, answer: { hostname: host } } } }
                \(acl)
                """
            try yaml.write(toFile: dir + "/positron.yaml", atomically: true, encoding: .utf8)
            config = try PositronConfig.load(path: dir + "/positron.yaml", secrets: Secrets(values: [:], environment: [:]))
            engine = try Engine.open(path: dir + "/taser.db")
            try engine.addTeam("soc")
            let signal = NewSignal(
                time: Timestamp(ms: 1_700_000_000_000), source: "okta", sourceRef: "s1", kind: SignalKind.oktaNewLocation.name,
                severity: .medium, title: "login from a new place", fields: ["user.name": .string("jdoe")], raw: "{}",
                artifacts: [ArtifactMention(.user, "jdoe", role: "user"), ArtifactMention(.ip, "10.1.2.3", role: "src")])
            let ids = try SignalWriter(store: engine.store).write([signal]).ids.compactMap { $0 }
            alert = try engine.raiseAlert(NewAlert(
                rule: "new-location", groupKey: "user.name=jdoe", severity: .high, title: "New location for jdoe", team: "soc", signalIDs: ids))
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func app(as engine: Engine? = nil, history: String? = nil) throws -> App {
            try App(engine: engine ?? self.engine, bindings: try Keymap.load(named: "default"),
                    positron: ConsolePositron(config: config, historyFile: history))
        }
    }

    func prompt(_ g: Grid) -> String { g.row(1) }

    /// Moves the cursor down until the line with `text` is selected.
    func moveTo(_ app: App, _ text: String) throws {
        for _ in 0..<50 where screen(app).role(of: text) != .selected { press(app, "j") }
        try #require(screen(app).role(of: text) == .selected, "\(screen(app).text)")
    }

    @Test func tabCompletesQueryNamesThenTheArtifactYouCameFrom() throws {
        let world = try World()
        let app = try world.app()
        // From the alert's detail, on its user artifact.
        press(app, "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Alert \(world.alert.id)"))
        try moveTo(app, "user user: jdoe")
        press(app, "4")
        g = screen(app)
        #expect(g.row(0).contains("Alert \(world.alert.id) › Positron"))
        #expect(g.text.contains("Tab fills in user jdoe (and 1 more) from Alert \(world.alert.id)"))
        // The catalog shows before anything is asked, with the plugins that answer.
        #expect(g.text.contains("USER_MANAGER") && g.text.contains("hr, directory, broken"))

        type(app, "user_")
        press(app, "tab")
        g = screen(app)
        #expect(prompt(g).contains("ask › USER_"), "\(prompt(g))")
        #expect(g.row(2).contains("USER_GROUPS") && g.row(2).contains("USER_MANAGER") && g.row(2).contains("USER_RECENT_LOGINS"))
        type(app, "ma")
        press(app, "tab")
        #expect(prompt(screen(app)).contains("ask › USER_MANAGER "))
        // The value: the user artifact, not the IP (a user query does not take an address).
        press(app, "tab")
        #expect(prompt(screen(app)).contains("ask › USER_MANAGER jdoe"))
        press(app, "tab")
        #expect(prompt(screen(app)).contains("ask › USER_MANAGER jdoe"), "one user artifact: Tab stays on it")
        press(app, "ctrl-u")
        type(app, "ip_to_h")
        press(app, "tab", "tab")
        #expect(prompt(screen(app)).contains("ask › IP_TO_HOSTNAME 10.1.2.3"))
        // No query by that start: the status line says so and names the nearest.
        press(app, "ctrl-u")
        type(app, "IPX")
        press(app, "tab")
        #expect(screen(app).row(38).contains("no query starts with 'IPX'"))
    }

    @Test func answersShowAsATableWithWhereTheyCameFromAndAFailingPluginIsListed() throws {
        let world = try World()
        let app = try world.app()
        press(app, "4")
        type(app, "USER_MANAGER JDoe")
        press(app, "enter")
        var g = screen(app)
        #expect(g.text.contains("asking USER_MANAGER jdoe"), "\(g.text)")
        settle(app)
        g = screen(app)
        #expect(g.text.contains("USER_MANAGER jdoe: 1 answer"), "\(g.text)")
        let header = try #require((0..<40).map { g.row($0) }.first { $0.contains("MANAGER") && $0.contains("FROM") })
        #expect(header.contains("SEEN"))
        let row = try #require((0..<40).map { g.row($0) }.first { $0.contains("mboss") })
        // Both tables agree on mboss: one answer, from both.
        #expect(row.contains("hr, directory"), "\(row)")
        #expect(g.text.contains("Plugins"))
        let rows = (0..<40).map { g.row($0) }
        let broken = try #require(rows.firstIndex { $0.contains("broken") && $0.contains("failed") })
        // The whole reason, wrapped when long.
        let reason = rows[broken...].prefix(3).joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(reason.contains("exited with 3") && reason.contains("lookup of jdoe refused"), "\(reason)")
        #expect(g.role(of: "failed: ") == .error)
        #expect((0..<40).map { g.row($0) }.contains { $0.contains("hr") && $0.contains("answered 1") })
        #expect(g.row(38).contains("1 answer from 3 plugins (1 without an answer)"))
        // Every query is audited, as from the CLI.
        let audit = try world.engine.queryAudit(limit: 5)
        #expect(audit.first?.query == "USER_MANAGER" && audit.first?.plugins.contains("broken:failed") == true)
    }

    @Test func badLinesAreOneLineInThePaneAndNothingBreaks() throws {
        let world = try World()
        let app = try world.app()
        press(app, "4")
        func ask(_ line: String) -> Grid {
            press(app, "ctrl-u")
            type(app, line)
            press(app, "enter")
            settle(app)
            return screen(app)
        }
        var g = ask("IP_TO_HOST 10.1.2.3")
        #expect(g.text.contains("no query 'IP_TO_HOST'; did you mean IP_TO_HOSTNAME"), "\(g.text)")
        #expect(g.role(of: "no query 'IP_TO_HOST'") == .error)
        g = ask("IP_TO_HOSTNAME web-01")
        #expect(g.text.contains("IP_TO_HOSTNAME takes an ip; 'web-01' is not one"))
        g = ask("USER_MANAGER")
        #expect(g.text.contains("USER_MANAGER needs a value: a user"))
        // Enter on nothing asks nothing; the pane is still the prompt.
        press(app, "ctrl-u", "enter")
        #expect(screen(app).row(0).contains("Queue › Positron") && !app.isBusy)
        // A query nobody answers says so.
        g = ask("DOMAIN_WHOIS example.com")
        #expect(g.text.contains("no plugin answers DOMAIN_WHOIS: add one in positron.yaml"))
    }

    @Test func aQueryTheACLRefusesSaysNotAllowed() throws {
        let world = try World(acl: "acl:\n  \"*\": [soc]")
        try world.engine.addTeam("ir")
        try world.engine.addAnalyst(Analyst(name: "dana", teams: ["ir"]))
        let dana = world.engine.acting(as: Actor(name: "dana", isAdmin: false))
        let app = try world.app(as: dana)
        press(app, "4")
        type(app, "USER_MANAGER jdoe")
        press(app, "enter")
        settle(app)
        let g = screen(app)
        #expect(g.text.contains("dana is not allowed to ask USER_MANAGER"), "\(g.text)")
        #expect(!g.text.contains("mboss"))
        #expect(try world.engine.queryAudit(limit: 1).first.map { !$0.allowed && $0.analyst == "dana" } == true)
    }

    @Test func upAndDownWalkTheQueriesAskedAndTheNextSessionHasThem() throws {
        let world = try World()
        let history = world.dir + "/state/taser/positron_history"
        var app = try world.app(history: history)
        press(app, "4")
        for line in ["USER_MANAGER jdoe", "IP_TO_HOSTNAME 10.1.2.3"] {
            type(app, line)
            press(app, "enter")
            settle(app)
            press(app, "ctrl-u")
        }
        #expect(screen(app).text.contains("web-01"))
        type(app, "IP_G")
        press(app, "up")
        #expect(prompt(screen(app)).contains("ask › IP_TO_HOSTNAME 10.1.2.3"))
        press(app, "up")
        #expect(prompt(screen(app)).contains("ask › USER_MANAGER jdoe"))
        press(app, "up")
        #expect(prompt(screen(app)).contains("ask › USER_MANAGER jdoe"), "the oldest stays")
        press(app, "down")
        #expect(prompt(screen(app)).contains("ask › IP_TO_HOSTNAME 10.1.2.3"))
        press(app, "down")
        #expect(prompt(screen(app)).contains("ask › IP_G") && !prompt(screen(app)).contains("10.1.2.3"), "what was being typed comes back")
        // Leaving and coming back keeps the last answer; a new session has the history.
        press(app, "esc", "4")
        #expect(screen(app).text.contains("IP_TO_HOSTNAME 10.1.2.3: 1 answer"))
        let saved = try String(contentsOfFile: history, encoding: .utf8)
        #expect(saved == "USER_MANAGER jdoe\nIP_TO_HOSTNAME 10.1.2.3\n")
        app = try world.app(history: history)
        press(app, "4", "up")
        #expect(prompt(screen(app)).contains("ask › IP_TO_HOSTNAME 10.1.2.3"))
    }

    @Test func enterOnAnArtifactOffersAPivotAndItsQueries() throws {
        let world = try World()
        let app = try world.app()
        press(app, "enter")
        try moveTo(app, "user user: jdoe")
        press(app, "enter")
        var g = screen(app)
        #expect(g.text.contains(" user jdoe "), "the menu is titled with the artifact")
        let menu = (0..<40).map { g.row($0) }
        #expect(menu.contains { $0.contains("1 pivot") })
        let manager = try #require(menu.firstIndex { $0.contains("USER_MANAGER") })
        let info = try #require(menu.firstIndex { $0.contains("USER_INFO") })
        #expect(manager < info, "queries some plugin answers come first")
        #expect(menu[info].contains("no plugin answers it yet"))
        #expect(!menu.contains { $0.contains("HOSTNAME_TO_IP") || $0.contains("IP_TO_HOSTNAME") }, "only queries that take a user")
        #expect(g.row(39).contains("Enter or 1-9 chooses"))
        // Esc leaves the menu, not the alert.
        press(app, "esc")
        #expect(!screen(app).text.contains("1 pivot"))
        #expect(screen(app).row(0).contains("Alert \(world.alert.id)") && !screen(app).row(0).contains("Positron"))
        // Choosing a query opens the prompt with it asked.
        press(app, "enter", "2")
        settle(app)
        g = screen(app)
        #expect(g.row(0).contains("Alert \(world.alert.id) › Positron"))
        #expect(prompt(g).contains("ask › USER_MANAGER jdoe") && g.text.contains("mboss"), "\(g.text)")
        // Back on the alert, Enter then Enter pivots, as the first choice.
        press(app, "esc", "enter", "enter")
        #expect(screen(app).row(0).contains("› Pivot jdoe"))
        // `i` asks without the pivot; on the pivot's own artifact line too.
        press(app, "k", "i")
        g = screen(app)
        #expect(g.text.contains("USER_MANAGER") && !g.text.contains("1 pivot"))
        press(app, "esc")
        // Where there is no artifact under the cursor, `i` says so.
        press(app, "1", "i")
        #expect(screen(app).row(38).contains("no artifact under the cursor"))
    }

    @Test func storedEnrichmentsShowUnderTheArtifactOnTheAlertAndTheCase() throws {
        let world = try World()
        let artifacts = try world.engine.artifacts(ofAlert: world.alert.id)
        _ = try world.engine.enrich(artifacts, with: world.config)
        let app = try world.app()
        press(app, "enter")
        var g = screen(app)
        let rows = (0..<40).map { g.row($0) }
        let user = try #require(rows.firstIndex { $0.contains("user user: jdoe") })
        #expect(rows[user + 1].contains("USER_MANAGER: mboss (hr, directory)"), "\(rows[user + 1])")
        let ip = try #require(rows.firstIndex { $0.contains("src ip: 10.1.2.3") })
        #expect(rows[ip + 1].contains("IP_TO_HOSTNAME: web-01 (assets)"))
        let c = try world.engine.openCase(NewCase(title: "jdoe somewhere new", alertIDs: [world.alert.id]))
        let caseApp = try world.app()
        press(caseApp, "2", "enter")
        g = screen(caseApp)
        #expect(g.row(0).contains("Case \(c.id)"))
        #expect(g.text.contains("USER_MANAGER: mboss (hr, directory)") && g.text.contains("IP_TO_HOSTNAME: web-01 (assets)"), "\(g.text)")
    }

    @Test func theHintBarAndHelpWorkAtThePrompt() throws {
        let world = try World()
        let app = try world.app()
        press(app, "4")
        var g = screen(app)
        // Printable keys are text here: the hints name only the keys that are not.
        #expect(g.row(39).contains("enter ask") && g.row(39).contains("tab complete") && g.row(39).contains("f1 help"), "\(g.row(39))")
        #expect(!g.row(39).contains("q quit"))
        type(app, "q?:1")
        #expect(prompt(screen(app)).contains("ask › q?:1"))
        press(app, "f1")
        g = screen(app)
        #expect(g.text.contains("Keys and actions") && g.text.contains("Ask the query on the prompt"))
        press(app, "esc", "esc")
        #expect(screen(app).row(0).contains("Queue") && !screen(app).row(0).contains("Positron"))
    }

    @Test func aPositronConfigThatCannotBeReadIsShownAndTheConsoleStillOpens() throws {
        let world = try World()
        let app = try App(engine: world.engine, bindings: try Keymap.load(named: "default"),
                          positron: ConsolePositron(problem: "/x/positron.yaml: not YAML: bad indentation"))
        #expect(screen(app).row(38).contains("Positron runs without your positron.yaml: /x/positron.yaml: not YAML"))
        press(app, "4")
        #expect(screen(app).row(2).contains("positron.yaml not used: /x/positron.yaml: not YAML"))
        press(app, "j")
        #expect(app.handle(Key("esc")))
    }
}
