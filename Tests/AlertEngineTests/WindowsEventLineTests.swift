import Foundation
import Model
import Testing
@testable import AlertEngine

/// evtx_dump's JSON lines are read straight into Windows events, without the tree that parsing
/// the line builds (`WindowsEvent.init?(eventJSON:reader:scratch:)`). Read that way, an event is
/// the one the tree gives, member for member and in the same order; a line it cannot be sure
/// of (a repeated key, a key not ASCII, anything but a lone `Event` object, not JSON) is
/// parsed as before, so nothing a user sees depends on which way a line was read.
@Suite struct WindowsEventLineTests {
    static func direct(_ line: String) -> WindowsEvent? {
        var text = line, scratch = WindowsEvent.LineScratch()
        return text.withUTF8 { WindowsEvent(eventJSON: $0, reader: JSONReader(), scratch: &scratch) }
    }

    static func viaTree(_ line: String) -> WindowsEvent? {
        (try? JSONValue.parse(line)).flatMap { WindowsEvent(eventJSON: $0) }
    }

    /// The same members in the same order, and the same message.
    static func same(_ a: WindowsEvent, _ b: WindowsEvent) -> Bool {
        a.system.map(\.key) == b.system.map(\.key) && a.system == b.system && a.data.map(\.key) == b.data.map(\.key)
            && a.data == b.data && a.message == b.message
    }

    /// Every event of the reference parser's output for the public EVTX samples, as it wrote
    /// each (`"event": {...}` of its lines, with its spacing).
    static func referenceLines() throws -> [String] {
        let folder = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/evtx").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".expected.jsonl") }.sorted()
        var lines: [String] = []
        for name in names {
            for line in String(decoding: try EvtxTests.bytes(name), as: UTF8.self).split(separator: "\n") {
                // `{"id": 1, "event": {...}}`, or with the keys sorted, `{"event": {...}, "id": 1}`.
                let start = try #require(line.range(of: #""event": "#)).upperBound
                var end = line.index(before: line.endIndex)
                if let id = line.range(of: #", "id": "#, options: .backwards), id.lowerBound > start { end = id.lowerBound }
                lines.append(String(line[start..<end]))
            }
        }
        return lines
    }

    @Test func everyReferenceEventReadsAsItsTreeDoes() throws {
        let lines = try Self.referenceLines()
        #expect(lines.count > 2_700)
        for line in lines {
            let tree = try #require(Self.viaTree(line), "\(line.prefix(200))")
            let direct = try #require(Self.direct(line), "read the ordinary way: \(line.prefix(200))")
            #expect(Self.same(direct, tree), "\(line.prefix(300))")
        }
    }

    /// Lines read straight, each the event its tree gives.
    static let readStraight = [
        ##" { "Event" : { "System" : { "EventID" : { "#text" : 7036 , "#attributes" : { "Qualifiers" : 16384 } } , "Channel" : "System" } } } "##,
        ##"{"Event":{"System":{"EventID":1},"EventData":null,"UserData":{"LogFileCleared":{"SubjectUserName":"bob","#attributes":{"xmlns":"x"}}}}}"##,
        ##"{"Event":{"UserData":{"X":{"A":"u"}},"System":{"EventID":1},"EventData":{"A":"d"}}}"##,
        ##"{"Event":{"System":{"EventID":1},"RenderingInfo":{"Message":"hello","Level":"Information"}}}"##,
        ##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"P","Guid":null,"EventSourceName":"S"}},"Execution":{"#attributes":{"ProcessID":4,"ThreadID":8}},"Security":{"#attributes":{"UserID":"S-1-5-18"}},"Correlation":null,"Custom":{"#attributes":{"A":1}},"Other":{"#text":"t"},"Empty":null,"TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}}}}"##,
        ##"{"Event":{"System":{"EventID":400},"EventData":{"Data":{"#text":["a","b"]},"Binary":null,"Obj":{"#text":"x","#attributes":{"Name":"y"}},"Big":{"#text":"x","a":1,"b":2},"#attributes":{"Name":"z"}}}}"##,
        ##"{"Event":{"#attributes":{"xmlns":"x"},"Foo":1,"Foo":[2,{"a":null}],"System":{"EventID":1}}}"##,
        ##"{"Event":{"System":{"EventID":1,"Computer":"Ünïcode"},"EventData":{"CommandLine":"caf\u00e9 \"q\" C:\\x\\y","Big":12345678901234567890,"Pi":3.25}}}"##,
        ##"{"Event":{"System":{},"EventData":{}}}"##,
        // System elements of attributes only, read without their trees or, when not that
        // simple, whole (a repeated attribute keeps its last value, here null: no value).
        ##"{"Event":{"System":{"Provider":{"#text":"x","#attributes":{"Name":"P"}},"TimeCreated":{"#attributes":"x"},"Execution":"x"}}}"##,
        ##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"a","Guid":"g","Name":null}},"EventID":4}}}"##,
        ##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"a"},"#attributes":{"Guid":"g"}},"EventID":4}}}"##,
        "{\"Event\":{\"System\":{\"Security\":{\"#attributes\":{\"UserID\":\"S-1\",\"Us\u{E9}r\":1}},\"EventID\":4}}}",
        ##"{"Event":{"System":{"Correlation":{"#attributes":{"ActivityID":"{A}","RelatedActivityID":null}},"Execution":{"#attributes":{}}}}}"##,
    ]

    /// Lines read the ordinary way, each for its reason.
    static let readAsBefore = [
        ##"{"Event":{"System":{"EventID":1,"EventID":2}}}"##,  // a System key repeated
        ##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"a"}},"Provider":{"#attributes":{"Name":"b"}}}}}"##,
        ##"{"Event":{"System":{"EventID":1},"EventData":{"A":1,"A":2}}}"##,  // a data key repeated
        ##"{"Event":{"System":{"EventID":1},"System":{"EventID":2}}}"##,
        ##"{"Event":{"System":{"EventID":1},"EventData":{"A":1},"EventData":null}}"##,
        ##"{"Event":{"System":{"EventID":1},"UserData":{},"UserData":{}}}"##,
        ##"{"Event":{"System":{"EventID":1},"RenderingInfo":{},"RenderingInfo":{"Message":"m"}}}"##,
        ##"{"Event":{"System":{"EventID":1},"EventData":{"é":1}}}"##,  // keys not ASCII
        "{\"Event\":{\"System\":{\"\u{212A}eywords\":1,\"Keywords\":2}}}",
        "{\"Event\":{\"Syst\u{E9}m\":{}}}",
        ##"{"Event":{"System":{"EventID":1}},"x":1}"##,  // not a lone Event
        ##"{"x":1,"Event":{"System":{"EventID":1}}}"##,
        ##"{"Event":{"System":{"EventID":1}},"Event":{"System":{}}}"##,
        ##"{"Event":{"System":"x"}}"##,  // no System object: not an evtx_dump event at all
        ##"{"Event":{"EventData":{"A":1}}}"##,
        ##"{"Event":[1]}"##,
        ##"{"Event":{"System":{"EventID":1}}} x"##,  // not JSON
        ##"{"Event":{"System":{"EventID":1},}}"##,
        ##"{"Event":{"System":{"EventID":1}}"##,
    ]

    @Test func edgeCasesReadStraightOrAsBefore() {
        for line in Self.readStraight {
            guard let direct = Self.direct(line), let tree = Self.viaTree(line) else {
                Issue.record("not read straight: \(line)")
                continue
            }
            #expect(Self.same(direct, tree), "\(line)")
        }
        for line in Self.readAsBefore { #expect(Self.direct(line) == nil, "\(line)") }
    }

    /// A format with no marks ahead of the built-in ones: detection asks it first, so
    /// evtx_dump's lines are parsed and detected as any other line.
    struct AskedFirst: Format {
        let name = "asked-first"
        func accepts(_ record: Record) -> Bool { false }
        func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] { [] }
    }

    @Test func theRegistrySaysWhenLinesMayBeReadStraight() {
        #expect(FormatRegistry.builtIn().readsWindowsEventLines)
        #expect(FormatRegistry([OktaFormat(), WindowsEventFormat()]).readsWindowsEventLines)
        #expect(!FormatRegistry.builtIn(mappings: [AskedFirst()]).readsWindowsEventLines)
        #expect(!FormatRegistry([CSVFormat(), WindowsEventFormat()]).readsWindowsEventLines)
        #expect(!FormatRegistry([OktaFormat()]).readsWindowsEventLines)
        var registry = FormatRegistry.builtIn()
        registry.formats.insert(AskedFirst(), at: 0)
        #expect(!registry.readsWindowsEventLines)
    }

    static func signals(_ bytes: [UInt8], _ formats: FormatRegistry) throws -> (signals: [Normalized], outcome: EventReader.Outcome) {
        var signals: [Normalized] = []
        let outcome = try EventReader.read(BytesInput(bytes), name: "events.json", formats: formats) { signals.append($0) }
        return (signals, outcome)
    }

    /// A whole file of reference events, the edge cases, a broken line and another vendor's
    /// event: the same signals, refusals and reasons whichever way its lines were read.
    @Test func aFileGivesTheSameSignalsEitherWay() throws {
        let okta = #"{"uuid":"u1","published":"2024-01-01T00:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@b.c"}}"#
        let lines = try Self.referenceLines() + Self.readStraight + Self.readAsBefore + [okta, "{broken"]
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let straight = try Self.signals(bytes, .builtIn())
        let asBefore = try Self.signals(bytes, .builtIn(mappings: [AskedFirst()]))
        #expect(straight.signals.count > 2_700)
        #expect(straight.signals.count == asBefore.signals.count)
        #expect(straight.outcome.records == asBefore.outcome.records && straight.outcome.refused == asBefore.outcome.refused)
        #expect(straight.outcome.reasons == asBefore.outcome.reasons)
        for (a, b) in zip(straight.signals, asBefore.signals) {
            #expect(a.fields.map(\.key) == b.fields.map(\.key) && a.fields == b.fields, "\(a.raw.prefix(200))")
            #expect(a.time == b.time && a.kind == b.kind && a.severity == b.severity && a.source == b.source)
            #expect(a.title == b.title && a.sourceRef == b.sourceRef && a.texts == b.texts && a.raw == b.raw)
        }
    }

    /// A Windows record makes one signal, which `normalizeOne` gives without an array (the
    /// event reader asks it first); a format that may make several or none says nothing, and
    /// its records are normalized as before.
    @Test func oneSignalIsGivenWithoutAnArray() throws {
        let formats = FormatRegistry.builtIn()
        let okta = #"{"uuid":"u1","published":"2024-01-01T00:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@b.c"}}"#
        var windows = 0
        for line in try Self.referenceLines().prefix(300) + [okta] {
            var records: [Record] = []
            _ = Framer.frameLines(Array(line.utf8)[...], name: "e.json", firstLine: 1, limits: .standard, windowsEvents: true) { records.append($0) }
            let record = try #require(records.first)
            let format = try #require(formats.detect(record))
            var all: [Normalized] = [], one: Normalized?
            var refused: NormalizeError?, refusedOne: NormalizeError?
            do { all = try format.normalize(record) } catch { refused = error }
            do { one = try format.normalizeOne(record) } catch { refusedOne = error }
            #expect(refused == refusedOne, "\(line.prefix(120))")  // the same reason either way
            if refused != nil { continue }
            guard let one else {
                #expect(format.name != "windows", "\(line.prefix(120))")
                continue
            }
            windows += 1
            #expect(all.count == 1)
            let other = try #require(all.first)
            #expect(one.fields.map(\.key) == other.fields.map(\.key) && one.fields == other.fields)
            #expect(one.time == other.time && one.kind == other.kind && one.severity == other.severity && one.title == other.title)
        }
        #expect(windows > 250)
    }

    /// The event is taken out of its record by the normalizing; a record normalized again
    /// reads its line again, to the same signal.
    @Test func aRecordNormalizedTwiceGivesTheSameSignal() throws {
        let line = try #require(try Self.referenceLines().first { $0.contains("\"EventData\"") })
        var records: [Record] = []
        _ = Framer.frameLines(Array(line.utf8)[...], name: "e.json", firstLine: 1, limits: .standard, windowsEvents: true) { records.append($0) }
        let record = try #require(records.first)
        guard case .windowsEvent = record.payload else {
            Issue.record("not read straight")
            return
        }
        let format = try #require(FormatRegistry.builtIn().detect(record))
        #expect(format.name == "windows")
        let first = try format.normalize(record), second = try format.normalize(record)
        #expect(first.count == 1 && second.count == 1)
        #expect(first.first?.fields == second.first?.fields && first.first?.title == second.first?.title)
        #expect(first.first?.fields.count ?? 0 > 10)
    }

    /// Event data named like an ECS field (a collector's own fields), in EventData or System,
    /// is replaced by the ECS value, never doubled.
    @Test func dataNamedLikeECSIsReplacedNotDoubled() throws {
        let lines = [
            ##"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1","TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}},"EventData":{"Image":"C:\\a\\b.exe","host.name":"other","process.name":"x"}}}"##,
            ##"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1","TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}},"host.name":"sys"},"EventData":{"Image":"C:\\a\\b.exe"}}}"##,
            "{\"Event\":{\"System\":{\"EventID\":1,\"Computer\":\"WS1\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2024-01-01T00:00:00Z\"}}},\"EventData\":{\"Image\":\"C:\\\\b.exe\",\"\u{212A}ey\":1}}}",
        ]
        let (signals, outcome) = try Self.signals(Array(lines.joined(separator: "\n").utf8), .builtIn())
        #expect(signals.count == 3, "\(outcome.reasons)")
        for s in signals {
            let keys = s.fields.map(\.key)
            #expect(keys.count == Set(keys).count, "\(keys)")
            #expect(s.field("host.name") == "WS1" && s.field("process.name") == "b.exe")
        }
    }

    /// A registry that derives later leaves a Windows event's ECS names out until asked for;
    /// an event that already has a key of one of those names (which the ECS value writes
    /// over) gets them at once; other formats are untouched.
    @Test func derivedFieldsAreLeftOutUntilAskedFor() throws {
        let plain = ##"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1","EventRecordID":7,"TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}},"EventData":{"Image":"C:\\a\\b.exe","User":"CORP\\jdoe","CommandLine":"b.exe -x"}}}"##
        let named = plain.replacingOccurrences(of: #""User":"#, with: #""host.name":"X","User":"#)
        let okta = #"{"uuid":"u1","published":"2024-01-01T00:00:00Z","eventType":"user.session.start","actor":{"alternateId":"a@b.c"}}"#
        let bytes = Array([plain, named, okta].joined(separator: "\n").utf8)
        let whole = try Self.signals(bytes, .builtIn()).signals
        let later = try Self.signals(bytes, .builtIn().derivingLater()).signals
        #expect(whole.count == 3 && later.count == 3)
        #expect(FormatRegistry.builtIn().derivedFieldSources.isEmpty)
        #expect(FormatRegistry.builtIn().derivingLater().derivedFieldSources["process.executable"]?.contains(DerivedSource("Image")) == true)

        var left = later[0]
        #expect(left.derived != nil && left.fields["process.executable"] == nil && left.fields["host.name"] == nil)
        #expect(left.fields["Image"] == whole[0].fields["Image"] && left.texts.isEmpty)
        // The names a row shows first: the title is whole, the rest (the command line's ECS
        // name, the event code) still left out.
        left.addShownFields()
        #expect(left.derived != nil && left.title == whole[0].title && left.fields["host.name"] == "WS1")
        #expect(left.fields["user.name"] == "jdoe" && left.fields["process.name"] == "b.exe")
        #expect(left.fields["process.command_line"] == nil && left.fields["event.code"] == nil && left.texts.isEmpty)
        left.addShownFields()  // once only
        let (kept, rest) = left.shownFields()
        #expect(kept.count == left.fields.count && rest?.complete(kept) == whole[0].fields)
        left.addDerivedFields()
        #expect(left.derived == nil && left.fields == whole[0].fields && left.title == whole[0].title)
        #expect(left.texts == whole[0].texts && !left.texts.isEmpty)
        #expect(left.fields["user.name"] == "jdoe")
        left.addDerivedFields()  // once only
        #expect(left.fields == whole[0].fields)

        #expect(later[1].derived == nil && later[1].fields == whole[1].fields)
        #expect(later[1].fields["host.name"] == "WS1")
        #expect(later[2].derived == nil && later[2].fields == whole[2].fields)
    }

    /// What a timeline row reads (the title, `host.name`, `user.name`, `user.domain`) comes from
    /// the names `addShownFields` adds alone, for every kind of title: events of each titled
    /// kind with every event-data name `WindowsECS` reads, and with each one left out in turn
    /// (so that every fallback is taken), read whole and with the names left out.
    @Test func theShownNamesGiveTheWholeRow() throws {
        let kinds: [(channel: String, id: Int)] = [
            ("Microsoft-Windows-Sysmon/Operational", 1), ("Microsoft-Windows-Sysmon/Operational", 3),
            ("Microsoft-Windows-Sysmon/Operational", 22), ("Microsoft-Windows-Sysmon/Operational", 11),
            ("Microsoft-Windows-Sysmon/Operational", 23), ("Microsoft-Windows-Sysmon/Operational", 7),
            ("Microsoft-Windows-Sysmon/Operational", 6), ("Microsoft-Windows-Sysmon/Operational", 13),
            ("Microsoft-Windows-Sysmon/Operational", 10), ("Microsoft-Windows-Sysmon/Operational", 8),
            ("Security", 4624), ("Security", 4688), ("Security", 4672), ("System", 7045), ("Application", 1000),
        ]
        func value(_ name: String) -> JSONValue {
            if name.hasSuffix("Port") { return 443 }
            if name.hasSuffix("Ip") || name.hasSuffix("Address") { return "::ffff:10.1.2.3" }
            if name.hasSuffix("Hostname") || name == "WorkstationName" || name == "QueryName" { return "Host.Example.com" }
            if name.hasPrefix("Hash") { return "SHA1=AB12,MD5=CD34,IMPHASH=EF56" }
            if name == "User" { return #"CORP\jdoe"# }
            if name.hasSuffix("UserName") { return .string(name.hasPrefix("Target") ? "target" : "subject") }
            if name.hasSuffix("DomainName") { return .string(name.hasPrefix("Target") ? "TDOM" : "SDOM") }
            if name == "EventType" { return "SetValue" }
            if name == "Protocol" { return "TCP" }
            return .string(#"C:\Dir\"# + name + ".exe")
        }
        let names = WindowsData.keys.filter { !["EventID", "Channel", "Provider_Name", "Computer", "EventRecordID"].contains($0) }
        var lines: [String] = []
        for (channel, id) in kinds {
            for left in [nil] + names.map(Optional.some) {
                var data = JSONObject()
                for name in names where name != left { data[name] = value(name) }
                let system: JSONObject = [
                    "EventID": .int(Int64(id)), "Channel": .string(channel), "Computer": "WS1.corp", "EventRecordID": 9,
                    "Provider": ["#attributes": ["Name": "P"]], "TimeCreated": ["#attributes": ["SystemTime": "2024-01-01T00:00:00Z"]],
                ]
                lines.append(JSONValue.object(["Event": ["System": .object(system), "EventData": .object(data)]]).text)
            }
        }
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let whole = try Self.signals(bytes, .builtIn()).signals
        let later = try Self.signals(bytes, .builtIn().derivingLater()).signals
        #expect(whole.count == lines.count && later.count == lines.count)
        var titles = Set<String>()
        for (full, left) in zip(whole, later) {
            var shown = left
            shown.addShownFields()
            titles.insert(full.title)
            #expect(shown.title == full.title)
            for name in ["host.name", "user.name", "user.domain"] { #expect(shown.fields[name] == full.fields[name], "\(name): \(full.title)") }
            for (key, value) in shown.fields { #expect(full.fields[key] == value, "\(key): \(full.title)") }
            #expect(shown.fields.count < full.fields.count, "nothing left out of \(full.title)")
        }
        // The titles differ by kind and by what was left out: the names were read.
        #expect(titles.count > kinds.count * 2, "\(titles.count) titles")
    }


    /// The event data's values are read from the fields they were moved into, where each went:
    /// a data value of a System name (kept as `EventData_<name>`), one that replaced a System
    /// member, and spaced names; and, if the fields change before the ECS names are added, by
    /// key rather than from a place another member now holds.
    @Test func theDataIsReadFromTheFieldsItWentInto() {
        var data: JSONObject = [
            "Image": .string(#"C:\Windows\System32\cmd.exe"#), "Level": "from the data",
            "Threat Name": "Trojan:Win32/X", "User": .string(#"CORP\jdoe"#), "EventID": 99,
            "CommandLine": .string("cmd.exe /c " + String(repeating: "x", count: 40)),
        ]
        data["ParentImage"] = .string(#"C:\Windows\explorer.exe"#)
        let system: JSONObject = [
            "EventID": 1, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "WS1.corp", "Level": 4,
            "TimeCreated": ["#attributes": ["SystemTime": "2024-01-01T00:00:00Z"]],
        ]
        guard let event = WindowsEvent(eventJSON: .object(["Event": ["System": .object(system), "EventData": .object(data)]])) else {
            Issue.record("the line reads as a Windows event")
            return
        }
        let (fields, ecs) = WindowsFields.ownFields(event)
        #expect(ecs.kind == .windowsProcessCreation)
        #expect(fields["Level"] == "from the data" && fields["EventData_EventID"] == 99 && fields["EventID"] == 1)
        #expect(fields["ThreatName"] == "Trojan:Win32/X" && fields["Threat Name"] == "Trojan:Win32/X")
        #expect(ecs.data.text(.commandLine, in: fields) == fields["CommandLine"]?.stringValue)
        #expect(ecs.data.value(.eventID, in: fields) == 99)
        var added = fields
        ecs.add(to: &added)
        #expect(added["process.executable"] == fields["Image"] && added["user.name"] == "jdoe" && added["process.parent.name"] == "explorer.exe")
        // Members removed and the rest moved up: each value is still found by its key.
        var changed = JSONObject()
        for (key, value) in fields.reversed() where key != "Computer" && key != "TimeCreated_SystemTime" { changed[key] = value }
        #expect(ecs.data.text(.image, in: changed) == fields["Image"]?.stringValue)
        #expect(ecs.data.text(.user, in: changed) == #"CORP\jdoe"#)
        #expect(ecs.data.value(.targetUserName, in: changed) == nil)
        var completed = changed
        ecs.add(to: &completed)
        for key in ["process.executable", "process.command_line", "user.name", "user.domain", "process.parent.executable"] {
            #expect(completed[key] == added[key], "\(key)")
        }
    }

    /// `ownFields` looks for spaces and for ECS names only among data keys the data table does
    /// not name: no name of the table may have either.
    @Test func theDataTablesNamesHaveNoSpaceAndNoECSName() {
        #expect(WindowsData.keys.count > 50)
        for name in WindowsData.keys {
            #expect(!name.contains(" ") && !WindowsFields.derivedNames.contains(JSONKey(name)), "\(name)")
        }
    }

}
