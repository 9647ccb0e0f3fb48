import Foundation
import Model

/// Windows events for `taser bench hunt`, as evtx_dump writes them: a realistic mix of Sysmon
/// (process starts, connections, files, registry, image loads, process access) and Security
/// (logons, failed logons, process starts, special privileges), with values drawn from lists
/// of what a fleet really runs, so a Sigma ruleset's text tests see what they see in the field.
enum WindowsEventGenerator {
    static let images = [
        #"C:\Windows\System32\svchost.exe"#, #"C:\Windows\System32\cmd.exe"#, #"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"#,
        #"C:\Program Files\Google\Chrome\Application\chrome.exe"#, #"C:\Windows\explorer.exe"#, #"C:\Windows\System32\conhost.exe"#,
        #"C:\Windows\System32\rundll32.exe"#, #"C:\Windows\System32\schtasks.exe"#, #"C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE"#,
        #"C:\Windows\System32\wbem\WmiPrvSE.exe"#, #"C:\Windows\System32\taskhostw.exe"#, #"C:\Windows\System32\whoami.exe"#,
        #"C:\Users\jdoe\AppData\Local\Temp\setup.exe"#, #"C:\Windows\System32\reg.exe"#, #"C:\Windows\System32\net.exe"#,
    ]
    static let commandLines = [
        "svchost.exe -k netsvcs -p -s Schedule", "cmd.exe /c echo hello", "powershell.exe -NoProfile -Command Get-Process",
        "\"chrome.exe\" --type=renderer --lang=en-US", "explorer.exe", "conhost.exe 0xffffffff -ForceV1",
        "rundll32.exe shell32.dll,Control_RunDLL", "schtasks.exe /query /fo LIST", "\"WINWORD.EXE\" /n \"report.docx\"",
        "wmiprvse.exe -secured -Embedding", "taskhostw.exe", "whoami /all", "setup.exe /S", "reg.exe query HKLM\\Software",
        "net.exe user", "powershell.exe -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA",
    ]
    static let users = [#"CORP\jdoe"#, #"CORP\asmith"#, #"NT AUTHORITY\SYSTEM"#, #"NT AUTHORITY\NETWORK SERVICE"#, #"CORP\svc_backup"#]
    static let hosts = ["WS-0001.corp.example.com", "WS-0420.corp.example.com", "SRV-DB01.corp.example.com", "DC01.corp.example.com"]
    static let files = [
        #"C:\Users\jdoe\AppData\Local\Temp\~DF1234.tmp"#, #"C:\Windows\Prefetch\CMD.EXE-0BD30981.pf"#,
        #"C:\Users\asmith\Downloads\invoice.pdf"#, #"C:\ProgramData\Microsoft\Windows\Start Menu\Programs\Startup\run.lnk"#,
    ]
    static let keys = [
        #"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\OneDrive"#, #"HKU\S-1-5-21-1\Software\Microsoft\Office\16.0\Word\MRU"#,
        #"HKLM\System\CurrentControlSet\Services\bam\State\UserSettings"#,
    ]

    /// `count` events, one JSON object per line.
    static func ndjson(count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * 1100)
        var rng = SplitMix(seed: 16)
        let start = Timestamp(ms: 1_764_000_000_000)
        for i in 0..<count {
            func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
            let time = start.adding(ms: Int64(i) * 37)
            let host = pick(hosts)
            let image = pick(images)
            let roll = rng.next() % 100
            var system: JSONObject = [
                "Computer": .string(host), "EventRecordID": .int(Int64(i + 1)), "Level": .int(4), "Keywords": "0x8000000000000000",
                "TimeCreated": .object(["#attributes": .object(["SystemTime": .string(time.iso8601)])]),
            ]
            var data: JSONObject = [:]
            if roll < 80 {
                system["Channel"] = "Microsoft-Windows-Sysmon/Operational"
                system["Provider"] = .object(["#attributes": .object(["Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F-C22A-43E0-BF4C-06F5698FFBD9"])])
                data["UtcTime"] = .string(time.iso8601)
                data["ProcessGuid"] = .string("94F748D5-\(String(i, radix: 16))-5A42-0000-0010D265F20F")
                data["ProcessId"] = .int(Int64(rng.next() % 30_000))
                data["Image"] = .string(image)
                let id: Int64
                switch roll {
                case 0..<40:
                    id = 1
                    data["CommandLine"] = .string(pick(commandLines))
                    data["CurrentDirectory"] = #"C:\Windows\system32\"#
                    data["User"] = .string(pick(users))
                    data["IntegrityLevel"] = "Medium"
                    data["Hashes"] = .string("SHA1=CE8E487CB76704FE5FBB821A78A1E969EFBE71F9,MD5=A27A24553B2C36E139647F88DF738C35,SHA256=8F16A431C919A0AA7C9466EC1CDC1E721F30EB5C8182835585A1B74ABECB19\(String(format: "%02X", Int(rng.next() % 256)))")
                    data["ParentImage"] = .string(pick(images))
                    data["ParentCommandLine"] = .string(pick(commandLines))
                    data["OriginalFileName"] = .string(VendorName.basename(image).uppercased())
                case 40..<52:
                    id = 3
                    data["Protocol"] = "tcp"
                    data["Initiated"] = "true"
                    data["SourceIp"] = .string("10.20.\(rng.next() % 255).\(rng.next() % 255)")
                    data["SourcePort"] = .int(Int64(49152 + rng.next() % 16000))
                    data["DestinationIp"] = .string("203.0.113.\(rng.next() % 255)")
                    data["DestinationPort"] = .int(pick([443, 80, 445, 3389, 53]))
                    data["User"] = .string(pick(users))
                case 52..<62:
                    id = 11
                    data["TargetFilename"] = .string(pick(files))
                case 62..<70:
                    id = 13
                    data["EventType"] = "SetValue"
                    data["TargetObject"] = .string(pick(keys))
                    data["Details"] = "DWORD (0x00000001)"
                case 70..<76:
                    id = 7
                    data["ImageLoaded"] = #"C:\Windows\System32\ntdll.dll"#
                    data["Signed"] = "true"
                    data["Signature"] = "Microsoft Windows"
                default:
                    id = 10
                    data["SourceImage"] = .string(image)
                    data["TargetImage"] = #"C:\Windows\System32\lsass.exe"#
                    data["GrantedAccess"] = "0x1000"
                    data["CallTrace"] = #"C:\Windows\SYSTEM32\ntdll.dll+9d4c4"#
                }
                system["EventID"] = .int(id)
            } else {
                system["Channel"] = "Security"
                system["Provider"] = .object(["#attributes": .object(["Name": "Microsoft-Windows-Security-Auditing", "Guid": "54849625-5478-4994-A5BA-3E3B0328C30D"])])
                let user = pick(["jdoe", "asmith", "svc_backup", "administrator"])
                data["SubjectUserSid"] = "S-1-5-18"
                data["SubjectUserName"] = .string(host.split(separator: ".").first.map { "\($0)$" } ?? "X$")
                data["SubjectDomainName"] = "CORP"
                data["TargetUserName"] = .string(user)
                data["TargetDomainName"] = "CORP"
                let id: Int64
                switch roll {
                case 80..<88:
                    id = 4624
                    data["LogonType"] = .int(pick([2, 3, 10]))
                    data["IpAddress"] = .string("10.20.\(rng.next() % 255).\(rng.next() % 255)")
                    data["LogonProcessName"] = "NtLmSsp"
                    data["AuthenticationPackageName"] = "NTLM"
                case 88..<92:
                    id = 4625
                    data["LogonType"] = 3
                    data["IpAddress"] = .string("198.51.100.\(rng.next() % 255)")
                    data["Status"] = "0xc000006d"
                case 92..<97:
                    id = 4688
                    data["NewProcessName"] = .string(image)
                    data["CommandLine"] = .string(pick(commandLines))
                    data["ParentProcessName"] = .string(pick(images))
                    data["NewProcessId"] = "0x1a2c"
                default:
                    id = 4672
                    data["PrivilegeList"] = "SeDebugPrivilege SeBackupPrivilege"
                }
                system["EventID"] = .int(id)
            }
            let event: JSONValue = .object(["Event": .object(["System": .object(system), "EventData": .object(data)])])
            event.encode(into: &out)
            out.append(10)
        }
        return out
    }

    /// A small, fast, seeded generator: the same events every run.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum VendorName {
        static func basename(_ path: String) -> String { String(path.split(whereSeparator: { $0 == "\\" || $0 == "/" }).last ?? "") }
    }
}
