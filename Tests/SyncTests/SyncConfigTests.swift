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

/// The SIEM forwarders' settings: defaults, and a bad value named on one line.
@Suite struct ForwardingConfigTests {
    let secrets = Secrets(values: ["hec": "hec-secret-value", "es": "es-secret-value"], environment: [:])

    func problem(_ endpoint: String) -> String? {
        do {
            _ = try SyncConfig.parse(yaml: "endpoints:\n  siem: \(endpoint)", file: "sync.yaml", secrets: secrets)
            return nil
        } catch { return error.description }
    }

    @Test func aGoodFileReadsWithDefaults() throws {
        let config = try SyncConfig.parse(yaml: """
            endpoints:
              splunk: { type: splunk_hec, url: "https://splunk.example.com:8088", token: "${secret:hec}", index: security }
              es: { type: elasticsearch, url: "https://es.example.com:9200", api_key: "${secret:es}", index: soc-taser }
              es2: { type: elasticsearch, url: "http://10.0.0.9:9200", username: taser, password: "${secret:es}" }
              tcp: { type: syslog, host: siem.example.com }
              tls: { type: syslog, host: "::1", tls: true, events: [alert.*] }
              custom: { type: syslog, host: 10.0.0.5, port: 1514, tls: false }
            """, file: "sync.yaml", secrets: secrets)
        #expect(config.endpoints.map(\.type) == [.syslog, .elasticsearch, .elasticsearch, .splunkHEC, .syslog, .syslog])
        #expect(config.endpoint(named: "tcp")?.port == 601 && config.endpoint(named: "tcp")?.usesTLS == false)
        #expect(config.endpoint(named: "tls")?.port == 6514 && config.endpoint(named: "tls")?.usesTLS == true)
        #expect(config.endpoint(named: "custom")?.port == 1514)
        // A SIEM takes every change and question, but not the log heads (a webhook witness's).
        let splunk = try #require(config.endpoint(named: "splunk"))
        #expect(["alert.created", "case.updated", "case.log", "slack.ask", "page"].allSatisfy(splunk.events.takes) && !splunk.events.takes("log.heads"))
        #expect(config.endpoint(named: "tls")?.events.takes("case.log") == false)
    }

    @Test func mistakesAreNamedOnOneLine() throws {
        let cases: [(String, String)] = [
            (#"{ type: splunk_hec, token: "${secret:hec}" }"#, "sync.yaml: endpoint siem: a splunk_hec endpoint needs url: https://splunk.example.com:8088"),
            (#"{ type: splunk_hec, url: "https://s:8088" }"#, "a splunk_hec endpoint needs token: \"${secret:NAME}\""),
            (#"{ type: splunk_hec, url: "https://s:8088", token: hec-secret-literal }"#, "token must name a secret"),
            (#"{ type: splunk_hec, url: "https://s:8088/services/collector/event", token: "${secret:hec}" }"#, "url is the base (https://s:8088); taser adds /services/collector"),
            (#"{ type: splunk_hec, url: "s:8088", token: "${secret:hec}" }"#, "url must be http:// or https:// and a host"),
            (#"{ type: splunk_hec, url: "https://s", token: "${secret:hec}", index: Main }"#, "index 'Main' is not a Splunk index name"),
            (#"{ type: splunk_hec, url: "https://s", token: "${secret:hec}", sourcetype: x }"#, "unknown key 'sourcetype' for a splunk_hec endpoint; it takes url, token, index, host"),
            (#"{ type: elasticsearch, index: taser }"#, "an elasticsearch endpoint needs url: https://es.example.com:9200"),
            (#"{ type: elasticsearch, url: "https://es", username: taser }"#, "username and password go together"),
            (#"{ type: elasticsearch, url: "https://es", api_key: "${secret:es}", username: u, password: "${secret:es}" }"#, "give api_key or username and password, not both"),
            (#"{ type: elasticsearch, url: "https://es", username: u, password: hunter2 }"#, "password must name a secret"),
            (#"{ type: elasticsearch, url: "https://es", index: "Taser Events" }"#, "index 'Taser Events' is not an Elasticsearch index name"),
            (#"{ type: elasticsearch, url: "https://es/_bulk" }"#, "taser adds /_bulk"),
            ("{ type: syslog, port: 514 }", "sync.yaml: endpoint siem: a syslog endpoint needs host: siem.example.com"),
            ("{ type: syslog, host: \"tls://siem:6514\" }", "host must be the collector's name or address"),
            ("{ type: syslog, host: \"siem:514\" }", "not 'siem:514'; the port goes in port:"),
            ("{ type: syslog, host: siem, port: 0 }", "sync.yaml: endpoint siem: port must be a whole number from 1 to 65535, not '0'"),
            ("{ type: syslog, host: siem, port: 70000 }", "port must be a whole number from 1 to 65535, not '70000'"),
            ("{ type: syslog, host: siem, port: 99999999999999999999 }", "port must be a whole number from 1 to 65535"),
            ("{ type: syslog, host: siem, tls: \"yes\" }", "tls must be true or false, not 'yes'"),
            ("{ type: syslog, host: siem, ca_file: /etc/ssl/certs/ca-certificates.crt }", "ca_file is for TLS; add tls: true, or remove ca_file"),
            ("{ type: syslog, host: siem, tls: true, ca_file: /nonexistent/ca.pem }", "ca_file /nonexistent/ca.pem cannot be read"),
            ("{ type: syslog, host: siem, facility: 4 }", "unknown key 'facility' for a syslog endpoint; it takes host, port, tls, ca_file"),
            ("{ type: syslog, host: siem, events: [log.heads] }", "a syslog endpoint cannot deliver log.heads"),
        ]
        for (endpoint, expected) in cases {
            let message = try #require(problem(endpoint), "accepted: \(endpoint)")
            #expect(message.contains(expected), "\(message)")
            #expect(!message.contains("\n") && !message.contains("hec-secret-value") && !message.contains("es-secret-value"), "\(message)")
        }
    }
}
