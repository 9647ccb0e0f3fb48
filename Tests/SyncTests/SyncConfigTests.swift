import Credentials
import Testing
@testable import Sync

/// A bad sync.yaml is one line that says where and what to do.
@Suite struct SyncConfigTests {
    let secrets = Secrets(values: ["hive_key": "k1-secret-value"], environment: ["HOOK_KEY": "env-secret"])

    func problem(_ yaml: String) -> String? {
        do {
            _ = try SyncConfig.parse(yaml: yaml, file: "sync.yaml", secrets: secrets)
            return nil
        } catch { return error.description }
    }

    @Test func aGoodFileReadsWithDefaultsAndFilters() throws {
        let config = try SyncConfig.parse(yaml: """
            defaults: { timeout: 5s, max_attempts: 4, backoff: 500ms, max_backoff: 1m }
            endpoints:
              hive: { type: thehive, url: "https://hive", api_key: "${secret:hive_key}", events: [alert.*, case.created] }
              hook: { type: webhook, url: "https://hook", hmac_secret: "${env:HOOK_KEY}", timeout: 1s }
              soc: { type: slack, webhook: "${secret:hive_key}" }
            """, file: "sync.yaml", secrets: secrets)
        let hive = try #require(config.endpoint(named: "hive"))
        #expect(hive.type == .thehive && hive.policy.timeout == 5 && hive.policy.maxAttempts == 4 && hive.policy.backoff == 0.5)
        #expect(hive.events.takes("alert.updated") && hive.events.takes("case.created") && !hive.events.takes("case.log"))
        #expect(!hive.events.takes("slack.ask"))
        let hook = try #require(config.endpoint(named: "hook"))
        #expect(hook.policy.timeout == 1 && hook.events.takes("page") && hook.events.takes("anything.else"))
        // Slack takes what it understands by default, not everything.
        let soc = try #require(config.endpoint(named: "soc"))
        #expect(soc.events.takes("slack.ask") && soc.events.takes("case.log"))
        // Backoff doubles, capped, with jitter from half to all.
        #expect(hive.policy.delay(afterAttempt: 1, random: 1) == 0.5 && hive.policy.delay(afterAttempt: 3, random: 1) == 2)
        #expect(hive.policy.delay(afterAttempt: 3, random: 0) == 1 && hive.policy.delay(afterAttempt: 30, random: 1) == 60)
    }

    @Test func mistakesAreNamedOnOneLine() throws {
        let cases: [(String, String)] = [
            ("endpoints:\n  x: { type: teams, url: u }", "sync.yaml: endpoint x has type 'teams'; types are thehive, slack, jira, webhook"),
            ("endpoints:\n  hive: { type: thehive, url: u, api_key: \"${secret:nope}\" }", "sync.yaml: endpoint hive needs secret 'nope', which the secrets file does not hold"),
            ("endpoints:\n  hive: { type: thehive, url: u, api_key: plain-text-key }", "sync.yaml: endpoint hive: api_key must name a secret (\"${secret:NAME}\" or \"${env:NAME}\"), not hold it"),
            ("endpoints:\n  hive: { type: thehive, url: u }", "sync.yaml: endpoint hive: a thehive endpoint needs api_key: \"${secret:NAME}\""),
            ("endpoints:\n  h: { type: webhook, url: u, events: [case.craeted] }", "did you mean case.created?"),
            ("endpoints:\n  h: { type: jira, url: u, project: P, token: \"${secret:hive_key}\", events: [slack.ask] }", "a jira endpoint cannot deliver slack.ask"),
            ("endpoints:\n  s: { type: slack, channel: \"#soc\" }", "a slack endpoint needs token"),
            ("endpoints:\n  h: { type: webhook, url: u, timeout: soon }", "timeout: 'soon' is not a span"),
            ("endpoints:\n  h: { type: webhook, url: u, colour: red }", "unknown key 'colour' for a webhook endpoint"),
            ("endpoint:\n  h: { type: webhook }", "unknown key 'endpoint'"),
            ("endpoints: [a, b]", "endpoints: must map names to endpoints"),
            ("endpoints: {", "sync.yaml: not YAML"),
        ]
        for (yaml, expected) in cases {
            let message = try #require(problem(yaml), "accepted: \(yaml)")
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains("\n"), "\(message)")
            #expect(!message.contains("k1-secret-value"))
        }
    }
}
