import Automation
import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

@Suite("SecurityBot playbook, end to end")
struct SecurityBotTests {
    @Test("alert → case → ask the user → 241 minutes of silence → ask the manager → manager denies → on call assigned and paged")
    func managerDenies() throws {
        let world = try SecurityBotWorld()
        let runner = try world.runner()
        // The first pass sets the cursors: alerts from before the playbook ran are not news.
        let first = try runner.runDue()
        #expect(first.jobsStarted == 0)

        let alert = try world.newCountryLogin()
        let pass1 = try runner.runDue()
        #expect(pass1.jobsStarted == 1 && pass1.jobsFinished == 1, "\(pass1)")
        let caseID = try #require(try world.admin.alertDetail(alert.id).alert.caseID)

        let asks = try world.outbox(event: "slack.ask")
        #expect(asks.count == 1)
        let ask = try #require(asks.first)
        #expect(ask.endpoint == "slack" && ask.entity == "case" && ask.entityID == caseID)
        #expect(ask.payload["case_id"] == .int(caseID))
        #expect(ask.payload["user_email"] == "jane.doe@example.com")
        #expect(ask.payload["channel"] == "")
        #expect(ask.payload["text"]?.stringValue?.contains("Lagos, NG") == true)
        #expect(ask.payload["buttons"] == .array([
            .object(["text": "Yes, it was me", "action_id": "securitybot.confirm", "value": .string("case:\(caseID):confirm")]),
            .object(["text": "No, it was not me", "action_id": "securitybot.deny", "value": .string("case:\(caseID):deny")]),
        ]))

        // Nothing more happens before the reply is due.
        world.clock.advance(minutes: 239)
        let early = try runner.runDue()
        #expect(early.timersFired == 0 && early.jobsStarted == 0)
        #expect(try world.outbox(event: "slack.ask").count == 1)

        // The timer is in the database: a new process (a restart) sees and fires it.
        let clock = world.clock
        let reopened = Engine(store: try Store.open(path: world.dir.file()), actor: Actor(name: "root", isAdmin: true), clock: { clock.tick() })
        #expect(try reopened.waitingQuestions().map(\.role) == ["user"])
        world.clock.advance(minutes: 2)
        let late = try world.runner(reopened).runDue()
        #expect(late.timersFired == 1 && late.jobsStarted == 1 && late.jobsFinished == 1, "\(late)")

        let managerAsk = try #require(try world.outbox(event: "slack.ask").last)
        #expect(try world.outbox(event: "slack.ask").count == 2)
        #expect(managerAsk.payload["user_email"] == "mary.boss@example.com")
        #expect(managerAsk.payload["text"]?.stringValue?.contains("jdoe") == true)

        // The manager presses "No, it was not me" (signed as Slack signs it).
        let click = world.click(caseID: caseID, answer: "deny", by: "mboss")
        let reply = try world.slack(reopened).handle(body: click.body, headers: click.headers, now: world.clock.now())
        #expect(reply.status == 200, "\(reply.body.text)")
        #expect(reply.body["case_id"] == .int(caseID))

        let after = try runner.runDue()
        #expect(after.jobsStarted == 1 && after.jobsFinished == 1 && after.jobsFailed == 0, "\(after)")
        let c = try #require(try world.admin.read { tx in try tx.storedCase(caseID) })
        #expect(c.owner == "olivia.oncall")
        #expect(c.status == .inProgress)
        #expect(c.tags.contains("account-takeover-suspected"))

        let pages = try world.outbox(event: "page")
        #expect(pages.count == 1)
        let page = try #require(pages.first)
        #expect(page.endpoint == "pager" && page.entityID == caseID)
        #expect(page.payload["case_id"] == .int(caseID))
        #expect(page.payload["severity"] == "critical")
        #expect(page.payload["oncall"] == "olivia.oncall")
        #expect(page.payload["text"]?.stringValue?.contains("mboss says") == true)

        // Every step is on the case log, in order, and the chain verifies.
        let bodies = try world.log(caseID).map(\.body)
        let expected = [
            "Case opened from alert #\(alert.id)",
            "securitybot: case #\(caseID) for alert #\(alert.id)",
            "securitybot: asked the user jdoe (jane.doe@example.com) on Slack",
            "securitybot: no reply from the user (jdoe) within 4h",
            "securitybot: asked the manager mboss (mary.boss@example.com) on Slack",
            "Slack reply from mboss (manager): No, it was not me",
            "securitybot: tagged account-takeover-suspected",
            "Status new → in_progress: mboss (manager) says it was not jdoe",
            "securitybot: updated the case: status in_progress",
            "Assigned to olivia.oncall",
            "securitybot: on call for soc: olivia.oncall",
            "securitybot: paged through pager (on call: olivia.oncall)",
        ]
        var at = 0
        for want in expected {
            let found = bodies[at...].firstIndex { $0.hasPrefix(want) }
            #expect(found != nil, "missing '\(want)' after entry \(at) in:\n\(bodies.joined(separator: "\n"))")
            at = (found ?? at) + 1
        }
        #expect(try world.admin.verify().passed)
        #expect(try reopened.waitingQuestions().isEmpty)
        // A pass with nothing new does nothing.
        let idle = try runner.runDue()
        #expect(idle == AutomationPass())
    }

    @Test("the user confirms: the case is closed as benign with the reply on its log, and no manager is asked")
    func userConfirms() throws {
        let world = try SecurityBotWorld()
        let runner = try world.runner()
        try runner.runDue()
        let alert = try world.newCountryLogin(severity: .high)
        try runner.runDue()
        let caseID = try #require(try world.admin.alertDetail(alert.id).alert.caseID)

        world.clock.advance(minutes: 30)
        let click = world.click(caseID: caseID, answer: "confirm", by: "jdoe")
        let reply = try world.slack().handle(body: click.body, headers: click.headers, now: world.clock.now())
        #expect(reply.status == 200)
        let pass = try runner.runDue()
        #expect(pass.jobsFinished == 1 && pass.jobsFailed == 0, "\(pass)")

        let c = try #require(try world.admin.read { tx in try tx.storedCase(caseID) })
        #expect(c.status == .closed && c.resolution == .benign)
        let bodies = try world.log(caseID).map(\.body)
        #expect(bodies.contains("Slack reply from jdoe (user): Yes, it was me"))
        #expect(bodies.contains("securitybot: jdoe confirmed on Slack that the sign-in was theirs"))

        // The answered question's timer never fires.
        world.clock.advance(minutes: 300)
        let later = try runner.runDue()
        #expect(later.timersFired == 0 && later.jobsStarted == 0)
        #expect(try world.outbox(event: "slack.ask").count == 1)
        #expect(try world.outbox(event: "page").isEmpty)
    }

    @Test("a high (not critical) case is assigned but not paged, and the skipped page is on the log")
    func noPageBelowCritical() throws {
        let world = try SecurityBotWorld()
        let runner = try world.runner()
        try runner.runDue()
        let alert = try world.newCountryLogin(severity: .high)
        try runner.runDue()
        let caseID = try #require(try world.admin.alertDetail(alert.id).alert.caseID)
        let click = world.click(caseID: caseID, answer: "deny", by: "jdoe")
        #expect(try world.slack().handle(body: click.body, headers: click.headers, now: world.clock.now()).status == 200)
        try runner.runDue()
        #expect(try world.outbox(event: "page").isEmpty)
        #expect(try world.admin.read { tx in try tx.storedCase(caseID)?.owner } == "olivia.oncall")
        #expect(try world.log(caseID).contains { $0.body == "securitybot: skipped page: needs severity at least critical" })
    }

    @Test("a step that cannot run fails its job with the reason on the case log; other work goes on")
    func failingStep() throws {
        let world = try SecurityBotWorld()
        let runner = try world.runner()
        try runner.runDue()
        // nobody in the HR export: no email, so the question cannot be asked
        let alert = try world.newCountryLogin(user: "ghost")
        let pass = try runner.runDue()
        #expect(pass.jobsFailed == 1 && pass.errors.count == 1)
        let caseID = try #require(try world.admin.alertDetail(alert.id).alert.caseID)
        #expect(try world.log(caseID).last?.body.contains("failed: no email for ghost") == true)
        #expect(try world.admin.automationJobs(status: "failed").count == 1)
        #expect(try runner.runDue().jobsStarted == 0)
    }
}

@Suite("GLaDOS: Slack interactions")
struct SlackInteractionTests {
    func setUp() throws -> (SecurityBotWorld, Int64) {
        let world = try SecurityBotWorld()
        let runner = try world.runner()
        try runner.runDue()
        let alert = try world.newCountryLogin()
        try runner.runDue()
        return (world, try #require(try world.admin.alertDetail(alert.id).alert.caseID))
    }

    func fingerprint(_ world: SecurityBotWorld) throws -> String { try world.admin.store.read { tx in try tx.fingerprint() } }

    @Test("bad signature, old, future, missing headers, malformed payloads, unknown namespace or case: refused, nothing written")
    func refusals() throws {
        let (world, caseID) = try setUp()
        let slack = try world.slack()
        let before = try fingerprint(world)
        let now = world.clock.now()

        let wrongSecret = world.click(caseID: caseID, answer: "deny", by: "mboss", secret: "not-the-secret")
        #expect(slack.handle(body: wrongSecret.body, headers: wrongSecret.headers, now: now).status == 401)

        var tampered = world.click(caseID: caseID, answer: "confirm", by: "jdoe")
        tampered.body = Array(String(decoding: tampered.body, as: UTF8.self).replacingOccurrences(of: "confirm", with: "deny").utf8)
        #expect(slack.handle(body: tampered.body, headers: tampered.headers, now: now).status == 401)

        let old = world.click(caseID: caseID, answer: "deny", by: "mboss", at: Timestamp(ms: now.ms - 301_000))
        let oldReply = slack.handle(body: old.body, headers: old.headers, now: now)
        #expect(oldReply.status == 401)
        #expect(oldReply.body["error"]?.stringValue?.contains("old") == true)
        let future = world.click(caseID: caseID, answer: "deny", by: "mboss", at: Timestamp(ms: now.ms + 600_000))
        #expect(slack.handle(body: future.body, headers: future.headers, now: now).status == 401)

        let ok = world.click(caseID: caseID, answer: "deny", by: "mboss")
        #expect(slack.handle(body: ok.body, headers: [:], now: now).status == 401)
        #expect(slack.handle(body: ok.body, headers: ["X-Slack-Signature": ok.headers["X-Slack-Signature"]!, "X-Slack-Request-Timestamp": "yesterday"], now: now).status == 401)

        for form in ["", "payload=%7Bnot json", "token=abc", "payload=" + SecurityBotWorld.formEncode(#"{"type":"view_submission"}"#),
                     "payload=" + SecurityBotWorld.formEncode(#"{"type":"block_actions","actions":[]}"#)] {
            let m = world.signed(form: form, at: now)
            let r = slack.handle(body: m.body, headers: m.headers, now: now)
            #expect(r.status == 400, "\(form): \(r.body.text)")
            #expect(r.body["error"] != nil)
        }
        let unknown = world.signed(form: "payload=" + SecurityBotWorld.formEncode(
            #"{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"deploybot.go","value":"case:1:go"}]}"#), at: now)
        #expect(slack.handle(body: unknown.body, headers: unknown.headers, now: now).status == 404)
        let noCase = world.click(caseID: 999, answer: "deny", by: "mboss")
        #expect(slack.handle(body: noCase.body, headers: noCase.headers, now: now).status == 404)

        #expect(try fingerprint(world) == before)
    }

    @Test("a good request is recorded once; the same request again is a replay (409) and changes nothing")
    func replay() throws {
        let (world, caseID) = try setUp()
        let slack = try world.slack()
        let click = world.click(caseID: caseID, answer: "deny", by: "jdoe")
        let first = slack.handle(body: click.body, headers: click.headers, now: world.clock.now())
        #expect(first.status == 200)
        let entries = try world.log(caseID).count
        let before = try fingerprint(world)
        let again = slack.handle(body: click.body, headers: click.headers, now: world.clock.now())
        #expect(again.status == 409)
        // also from another process (the signature is remembered in the database)
        let other = try SlackInteractions(
            engine: Engine(store: try Store.open(path: world.dir.file()), actor: Actor(name: "root", isAdmin: true)), signingSecret: SecurityBotWorld.secret,
            library: world.library)
        #expect(other.handle(body: click.body, headers: click.headers, now: world.clock.now()).status == 409)
        #expect(try world.log(caseID).count == entries)
        #expect(try fingerprint(world) == before)
        let entry = try #require(try world.log(caseID).last)
        #expect(entry.kind == .automation && entry.body == "Slack reply from jdoe (user): No, it was not me")
        #expect(entry.data?.contains(#""event":"slack.reply""#) == true)
    }

    @Test("handlers register under a namespace; only the database owner may answer for every case")
    func namespaces() throws {
        let (world, _) = try setUp()
        let slack = try world.slack()
        #expect(slack.namespaces == ["securitybot"])
        slack.register(namespace: "deploybot", .custom { click in "deploying for \(click.userName)" })
        let m = world.signed(form: "payload=" + SecurityBotWorld.formEncode(
            #"{"type":"block_actions","user":{"id":"U1","username":"ana"},"actions":[{"action_id":"deploybot.go","value":"x"}]}"#), at: world.clock.now())
        let r = slack.handle(body: m.body, headers: m.headers, now: world.clock.now())
        #expect(r.status == 200 && r.body["text"] == "deploying for ana")
        #expect(throws: EngineError.self) {
            _ = try SlackInteractions(engine: world.admin.acting(as: Actor(name: "ana", isAdmin: false)), signingSecret: "x")
        }
    }
}
