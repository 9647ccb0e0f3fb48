import Model

/// A Windows event's signal fields: every System and event-data value under its own name (so a
/// Sigma rule's `Image|endswith` reads the event as Windows wrote it), and ECS names beside
/// them for taser's rules, pivots and the console (`process.command_line`, `host.name`, ...).
enum WindowsFields {
    /// System names a data value of the same name must not replace: rules select on them.
    static let systemOwned: Set<String> = ["EventID", "Channel", "Provider_Name", "Computer", "EventRecordID"]

    /// Logons and Kerberos events, whose subject is the account in TargetUserName.
    static let logonEvents: Set<Int> = [4624, 4625, 4634, 4647, 4648, 4768, 4769, 4770, 4771, 4776, 4778, 4779]

    static func fields(_ event: WindowsEvent, kind: SignalKind) -> JSONObject {
        var f = event.system
        for (key, value) in event.data {
            if systemOwned.contains(key) { f["EventData_\(key)"] = value } else { f[key] = value }
        }
        // Defender and a few others name their data with spaces (`Threat Name`); Sigma's rules
        // write the names without them (`ThreatName`), so both are kept.
        for (key, value) in event.data where key.contains(" ") {
            let joined = key.replacingOccurrences(of: " ", with: "")
            if f[joined] == nil { f[joined] = value }
        }
        let t = event.text

        if let id = event.eventID { f["event.code"] = .string(String(id)) }
        if let p = event.provider { f["event.provider"] = .string(p) }
        if let c = event.channel { f["winlog.channel"] = .string(c) }
        if let host = event.computer { f["host.name"] = .string(host) }
        if let record = event.recordID { f["winlog.record_id"] = .string(record) }
        if let m = event.message, !m.isEmpty { f["message"] = .string(m) }

        // The process: Sysmon's names, or Security 4688's.
        let image = t("Image") ?? (event.eventID == 4688 ? t("NewProcessName") : nil)
        if let image {
            f["process.executable"] = .string(image)
            f["process.name"] = .string(VendorJSON.basename(image))
            // Sigma's process_creation names it Image; 4688 says NewProcessName.
            if f["Image"] == nil { f["Image"] = .string(image) }
        } else if let name = t("ProcessName"), VendorJSON.isPath(name) {
            f["process.executable"] = .string(name)
            f["process.name"] = .string(VendorJSON.basename(name))
        }
        if let cmd = t("CommandLine") { f["process.command_line"] = .string(cmd) }
        let parent = t("ParentImage") ?? t("ParentProcessName")
        if let parent {
            f["process.parent.executable"] = .string(parent)
            f["process.parent.name"] = .string(VendorJSON.basename(parent))
            if f["ParentImage"] == nil { f["ParentImage"] = .string(parent) }
        }
        if let cmd = t("ParentCommandLine") { f["process.parent.command_line"] = .string(cmd) }
        // 4688's ProcessId is the creator's; the new process is NewProcessId.
        let is4688 = event.eventID == 4688 && event.channel?.lowercased() == "security"
        if let pid = number(is4688 ? t("NewProcessId") : t("ProcessId")) { f["process.pid"] = .int(pid) }
        if let pid = number(is4688 ? t("ProcessId") : t("ParentProcessId")) { f["process.parent.pid"] = .int(pid) }
        if let guid = t("ProcessGuid") { f["process.entity_id"] = .string(guid) }
        if let dir = t("CurrentDirectory") { f["process.working_directory"] = .string(dir) }
        if let name = t("OriginalFileName") { f["process.pe.original_file_name"] = .string(name) }

        // Who: Sysmon's User (`DOMAIN\name`); Security's subject, or for logons the target.
        if let user = t("User") {
            ECS.user(user, into: &f)
        } else if let id = event.eventID, logonEvents.contains(id), let target = t("TargetUserName") {
            ECS.user(target, into: &f)
            if let domain = t("TargetDomainName"), f["user.domain"] == nil { f["user.domain"] = .string(domain) }
        } else if let subject = t("SubjectUserName") {
            ECS.user(subject, into: &f)
            if let domain = t("SubjectDomainName"), f["user.domain"] == nil { f["user.domain"] = .string(domain) }
            if let target = t("TargetUserName") { ECS.user(target, prefix: "user.target", into: &f) }
        } else if let target = t("TargetUserName") {
            ECS.user(target, into: &f)
        }
        if let sid = t("TargetUserSid") ?? t("SubjectUserSid") ?? event.system["Security_UserID"]?.stringValue { f["user.id"] = .string(sid) }
        if let logon = t("LogonType") { f["winlog.logon.type"] = .string(logon) }

        // Where from and to.
        if let ip = t("IpAddress") ?? t("SourceIp") ?? t("SourceAddress") ?? t("ClientAddress"), let clean = address(ip) {
            f["source.ip"] = .string(clean)
        }
        if let port = number(t("IpPort") ?? t("SourcePort")), port > 0 { f["source.port"] = .int(port) }
        if let ip = t("DestinationIp") ?? t("DestAddress"), let clean = address(ip) { f["destination.ip"] = .string(clean) }
        if let port = number(t("DestinationPort") ?? t("DestPort")), port > 0 { f["destination.port"] = .int(port) }
        if let host = t("DestinationHostname"), VendorJSON.isHostname(host) { f["destination.domain"] = .string(host.lowercased()) }
        if let host = t("SourceHostname") ?? t("WorkstationName"), VendorJSON.isHostname(host) { f["source.domain"] = .string(host.lowercased()) }
        if let proto = t("Protocol"), proto.count < 8 { f["network.transport"] = .string(proto.lowercased()) }

        // What was touched.
        if let query = t("QueryName") { f["dns.question.name"] = .string(query.lowercased()) }
        let named = t("ObjectName") ?? t("FileName")
        if let path = t("TargetFilename") ?? t("ImageLoaded") ?? named.flatMap({ VendorJSON.isPath($0) ? $0 : nil }) {
            f["file.path"] = .string(path)
            f["file.name"] = .string(VendorJSON.basename(path))
        }
        if let key = t("TargetObject") { f["registry.path"] = .string(key) }
        if let details = t("Details") ?? t("NewValue") { f["registry.data.strings"] = .string(details) }
        if let service = t("ServiceName") { f["service.name"] = .string(service) }
        if let file = t("ServiceFileName") ?? t("ImagePath") { f["service.executable"] = .string(file) }
        if let script = t("ScriptBlockText") { f["powershell.file.script_block_text"] = .string(script) }
        if let task = t("TaskName") { f["winlog.task_name"] = .string(task) }

        // Hashes: `SHA1=...,MD5=...,SHA256=...,IMPHASH=...`, the process's on a process event,
        // the file's (or DLL's) otherwise.
        if let hashes = t("Hashes") ?? t("Hash") {
            let owner = kind == .windowsProcessCreation ? "process" : "file"
            for part in hashes.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmed }
                guard pair.count == 2, !pair[1].isEmpty else { continue }
                let value = pair[1].lowercased()
                switch pair[0].lowercased() {
                case "md5": f["\(owner).hash.md5"] = .string(value)
                case "sha1": f["\(owner).hash.sha1"] = .string(value)
                case "sha256": f["\(owner).hash.sha256"] = .string(value)
                case "imphash": f["\(owner).pe.imphash"] = .string(value)
                default: continue
                }
            }
        }
        return f
    }

    /// A decimal or `0x` hex number (4688 writes its process ids in hex), bounded to Int64.
    static func number(_ text: String?) -> Int64? {
        guard let text = text?.trimmed, !text.isEmpty else { return nil }
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return Int64(text.dropFirst(2), radix: 16) }
        return Int64(text)
    }

    /// An IP as Windows writes it (`::ffff:10.0.0.5` is the IPv4 address), nil for `-`,
    /// loopback placeholders and what is not an address.
    static func address(_ text: String) -> String? {
        var s = text.trimmed
        if s.lowercased().hasPrefix("::ffff:"), VendorJSON.isIP(String(s.dropFirst(7))) { s = String(s.dropFirst(7)) }
        guard VendorJSON.isIP(s) else { return nil }
        return s
    }

    /// Security events analysts know by number, for titles.
    static let securityTitles: [Int: String] = [
        1102: "audit log cleared", 4624: "logon", 4625: "failed logon", 4634: "logoff", 4648: "logon with explicit credentials",
        4657: "registry value modified", 4663: "object accessed", 4672: "special privileges assigned", 4688: "process started",
        4697: "service installed", 4698: "scheduled task created", 4699: "scheduled task deleted", 4700: "scheduled task enabled",
        4702: "scheduled task updated", 4719: "audit policy changed", 4720: "user account created", 4722: "user account enabled",
        4723: "password change attempt", 4724: "password reset attempt", 4725: "user account disabled", 4726: "user account deleted",
        4728: "member added to a global group", 4732: "member added to a local group", 4738: "user account changed",
        4740: "user account locked out", 4756: "member added to a universal group", 4768: "Kerberos TGT requested",
        4769: "Kerberos service ticket requested", 4771: "Kerberos pre-authentication failed", 4776: "NTLM credential validation",
        4781: "account renamed", 4794: "DSRM password set attempt", 5136: "directory object modified", 5140: "network share accessed",
        5145: "network share object checked", 5156: "connection allowed by the filtering platform", 7045: "service installed",
    ]

    /// What the queue row says: what happened, to what, by whom, where.
    static func title(_ event: WindowsEvent, kind: SignalKind, fields f: JSONObject) -> String {
        let host = event.computer.map { " on \($0)" } ?? ""
        let user = f["user.name"]?.stringValue.map { " by \($0)" } ?? ""
        let id = event.eventID.map(String.init) ?? "?"
        func named(_ key: String) -> String? { f[key]?.stringValue }
        switch kind.name {
        case "windows.process_creation":
            let what = named("process.name") ?? "a process"
            let parent = named("process.parent.name").map { " from \($0)" } ?? ""
            return "\(what) started\(parent)\(user)\(host)"
        case "windows.network_connection":
            let to = named("destination.domain") ?? named("destination.ip") ?? "?"
            let port = f["destination.port"].flatMap { VendorJSON.int($0) }.map { ":\($0)" } ?? ""
            return "\(named("process.name") ?? "a process") connected to \(to)\(port)\(host)"
        case "windows.dns_query":
            return "\(named("process.name") ?? "a process") looked up \(named("dns.question.name") ?? "?")\(host)"
        case "windows.file_event", "windows.file_delete", "windows.file_change", "windows.file_executable_detected":
            return "\(kind.displayName): \(named("file.path") ?? "?")\(host)"
        case "windows.image_load", "windows.driver_load":
            return "\(kind.displayName): \(named("file.name") ?? "?") into \(named("process.name") ?? "?")\(host)"
        case "windows.registry_set", "windows.registry_add", "windows.registry_delete", "windows.registry_rename":
            return "\(kind.displayName): \(named("registry.path") ?? "?")\(host)"
        case "windows.process_access", "windows.create_remote_thread":
            let target = event.text("TargetImage").map(VendorJSON.basename) ?? "?"
            let source = event.text("SourceImage").map(VendorJSON.basename) ?? "?"
            return "\(kind.displayName): \(source) -> \(target)\(host)"
        case "windows.event":
            let channel = event.channel ?? "Windows"
            if channel.lowercased() == "security", let id = event.eventID, let what = securityTitles[id] {
                return "Security \(id) \(what)\(user)\(host)"
            }
            if channel.lowercased() == "system", event.eventID == 7045, let service = named("service.name") {
                return "System 7045 service installed: \(service)\(host)"
            }
            return "\(channel) \(id) (\(event.provider ?? "?"))\(user)\(host)"
        default:
            return "\(kind.displayName)\(user)\(host)"
        }
    }

    /// Windows' Level: 1 critical, 2 error, 3 warning, 4 and 0 information. A failed logon or
    /// a cleared log is worth more than its level says.
    static func severity(_ event: WindowsEvent) -> Severity {
        if event.channel?.lowercased() == "security", let id = event.eventID {
            if id == 1102 { return .medium }
            if id == 4625 || id == 4740 || id == 4771 { return .low }
        }
        switch VendorJSON.int(event.system["Level"]) {
        case 1: return .high
        case 2: return .medium
        case 3: return .low
        default: return .info
        }
    }
}
