import Foundation
import Model
import Testing
@testable import Console
@testable import Engine
@testable import Store

/// The case view with Slack channels: `C` asks for one (it asks first), the channels show with
/// their state, Slack entries show their channel and thread parent, and `f` narrows the timeline
/// to one channel's folder or taser's own entries.
@Suite struct CaseChannelsPaneTests: ConsoleDriving {
    let dir = NSTemporaryDirectory() + "taser-console-channels-\(UUID().uuidString)"

    func app() throws -> (App, Engine, Case) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let engine = try Engine.open(path: dir + "/t.db")
        let c = try engine.openCase(NewCase(title: "Phishing invoice"))
        let app = try App(engine: engine, bindings: try Keymap.load(named: "default"))
        app.push(try CasePane(engine: engine, id: c.id))
        return (app, engine, c)
    }

    /// What Sync and `/slack/events` write: the channel made, two messages (one a thread reply).
    func slackHappened(_ engine: Engine, _ c: Case) throws {
        try engine.store.write { tx in
            try tx.recordChannelCreated(caseID: c.id, number: 1, slackID: "C0PHISH", name: "case-\(c.id)-phishing-invoice", at: .now)
            let first = try tx.appendLog(
                NewLogEntry(kind: .slack, body: "Who else got the invoice?", data: [LogEntry.slackChannelKey: "C0PHISH", "ts": "1.1"]),
                toCase: c.id, author: "slack:jdoe", at: .now)
            try tx.appendLog(
                NewLogEntry(kind: .slack, body: "Three people in finance", data: [LogEntry.slackChannelKey: "C0PHISH", "ts": "1.2", "parent_seq": .int(first.seq)]),
                toCase: c.id, author: "slack:ben", at: .now)
        }
        try engine.addNote(c.id, "Taser-side note")
    }

    /// An empty case list says so in words: pane lines are drawn as written, so a `{action}`
    /// there showed as braces; the status line below names the key.
    @Test func anEmptyCaseListShowsNoPlaceholder() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine.open(path: dir + "/t.db")
        let app = try App(engine: engine, bindings: try Keymap.load(named: "default"))
        app.push(try CaseListPane(engine: engine))
        let g = screen(app).text
        #expect(g.contains("no open cases in this view"), "\(g)")
        #expect(!g.contains("{"), "\(g)")
    }

    @Test func channelsShowAndTheTimelineFiltersByFolder() throws {
        let (app, engine, c) = try app()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(screen(app).text.contains("C asks for a Slack channel"))
        press(app, "C")
        #expect(screen(app).text.contains("Ask for Slack channel 1 for case \(c.id)?"))
        press(app, "y")
        #expect(try engine.caseDetail(c.id).channels.count == 1)
        var g = screen(app).text
        #expect(g.contains("Slack channels") && g.contains("channel 1: asked for by") && g.contains("waiting for sync"), "\(g)")

        try slackHappened(engine, c)
        try (app.top as? CasePane)?.reload()
        g = screen(app).text
        #expect(g.contains("#case-\(c.id)-phishing-invoice  C0PHISH  created"), "\(g)")
        #expect(g.contains("slack:jdoe slack #case-\(c.id)-phishing-invoice: Who else got the invoice?"), "\(g)")
        #expect(g.contains("slack:ben slack #case-\(c.id)-phishing-invoice (reply to #"), "\(g)")
        #expect(g.contains("Taser-side note"))

        press(app, "f")
        g = screen(app).text
        #expect(g.contains("Timeline folder of case \(c.id)") && g.contains("every entry") && g.contains("taser's own"), "\(g)")
        press(app, "2")
        g = screen(app).text
        #expect(g.contains("Timeline · folder #case-\(c.id)-phishing-invoice"), "\(g)")
        #expect(g.contains("Who else got the invoice?") && !g.contains("Taser-side note") && !g.contains("Case opened"), "\(g)")
        press(app, "f", "3")
        g = screen(app).text
        #expect(g.contains("Timeline · folder taser's own") && g.contains("Taser-side note") && !g.contains("Who else got the invoice?"), "\(g)")
        press(app, "f", "1")
        g = screen(app).text
        #expect(g.contains("Who else got the invoice?") && g.contains("Taser-side note"), "\(g)")
        #expect(g.contains("f picks a timeline folder"), "\(g)")
    }

    @Test func aReadOnlyCaseSaysSoInsteadOfAsking() throws {
        let (app, engine, c) = try app()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        (app.top as? CasePane)?.access = .read
        press(app, "C")
        #expect(screen(app).text.contains("read-only: a Slack channel needs write access"))
        #expect(try engine.caseDetail(c.id).channels.isEmpty)
    }
}
