import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The Search pane without a terminal: `:search` on a real demo database, a signal opened,
/// marked results made into a case or added to one through the case picker.
@Suite(.serialized) struct SearchPaneTests: ConsoleDriving {
    func app() throws -> (App, Engine) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 5))
        return (try App(engine: engine, bindings: try Keymap.load(named: "default")), engine)
    }

    func search(_ app: App, _ text: String) {
        press(app, ":")
        type(app, "search " + text)
        press(app, "enter")
        settle(app)
    }

    @Test func searchAHostOpenASignalAndGoBack() throws {
        let (app, engine) = try app()
        let expected = try engine.searchSignals(#"host.name = "LT-BARCHECK""#)
        try #require(expected.total > 0)
        search(app, #"host.name = "LT-BARCHECK""#)
        var g = screen(app)
        #expect(g.row(0).contains("Search host.name"), "\(g.text)")
        #expect(g.text.contains("\(counted(expected.total, "signal"))"), "\(g.text)")
        // Every listed row is that host's, and the chart's legend is there.
        let listed = (0..<38).map(g.row).filter { $0.contains("cbc.alert") }
        #expect(listed.count == expected.total && listed.allSatisfy { $0.contains("(LT-BARCHECK)") }, "\(g.text)")
        #expect(g.text.contains("per bar"))
        press(app, "enter")
        g = screen(app)
        #expect(g.row(0).contains("Search") && g.row(0).contains("Signal \(expected.signals[0].signal.id)"))
        #expect(g.text.contains("host.name = LT-BARCHECK"))
        // Its artifacts pivot, as in an alert.
        #expect(g.text.contains("host host: LT-BARCHECK"), "\(g.text)")
        press(app, "esc")
        #expect(screen(app).row(0).contains("Search"))
    }

    @Test func aBadSearchSaysWhyAndOpensNothing() throws {
        let (app, _) = try app()
        search(app, "kind = nosuchkind")
        let g = screen(app)
        #expect(!g.row(0).contains("Search"))
        #expect(g.row(38).contains("search: 1:8: no signal kind 'nosuchkind'") || g.row(39).contains("no signal kind 'nosuchkind'"), "\(g.text)")
    }

    @Test func slashEditsTheSearchAndFreeTextWorks() throws {
        let (app, engine) = try app()
        search(app, #""invoice_8812.exe""#)
        let all = try engine.searchSignals(#""invoice_8812.exe""#).total
        #expect(screen(app).text.contains(counted(all, "signal")))
        press(app, "/")
        #expect(screen(app).row(39).hasPrefix("Search: \"invoice_8812.exe\""))
        type(app, #" AND host.name = "LT-BARCHECK""#)
        press(app, "enter")
        settle(app)
        let narrowed = try engine.searchSignals(#""invoice_8812.exe" AND host.name = "LT-BARCHECK""#).total
        #expect(narrowed < all && narrowed > 0)
        #expect(screen(app).text.contains(counted(narrowed, "signal")))
    }

    @Test func markedSignalsBecomeACaseThenJoinAnotherThroughThePicker() throws {
        let (app, engine) = try app()
        search(app, "kind = cbc.alert")
        let ids = try engine.searchSignals("kind = cbc.alert").signals.map(\.signal.id)
        try #require(ids.count >= 4)
        press(app, "space", "space")
        #expect(screen(app).text.contains("2 marked"))
        press(app, "p")
        #expect(screen(app).row(39).hasPrefix("Title of the new case (2 signals):"))
        press(app, "ctrl-u")
        type(app, "Two Carbon Black signals")
        press(app, "enter")
        #expect(screen(app).row(0).contains("Case"))
        let opened = try #require(try engine.cases().first { $0.case.title == "Two Carbon Black signals" })
        let detail = try engine.caseDetail(opened.case.id)
        #expect(detail.alerts.count == 1 && detail.alerts[0].rule == "search" && detail.alerts[0].signalCount == 2)

        // The next two join that case: m opens the picker, typed text narrows it.
        press(app, "esc", "j", "j", "space", "space")
        press(app, "m")
        var g = screen(app)
        #expect(g.text.contains("Add 2 signals to which case?"))
        type(app, "two carbon")
        g = screen(app)
        #expect(g.text.contains("› two carbon") && g.text.contains("\(opened.case.id)  Two Carbon Black signals"), "\(g.text)")
        press(app, "enter")
        #expect(try engine.caseDetail(opened.case.id).alerts.map(\.signalCount).sorted() == [2, 2])
        #expect(screen(app).text.contains("2 signals added to case \(opened.case.id)"))
    }
}
