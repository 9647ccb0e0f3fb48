import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// Completion in the rule editor from the stored signals (kinds with counts, the rule's kinds'
/// fields, a field's frequent values), and the simulator's stale marker, on a demo database of
/// this suite's own.
@Suite(.serialized) struct RuleCompletionTests: ConsoleDriving {
    var screenWidth: Int { 120 }

    /// The console in a new rule's editor holding `text`, the cursor at its end.
    func editor(_ text: String, keymap: String = "default") throws -> (App, Engine, RuleEditorPane) {
        let engine = try Engine.open(path: try DemoDatabases.path(seed: 7))
        let app = try App(engine: engine, bindings: try Keymap.load(named: keymap))
        press(app, "3", "a")
        type(app, "completion-test")
        press(app, "enter")
        let pane = try #require(app.top as? RuleEditorPane)
        // Reruns only when the test ticks, so what the simulator shows is decided here.
        pane.rerunPause = 3600
        // Typed away, as an analyst would: Backspace over the new rule's example text.
        for _ in 0..<pane.editor.text.count { press(app, "backspace") }
        type(app, text)
        return (app, engine, pane)
    }

    @Test func afterACountTabOffersKindsWithTheirCountsMostFirst() throws {
        let (app, engine, pane) = try editor("[ (2 ")
        press(app, "tab")
        let list = try #require(pane.completion)
        let stored = try engine.kindCounts()
        // The most frequent stored kind first, by display name, plural for a count of 2, with its count.
        let top = try #require(SignalKind.find(stored[0].kind))
        #expect(SignalKind.find(list.options[0].label) == top && list.options[0].label != top.displayName, "\(list.options[0].label)")
        #expect(list.options[0].detail == CompletionOption.grouped(stored[0].signals))
        #expect(list.options.prefix(stored.count).map(\.detail) == stored.map { CompletionOption.grouped($0.signals) })
        let g = screen(app)
        #expect(g.text.contains(list.options[0].label) && g.text.contains(CompletionOption.grouped(stored[0].signals)), "\(g.text)")
        #expect(g.row(38).contains("tab or enter inserts"))
        // Typing narrows the list; Down and Enter insert the second.
        type(app, "duo")
        let duo = try #require(pane.completion).options
        #expect(duo.count >= 2 && duo.allSatisfy { $0.label.lowercased().contains("duo") }, "\(duo.map(\.label))")
        press(app, "down", "enter")
        #expect(pane.completion == nil)
        #expect(pane.editor.text == "[ (2 " + duo[1].label)
        // Completed in the middle of a rule: what was typed of the kind is replaced, the rest stays.
        let (other, _, middle) = try editor("[ (1 fail) ] IN [ 4 Hours ]")
        for _ in 0..<") ] IN [ 4 Hours ]".count { press(other, "left") }
        press(other, "tab")
        let failed = try #require(middle.completion).options
        #expect(failed.allSatisfy { $0.label.lowercased().contains("fail") } && failed.allSatisfy { !$0.label.hasSuffix("s") })
        press(other, "tab")
        #expect(middle.editor.text == "[ (1 \(failed[0].label)) ] IN [ 4 Hours ]")
        _ = other.tick()
        #expect(!screen(other).text.contains("stale:"))
    }

    @Test func inTheGroupByTabOffersTheFieldsOfTheRulesKinds() throws {
        let (app, engine, pane) = try editor("[ (2 failed Duo pushes) + (1 SSO login) ] IN [ 4 Hours ] WITH [ ")
        press(app, "tab")
        let fields = try #require(pane.completion).options
        let stored = try engine.fieldNames(ofKinds: ["duo.push.failed", "okta.sso.login"])
        // In the engine's order: in both kinds first (a signal without the group-by field never
        // matches). A field rules cannot name yet (not in FieldCatalog) is not offered.
        let offered = Set(fields.map(\.label))
        #expect(fields.map(\.label) == stored.map(\.field).filter(offered.contains))
        #expect(fields.first?.detail.hasPrefix("in 2 of 2 kinds") == true)
        #expect(fields.contains { $0.label == "user.name" } && !fields.contains { $0.label == "dns.question.name" })
        #expect(stored.contains { $0.field == "duo.result" } && !offered.contains("duo.result"))
        #expect(screen(app).text.contains("fields of failed Duo push, SSO login"))
        // An alias finds its field: "usern" is username, which is user.name.
        type(app, "usern")
        #expect(try #require(pane.completion).options.map(\.label) == ["user.name"])
        press(app, "tab")
        #expect(pane.editor.text.hasSuffix("WITH [ user.name"))
        // After a comma, again.
        type(app, ", ")
        press(app, "tab")
        #expect(pane.completion?.options.isEmpty == false)
        type(app, "source.i")
        press(app, "enter")
        #expect(pane.editor.text.hasSuffix("WITH [ user.name, source.ip"))
        type(app, " ] IN COMMON")
        _ = app.tick()
        #expect(!screen(app).text.contains("stale:") && !screen(app).text.contains("^ "))
    }

    @Test func afterAFieldAndEqualsTabOffersItsMostFrequentValuesQuoted() throws {
        let (app, engine, pane) = try editor("[ (2 failed Duo pushes WHERE factor = ")
        press(app, "tab")
        let values = try #require(pane.completion).options
        let stored = try engine.topValues(field: "factor", kind: "duo.push.failed")
        #expect(!stored.isEmpty && values.map(\.label) == stored.compactMap { $0.value.stringValue.map { "\"\($0)\"" } })
        #expect(values.map(\.detail) == stored.map { CompletionOption.grouped($0.count) })
        #expect(screen(app).text.contains("factor in failed Duo push"))
        press(app, "enter")
        #expect(pane.editor.text == "[ (2 failed Duo pushes WHERE factor = \(values[0].label)")
        type(app, ") ] IN [ 4 Hours ] WITH [ username ] IN COMMON")
        _ = app.tick()
        #expect(!screen(app).text.contains("^ "), "\(screen(app).text)")

        // A value typed in quotes narrows the list and is replaced, closing quote and all.
        let (other, _, quoted) = try editor("(1 SSO login WHERE username != \"")
        let users = try engine.topValues(field: "user.name", kind: "okta.sso.login")
        let someone = try #require(users.first?.value.stringValue)
        type(other, String(someone.prefix(3)))
        press(other, "tab")
        #expect(quoted.completion?.options.allSatisfy { $0.label.lowercased().contains(someone.prefix(3).lowercased()) } == true)
        #expect(quoted.completion?.options.first?.label == "\"\(someone)\"")
        press(other, "enter")
        #expect(quoted.editor.text == "(1 SSO login WHERE username != \"\(someone)\"")
        // In a list, after IN ( and after a comma.
        let (third, _, list) = try editor("(2 failed Duo pushes WHERE factor IN (\"push\", ")
        press(third, "tab")
        #expect(list.completion?.title == "factor in failed Duo push")
    }

    @Test func escClosesTheListAndStaysInTheEditor() throws {
        let (app, _, pane) = try editor("[ (2 ")
        press(app, "tab")
        #expect(pane.completion != nil)
        press(app, "esc")
        #expect(pane.completion == nil && app.top === pane)
        #expect(!screen(app).text.contains("without saving") && screen(app).row(0).contains("Rule completion-test"))
        // Up and Down move the text's cursor again, and typing past the slot closes an open list.
        press(app, "tab")
        type(app, "zzz-no-such-kind")
        #expect(pane.completion == nil)
        // The emacs keymap: ctrl-g closes the list too.
        let (emacs, _, other) = try editor("[ (2 ", keymap: "emacs")
        press(emacs, "tab")
        #expect(other.completion != nil)
        press(emacs, "ctrl-g")
        #expect(other.completion == nil && emacs.top === other)
    }

    @Test func tabWhereNothingCompletesSaysWhereItDoes() throws {
        let (app, _, pane) = try editor("[ (2 failed Duo pushes) ] IN [ 4 ")
        press(app, "tab")
        #expect(pane.completion == nil && pane.editor.text == "[ (2 failed Duo pushes) ] IN [ 4 ")
        #expect(screen(app).row(38).contains("nothing to complete here: tab completes a kind after a count"), "\(screen(app).row(38))")
        // The hint bar names the key in the rule editor.
        #expect(screen(app).row(39).contains("tab complete"))
    }

    @Test func theSimulatorIsMarkedStaleUntilARunOnValidText() throws {
        let (app, _, pane) = try editor("[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON")
        // Typed since the last run: the result shown is the old text's.
        var g = screen(app)
        #expect(g.text.contains("stale: rerun pending"), "\(g.text)")
        _ = app.tick()
        g = screen(app)
        #expect(!g.text.contains("stale:") && g.text.contains("alert"), "\(g.text)")
        // A mistake: pending until the run, then the error keeps the old result marked.
        type(app, " x")
        #expect(screen(app).text.contains("stale: rerun pending"))
        _ = app.tick()
        g = screen(app)
        #expect(g.text.contains("stale: the rule has an error") && g.text.contains("^ "), "\(g.text)")
        _ = app.tick()
        #expect(screen(app).text.contains("stale: the rule has an error"))
        // Fixed and rerun: the marker goes.
        press(app, "backspace", "backspace")
        #expect(screen(app).text.contains("stale: rerun pending"))
        _ = app.tick()
        #expect(!screen(app).text.contains("stale:"))
        #expect(pane.staleness == nil)
    }
}
