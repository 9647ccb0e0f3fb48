import Credentials
import Foundation
import HTTPClient
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// `taser case channel` as Sync delivers it: the request in the outbox becomes a channel in the
/// stand-in Slack (named from the case, -2 when taken), the owner and team invited by email,
/// the summary posted, and the channel recorded on the case, once however often it is retried.
@Suite struct SlackChannelTests {
    static func slack(_ remotes: Remotes, _ extra: String = "") -> String {
        """
        defaults: { backoff: 50ms, max_backoff: 200ms, timeout: 20s }
        endpoints:
          slack: { type: slack, url: "\(remotes.base)/slack/api", token: "${secret:slack_bot}", channel: "#soc", events: [slack.ask]\(extra) }
        """
    }

    /// Team soc: ana (no email anywhere), ben (an email through identities), jdoe (owner, an
    /// email on the analyst record): Slack knows ben's and jdoe's addresses.
    func world() throws -> World {
        let w = try World()
        try w.admin.addAnalyst(Analyst(name: "jdoe", email: "jdoe@acme.example", teams: ["soc"]))
        _ = try w.admin.linkIdentifiers("ben", "ben@acme.example")
        return w
    }

    func calls(_ remotes: Remotes, _ method: String) throws -> [Remotes.Request] {
        try remotes.received().filter { $0.path == "/slack/api/\(method)" }
    }

    @Test func aRequestMakesANamedChannelInvitesTheOwnerAndTeamAndPostsTheSummary() throws {
        let remotes = try Remotes(), w = try world()
        let c = try w.ana.openCase(NewCase(title: "Phishing: invoice #8812", severity: .high, owner: "jdoe", team: "soc", tags: ["phishing"]))
        let asked = try w.ana.requestSlackChannel(c.id)
        #expect(asked.number == 1 && !asked.isCreated && asked.requestedBy == "ana" && asked.endpoint == "slack")
        let request = try #require(try w.ana.caseDetail(c.id).log.last)
        #expect(request.kind == .sync && request.body.contains("inviting jdoe, ben") && request.body.contains("no email known for ana"), "\(request.body)")
        try w.drain(try w.worker(Self.slack(remotes)))

        let create = try #require(try calls(remotes, "conversations.create").first)
        #expect(create.body["name"]?.stringValue == "case-\(c.id)-phishing-invoice-8812")
        let channel = try #require(try w.ana.caseDetail(c.id).channels.first)
        #expect(channel.isCreated && channel.name == "case-\(c.id)-phishing-invoice-8812" && channel.slackID?.hasPrefix("C") == true)
        let invite = try #require(try calls(remotes, "conversations.invite").first)
        #expect(invite.body["channel"]?.stringValue == channel.slackID && invite.body["users"]?.stringValue == "U0JDOE,U0BEN", "\(invite.body)")
        let summary = try #require(try calls(remotes, "chat.postMessage").first { $0.body["channel"]?.stringValue == channel.slackID })
        let text = summary.body["text"]?.stringValue ?? ""
        #expect(text.contains("Case #\(c.id): Phishing: invoice #8812") && text.contains("owner jdoe") && text.contains("tags phishing"), "\(text)")
        #expect(try w.deliveries(.dead).isEmpty)
    }

    @Test func aSecondRequestMakesASecondChannelAndATakenNameGetsTheNextSuffix() throws {
        let remotes = try Remotes(), w = try world()
        let c = try w.ana.openCase(NewCase(title: "Beaconing", team: "soc"))
        let worker = try w.worker(Self.slack(remotes))
        try w.ana.requestSlackChannel(c.id)
        try w.drain(worker)
        try w.ana.requestSlackChannel(c.id)
        try w.drain(worker)
        let channels = try w.ana.caseDetail(c.id).channels
        #expect(channels.map(\.number) == [1, 2])
        #expect(channels.map(\.name) == ["case-\(c.id)-beaconing", "case-\(c.id)-beaconing-2"])
        #expect(Set(channels.compactMap(\.slackID)).count == 2)
        // The second request tried the first name, was told it is taken, and took -2.
        let tried = try calls(remotes, "conversations.create").map { $0.body["name"]?.stringValue ?? "" }
        #expect(tried == ["case-\(c.id)-beaconing", "case-\(c.id)-beaconing", "case-\(c.id)-beaconing-2"])
    }

    @Test func aRetryAfterAFailedStepGoesOnWithoutASecondChannel() throws {
        let remotes = try Remotes(), w = try world()
        let c = try w.ana.openCase(NewCase(title: "Retry me", owner: "jdoe", team: "soc"))
        try w.ana.requestSlackChannel(c.id)
        try remotes.fault("/slack/api/chat.postMessage", status: 500, times: 2)
        try w.drain(try w.worker(Self.slack(remotes)))
        #expect(try calls(remotes, "conversations.create").count == 1)
        #expect(try calls(remotes, "conversations.invite").count == 1)
        #expect(try calls(remotes, "chat.postMessage").filter(\.ok).count == 1)
        #expect(try w.ana.caseDetail(c.id).channels.first?.isCreated == true)
    }

    @Test func aWebhookEndpointCannotMakeAChannelAndSaysWhy() throws {
        let remotes = try Remotes(), w = try world()
        let c = try w.ana.openCase(NewCase(title: "Hooked", team: "soc"))
        try w.ana.requestSlackChannel(c.id, endpoint: "hooked")
        let yaml = """
            endpoints:
              hooked: { type: slack, webhook: "${secret:hook_url}" }
            """
        try w.drain(try w.worker(yaml, extraSecrets: ["hook_url": "\(remotes.base)/slack/hook/T0"]))
        let dead = try #require(try w.deliveries(.dead).first)
        #expect(dead.event == "slack.channel" && dead.lastError?.contains("needs a bot token") == true, "\(dead.lastError ?? "")")
        #expect(try w.ana.caseDetail(c.id).channels.first?.isCreated == false)
    }

    @Test func anUnknownEndpointIsADeadLetterThatNamesTheEndpoints() throws {
        let remotes = try Remotes(), w = try world()
        let c = try w.ana.openCase(NewCase(title: "Nowhere", team: "soc"))
        try w.ana.requestSlackChannel(c.id, endpoint: "slack-ir")
        try w.drain(try w.worker(Self.slack(remotes)))
        let dead = try #require(try w.deliveries(.dead).first)
        #expect(dead.lastError?.contains("no endpoint named slack-ir") == true, "\(dead.lastError ?? "")")
    }

    @Test func channelNamesFollowSlacksRules() {
        #expect(SlackChannelName.base(caseID: 12, title: "Phishing: Invoice #8812 — Ünïcode façade!") == "case-12-phishing-invoice-8812-unicode-facade")
        #expect(SlackChannelName.base(caseID: 3, title: "  ***  ") == "case-3")
        #expect(SlackChannelName.base(caseID: 4, title: "snake_case OK") == "case-4-snake_case-ok")
        let long = SlackChannelName.base(caseID: Int64.max, title: String(repeating: "very long title ", count: 20))
        #expect(long.count <= 80 && !long.hasSuffix("-") && long.hasPrefix("case-9223372036854775807-very"))
        for n in [1, 2, 10, SlackChannelName.attempts] {
            let name = SlackChannelName.candidate(long, attempt: n)
            #expect(name.count <= 80 && (n == 1 || name.hasSuffix("-\(n)")), "\(name)")
            #expect(name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }, "\(name)")
        }
    }

    @Test func theDirectoryNamesSlackUsersAndSaysWhenItCannot() throws {
        let remotes = try Remotes(), w = try world()
        let directory = SlackDirectory(config: try w.config(Self.slack(remotes)), secrets: w.secrets)
        #expect(directory.endpoints == ["slack"])
        #expect(try directory.userName("U0JDOE", endpoint: "slack") == "jdoe")
        #expect(try directory.userName("U0NOBODY", endpoint: "slack") == nil)
        #expect(throws: SyncError.self) { try directory.userName("U0JDOE", endpoint: "elsewhere") }
        try remotes.fault("/slack/api/users.info", status: 500)
        do {
            _ = try directory.userName("U0JDOE", endpoint: "slack")
            Issue.record("a failed lookup must throw")
        } catch {
            #expect(!"\(error)".contains(Remotes.slackToken) && "\(error)".contains("users.info"), "\(error)")
        }
    }
}
