import Foundation
import Model
import Testing
@testable import Automation

@Suite("Playbook files")
struct PlaybookParserTests {
    func parse(_ yaml: String) throws(PlaybookError) -> Playbook { try PlaybookParser(file: "pb.yaml").parse(yaml) }

    func error(_ yaml: String) -> PlaybookError? {
        do { _ = try parse(yaml); return nil } catch { return error }
    }

    @Test("the shipped SecurityBot playbook reads, with its five handlers")
    func shipped() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Playbooks").path
        let (library, problems) = PlaybookLibrary.load(directory: dir)
        #expect(problems.isEmpty, "\(problems)")
        let bot = try #require(library.playbook(named: "securitybot"))
        #expect(bot.handlers.map(\.name) == ["new-country-login", "user-confirms", "no-reply-from-user", "manager-confirms", "not-them"])
        guard case .alert(let t) = bot.handlers[0].trigger else { Issue.record("not an alert trigger"); return }
        #expect(t.rules == ["sso-new-location-then-duo-failures"] && t.kinds == ["okta.sso.new_location"])
        guard case .ask(.user, _, let within, _) = bot.handlers[0].steps[1].action else { Issue.record("not ask_user"); return }
        #expect(within.map { $0 == 14_400_000 } == true, "\(String(describing: within))")
        #expect(bot.handlers[4].steps.last?.conditions == [.severityAtLeast(.critical)])
    }

    @Test("unknown action, trigger, condition and key: named with the line, column, key and nearest names")
    func unknownNames() throws {
        let action = try #require(error("""
            name: x
            on:
              - when: { alert: {} }
                do:
                  - ask_usr: { text: hi }
            """))
        #expect(action.line == 5 && action.column == 9)
        #expect(action.key == "on[1].do[1]")
        #expect(action.description.hasPrefix("pb.yaml:5:9: on[1].do[1]: unknown action 'ask_usr'; did you mean ask_user"))

        let trigger = try #require(error("name: x\non:\n  - when: { alrt: { rule: r } }\n    do: [ { log: hi } ]\n"))
        #expect(trigger.message == "unknown trigger 'alrt'" && trigger.suggestions.first == "alert" && trigger.line == 3)

        let condition = try #require(error("name: x\non:\n  - when: no_reply\n    if: { severity_atleast: high }\n    do: [ { log: hi } ]\n"))
        #expect(condition.suggestions.first == "severity_at_least" && condition.key == "on[1].if", "\(condition)")

        let key = try #require(error("name: x\non:\n  - when: { reply: { answr: deny } }\n    do: [ { log: hi } ]\n"))
        #expect(key.message == "unknown key 'answr'" && key.suggestions.contains("answer"))
    }

    @Test("bad values: span, severity, status, kind, filter, role, missing parts, not YAML")
    func badValues() throws {
        let span = try #require(error("name: x\non:\n  - when: { alert: {} }\n    do:\n      - ask_user: { text: hi, reply_within: soon }\n"))
        #expect(span.key == "on[1].do[1].ask_user.reply_within" && span.message.contains("not a span") && span.line == 5)

        let severity = try #require(error("name: x\non:\n  - when: { alert: { severity_at_least: huge } }\n    do: [ { log: hi } ]\n"))
        #expect(severity.message.contains("no severity 'huge'"))

        let status = try #require(error("name: x\non:\n  - when: { case_status: { to: finished } }\n    do: [ { log: hi } ]\n"))
        #expect(status.message.contains("no case status 'finished'"))

        let kind = try #require(error("name: x\non:\n  - when: { alert: { kind: SSO login from a new locaton } }\n    do: [ { log: hi } ]\n"))
        #expect(kind.suggestions.first == "SSO login from a new location")

        let filter = try #require(error("name: x\non:\n  - when: { alert: { where: 'usr = \"jdoe\"' } }\n    do: [ { log: hi } ]\n"))
        #expect(filter.key == "on[1].when.alert.where" && filter.message.contains("not a filter"))

        let role = try #require(error("name: x\non:\n  - when: { no_reply: { from: boss } }\n    do: [ { log: hi } ]\n"))
        #expect(role.message.contains("no one called 'boss'"))

        #expect(error("on: []\n")?.key == "name")
        #expect(error("name: x\n")?.key == "on")
        #expect(error("name: x\non:\n  - when: no_reply\n")?.key == "on[1].do")
        #expect(error("name: x\non:\n  - when: no_reply\n    do: [ { update_case: { status: closed } } ]\n")?.message.contains("resolution") == true)
        #expect(error("name: x\non:\n  - when: no_reply\n    do: [ { page: { text: hi } } ]\n")?.key == "on[1].do[1].page.endpoint")
        let yaml = try #require(error("name: x\non: [ { when: \n"))
        #expect(yaml.message.hasPrefix("not YAML") && yaml.line != nil)
    }

    @Test("a WHERE filter reads the alert's signals as the rule language does")
    func whereFilter() throws {
        let pb = try parse("""
            name: x
            on:
              - when: { alert: { kind: SSO login from a new location, where: 'NOT country IN ("United States", "Canada") AND username STARTSWITH "j"' } }
                do: [ { log: hi } ]
            """)
        guard case .alert(let t) = pb.handlers[0].trigger else { Issue.record("not alert"); return }
        let alert = Alert(
            id: 1, rule: "r", groupKey: "", firstSignalAt: nil, lastSignalAt: nil, status: .new, severity: .high, title: "t", team: nil,
            caseID: nil, createdAt: Timestamp(ms: 0), updatedAt: Timestamp(ms: 0), signalCount: 1)
        let ng = AlertFacts(alert: alert, signals: [("okta.sso.new_location", ["source.geo.country_name": "Nigeria", "user.name": "jdoe"])])
        let us = AlertFacts(alert: alert, signals: [("okta.sso.new_location", ["source.geo.country_name": "united states", "user.name": "jdoe"])])
        let duo = AlertFacts(alert: alert, signals: [("duo.push.failed", ["source.geo.country_name": "Nigeria", "user.name": "jdoe"])])
        #expect(t.matches(ng) && !t.matches(us) && !t.matches(duo))
    }

    @Test("a directory: every file's mistake at once, and a duplicate name refused")
    func directory() throws {
        let dir = NSTemporaryDirectory() + "taser-pb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "name: a\non: [ { when: no_reply, do: [ { log: hi } ] } ]\n".write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "name: a\non: [ { when: no_reply, do: [ { log: hi } ] } ]\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        try "name: c\non: [ { when: no_reply, do: [ { pgae: {} } ] } ]\n".write(toFile: dir + "/c.yml", atomically: true, encoding: .utf8)
        try "not a playbook".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        let (library, problems) = PlaybookLibrary.load(directory: dir)
        #expect(library.playbooks.map(\.name) == ["a"])
        #expect(problems.count == 2)
        #expect(problems[0].file.hasSuffix("b.yaml") && problems[0].message.contains("already taken"))
        #expect(problems[1].file.hasSuffix("c.yml") && problems[1].suggestions.first == "page")
        #expect(PlaybookLibrary.load(directory: dir + "/missing").problems.first?.message.contains("no such directory") == true)
    }

    @Test("templates fill known names and keep unknown ones visible")
    func templates() {
        let vars = ["user": "jdoe", "case.id": "7"]
        #expect(Template.fill("Case {case.id}: was {user} you? {nope} {{literal}", vars) == "Case 7: was jdoe you? {nope} {literal}")
        #expect(Template.fill("no braces", vars) == "no braces")
        #expect(Template.fill("open {user", vars) == "open {user")
    }
}

@Suite("Slack signing and payloads")
struct SlackSignatureTests {
    @Test("Slack's documented example signature verifies; any change to body, stamp or secret does not")
    func documentedExample() throws {
        // The example from Slack's "Verifying requests from Slack" page.
        let body = Array("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c".utf8)
        let secret = "8f742231b10e8888abcd99yyyzzz85a5"
        let headers = ["X-Slack-Request-Timestamp": "1531420618", "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"]
        #expect(SlackSignature.sign(body: body, timestamp: "1531420618", secret: secret) == headers["X-Slack-Signature"])
        try SlackSignature.verify(body: body, headers: headers, secret: secret, now: 1531420618 + 60)
        #expect(throws: SlackSignature.Problem.badSignature) { try SlackSignature.verify(body: body + [0x20], headers: headers, secret: secret, now: 1531420618) }
        #expect(throws: SlackSignature.Problem.badSignature) { try SlackSignature.verify(body: body, headers: headers, secret: secret + "x", now: 1531420618) }
        #expect(throws: SlackSignature.Problem.tooOld(seconds: 301)) { try SlackSignature.verify(body: body, headers: headers, secret: secret, now: 1531420618 + 301) }
        #expect(throws: SlackSignature.Problem.missingHeaders) { try SlackSignature.verify(body: body, headers: [:], secret: secret, now: 1531420618) }
    }

    @Test("block_actions payload: action id, namespace, answer, case id, user")
    func payload() throws {
        let json = #"{"type":"block_actions","user":{"id":"U123","username":"mboss","name":"mboss"},"actions":[{"type":"button","action_id":"securitybot.deny","value":"case:42:deny"}]}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let click = try SlackClick.parse(body: Array(("payload=" + json.addingPercentEncoding(withAllowedCharacters: allowed)!).utf8))
        #expect(click.namespace == "securitybot" && click.answer == "deny" && click.caseID == 42 && click.userName == "mboss" && click.userID == "U123")
        #expect(throws: SlackClick.Problem.self) { try SlackClick.parse(body: Array("payload={}".utf8)) }
        #expect(throws: SlackClick.Problem.self) { try SlackClick.parse(body: [0xff, 0xfe]) }
    }

    @Test("the question's outbox payload is Sync's contract")
    func askPayload() {
        let p = SlackAsk.payload(caseID: 9, channel: "#soc", email: "a@b.c", text: "hi", namespace: "securitybot")
        #expect(p.text == ##"{"buttons":[{"action_id":"securitybot.confirm","text":"Yes, it was me","value":"case:9:confirm"},{"action_id":"securitybot.deny","text":"No, it was not me","value":"case:9:deny"}],"case_id":9,"channel":"#soc","text":"hi","user_email":"a@b.c"}"##)
    }
}
