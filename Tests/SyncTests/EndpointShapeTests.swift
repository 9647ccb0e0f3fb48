import Foundation
import Model
import Testing
@testable import Engine
@testable import Store
@testable import Sync

/// What each endpoint sends, as the stand-in servers record it.
@Suite struct EndpointShapeTests {
    /// An alert, promoted into a case assigned to ana, a note, a status change, a reassignment.
    func story(_ w: World) throws -> (alert: Alert, caseID: Int64) {
        let alert = try w.alert()
        let c = try w.ana.openCase(NewCase(title: "Jane's odd login", severity: .high, owner: "ana", team: "soc", alertIDs: [alert.id]))
        try w.ana.addNote(c.id, "Called Jane: not her")
        try w.ana.setStatus(c.id, to: .inProgress)
        try w.ana.assign(c.id, to: "ben")
        return (alert, c.id)
    }

    @Test func theHiveGetsTheAlertTheCaseItsObservablesAndItsLog() throws {
        let remotes = try Remotes(), w = try World()
        let (alert, caseID) = try story(w)
        try w.drain(try w.worker("""
            endpoints:
              hive: { type: thehive, url: "\(remotes.base)/", api_key: "${secret:hive_key}" }
            """))
        let got = try remotes.received()
        #expect(got.allSatisfy { $0.ok && $0.headers["authorization"] == "Bearer \(Remotes.hiveKey)" && !$0.key.isEmpty })
        let alertPost = try #require(got.first { $0.method == "POST" && $0.path == "/api/v1/alert" })
        let a = alertPost.body
        #expect(a["type"] == "taser" && a["source"] == "taser" && a["sourceRef"] == .string("taser-alert-\(alert.id)"))
        #expect(a["title"] == "New location for jane.doe" && a["severity"] == 3 && a["tlp"] == 2 && a["pap"] == 2)
        #expect(a["date"] == .int(1_700_000_000_000))
        let observables = a["observables"]?.arrayValue ?? []
        #expect(observables.contains { $0["dataType"] == "ip" && $0["data"] == "203.0.113.9" && $0["ioc"] == false })
        #expect(observables.contains { $0["dataType"] == "hostname" && $0["data"] == "LT-JANE" })
        let remoteAlert = try #require(try w.admin.store.read { tx in try tx.remoteID(endpoint: "hive", ref: "alert:\(alert.id)") })
        // The promotion patches the alert TheHive made, not a new one.
        #expect(got.contains { $0.method == "PATCH" && $0.path == "/api/v1/alert/\(remoteAlert.id)" })
        #expect(got.filter { $0.method == "POST" && $0.path == "/api/v1/alert" }.count == 1)

        let casePost = try #require(got.first { $0.method == "POST" && $0.path == "/api/v1/case" })
        #expect(casePost.body["title"] == "Jane's odd login" && casePost.body["severity"] == 3 && casePost.body["tlp"] == 2)
        #expect(got.filter { $0.method == "POST" && $0.path == "/api/v1/case" }.count == 1)
        let remoteCase = try #require(try w.admin.store.read { tx in try tx.remoteID(endpoint: "hive", ref: "case:\(caseID)") })
        let observablePaths = got.filter { $0.path == "/api/v1/case/\(remoteCase.id)/observable" }
        #expect(Set(observablePaths.compactMap { $0.body["data"]?.stringValue }) == ["203.0.113.9", "LT-JANE", "jane.doe"])
        // Updates PATCH the same case: in progress.
        #expect(got.contains { $0.method == "PATCH" && $0.path == "/api/v1/case/\(remoteCase.id)" && $0.body["status"] == "InProgress" })
        // The log goes to one task, in order.
        #expect(got.filter { $0.path.hasSuffix("/task") }.count == 1)
        let logs = got.filter { $0.path.hasPrefix("/api/v1/task/") }.compactMap { $0.body["message"]?.stringValue }
        #expect(logs.count == 5)
        #expect(logs.first?.contains("Case opened from alert #\(alert.id)") == true)
        #expect(logs.contains { $0.contains("Called Jane: not her") && $0.contains("**ana**") })
        #expect(logs.last?.contains("Assigned to ben") == true)
    }

    @Test func slackPostsBlocksThreadsAndAsksWithButtons() throws {
        let remotes = try Remotes(), w = try World()
        let (_, caseID) = try story(w)
        try w.enqueue(
            endpoint: "soc", id: caseID, event: "slack.ask",
            payload: [
                "case_id": .int(caseID), "channel": "#soc", "user_email": "jdoe@acme.example", "text": "Was this login you, Jane?",
                "buttons": [
                    ["text": "Yes, it was me", "action_id": "securitybot.confirm", "value": .string("case:\(caseID):confirm")],
                    ["text": "No", "action_id": "securitybot.deny", "value": .string("case:\(caseID):deny")],
                ],
            ], key: "ask-1")
        // Unknown to Slack: posted to the channel instead.
        try w.enqueue(
            endpoint: "soc", id: caseID + 100, event: "slack.ask",
            payload: ["case_id": .int(caseID + 100), "channel": "#soc", "user_email": "nobody@acme.example", "text": "Anyone?", "buttons": []],
            key: "ask-2")
        try w.enqueue(endpoint: "hook", id: caseID, event: "slack.ask", payload: ["case_id": .int(caseID), "text": "via hook", "buttons": []], key: "ask-3")
        try w.drain(try w.worker("""
            endpoints:
              soc: { type: slack, token: "${secret:slack_bot}", channel: "#soc", url: "\(remotes.base)/slack/api", events: [case.*, slack.ask] }
              hook: { type: slack, webhook: "${secret:slack_hook}", events: [case.created] }
            """, extraSecrets: ["slack_hook": "\(remotes.base)/slack/hook/T000/B000/XYZ"]))
        let got = try remotes.received()
        #expect(got.allSatisfy { $0.ok })
        let posts = got.filter { $0.path == "/slack/api/chat.postMessage" }
        #expect(posts.allSatisfy { $0.headers["authorization"] == "Bearer \(Remotes.slackToken)" })
        // The first case message starts a thread; the later ones about the case go under it.
        let caseMessages = posts.filter { $0.body["text"]?.stringValue?.contains("#\(caseID)") == true && $0.body["blocks"]?.arrayValue?.count == 1 }
        #expect(caseMessages.count == 8)  // created, updated twice, five log entries
        #expect(caseMessages.first?.body["thread_ts"] == nil && caseMessages.dropFirst().allSatisfy { $0.body["thread_ts"] != nil })
        // The question: a DM to the user Slack found by email, a section and the buttons.
        #expect(got.contains { $0.path == "/slack/api/users.lookupByEmail" && $0.method == "GET" })
        let ask = try #require(posts.first { $0.key == "ask-1" })
        #expect(ask.body["channel"] == "U0JDOE")
        let blocks = ask.body["blocks"]?.arrayValue ?? []
        #expect(blocks.count == 2 && blocks[0]["type"] == "section" && blocks[0]["text"]?["text"] == "Was this login you, Jane?")
        #expect(blocks[1]["type"] == "actions" && blocks[1]["block_id"] == .string("case:\(caseID)"))
        let buttons = blocks[1]["elements"]?.arrayValue ?? []
        #expect(buttons.map { $0["value"] } == [.string("case:\(caseID):confirm"), .string("case:\(caseID):deny")])
        #expect(buttons.first?["action_id"] == "securitybot.confirm" && buttons.first?["type"] == "button")
        #expect(buttons.first?["text"]?["text"] == "Yes, it was me")
        #expect(posts.first { $0.key == "ask-2" }?.body["channel"] == "#soc")
        // The incoming webhook: the created case, and the question sent to it by name.
        let hooked = got.filter { $0.path.hasPrefix("/slack/hook/") }
        #expect(hooked.count == 2 && hooked.allSatisfy { $0.headers["authorization"] == nil && $0.body["blocks"] != nil })
        #expect(hooked.contains { $0.body["text"]?.stringValue?.hasPrefix("New case #\(caseID)") == true })
    }

    @Test func jiraGetsOneIssuePerCaseUpdatedAndCommented() throws {
        let remotes = try Remotes(), w = try World()
        let (_, caseID) = try story(w)
        try w.drain(try w.worker("""
            endpoints:
              jira: { type: jira, url: "\(remotes.base)", project: SEC, issue_type: Bug, email: bot@acme.example, token: "${secret:jira_token}", events: [case.*] }
            """))
        let got = try remotes.received()
        #expect(got.allSatisfy { $0.ok })
        let creates = got.filter { $0.method == "POST" && $0.path == "/rest/api/2/issue" }
        #expect(creates.count == 1)
        let fields = try #require(creates.first?.body["fields"])
        #expect(fields["project"]?["key"] == "SEC" && fields["issuetype"]?["name"] == "Bug")
        #expect(fields["summary"] == .string("taser case #\(caseID): Jane's odd login"))
        #expect(fields["description"]?.stringValue?.contains("ip: 203.0.113.9") == true)
        #expect(fields["labels"]?.arrayValue?.contains(.string("taser-case-\(caseID)")) == true)
        let key = try #require(try w.admin.store.read { tx in try tx.remoteID(endpoint: "jira", ref: "case:\(caseID)") }?.key)
        #expect(key.hasPrefix("SEC-"))
        let updates = got.filter { $0.method == "PUT" }
        #expect(updates.count == 2 && updates.allSatisfy { $0.path == "/rest/api/2/issue/\(key)" })
        #expect(updates.last?.body["fields"]?["description"]?.stringValue?.contains("Assigned to: ben") == true)
        let comments = got.filter { $0.path == "/rest/api/2/issue/\(key)/comment" }.compactMap { $0.body["body"]?.stringValue }
        #expect(comments.count == 5 && comments.contains { $0.contains("Called Jane: not her") })
    }

    @Test func webhooksAreSignedAndCarryTheIdempotencyKey() throws {
        let remotes = try Remotes(), w = try World()
        let (alert, caseID) = try story(w)
        try w.enqueue(endpoint: "pager", id: caseID, event: "page", payload: ["case_id": .int(caseID), "text": "Jane's account", "severity": "critical"], key: "page-1")
        try w.drain(try w.worker("""
            endpoints:
              hook: { type: webhook, url: "\(remotes.base)/hook/all", hmac_secret: "${secret:hook_key}" }
              pager: { type: webhook, url: "\(remotes.base)/hook/pager", hmac_secret: "${secret:hook_key}", events: [page] }
            """))
        let got = try remotes.received()
        let outboxKeys = try w.admin.store.read { tx in try tx.outboxCount() }
        #expect(got.filter { $0.path == "/hook/all" }.count == outboxKeys - 1)
        #expect(got.allSatisfy { $0.ok && $0.signatureOK == true && $0.body["id"]?.stringValue == $0.key && $0.headers["x-taser-event"] == $0.body["event"]?.stringValue })
        let created = try #require(got.first { $0.body["event"] == "alert.created" })
        #expect(created.body["entity"] == "alert" && created.body["entity_id"] == .int(alert.id) && created.body["payload"]?["title"] == "New location for jane.doe")
        let page = try #require(got.first { $0.path == "/hook/pager" })
        #expect(page.key == "page-1" && page.body["payload"]?["severity"] == "critical" && page.body["event"] == "page")
        // The page went to the endpoint it named, not to the catch-all.
        #expect(!got.contains { $0.path == "/hook/all" && $0.key == "page-1" })
    }
}
