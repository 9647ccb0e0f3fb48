import Model
import Testing
@testable import SignalServer

@Suite struct RuleLanguageTests {
    let compiler = RuleCompiler()
    let hour: Int64 = 3_600_000

    @Test func theUsersThreeRulesParseVerbatim() throws {
        let sso = try compiler.compile(
            "[ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON")
        #expect(sso.clauses.map(\.kinds) == [["okta.sso.new_location"], ["duo.push.failed"]])
        #expect(sso.clauses.map(\.count) == [1, 2])
        #expect(sso.clauses.map(\.text) == ["1 SSO login from a new location", "2 failed Duo pushes"])
        #expect(sso.window == 4 * hour && sso.groupBy == ["user.name"] && !sso.ordered && sso.suppression == 4 * hour)

        let cb = try compiler.compile("[ (2 CarbonBlack alerts) ] IN [ 24 Hours ] WITH [ hostname ] IN COMMON")
        #expect(cb.clauses.map(\.kinds) == [["cbc.alert"]] && cb.window == 24 * hour && cb.groupBy == ["host.name"])

        let ids = try compiler.compile("[ (4 IDS Alerts) ] IN [ 36 Hours ] WITH [ src_ip, dst_port ] IN COMMON")
        #expect(ids.clauses.map(\.kinds) == [["suricata.alert"]] && ids.clauses[0].count == 4)
        #expect(ids.window == 36 * hour && ids.groupBy == ["source.ip", "destination.port"])
    }

    @Test func filtersDistinctOrderAndOptions() throws {
        let rule = try compiler.compile("""
            (1 SSO login from a new location WHERE country != "Canada" AND src_ip IN "203.0.113.0/24")
              THEN (2 failed Duo pushes WHERE factor = "push" OR factor IN ("phone", sms))
              THEN (3 DISTINCT dst_port OF IDS alerts WHERE suricata.alert.severity <= 2)
            IN 90 minutes WITH user, src_ip IN COMMON
            TITLE "Login, push fatigue, then scanning" SEVERITY high TEAM soc TAGS mfa, "push fatigue"
            SUPPRESS FOR 1d12h   # a day and a half
            """)
        #expect(rule.ordered && rule.window == 90 * 60_000 && rule.groupBy == ["user.name", "source.ip"])
        #expect(rule.clauses[0].filter == .all([
            .not(.test(field: "source.geo.country_name", .equals(.text("Canada")))),
            .test(field: "source.ip", .inCIDR("203.0.113.0/24")),
        ]))
        #expect(rule.clauses[1].filter == .any([
            .test(field: "factor", .equals(.text("push"))),
            .test(field: "factor", .oneOf([.text("phone"), .text("sms")])),
        ]))
        #expect(rule.clauses[2].distinct == "destination.port" && rule.clauses[2].count == 3)
        #expect(rule.clauses[2].filter == .test(field: "suricata.alert.severity", .compare(.lessOrEqual, 2)))
        #expect(rule.options == RuleOptions(
            title: "Login, push fatigue, then scanning", severity: .high, team: "soc", tags: ["mfa", "push fatigue"],
            suppress: 36 * hour))
    }

    @Test func textTestsAndParentheses() throws {
        let rule = try compiler.compile("""
            (1 CarbonBlack alert WHERE NOT (process.command_line CONTAINS "-enc" OR process.name STARTSWITH "power") AND file.path ENDSWITH ".ps1" AND host.name MATCHES "^srv-[0-9]+$" AND user.email EXISTS) IN 1h
            """)
        #expect(rule.clauses[0].filter == .all([
            .not(.any([.test(field: "process.command_line", .contains("-enc")), .test(field: "process.name", .startsWith("power"))])),
            .test(field: "file.path", .endsWith(".ps1")),
            .test(field: "host.name", .regex("^srv-[0-9]+$")),
            .test(field: "user.email", .present),
        ]))
        #expect(rule.groupBy.isEmpty)
    }

    // MARK: Errors: line:column, a caret, suggestions

    func failure(_ text: String) -> RuleError? {
        do {
            _ = try compiler.compile(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func anUnknownKindSuggestsTheNearest() throws {
        let e = try #require(failure("[ (1 SSO login from a new locaton) + (2 failed Duo pushes) ] IN [ 4 Hours ]"))
        #expect(e.line == 1 && e.column == 6)
        #expect(e.message == "no signal kind 'SSO login from a new locaton'")
        #expect(e.suggestions.first == "SSO login from a new location")
        #expect(e.description.hasPrefix("1:6: no signal kind") && e.description.contains("did you mean 'SSO login from a new location'"))
        #expect(e.excerpt == "  [ (1 SSO login from a new locaton) + (2 failed Duo pushes) ] IN [ 4 Hours ]\n       ^")
    }

    /// A rule file written on Windows: a comment ends at its CRLF as at an LF (it ran to the end
    /// of the text), and errors name the line they are on.
    @Test func crlfLineEndsAreLineEnds() throws {
        let lf = "# two alerts on one host\n(2 CarbonBlack alerts) IN 24h\nWITH [ hostname ] IN COMMON"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let rule = try compiler.compile(crlf)
        #expect(rule.clauses.map(\.kinds) == [["cbc.alert"]] && rule.groupBy == ["host.name"])
        let e = try #require(failure("# hosts\r\n(2 CarbonBlack alerts) IN 24h\r\nWITH [ hostnme ] IN COMMON"))
        #expect(e.line == 3 && e.column == 8 && e.message.contains("no field 'hostnme'"), "\(e)")
        #expect(e.excerpt?.hasPrefix("  WITH [ hostnme ] IN COMMON\n") == true, "\(String(describing: e.excerpt))")
    }

    @Test func anUnknownFieldSuggestsTheNearest() throws {
        let e = try #require(failure("(2 CarbonBlack alerts) IN 24h\nWITH [ hostnme ] IN COMMON"))
        #expect(e.line == 2 && e.column == 8 && e.message.contains("no field 'hostnme'"))
        #expect(e.suggestions.contains("hostname"))
    }

    @Test(arguments: [
        ("(0 IDS alerts) IN 1h", 1, 2, "a clause needs a count of at least 1"),
        ("(1 IDS alerts) IN 0 hours", 1, 19, "the window must be longer than zero"),
        ("(1 IDS alerts) IN 4 fortnights", 1, 19, "is not a span of time"),
        ("(1 IDS alerts) + (1 CarbonBlack alert) THEN (1 IDS alert) IN 1h", 1, 40, "not both"),
        ("(1 IDS alerts WHERE src_ip IN \"10.0.0.0/33\") IN 1h", 1, 31, "is not a network"),
        ("(1 IDS alerts WHERE dst_port > \"high\") IN 1h", 1, 32, "compares numbers"),
        ("(1 IDS alerts WHERE factor = \"push) IN 1h", 1, 30, "no closing quote"),
        ("(1 IDS alerts IN 1h", 1, 18, "expected ')'"),
        ("(IDS alerts) IN 1h", 1, 2, "how many signals"),
        ("(1 IDS alerts) WITHIN 1h", 1, 16, "expected IN"),
        ("(1 IDS alerts) IN 1h SEVERITY urgent", 1, 31, "no severity 'urgent'"),
        ("(1 IDS alerts) IN 1h WITH [ src_ip ] IN", 1, 40, "expected COMMON"),
        ("", 1, 1, "expected a clause"),
        // Numbers past what a rule can mean are errors at their place, never an overflow.
        ("[ (2 CarbonBlack alerts) ] IN [ 99999999999999999 days ] WITH [ hostname ] IN COMMON", 1, 33, "longer than"),
        ("(2 CarbonBlack alerts) IN 1d SUPPRESS FOR 99999999999999999 days", 1, 43, "longer than"),
        ("(2 CarbonBlack alerts) IN 9223372036854775807ms", 1, 27, "longer than"),
        ("(2 CarbonBlack alerts) IN 1d\nSUPPRESS FOR 1e400 days", 2, 14, "not a span"),
        ("(99999999999999999999 CarbonBlack alerts) IN 1d", 1, 2, "not a count of signals"),
        ("(9223372036854775807 CarbonBlack alerts) IN 1d", 1, 2, "not a count of signals"),
    ])
    func badRulesSayWhereAndWhat(_ text: String, _ line: Int, _ column: Int, _ says: String) throws {
        let e = try #require(failure(text))
        #expect(e.line == line && e.column == column, "\(e)")
        #expect(e.description.contains(says), "\(e)")
    }

    @Test func spansReadAsAnalystsWriteThem() throws {
        #expect(try Span.parse("4 Hours").ms == 4 * hour)
        #expect(try Span.parse("36h").ms == 36 * hour)
        #expect(try Span.parse("1d12h").ms == 36 * hour)
        #expect(try Span.parse("90 minutes").ms == Int64(5_400_000))
        #expect(!Span.isSpanText("4 fortnights") && !Span.isSpanText(""))
        #expect(Span(ms: 36 * hour).text == "1d12h" && Span(ms: 90 * 60_000).text == "1h30m")
    }
}
