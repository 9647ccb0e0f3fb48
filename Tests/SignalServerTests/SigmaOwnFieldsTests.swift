import Model
import Testing
@testable import SignalServer

/// A Sigma field is read from the event's own field first, the mapped (ECS) one only when the
/// event lacks it; two Sigma fields never fold into one and values are read as written
/// (issue 16: SubjectUserName and TargetUserName both became user.name, so a rule comparing
/// them could never fire).
@Suite struct SigmaOwnFieldsTests {
    static func matcher(_ detection: String, logsource: String = "product: windows\nservice: security") throws -> Matcher {
        let result = SigmaImport.read(yaml: Sigma.rule(detection, logsource: logsource), path: "o.yml")
        #expect(result.problems.isEmpty, "\(result.problems)")
        return try Matcher(try #require(result.rules.first?.rule.clauses.first?.filter))
    }

    @Test func subjectAndTargetStayTwoFields() throws {
        // A fieldref rule as SigmaHQ writes them (an account acting on itself or another).
        let m = try Self.matcher("selection:\n    EventID: 4738\nfilter:\n    SubjectUserName|fieldref: TargetUserName\ncondition: selection and not filter")
        let other: JSONObject = ["Channel": "Security", "EventID": 4738, "SubjectUserName": "admin", "TargetUserName": "victim", "user.name": "admin"]
        let itself: JSONObject = ["Channel": "Security", "EventID": 4738, "SubjectUserName": "admin", "TargetUserName": "admin", "user.name": "admin"]
        #expect(m.matches(other))
        #expect(!m.matches(itself))
    }

    @Test func theEventsOwnValueIsReadAsWritten() throws {
        let m = try Self.matcher("selection:\n    User: 'NT AUTHORITY\\SYSTEM'\ncondition: selection", logsource: "product: windows\ncategory: process_creation")
        #expect(m.matches(["User": #"NT AUTHORITY\SYSTEM"#, "user.name": "SYSTEM"]))
        // An event without the Windows field is read through the mapping (CarbonBlack's).
        #expect(m.matches(["user.name": #"NT AUTHORITY\SYSTEM"#]))
        // Where the event has its own field, the mapped one does not stand in for it.
        #expect(!m.matches(["User": "CORP\\alice", "user.name": #"NT AUTHORITY\SYSTEM"#]))
    }

    @Test func negationsAndExistsChooseTheFieldFirst() throws {
        let neq = try Self.matcher("selection:\n    Image|endswith: '\\cmd.exe'\nfilter:\n    ParentImage|endswith: '\\explorer.exe'\ncondition: selection and not filter", logsource: "product: windows\ncategory: process_creation")
        #expect(neq.matches(["Image": #"C:\cmd.exe"#, "ParentImage": #"C:\winword.exe"#, "process.parent.executable": #"C:\explorer.exe"#]))
        #expect(!neq.matches(["Image": #"C:\cmd.exe"#, "ParentImage": #"C:\explorer.exe"#]))
        #expect(neq.matches(["process.executable": #"C:\cmd.exe"#, "process.parent.executable": #"C:\winword.exe"#]))
        let exists = try Self.matcher("selection:\n    CommandLine|exists: false\ncondition: selection", logsource: "product: windows\ncategory: process_creation")
        #expect(exists.matches(["Image": "x"]))
        #expect(!exists.matches(["process.command_line": "x"]), "absent only when neither the own nor the mapped field is there")
        #expect(!exists.matches(["CommandLine": "x"]))
    }

    @Test func theWrapIsExactForEveryTest() throws {
        let tests: [Model.Test] = [.equals(.text("a")), .contains("a"), .present, .absent, .equals(.null), .oneOf([.text("a"), .text("b")])]
        let events: [JSONObject] = [[:], ["own": "a"], ["own": "b"], ["mapped": "a"], ["own": "b", "mapped": "a"], ["own": .null, "mapped": "a"]]
        for test in tests {
            for negate in [false, true] {
                let base: Filter = negate ? .not(.test(field: "own", test)) : .test(field: "own", test)
                let m = try Matcher(SigmaOwnFields.wrap(base, own: "own", mapped: "mapped"))
                for e in events {
                    // What the rule means: the own value when there is one, else the mapped one.
                    let hasOwn = e["own"].map { $0 != .null } ?? false
                    let chosen: JSONObject = hasOwn ? ["own": e["own"] ?? .null] : (e["mapped"].map { ["own": $0] } ?? [:])
                    #expect(m.matches(e) == (try Matcher(base)).matches(chosen), "\(test) negated \(negate) on \(e)")
                }
            }
        }
    }
}
