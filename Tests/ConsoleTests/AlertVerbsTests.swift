import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The alert verbs where alerts show: from an opened alert, from a pivot's alerts (marked one
/// by one or all at once), with the case and analyst pickers instead of typed ids and names.
@Suite(.serialized) struct AlertVerbsTests: ConsoleDriving {
    func app() throws -> (App, Engine) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 11))
        return (try App(engine: engine, bindings: try Keymap.load(named: "default")), engine)
    }

    @Test func closeFromAnOpenedAlertSayingWhy() throws {
        let (app, engine) = try app()
        press(app, "enter")
        let g = screen(app)
        let id = try #require(g.row(0).components(separatedBy: "Alert ").last.flatMap { Int64($0.prefix { $0.isNumber }) })
        // The hint bar offers the verbs with the keys that run them here (P: p pivots).
        #expect(g.row(39).contains("a acknowledge") && g.row(39).contains("P promote") && g.row(39).contains("c close"), "\(g.row(39))")
        press(app, "c")
        #expect(screen(app).text.contains("Close 1 alert: why?"))
        press(app, "2")
        let alert = try engine.alertDetail(id).alert
        #expect(alert.status == .closed && alert.closing?.reason == .benign)
        #expect(screen(app).text.contains("closed (benign by"), "\(screen(app).text)")
    }

    @Test func markEveryAlertOfAPivotAndAcknowledgeThem() throws {
        let (app, engine) = try app()
        // The campaign's file: every host that ran it.
        press(app, ":")
        type(app, "search \"invoice_8812.exe\"")
        press(app, "enter")
        settle(app)
        press(app, "enter")
        let g = screen(app)
        let row = try #require((0..<40).first { g.row($0).contains("process filename: invoice_8812.exe") })
        // To the artifact's line, then pivot.
        for _ in 0..<40 where !screen(app).row(row).isEmpty {
            if screen(app).role(of: "process filename: invoice_8812.exe") == .selected { break }
            press(app, "j")
        }
        press(app, "p")
        #expect(screen(app).row(0).contains("Pivot invoice_8812.exe"), "\(screen(app).row(0))")
        let pivot = try #require(try engine.pivot("invoice_8812.exe").first)
        // Those in a case change with their case: mark-all leaves them out, and says so.
        let alerts = pivot.alerts.filter { $0.status != "promoted" }.map(\.id)
        let held = pivot.alerts.count - alerts.count
        try #require(alerts.count >= 2 && held >= 1)
        press(app, "*")
        #expect(screen(app).text.contains("\(alerts.count) alerts marked (\(held) in a case left out"), "\(screen(app).text)")
        press(app, "a")
        for id in alerts { #expect(try engine.alertDetail(id).alert.status == .acknowledged) }
        #expect(screen(app).text.contains("\(counted(alerts.count, "alert")) acknowledged"))
        #expect(!screen(app).text.contains("marked"))
    }

    @Test func mergeAndAssignPickFromLists() throws {
        let (app, engine) = try app()
        let target = try engine.openCase(NewCase(title: "Picker target case"))
        let analyst = try #require(try engine.analysts().first)
        press(app, "G")
        press(app, "m")
        var g = screen(app)
        #expect(g.text.contains("Merge 1 alert into which case?") && g.row(39).contains("type to narrow"))
        type(app, "picker target")
        g = screen(app)
        #expect(g.text.contains("\(target.id)  Picker target case") && g.text.contains("1/"), "\(g.text)")
        press(app, "enter")
        #expect(try engine.caseDetail(target.id).alerts.count == 1)

        press(app, "g", "A")
        #expect(screen(app).text.contains("Promote 1 alert to a case for:"))
        type(app, analyst.name)
        press(app, "enter")
        #expect(try engine.cases().contains { $0.case.owner == analyst.name })
        // A picker with nothing matching chooses nothing.
        press(app, "g", "m")
        type(app, "no such case at all")
        #expect(screen(app).text.contains("nothing matches"))
        press(app, "enter")
        #expect(!screen(app).text.contains("which case?"))
    }
}
