import ArgumentParser
import Engine
import Foundation
import Model

extension CaseCommand {
    struct Channel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask for a Slack channel for a case; again for another one (other people to invite).",
            discussion: """
                Sync's slack endpoint (--endpoint, default slack; it needs a bot token) creates it: conversations.create with a name from the case (case-12-phishing-invoice; -2, -3 when taken), invites the case's owner and its team's members whose Slack users are known by email (the analyst's email, else one `taser identities` links to them) and posts the case's summary. The request is on the case's log at once; the channel shows in `taser case show` and the console once `taser serve --sync` (or `taser sync run`) made it: --wait waits for that. A failure is a dead letter in `taser sync status`.

                With serve.yaml's slack: section, `taser serve` takes Slack's Events API (POST /slack/events): every message in the channel becomes an entry of the case's log (kind slack, by slack:NAME), in the channel's folder; edits and deletions are corrections.

                Examples:
                  taser case channel 12
                  taser case channel 12 --wait 30s
                  taser case channel 12 --endpoint slack-ir
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Option(help: ArgumentHelp("The slack endpoint of sync.yaml that creates the channel.", valueName: "name")) var endpoint = Engine.defaultSlackEndpoint
        @Option(help: ArgumentHelp("Wait up to this long for Sync to create it (30s, 2m).", valueName: "span"), transform: spanOption(limit: .seconds(3600)))
        var wait: Span?
        @Flag(help: "Print the channel as JSON (after --wait, as it then stands).") var json = false

        func run() throws {
            let engine = try global.api()
            var channel = try engine.requestSlackChannel(id, endpoint: endpoint)
            if !json {
                Output.line("Slack channel \(channel.number) for case \(id) requested on endpoint \(channel.endpoint)")
            }
            if let wait {
                channel = try Channel.waitForCreation(channel, engine, within: wait)
            }
            if json {
                Output.jsonLines([channel.json])
            } else if channel.isCreated {
                Output.line("Created \(channel.shownName) (\(channel.slackID ?? "?")) for case \(id)")
            } else {
                Output.note("Sync creates it (taser serve --sync, or taser sync run); `taser case show \(id)` shows it then, `taser sync status` says why not")
            }
        }

        /// Polls the case until Sync recorded the channel, or its delivery is dead, or time is up.
        static func waitForCreation(_ asked: CaseChannel, _ engine: any TaserAPI, within wait: Span) throws -> CaseChannel {
            let deadline = Date().addingTimeInterval(Double(wait.ms) / 1000)
            while true {
                if let now = try engine.caseDetail(asked.caseID).channels.first(where: { $0.number == asked.number }), now.isCreated { return now }
                let dead = try engine.syncStatus(limit: 1000).dead.first {
                    $0.entityType == "case" && $0.entityID == asked.caseID && $0.event == "slack.channel" && $0.createdAt.ms >= asked.requestedAt.ms
                }
                if let dead {
                    throw CLIError("Slack channel \(asked.number) of case \(asked.caseID) was not created: \(dead.lastError ?? "dead letter \(dead.id)") (retry it with `taser sync retry \(dead.id)` after a fix)")
                }
                guard Date() < deadline else {
                    throw CLIError("Slack channel \(asked.number) of case \(asked.caseID) is not created after \(wait); is `taser serve --sync` (or `taser sync run`) running? `taser sync status` shows the delivery")
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }
}

extension CaseCommand.Show {
    /// `#case-12-phishing-invoice (C0123) created 2026-05-01 10:02, asked for by ana on slack`.
    static func describe(_ c: CaseChannel) -> String {
        let state = c.isCreated
            ? "\(c.shownName) (\(c.slackID ?? "?")) created \(Output.when(c.createdAt))"
            : "channel \(c.number) requested \(Output.when(c.requestedAt)), not created yet (taser sync status)"
        return state + ", asked for by \(c.requestedBy) on \(c.endpoint)"
    }
}
