import Model
import Testing
@testable import SignalServer

@Suite struct SigmaConditionTests {
    /// Four selections; `_helper` is left out of `them`, as the specification says.
    static func detection(_ condition: String) -> String {
        Sigma.rule("""
        sel_user:
            User: alice
        sel_host:
            Computer: ws1
        filter_admin:
            CommandLine|contains: admin
        _helper:
            SourceIp: 10.0.0.1
        condition: \(condition)
        """)
    }

    static let aliceOnWs1: JSONObject = ["user.name": "alice", "host.name": "ws1"]
    static let aliceOnWs2: JSONObject = ["user.name": "alice", "host.name": "ws2"]
    static let bobAdminOnWs1: JSONObject = ["user.name": "bob", "host.name": "ws1", "process.command_line": "admin tool"]
    static let everything: JSONObject = [
        "user.name": "alice", "host.name": "ws1", "process.command_line": "run admin", "source.ip": "10.0.0.1",
    ]
    static let helperOnly: JSONObject = ["user.name": "carol", "source.ip": "10.0.0.1"]

    static let table: [(condition: String, fields: JSONObject, fires: Bool)] = [
        ("sel_user and sel_host", aliceOnWs1, true),
        ("sel_user and sel_host", aliceOnWs2, false),
        ("sel_user or sel_host", aliceOnWs2, true),
        ("sel_user or sel_host", bobAdminOnWs1, true),
        ("sel_user or sel_host", helperOnly, false),
        ("sel_user and not filter_admin", aliceOnWs1, true),
        ("sel_user and not filter_admin", everything, false),
        ("not sel_user and sel_host", bobAdminOnWs1, true),  // not binds tighter than and
        ("not sel_user and sel_host", aliceOnWs1, false),
        ("not (sel_user or sel_host)", helperOnly, true),
        ("not (sel_user or sel_host)", aliceOnWs2, false),
        ("sel_user and (sel_host or filter_admin)", aliceOnWs2, false),
        ("sel_user and (sel_host or filter_admin)", aliceOnWs1, true),
        ("sel_user and sel_host or filter_admin", bobAdminOnWs1, true),  // and binds tighter than or
        ("sel_user and (sel_host or filter_admin)", bobAdminOnWs1, false),
        ("1 of sel_*", aliceOnWs2, true),
        ("1 of sel_*", bobAdminOnWs1, true),
        ("1 of sel_*", helperOnly, false),
        ("all of sel_*", aliceOnWs1, true),
        ("all of sel_*", aliceOnWs2, false),
        ("1 of them", helperOnly, false),
        ("1 of them", bobAdminOnWs1, true),
        ("all of them", everything, true),
        ("all of them", aliceOnWs1, false),
        ("all of sel_* and not 1 of filter_*", aliceOnWs1, true),
        ("all of sel_* and not 1 of filter_*", everything, false),
        ("NOT sel_user AND sel_host", bobAdminOnWs1, true),
        ("_helper", helperOnly, true),
    ]

    @Test(arguments: table.indices)
    func condition(_ i: Int) throws {
        let c = Self.table[i]
        let (filter, problems) = Sigma.filter(Self.detection(c.condition))
        #expect(problems.isEmpty, "\(problems)")
        let matcher = try Matcher(try #require(filter))
        #expect(matcher.matches(c.fields) == c.fires, "\(c.condition) on \(c.fields)")
    }

    @Test func conditionsBuildTheFilterAnAnalystWouldWrite() {
        let user = Filter.test(field: "user.name", .equals(.text("alice")))
        let host = Filter.test(field: "host.name", .equals(.text("ws1")))
        let admin = Filter.test(field: "process.command_line", .contains("admin"))
        #expect(Sigma.filter(Self.detection("sel_user and not filter_admin")).filter == .all([user, .not(admin)]))
        #expect(Sigma.filter(Self.detection("sel_user or (sel_host and filter_admin)")).filter == .any([user, .all([host, admin])]))
        #expect(Sigma.filter(Self.detection("all of sel_*")).filter == .all([user, host]))
        #expect(Sigma.filter(Self.detection("1 of sel_*")).filter == .any([user, host]))
        #expect(Sigma.filter(Self.detection("1 of them")).filter == .any([user, host, admin]))
        #expect(Sigma.filter(Self.detection("not not sel_user")).filter == .not(.not(user)))
    }

    @Test func aListOfConditionsIsAnyOfThem() {
        let yaml = Self.detection("\n        - sel_user\n        - sel_host")
        #expect(Sigma.filter(yaml).filter == .any([
            .test(field: "user.name", .equals(.text("alice"))), .test(field: "host.name", .equals(.text("ws1"))),
        ]))
    }

    static let broken: [(condition: String, reason: String)] = [
        ("sel_user and", "ends where a selection name"),
        ("sel_user | count() by User > 10", "aggregation '| count() by User > 10' is deprecated Sigma; write it as a correlation rule"),
        ("(sel_user or sel_host", "'(' is not closed"),
        ("sel_user)", "unexpected ')'"),
        ("sel_usr", "'sel_usr' is not a selection of this detection; did you mean 'sel_user'"),
        ("2 of sel_*", "'2 of' is not Sigma"),
        ("1 of nothing_*", "names no selection"),
        ("sel_user sel_host", "unexpected 'sel_host'"),
        ("and sel_user", "expected a selection name, found 'and'"),
        ("''", "the condition is empty"),
    ]

    @Test(arguments: broken.indices)
    func brokenConditionsAreReported(_ i: Int) {
        let c = Self.broken[i]
        let (filter, problems) = Sigma.filter(Self.detection(c.condition))
        #expect(filter == nil)
        #expect(problems.mentions("test.yml: rule 'Test rule':", c.reason), "\(problems)")
    }

    @Test func aConditionProblemPointsIntoTheCondition() {
        let (_, problems) = Sigma.filter(Self.detection("sel_user and sel_usr"))
        // Line 13 (`condition:` after four selections), the column of `sel_usr` in it.
        #expect(problems.mentions("13:29:", "'sel_usr' is not a selection"), "\(problems)")
    }

    @Test func aMissingConditionIsReported() {
        let (_, problems) = Sigma.filter(Sigma.rule("selection:\n    User: alice"))
        #expect(problems.mentions("has no condition"))
    }
}
