import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// A case's status, owner and sharing are chosen from lists (the moves the workflow allows, the
/// resolutions, the analysts, the teams), never typed from memory; the console's errors name
/// no command-line flags.
@Suite(.serialized) struct CasePickerTests: ConsoleDriving {
    func app() throws -> (App, Engine, Case) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 17))
        let c = try engine.openCase(NewCase(title: "Picker case \(UUID().uuidString.prefix(6))"))
        let app = try App(engine: engine, bindings: try Keymap.load(named: "default"))
        app.push(try CasePane(engine: engine, id: c.id))
        return (app, engine, c)
    }

    @Test func statusOffersTheAllowedMovesThenTheResolution() throws {
        let (app, engine, c) = try app()
        press(app, "s")
        let g = screen(app)
        #expect(g.text.contains("Case \(c.id) is new; move it to"))
        for next in CaseStatus.new.allowedNext { #expect(g.text.contains(next.rawValue.replacingOccurrences(of: "_", with: " ")), "\(next)") }
        let resolved = try #require(CaseStatus.new.allowedNext.firstIndex(of: .resolved))
        press(app, String(resolved + 1))
        #expect(screen(app).text.contains("Resolution of case \(c.id)"))
        press(app, "enter")
        let after = try engine.caseDetail(c.id).case
        #expect(after.status == .resolved && after.resolution == Resolution.allCases.first)
    }

    @Test func assignPicksAnAnalystOrNobody() throws {
        let (app, engine, c) = try app()
        let analyst = try #require(try engine.analysts().last)
        press(app, "A")
        #expect(screen(app).text.contains("Assign case \(c.id) to:") && screen(app).text.contains("nobody"))
        type(app, analyst.name)
        press(app, "enter")
        #expect(try engine.caseDetail(c.id).case.owner == analyst.name)
        press(app, "A", "enter")
        #expect(try engine.caseDetail(c.id).case.owner == nil)
    }

    @Test func shareChoosesATeamThenHowFar() throws {
        let (app, engine, c) = try app()
        let team = try #require(try engine.teams().first { $0.name != c.team })
        press(app, "S")
        type(app, team.name)
        press(app, "enter")
        #expect(screen(app).text.contains("Share with \(team.name) to"))
        press(app, "2")
        #expect(try engine.caseDetail(c.id).shares.contains { $0.team == team.name && $0.level == .write })
    }

    @Test func tagsComeFromThoseInUseOrAreTypedNew() throws {
        let (app, engine, c) = try app()
        let other = try engine.openCase(NewCase(title: "Tagged elsewhere", tags: ["phishing"]))
        press(app, "t")
        var g = screen(app)
        #expect(g.text.contains("Tag case \(c.id)") && g.text.contains("+ phishing"), "\(g.text)")
        type(app, "phish")
        press(app, "enter")
        #expect(try engine.caseDetail(c.id).case.tags == ["phishing"])
        // A tag nobody uses yet: typed, and Enter takes the text.
        press(app, "t")
        type(app, "Finance-Q4")
        #expect(screen(app).text.contains("nothing matches; Enter takes the text"))
        press(app, "enter")
        #expect(try engine.caseDetail(c.id).case.tags == ["phishing", "Finance-Q4"])
        g = screen(app)
        #expect(g.text.contains("tags phishing, Finance-Q4"), "\(g.text)")
        // Choosing one the case has removes it; each change is in the log.
        press(app, "t")
        type(app, "- phishing")
        press(app, "enter")
        let detail = try engine.caseDetail(c.id)
        #expect(detail.case.tags == ["Finance-Q4"])
        #expect(detail.log.filter { $0.kind == .tags }.map(\.body) == ["Tags: +phishing", "Tags: +Finance-Q4", "Tags: -phishing"])
        #expect(try engine.caseDetail(other.id).case.tags == ["phishing"])
    }

    @Test func badTagsAreRefusedAndNothingChanges() throws {
        let (_, engine, c) = try app()
        for (add, message) in [([""], "is not a tag"), ([String(repeating: "x", count: 65)], "is not a tag"), (["a\u{7}b"], "is not a tag")] {
            #expect { try engine.tag(c.id, add: add) } throws: { "\($0)".contains(message) }
        }
        #expect { try engine.tag(c.id, add: (1...33).map { "t\($0)" }) } throws: { "\($0)".contains("at most 32 tags") }
        #expect { try engine.tag(c.id, remove: ["absent"]) } throws: { "\($0)".contains("already has no tags") }
        #expect(try engine.caseDetail(c.id).case.tags.isEmpty && !(try engine.caseDetail(c.id).log.contains { $0.kind == .tags }))
    }

    @Test func errorsUseTheConsolesWords() {
        #expect(ConsoleWording.of(EngineError.invalid("a case needs a title: --title \"...\"")) == "a case needs a title")
        #expect(ConsoleWording.of(EngineError.caseNotFound(7)) == "no case 7 (or you may not see it); 2 lists your cases")
        #expect(ConsoleWording.of(EngineError.invalid("no link between 'a' and 'b'; `taser identities --search a` lists the links")) == "no link between 'a' and 'b'")
        #expect(!ConsoleWording.of(EngineError.teamRequired(choices: ["a", "b"])).contains("--"))
    }
}
