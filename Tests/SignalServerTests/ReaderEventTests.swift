import Model
import Testing
@testable import SignalServer

/// A reader's events are read through one `MatchEvent`, started and finished for each
/// (`LiteralCache.reading`): what it keeps between events (its arrays, where keys were, the
/// index's fields list) never changes an answer. Events of other sizes, with keys in other
/// places, null and missing values and keywords give the answers a fresh cache gives, and an
/// event started on another fields list, or on its list grown, reads by that list.
struct ReaderEventTests {
    static let detections = [
        Sigma.selection("Image|endswith", "'\\cmd.exe'"),
        "selection:\n    CommandLine|contains: 'whoami'\n    User|startswith: 'CORP'\ncondition: selection",
        "selection:\n    ParentImage|endswith: '\\explorer.exe'\nfilter:\n    CommandLine: null\ncondition: selection and not filter",
        "keywords:\n    - 'mimikatz'\n    - 'sekurlsa::'\ncondition: keywords",
        "selection:\n    OriginalFileName: 'REG.EXE'\ncondition: selection",
    ]

    /// Event `n`: its fields in an order and number of their own, so that a key is seldom
    /// where it was in the event before.
    static func event(_ n: Int) -> JSONObject {
        let images = ["C:\\Windows\\cmd.exe", "C:\\Windows\\reg.exe", "C:\\Tools\\mimikatz.exe", "C:\\x.exe"]
        let commands: [JSONValue] = ["whoami /all", "reg query HKLM", .null, "cmd /c sekurlsa::logonpasswords", "notepad"]
        var members: [(String, JSONValue)] = [
            ("Image", .string(images[n % images.count])),
            ("User", n % 3 == 0 ? "CORP\\jdoe" : "NT AUTHORITY\\SYSTEM"),
            ("ParentImage", n % 4 == 0 ? "C:\\Windows\\explorer.exe" : "C:\\Windows\\services.exe"),
            ("UtcTime", .string("2026-12-06 03:\(n % 60):00.000")),
        ]
        if n % 5 != 4 { members.append(("CommandLine", commands[n % commands.count])) }
        if n % 2 == 0 { members.append(("OriginalFileName", n % 8 == 0 ? "REG.EXE" : "CMD.EXE")) }
        for extra in 0..<(n % 7) { members.append(("Extra\(extra)", .string("value \(n) \(extra)"))) }
        // Rotated by the event's number: the same keys at other positions.
        let turn = n % members.count
        var fields = JSONObject()
        for (key, value) in members[turn...] + members[..<turn] { fields[key] = value }
        return fields
    }

    @Test func oneReaderAnswersAsAFreshCacheDoes() throws {
        let index = try DerivedFieldsTests.index(Self.detections, told: false)
        var reader = LiteralCache()
        var found = Set<Int>()
        for n in 0..<300 {
            let fields = Self.event(n)
            var fresh = LiteralCache()
            let expected = index.matches(kind: "windows.process_creation", fields: fields, cache: &fresh)
            #expect(index.matches(kind: "windows.process_creation", fields: fields, cache: &reader) == expected, "event \(n): \(fields)")
            #expect(index.matchesWithoutPrefilter(kind: "windows.process_creation", fields: fields) == expected, "event \(n)")
            found.formUnion(expected)
        }
        // Every rule found something, and missed something: the answers were not all alike.
        #expect(found == Set(0..<Self.detections.count))
    }

    @Test func anEventStartedOnAnotherFieldsListReadsByThatList() {
        var first = MatchFields()
        let image = first.slot("Image")
        let fields: JSONObject = ["Image": "C:\\cmd.exe", "User": "CORP\\jdoe", "Other": "x"]
        var event = MatchEvent(fields, reading: first)
        #expect(event.position(image) == 0)
        event.finish()
        // Another list, whose slot 0 is another name, and which has more slots.
        var second = MatchFields()
        let other = second.slot("Other"), user = second.slot("User")
        event.start(fields, reading: second)
        #expect(event.position(other) == 2)
        #expect(event.position(user) == 1)
        event.finish()
        // The first list grown by a name: a new list to the event, its slots read by it.
        let grown = first.slot("User")
        event.start(fields, reading: first)
        #expect(event.position(image) == 0)
        #expect(event.position(grown) == 1)
        event.finish()
        #expect(event.fields.count == 0)
    }

    @Test func theReaderLetsGoOfEachEventsFields() throws {
        let index = try DerivedFieldsTests.index(Self.detections, told: false)
        var reader = LiteralCache()
        _ = index.matches(kind: "windows.process_creation", fields: Self.event(3), cache: &reader)
        // A reference kept would make the caller's next change to the fields copy them all.
        #expect(reader.reading.event.fields.count == 0)
        var fresh = LiteralCache()
        let expected = index.matches(kind: "windows.process_creation", fields: Self.event(0), cache: &fresh)
        #expect(!expected.isEmpty)
        #expect(index.matches(kind: "windows.process_creation", fields: Self.event(0), cache: &reader) == expected)
        #expect(reader.reading.event.fields.count == 0)
    }
}
