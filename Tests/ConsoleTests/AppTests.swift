import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The console without a terminal: keys in (through Keymaps/default.yaml), the grid out, on a
/// real demo database.
@Suite(.serialized) struct AppTests: ConsoleDriving {
    var screenWidth: Int { 120 }

    func app() throws -> (App, Engine) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 3))
        return (try App(engine: engine, bindings: try Keymap.load(named: "default")), engine)
    }

    @Test func theQueueShowsAlertsAndTheCursorMoves() throws {
        let (app, engine) = try app()
        let first = try engine.queuePage(QueueFilter(), order: .time, limit: 2)
        try #require(first.count == 2)
        var g = screen(app)
        #expect(g.row(0).contains("Queue"))
        #expect(g.text.contains(first[0].title.prefix(30)))
        #expect(g.role(of: String(first[0].id) + " ") == .selected)
        press(app, "j")
        g = screen(app)
        #expect(g.role(of: String(first[1].id) + " ") == .selected)
        // The hint bar names keys from the bindings.
        #expect(g.row(39).contains("q quit") && g.row(39).contains("? help") && g.row(39).contains("p promote"))
    }

    @Test func aFilterNarrowsTheQueueAndEscClearsIt() throws {
        let (app, _) = try app()
        press(app, "/")
        type(app, "rule:ids-scan-one-port")
        var g = screen(app)
        #expect(g.row(39).hasPrefix("/rule:ids-scan-one-port"))
        let rows = (2..<20).map { g.row($0) }.filter { $0.contains("Scanning one port") }
        #expect(!rows.isEmpty)
        #expect(!(2..<20).map { g.row($0) }.contains { $0.contains("Repeated Carbon Black") })
        press(app, "esc")
        g = screen(app)
        #expect(g.row(38).contains("alerts · sorted by time") && !g.row(38).contains("filter:"))
    }

    @Test func promoteAMarkedAlertThenNoteTheCase() throws {
        let (app, engine) = try app()
        press(app, "/")
        type(app, "status:new")
        press(app, "enter", "space")
        #expect(screen(app).text.contains("1 marked"))
        press(app, "k", "p")
        #expect(screen(app).row(39).hasPrefix("Title of the new case (1 alert):"))
        press(app, "ctrl-u")
        type(app, "Console promoted case")
        press(app, "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Case"))
        #expect(g.text.contains("Console promoted case"))
        press(app, "a")
        type(app, "Called the user: not them.")
        press(app, "enter")
        type(app, "Password reset.")
        press(app, "ctrl-s")
        g = screen(app)
        #expect(g.text.contains("note: Called the user: not them.") && g.text.contains("Password reset."))
        let cases = try engine.cases().filter { $0.case.title == "Console promoted case" }
        #expect(cases.count == 1 && cases[0].alertCount == 1)
    }

    @Test func helpListsActionsAndRunsTheChosenOne() throws {
        let (app, _) = try app()
        press(app, "?")
        type(app, "case list")
        var g = screen(app)
        #expect(g.text.contains("Keys and actions") && g.text.contains("Case list"))
        press(app, "enter")
        g = screen(app)
        #expect(g.row(0).contains("Queue › Cases"))
        #expect(app.handle(Key(":")))
        type(app, "quit")
        #expect(app.handle(.enter) == false)
    }

    @Test func dangerousActionsAskFirst() throws {
        let (app, engine) = try app()
        let first = try #require(try engine.queuePage(QueueFilter(terms: [("status", "new")]), order: .time, limit: 1).first)
        press(app, "/")
        type(app, "status:new")
        press(app, "enter", "c")
        // Closing asks why; leaving the question closes nothing.
        #expect(screen(app).text.contains("Close 1 alert: why?") && screen(app).text.contains("false positive"))
        press(app, "esc")
        #expect(try engine.alertDetail(first.id).alert.status == .new)
        press(app, "c", "3")
        let closed = try engine.alertDetail(first.id).alert
        #expect(closed.status == .closed && closed.closing?.reason == .falsePositive && closed.closing?.by == engine.actor.name)
    }

    @Test func aSmallTerminalAndUnknownKeysDoNotCrash() throws {
        let (app, _) = try app()
        _ = screen(app, width: 40, height: 10)
        press(app, "x", "ctrl-z", "G", "g", "ctrl-d", "ctrl-u", "s")
        #expect(screen(app, width: 200, height: 60).text.contains("sorted by severity"))
    }

    @Test func theHeaderDegradesCleanlyAtEveryWidth() throws {
        let (app, engine) = try app()
        press(app, "enter", "2", "enter", "3")
        let titles = app.panes.map(\.title)
        try #require(titles.count == 5, "\(titles)")
        for width in 40...160 {
            let row = screen(app, width: width, height: 12).row(0)
            let (path, who) = Header.fit(titles: titles, actor: engine.actor.name, database: engine.store.path, width: width)
            let gap = String(repeating: " ", count: width - 2 - CellWidth.of(path) - (who.map(CellWidth.of) ?? 0))
            #expect(row == " " + path + gap + (who ?? "") + " ", "\(width)")
            #expect(row.contains("Rules"), "\(width): \(row)")
        }
    }

    @Test func pivotFromAnAlertsArtifactAndComeBack() throws {
        let (app, _) = try app()
        press(app, "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Alert"))
        let alertCrumbs = g.row(0)
        // Enter on an artifact offers a pivot (first) and its Positron queries.
        press(app, "enter")
        #expect(screen(app).text.contains("1 pivot"))
        press(app, "enter")
        g = screen(app)
        #expect(g.row(0).contains("› Pivot "), "\(g.row(0))")
        #expect(g.text.contains("Alerts (") && g.text.contains("first seen"))
        press(app, "esc")
        #expect(screen(app).row(0) == alertCrumbs)
    }

    @Test func theRuleEditorRerunsTheSimulatorAndSavesAVersion() throws {
        let (app, engine) = try app()
        press(app, "3")
        var g = screen(app)
        #expect(g.row(0).contains("Queue › Rules") && g.text.contains("repeated-carbonblack-alerts"))
        press(app, "j", "enter")
        g = screen(app)
        #expect(g.text.contains("Rule repeated-carbonblack-alerts (version 1)") && g.text.contains("Simulator"))
        let before = try #require(g.text.range(of: #"(\d+) alerts? from"#, options: .regularExpression).map { String(g.text[$0]) })
        // Turn the count of 2 into 3.
        press(app, "up", "home", "right", "right", "right", "delete")
        type(app, "3")
        _ = app.tick()
        g = screen(app)
        let after = try #require(g.text.range(of: #"(\d+) alerts? from"#, options: .regularExpression).map { String(g.text[$0]) })
        #expect(before != after, "\(before) / \(after)")
        #expect(g.text.contains("saved version: ") && g.text.contains("this text +"))
        // A mistake is marked in place, and nothing is saved.
        type(app, "x")
        _ = app.tick()
        #expect(screen(app).text.contains("^ 1:"))
        press(app, "backspace")
        press(app, "ctrl-s")
        #expect(screen(app).row(38).contains("saved as version 2"))
        #expect(try engine.compiledRule(named: "repeated-carbonblack-alerts").clauses[0].count == 3)
    }

    /// Issue 12: a window of 10^17 days typed in the editor was an overflow trap that closed the
    /// console. It is a mistake marked in place like any other.
    @Test func theRuleEditorMarksAWindowOfAgesInPlace() throws {
        let (app, engine) = try app()
        press(app, "3", "j", "enter")
        // Before "24 Hours" on the first line: `[ (2 CarbonBlack alerts) ] IN [ ` is 32 characters.
        press(app, "up", "home")
        for _ in 0..<32 { press(app, "right") }
        type(app, "99999999999999999")
        _ = app.tick()
        let g = screen(app)
        #expect(g.text.contains("longer than 100 years"), "\(g.text)")
        press(app, "ctrl-s")
        #expect(try engine.compiledRule(named: "repeated-carbonblack-alerts").window == 86_400_000)
    }

    @Test func problemsInTheAnalystsFilesShowAndTheConsoleStillOpens() throws {
        let dir = NSTemporaryDirectory() + "taser-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/taser", withIntermediateDirectories: true)
        try "alerts:\n  x: alert.promot\n".write(toFile: dir + "/taser/keys.yaml", atomically: true, encoding: .utf8)
        let (keymap, problems) = Keymap.forUser(environment: ["XDG_CONFIG_HOME": dir])
        #expect(!problems.isEmpty)
        // Named from the config folder, as the launcher does: the bar has no room for the path.
        let app = try App(engine: try Engine.open(path: try DemoDatabases.path(seed: 3)), bindings: keymap, problems: problems.map { $0.relative(to: dir + "/taser").description })
        let g = screen(app)
        #expect(g.row(38) == " keys.yaml:2: unknown action 'alert.promot'; did you mean 'alert.promote'? (taser config check)".padding(toLength: 120, withPad: " ", startingAt: 0), "\(g.row(38))")
        // The defaults still work.
        press(app, "j")
        #expect(app.handle(Key("q")) == false)
    }
}
