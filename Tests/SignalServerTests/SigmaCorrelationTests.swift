import Foundation
import Model
import Testing
@testable import SignalServer

@Suite struct SigmaCorrelationTests {
    static let okta = ["okta.sso.login", "okta.sso.new_location", "okta.sso.login_failed", "okta.event"]
    static let duo = ["duo.auth.success", "duo.push.failed", "duo.auth.failed"]
    static let failedOktaLogin = Filter.all([
        .test(field: "event.action", .equals(.text("user.session.start"))),
        .test(field: "outcome.result", .equals(.text("FAILURE"))),
    ])
    static let deniedDuoPush = Filter.all([
        .test(field: "duo.factor", .equals(.text("duo_push"))), .test(field: "duo.result", .equals(.text("denied"))),
    ])

    /// The rule of that name, its filters on their mapped side (Sigma.mappedSide).
    static func rule(_ result: SigmaImport, _ name: String) -> SigmaImport.Imported? {
        guard var imported = result.rules.first(where: { $0.name == name }) else { return nil }
        imported.rule = Sigma.mappedSide(imported.rule)
        return imported
    }

    // MARK: the fixture chain: event_count over a detection, then temporal over it and another

    @Test func eventCountThenTemporalChain() throws {
        let result = SigmaImport.read(paths: [Sigma.fixture("rules/identity/okta_chain.yml")])
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.rules.map(\.name) == [
            "0c5f1a9e-8f47-4c3b-9d2e-7a6b5c4d3e21", "many-failed-okta-logins", "failed-okta-login", "duo-push-denied",
        ])

        let count = try #require(Self.rule(result, "many-failed-okta-logins"))
        #expect(count.rule == Rule(
            clauses: [Clause(count: 5, kinds: Self.okta, filter: Self.failedOktaLogin, text: "5 Failed Okta Login")],
            window: 600_000, groupBy: ["user.name"],
            options: RuleOptions(title: "Many Failed Okta Logins", severity: .medium)))

        let chain = try #require(Self.rule(result, "0c5f1a9e-8f47-4c3b-9d2e-7a6b5c4d3e21"))
        #expect(chain.title == "Okta Password Spray Followed By A Denied Duo Push")
        #expect(chain.rule == Rule(
            clauses: [
                Clause(count: 1, kinds: ["rule:many-failed-okta-logins"], text: "Many Failed Okta Logins"),
                Clause(count: 1, kinds: Self.duo, filter: Self.deniedDuoPush, text: "Denied Duo Push"),
            ],
            ordered: false, window: 3_600_000, groupBy: ["user.name"],
            options: RuleOptions(title: "Okta Password Spray Followed By A Denied Duo Push", severity: .critical, tags: ["attack.credential_access"])))
        #expect(chain.text.hasPrefix("title: Okta Password Spray"))
        #expect(!chain.text.contains("Many Failed Okta Logins"), "each rule stores its own document")

        // The detections only feed correlations (no `generate: true`): imported, not alerting.
        #expect(Self.rule(result, "failed-okta-login")?.enabled == false)
        #expect(Self.rule(result, "duo-push-denied")?.enabled == false)
        // A correlation a chain reads must run for the chain to see its alerts.
        #expect(count.enabled && chain.enabled)
    }

    @Test func temporalOrderedKeepsTheOrder() throws {
        let yaml = Self.detections + "---\n" + Self.correlation("""
            type: temporal_ordered
            rules: [failed_login, duo_denied]
            group-by: [username]
            timespan: 15m
            """)
        let result = SigmaImport.read(yaml: yaml, path: "c.yml")
        let rule = try #require(Self.rule(result, "corr")?.rule)
        #expect(rule.ordered)
        #expect(rule.window == 900_000)
        #expect(rule.groupBy == ["user.name"])
        #expect(rule.clauses.map(\.kinds) == [Self.okta, Self.duo])
        #expect(rule.clauses.map(\.count) == [1, 1])
    }

    @Test func valueCountAcrossFiles() throws {
        // The value_count references a rule in another file, read in the same import.
        let result = SigmaImport.read(paths: [
            Sigma.fixture("rules/identity/okta_sprayed_users.yml"), Sigma.fixture("rules/identity/okta_chain.yml"),
        ])
        #expect(result.problems.isEmpty, "\(result.problems)")
        let spray = try #require(Self.rule(result, "4c3b2a19-0f8e-4d7c-b6a5-948372615041"))
        #expect(spray.rule == Rule(
            clauses: [Clause(
                count: 10, kinds: Self.okta, distinct: "user.name", filter: Self.failedOktaLogin,
                text: "10 distinct user.name of Failed Okta Login")],
            window: 3_600_000, groupBy: ["source.ip"],
            options: RuleOptions(title: "One Address Fails Logins For Many Okta Users", severity: .high)))
    }

    @Test func aliasesBecomePerClauseGroupBy() throws {
        let result = SigmaImport.read(paths: [Sigma.fixture("network_aliases.yml")])
        #expect(result.problems.isEmpty, "\(result.problems)")
        let rule = try #require(result.rules.first?.rule)
        #expect(rule == Rule(
            clauses: [
                Clause(
                    count: 1, kinds: ["suricata.http", "web.proxy"],
                    filter: .test(field: "http.response.status_code", .equals(.number(500))),
                    groupBy: ["destination.ip", "source.ip"], text: "Internal Server Error"),
                Clause(
                    count: 1, kinds: ["suricata.event"],
                    filter: .all([
                        .test(field: "network.transport", .equals(.text("tcp"))),
                        .test(field: "suricata.flow.state", .equals(.text("established"))),
                    ]),
                    groupBy: ["source.ip", "destination.ip"], text: "New Network Connection"),
            ],
            ordered: true, window: 10_000, groupBy: ["internal_ip", "remote_ip"],
            options: RuleOptions(title: "Server Error Then A Connection Back To The Client", severity: .medium)))
    }

    // MARK: inline rules

    static let detections = """
        title: Failed Okta Login
        name: failed_login
        logsource:
            product: okta
        detection:
            selection:
                outcome.result: FAILURE
            condition: selection
        ---
        title: Okta MFA Factor Reset
        name: mfa_reset
        logsource:
            product: okta
        detection:
            selection:
                eventtype: user.mfa.factor.deactivate
            condition: selection
        ---
        title: Denied Duo Push
        name: duo_denied
        logsource:
            product: duo
        detection:
            selection:
                result: denied
            condition: selection

        """

    static func correlation(_ body: String, title: String = "Corr", name: String? = nil, more: String = "") -> String {
        let indented = body.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        return "title: \(title)\n" + (name.map { "name: \($0)\n" } ?? "") + "correlation:\n\(indented)\n\(more)"
    }

    /// Several rules counted together: a clause each, pooled into the first's count, so each
    /// rule's filter reads its own signals (whatever their logsources).
    @Test func eventCountOverSeveralRulesPoolsTheirClauses() throws {
        let yaml = Self.detections + "---\n" + Self.correlation("""
            type: event_count
            rules: [failed_login, mfa_reset]
            group-by: [User]
            timespan: 1h
            condition: {gt: 2}
            """)
        let result = SigmaImport.read(yaml: yaml, path: "c.yml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        let clauses = try #require(Self.rule(result, "corr")?.rule.clauses)
        #expect(clauses.map(\.count) == [3, 1])
        #expect(clauses.map(\.pool) == [nil, 0])
        #expect(clauses.map(\.kinds) == [Self.okta, Self.okta])
        #expect(clauses.map(\.filter) == [
            .test(field: "outcome.result", .equals(.text("FAILURE"))),
            .test(field: "event.action", .equals(.text("user.mfa.factor.deactivate"))),
        ])
        #expect(clauses[0].text == "3 Failed Okta Login or Okta MFA Factor Reset")
    }

    @Test func generateTrueLetsReferencedRulesAlertOnTheirOwn() {
        let yaml = Self.detections + "---\n" + Self.correlation("""
            type: event_count
            rules: [duo_denied]
            timespan: 1h
            condition: {gte: 3}
            generate: true
            """)
        let result = SigmaImport.read(yaml: yaml, path: "c.yml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(Self.rule(result, "duo-denied")?.enabled == true)
        #expect(Self.rule(result, "failed-login")?.enabled == true, "not referenced: a rule of its own")
        #expect(Self.rule(result, "corr")?.rule.groupBy == [], "no group-by: one group")
    }

    static let problems: [(body: String, reason: String)] = [
        ("type: event_count\nrules: [failed_login]\ntimespan: 1h", "needs a condition: gte, gt, lte, lt, eq or neq"),
        ("type: event_count\nrules: [failed_login]\ntimespan: 1h\ncondition: {gte: 2.5}", "'gte' takes a whole number"),
        ("type: value_count\nrules: [failed_login]\ntimespan: 1h\ncondition: {gte: 5}", "needs the field it measures"),
        ("type: value_sum\nrules: [failed_login]\ntimespan: 1h\ncondition: {gte: 5}", "needs the field it measures"),
        ("type: temporal\nrules: [failed_login, duo_denied]\ntimespan: 1h\ncondition: {gte: 3}", "can never hold: 1 to 2 of its rules can match"),
        ("type: value_percentile\nrules: [failed_login]\ntimespan: 1h\ncondition: {field: x, lte: 1}", "does not say what its condition compares"),
        ("type: value_count\nrules: [failed_login]\ntimespan: 1h\ncondition: {field: [User, Computer], gte: 2}", "lists several fields, which the specification links by AND"),
        ("type: sequence\nrules: [failed_login]\ntimespan: 1h", "'sequence' is not one of"),
        ("type: event_count\nrules: [failed_login]\ncondition: {gte: 5}", "needs a timespan"),
        ("type: event_count\nrules: [failed_login]\ntimespan: 1 hour\ncondition: {gte: 5}", "timespan '1 hour' is a number and s, m, h or d"),
        ("type: event_count\nrules: [nope]\ntimespan: 1h\ncondition: {gte: 5}", "references 'nope', which no rule in this import names"),
        ("type: event_count\nrules: [failed_login]\ngroupby: [User]\ntimespan: 1h\ncondition: {gte: 5}", "unknown key 'groupby'"),
        (
            "type: temporal\nrules: [failed_login, duo_denied]\ngroup-by: [ip]\ntimespan: 1h\naliases:\n  ip:\n    failed_login: client.ipAddress",
            "alias 'ip' gives no field for rule 'duo_denied'"
        ),
        (
            // User and TargetUserName are two fields (the mapping never folds them into one); the
            // alias names each rule's own: accepted, see below.
            "type: event_count\nrules: [failed_login, mfa_reset]\ngroup-by: [who]\ntimespan: 1h\ncondition: {gte: 2}\naliases:\n  who:\n    failed_login: User\n    mfa_reset: TargetUserName\n",
            ""
        ),
    ]

    @Test(arguments: problems.indices)
    func unsupportedCorrelationsAreReportedWithTheirReason(_ i: Int) {
        let c = Self.problems[i]
        let result = SigmaImport.read(yaml: Self.detections + "---\n" + Self.correlation(c.body, title: "Bad Corr"), path: "c.yml")
        let problems = result.problems.map(\.description)
        if c.reason.isEmpty {
            #expect(problems.isEmpty, "\(problems)")
            #expect(Self.rule(result, "bad-corr")?.rule.clauses.first?.groupBy == ["user.name"])
            return
        }
        #expect(Self.rule(result, "bad-corr") == nil)
        #expect(problems.mentions("c.yml: rule 'Bad Corr':", c.reason), "\(problems)")
        // The detections are still imported; only the correlation is refused.
        #expect(result.rules.count == 3)
    }

    @Test func chainsMustGroupByWhatTheInnerAlertsCarry() {
        let yaml = Self.detections + "---\n"
            + Self.correlation("type: event_count\nrules: [failed_login]\ngroup-by: [User]\ntimespan: 10m\ncondition: {gte: 5}", title: "Inner", name: "inner")
            + "---\n"
            + Self.correlation("type: temporal\nrules: [inner, duo_denied]\ngroup-by: [Computer]\ntimespan: 1h", title: "Outer")
        let result = SigmaImport.read(yaml: yaml, path: "c.yml")
        #expect(result.problems.map(\.description).mentions(
            "rule 'Outer'", "reads 'host.name' from the alerts of 'inner', which carry only its group-by (user.name)"))
        #expect(Self.rule(result, "inner") != nil)
    }

    @Test func loopsAndBrokenReferencesAreReported() {
        let loop = Self.correlation("type: temporal\nrules: [b, duo_denied]\ntimespan: 1h", title: "A", name: "a")
            + "---\n" + Self.correlation("type: temporal\nrules: [a, duo_denied]\ntimespan: 1h", title: "B", name: "b")
        let result = SigmaImport.read(yaml: Self.detections + "---\n" + loop, path: "c.yml")
        let problems = result.problems.map(\.description)
        #expect(problems.mentions("references 'a', which references this rule back (a loop)"), "\(problems)")
        #expect(Self.rule(result, "a") == nil && Self.rule(result, "b") == nil)

        let broken = Self.correlation("type: event_count\nrules: [bad]\ntimespan: 1h\ncondition: {gte: 2}", title: "Over Bad")
            + "---\ntitle: Bad\nname: bad\nlogsource:\n    product: zos\ndetection:\n    sel:\n        EventID: 1\n    condition: sel\n"
        let second = SigmaImport.read(yaml: broken, path: "b.yml").problems.map(\.description)
        #expect(second.mentions("rule 'Bad'", "maps to no signal kind"))
        #expect(second.mentions("rule 'Over Bad'", "references 'bad', which could not be imported (see its problem)"))
    }

    @Test func timespansReadAsSigmaDefinesThem() {
        #expect(SigmaCorrelationCompiler.milliseconds("30s") == 30_000)
        #expect(SigmaCorrelationCompiler.milliseconds("5m") == 300_000)
        #expect(SigmaCorrelationCompiler.milliseconds("4h") == 14_400_000)
        #expect(SigmaCorrelationCompiler.milliseconds("1d") == 86_400_000)
        #expect(SigmaCorrelationCompiler.milliseconds("0m") == nil)
        #expect(SigmaCorrelationCompiler.milliseconds("1w") == nil)
        #expect(SigmaCorrelationCompiler.milliseconds("h") == nil)
        #expect(SigmaCorrelationCompiler.milliseconds("99999999999999999d") == nil)
    }
}
