import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// Every list filters with `/`; the case list has a header, aligned columns and views.
@Suite(.serialized) struct ListTests: ConsoleDriving {
    func app() throws -> (App, Engine) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 13))
        return (try App(engine: engine, bindings: try Keymap.load(named: "default")), engine)
    }

    @Test func theCaseListHasAHeaderColumnsAndViews() throws {
        let (app, engine) = try app()
        let all = try engine.cases(CaseFilter(limit: 5000))
        let open = all.filter { $0.case.status.isOpen }
        try #require(open.count < all.count, "the demo has closed cases too")
        press(app, "2")
        var g = screen(app)
        #expect(g.row(1).contains("#  STATUS") && g.row(1).contains("OWNER") && g.row(1).contains("TITLE"), "\(g.row(1))")
        #expect(g.row(38).contains("\(counted(open.count, "case")) · view: open"), "\(g.row(38))")
        // The title starts in the same column on every row.
        let titles = (2..<(2 + open.count)).map { g.row($0) }
        let column = try #require(titles.first.flatMap { row in open.first.flatMap { row.range(of: $0.case.title) }.map { row.distance(from: row.startIndex, to: $0.lowerBound) } })
        #expect(g.row(1).range(of: "TITLE").map { g.row(1).distance(from: g.row(1).startIndex, to: $0.lowerBound) } == column)
        press(app, "v", "v", "v")
        g = screen(app)
        #expect(g.row(38).contains("\(counted(all.count, "case")) · view: all"), "\(g.row(38))")
        press(app, "v")
        #expect(screen(app).row(38).contains("view: open"))
    }

    @Test func slashFiltersTheCaseListAndEscClearsIt() throws {
        let (app, engine) = try app()
        let first = try #require(try engine.cases(CaseFilter(limit: 5000)).first { $0.case.status.isOpen })
        press(app, "2", "/")
        type(app, first.case.title.lowercased())
        var g = screen(app)
        #expect(g.row(39).hasPrefix("/" + first.case.title.lowercased()))
        #expect(g.row(38).contains("1 case ·"), "\(g.row(38))")
        #expect(g.row(1).contains("STATUS"), "the header stays")
        press(app, "enter", "enter")
        #expect(screen(app).row(0).contains("Case \(first.case.id)"))
        press(app, "esc", "/")
        type(app, "zzz-nothing")
        #expect(screen(app).row(38).contains("0 cases"))
        press(app, "esc")
        g = screen(app)
        #expect(!g.row(38).contains("0 cases") && !g.row(39).hasPrefix("/"))
    }

    @Test func slashFiltersACasesTimelineAndAPivot() throws {
        let (app, _) = try app()
        press(app, "2", "enter")
        #expect(screen(app).row(0).contains("Case"))
        press(app, "/")
        type(app, "opened")
        let g = screen(app)
        let body = (1..<38).map(g.row).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(body.contains { $0.lowercased().contains("opened") })
        #expect(body.allSatisfy { $0.lowercased().contains("opened") || $0.hasPrefix(" ") == false || g.role(of: $0.trimmingCharacters(in: .whitespaces)) != .text }, "\(body)")
        // The hint bar offers / where it works.
        press(app, "enter")
        #expect(screen(app).row(39).contains("/ filter"))
    }

    @Test func rawBodiesOpenInAPagerWithPrettyJSONWrapAndFind() throws {
        let (app, _) = try app()
        press(app, "enter")
        #expect(screen(app).row(0).contains("Alert"))
        press(app, "r")
        var g = screen(app)
        #expect(g.row(0).contains("› Raw"), "\(g.row(0))")
        // Carbon Black's JSON, one field a line.
        #expect((0..<38).map(g.row).contains { $0.hasPrefix("   \"device_name\": ") }, "\(g.text)")
        #expect(g.row(38).contains("wrapped") && g.row(39).contains("w wrap"), "\(g.row(38)) | \(g.row(39))")
        press(app, "w")
        #expect(screen(app).row(38).contains("not wrapped"))
        press(app, "/")
        type(app, "device_name")
        g = screen(app)
        let body = (1..<38).map(g.row).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        #expect(!body.isEmpty && body.allSatisfy { $0.contains("device_name") || $0.contains("signal ") }, "\(body)")
        press(app, "esc", "esc", "esc")
        #expect(screen(app).row(0).trimmingCharacters(in: .whitespaces).hasPrefix("Queue"))
    }

    @Test func aLongTimelineEntryFoldsAndEnterUnfoldsIt() throws {
        let (app, engine) = try app()
        let c = try engine.openCase(NewCase(title: "Long note case"))
        let note = (1...40).map { "line \($0) of a long pasted log excerpt that goes on and on" }.joined(separator: " ")
        try engine.addNote(c.id, note)
        press(app, "2", "/")
        type(app, "long note case")
        press(app, "enter", "enter")
        var g = screen(app)
        #expect(g.row(0).contains("Case \(c.id)"))
        #expect(g.text.contains("more rows (Enter shows all)") && !g.text.contains("line 40 of"), "\(g.text)")
        press(app, "G", "enter")
        g = screen(app)
        #expect(g.text.contains("line 40 of") && !g.text.contains("more rows (Enter shows all)"), "\(g.text)")
        press(app, "enter")
        #expect(screen(app).text.contains("more rows (Enter shows all)"))
    }
}
