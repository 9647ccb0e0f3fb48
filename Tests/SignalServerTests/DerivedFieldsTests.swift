import Model
import Testing
@testable import SignalServer

/// `RuleIndex.matchesLeavingOutDerived`: an event read without the fields its format derives
/// from its own (a Windows event's ECS names) is answered without them only when they could
/// not change the answer; otherwise nil, and the caller adds them. Each answer given is
/// checked against `matches` of the event with the derived fields added.
struct DerivedFieldsTests {
    /// A Windows-like derivation: `process.executable` from `Image` (or 4688's
    /// `NewProcessName`), `user.name` from `User` or `SubjectUserName`, `event.code` from
    /// `EventID` (a number, as text).
    static let sources: [String: [DerivedSource]] = [
        "process.executable": [DerivedSource("Image"), DerivedSource("NewProcessName", eventID: 4688)],
        "user.name": [DerivedSource("User"), DerivedSource("SubjectUserName")],
        "event.code": [DerivedSource("EventID")],
    ]

    static func derive(_ own: JSONObject) -> JSONObject {
        var f = own
        let eventID = own["EventID"].flatMap { v -> Int64? in if case .int(let n) = v { return n } else { return nil } }
        if let image = own["Image"]?.stringValue ?? (eventID == 4688 ? own["NewProcessName"]?.stringValue : nil) {
            f["process.executable"] = .string(image)
        }
        if let user = own["User"]?.stringValue ?? own["SubjectUserName"]?.stringValue { f["user.name"] = .string(user) }
        if let id = eventID { f["event.code"] = .string(String(id)) }
        return f
    }

    static func index(_ detections: [String], category: String = "process_creation", told: Bool = true) throws -> RuleIndex {
        var yaml: [String] = []
        for (i, d) in detections.enumerated() {
            yaml.append(Sigma.rule(d, title: "rule \(i)", logsource: "product: windows\ncategory: \(category)"))
        }
        let imported = SigmaImport.read(yaml: yaml.joined(separator: "\n---\n"), path: "test.yml")
        #expect(imported.problems.isEmpty, "\(imported.problems)")
        var index = try RuleIndex(imported.rules.map { ($0.name, $0.rule) })
        if told { index.expectingDerived(sources) }
        return index
    }

    /// The index's answer without the derived fields, checked against the answer with them
    /// when it gives one.
    static func answer(_ index: RuleIndex, _ own: JSONObject, kind: String = "windows.process_creation") -> [Int]? {
        var cache = LiteralCache()
        let left = index.matchesLeavingOutDerived(kind: kind, fields: own, cache: &cache)
        if let left { #expect(left == index.matches(kind: kind, fields: derive(own)), "\(own)") }
        return left
    }

    @Test func aRuleReadingTheOwnFieldNeedsTheDerivedOneOnlyWhereTheOwnIsMissingAndASourceIsThere() throws {
        // `Image` is read from the event's own `Image`, or `process.executable` where it has none.
        let index = try Self.index([Sigma.selection("Image|endswith", "'\\cmd.exe'")])
        #expect(Self.answer(index, ["EventID": .int(1), "Image": "C:\\Windows\\cmd.exe"]) == [0])
        #expect(Self.answer(index, ["EventID": .int(1), "Image": "C:\\Windows\\notepad.exe"]) == [])
        // No Image: on 4688 its NewProcessName gives process.executable, so the answer needs it.
        #expect(Self.answer(index, ["EventID": .int(4688), "NewProcessName": "C:\\Windows\\cmd.exe"]) == nil)
        // On another EventID that source does not count, and no other is there.
        #expect(Self.answer(index, ["EventID": .int(1), "NewProcessName": "C:\\Windows\\cmd.exe"]) == [])
        // A null Image is missing to the rule, and is there as a source (which fields the
        // format derives from which values is its own business): the derived ones are asked for.
        #expect(Self.answer(index, ["EventID": .int(1), "Image": .null, "User": "CORP\\x"]) == nil)
        #expect(Self.answer(index, ["EventID": .int(4688), "Image": .null, "NewProcessName": "C:\\Windows\\cmd.exe"]) == nil)
    }

    @Test func aRuleNamingADerivedFieldItselfAlwaysNeedsIt() throws {
        let index = try Self.index([Sigma.selection("process.executable|endswith", "'\\cmd.exe'")])
        #expect(Self.answer(index, ["EventID": .int(1), "Image": "C:\\Windows\\cmd.exe"]) == nil)
        #expect(Self.answer(index, ["EventID": .int(1)]) == nil)
    }

    @Test func keywordsNeedTheDerivedFieldsOnlyWhenTheyCouldFindTextThereAlone() throws {
        let event: JSONObject = ["EventID": .int(4688), "NewProcessName": "C:\\Tools\\mimikatz.exe", "CommandLine": "x"]
        // Text with a letter no number's text has is in a derived value only if it is in the
        // value it was derived from.
        #expect(Self.answer(try Self.index(["keywords:\n    - 'mimikatz'\ncondition: keywords"]), event) == [0])
        #expect(Self.answer(try Self.index(["keywords:\n    - 'sekurlsa'\ncondition: keywords"]), event) == [])
        // Digits (or `true`, `1e5`) may be in a number's text, which keywords read only there.
        #expect(Self.answer(try Self.index(["keywords:\n    - '4688'\ncondition: keywords"]), event) == nil)
        #expect(Self.answer(try Self.index(["keywords:\n    - 'true'\ncondition: keywords"]), event) == nil)
        // A regex may match a part that its whole does not.
        #expect(Self.answer(try Self.index(["keywords:\n    '|re': '^mimikatz'\ncondition: keywords"]), event) == nil)
    }

    @Test func derivedReadsCountOnlyOnTheirRulesEventIDs() throws {
        // `User` (user.name where missing) is read only by a rule for 4624.
        let index = try Self.index(
            ["selection:\n    EventID: 4624\n    User|contains: 'adm'\ncondition: selection", Sigma.selection("CommandLine|contains", "'whoami'")],
            category: "process_creation")
        #expect(Self.answer(index, ["EventID": .int(4688), "SubjectUserName": "admin", "CommandLine": "whoami"]) == [1])
        #expect(Self.answer(index, ["EventID": .int(4624), "SubjectUserName": "admin", "CommandLine": "whoami"]) == nil)
        #expect(Self.answer(index, ["EventID": .int(4624), "User": "admin", "CommandLine": "whoami"]) == [0, 1])
    }

    @Test func anIndexNotToldOfDerivedFieldsNeedsThemForEveryEventOfItsKinds() throws {
        let index = try Self.index([Sigma.selection("CommandLine|contains", "'whoami'")], told: false)
        #expect(Self.answer(index, ["EventID": .int(1), "CommandLine": "whoami"]) == nil)
        // An event of a kind no rule is for has no answer to change.
        #expect(Self.answer(index, ["EventID": .int(1)], kind: "windows.dns_query") == [])
    }
}
