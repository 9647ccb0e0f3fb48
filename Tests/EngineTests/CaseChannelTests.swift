import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

/// Asking for a case's Slack channel is a change to the case: its access check, its log entry
/// and its outbox message in one transaction; the channels show in the case and its export.
@Suite struct CaseChannelTests {
    @Test func aRequestIsALogEntryAndAnOutboxMessageForTheNamedEndpoint() throws {
        let soc = try SOC()
        try soc.admin.addAnalyst(Analyst(name: "ben", email: "Ben@Acme.example", teams: ["soc"]))
        _ = try soc.admin.linkIdentifiers("ana", "ana.s@acme.example")
        let c = try soc.ana.openCase(NewCase(title: "Beacon to 203.0.113.9", owner: "ben", team: "soc"))
        let first = try soc.ana.requestSlackChannel(c.id)
        let second = try soc.ana.requestSlackChannel(c.id, endpoint: "slack-ir")
        #expect((first.number, second.number) == (1, 2) && second.endpoint == "slack-ir")
        let messages = try soc.admin.store.read { tx in try tx.unroutedMessages(limit: 1000) }.filter { $0.event == "slack.channel" }
        #expect(messages.map(\.endpoint) == ["slack", "slack-ir"])
        #expect(messages.map(\.idempotencyKey) == ["case:\(c.id):channel:1", "case:\(c.id):channel:2"])
        let payload = try JSONValue.parse(try #require(messages.first?.payload))
        #expect(payload["title"] == "Beacon to 203.0.113.9" && payload["number"] == 1 && payload["requested_by"] == "ana")
        // The owner first, then the team; an email from the analyst record, else from identities.
        #expect(payload["invite"] == [["login": "ben", "email": "Ben@Acme.example"], ["login": "ana", "email": "ana.s@acme.example"]], "\(payload)")
        let entries = try soc.ana.caseDetail(c.id).log.filter { $0.kind == .sync }
        #expect(entries.map(\.body) == ["Slack channel 1 requested (endpoint slack); inviting ben, ana", "Slack channel 2 requested (endpoint slack-ir); inviting ben, ana"])
        #expect(try soc.ana.caseDetail(c.id).channels.map(\.isCreated) == [false, false])
    }

    @Test func onlyThoseWhoMayChangeTheCaseMayAsk() throws {
        let soc = try SOC()
        let c = try soc.ana.openCase(NewCase(title: "Soc only", team: "soc"))
        #expect(throws: EngineError.caseNotFound(c.id)) { try soc.dana.requestSlackChannel(c.id) }
        try soc.ana.share(c.id, with: "ir", level: .read)
        #expect(throws: EngineError.readOnlyCase(c.id)) { try soc.dana.requestSlackChannel(c.id) }
        #expect(throws: EngineError.self) { try soc.ana.requestSlackChannel(c.id, endpoint: "slack; rm -rf") }
        #expect(throws: EngineError.self) { try soc.ana.requestSlackChannel(c.id, endpoint: "") }
        let other = try soc.ana.openCase(NewCase(title: "Duplicate", team: "soc"))
        try soc.ana.mergeCase(other.id, into: c.id)
        #expect(throws: EngineError.self) { try soc.ana.requestSlackChannel(other.id) }
        for _ in 0..<Engine.mostChannels { try soc.ana.requestSlackChannel(c.id) }
        #expect(throws: EngineError.self) { try soc.ana.requestSlackChannel(c.id) }
        #expect(try soc.ana.caseChannels(c.id).count == Engine.mostChannels)
        // Nothing was written for the refused requests.
        #expect(try soc.admin.store.read { tx in try tx.channels(ofCase: other.id) }.isEmpty)
    }

    @Test func theExportListsTheChannelsAndKeepsEachEntrysChannel() throws {
        let soc = try SOC()
        let c = try soc.ana.openCase(NewCase(title: "Exported", team: "soc"))
        let channel = try soc.ana.requestSlackChannel(c.id)
        try soc.admin.store.write { tx in
            try tx.recordChannelCreated(caseID: c.id, number: channel.number, slackID: "C0EXPORT", name: "case-1-exported", at: .now)
            // As SlackEvents writes a message.
            try tx.appendLog(NewLogEntry(kind: .slack, body: "hello from Slack", data: [LogEntry.slackChannelKey: "C0EXPORT", "ts": "1.2"]),
                             toCase: c.id, author: "slack:jdoe", at: .now)
        }
        let export = try soc.ana.exportCase(c.id)
        let channels = try #require(export.json["channels"]?.arrayValue)
        #expect(channels.count == 1 && channels[0]["slack_id"] == "C0EXPORT" && channels[0]["name"] == "case-1-exported")
        let logged = try #require(export.json["log"]?.arrayValue?.last)
        #expect(logged["kind"] == "slack" && logged["data"]?["slack_channel"] == "C0EXPORT")
        let rows = ExportTests().parseCSV(export.csv)
        let source = try #require(CaseExport.csvColumns.firstIndex(of: "source"))
        #expect(rows.contains { $0[0] == "log" && $0[source] == "C0EXPORT" && $0.contains("hello from Slack") })
        #expect(rows.contains { $0[0] == "channel" && $0.contains("C0EXPORT") && $0.contains("case-1-exported") && $0.contains("created") })
        #expect(rows.dropFirst().allSatisfy { $0.count == CaseExport.csvColumns.count })
    }
}

/// Team mode: the request goes through the daemon as the analyst, with the same answer and errors.
@Suite struct CaseChannelTeamModeTests {
    @Test func aRequestThroughTheDaemonIsTheAnalysts() throws {
        let soc = try SOC()
        let server = TeamServer(engine: soc.admin, socketPath: soc.dir.file("t.sock"))
        try server.start()
        defer { server.stop() }
        let c = try soc.ana.openCase(NewCase(title: "Through the socket", team: "soc"))
        let remote = try RemoteEngine(socket: server.socketPath, actingAs: "ana")
        let channel = try remote.requestSlackChannel(c.id, endpoint: "slack")
        #expect(channel.number == 1 && channel.requestedBy == "ana")
        #expect(try remote.caseDetail(c.id).channels == [channel])
        let dana = try RemoteEngine(socket: server.socketPath, actingAs: "dana")
        #expect { try dana.requestSlackChannel(c.id, endpoint: "slack") } throws: { "\($0)" == EngineError.caseNotFound(c.id).description }
    }
}
