import Model

/// Linux auditd's raw log: one event is the records written under one `msg=audit(TIME:SERIAL)`
/// (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, SOCKADDR... or one user-space record such as
/// USER_LOGIN or SERVICE_STOP). The line framer hands the records of one event over as one
/// record (see `AuditGrouping`), and this format makes one signal of them.
///
/// Fields keep auditd's names, so SigmaHQ's `service: auditd` rules match unchanged: `type`
/// (every record's type: a rule's `type: EXECVE` holds when the event has an EXECVE record),
/// `syscall`, `SYSCALL` (the name: from the ENRICHED format, else from the architecture's
/// table), `exe`, `comm`, `key`, `a0`..`aN`, `name`, `nametype`, `uid`, `auid`, `unit`... A name
/// several records carry (PATH's `name`; SYSCALL's raw `a0` beside EXECVE's `a0`) holds the list
/// of their values, as a field holding a list matches when any element does.
///
/// ECS beside them: `process.*` (executable, name, pid, parent pid, args, command line,
/// working directory), `user.id`, `user.audit.id`, `user.effective.id`, `user.name` (`acct`, or
/// the ENRICHED `UID`), `host.name` (`node`), `source.ip` (`addr`), `destination.ip/port` of a
/// connect, `file.path`, `event.outcome`, `tags` (the rule key).
///
/// An event with an EXECVE record is a process start (`linux.process_creation`) and also
/// carries Sigma's process_creation names (`Image`, `CommandLine`, `CurrentDirectory`,
/// `ProcessId`, `ParentProcessId`, `User` when ENRICHED names it); a created file
/// (`nametype=CREATE`) is `TargetFilename`; a connect's peer is `DestinationIp`/`DestinationPort`.
struct AuditdFormat: Format {
    let name = "auditd"

    func accepts(_ record: Record) -> Bool {
        guard let text = record.line, text.hasPrefix("type=") || text.hasPrefix("node=") else { return false }
        let first = text.prefix { $0 != "\n" }
        return AuditdRecord.parse(first) != nil
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let text = record.line else { throw NormalizeError("auditd: expected text lines") }
        var records: [AuditdRecord] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            guard let r = AuditdRecord.parse(trimmed) else {
                throw NormalizeError("auditd: not an auditd record (type=... msg=audit(TIME:SERIAL): ...): \(trimmed.prefix(80))")
            }
            records.append(r)
        }
        let meaningful = records.filter { $0.type != "EOE" }
        guard let first = meaningful.first ?? records.first else { throw NormalizeError("auditd: no record") }
        guard !meaningful.isEmpty else { throw NormalizeError.skip("auditd: an end-of-event marker (EOE) alone") }
        guard let time = AuditdRecord.time(first.stamp) else {
            throw NormalizeError("auditd: msg=audit(\(first.stamp.prefix(40))) is not a time (seconds.millis:serial)")
        }
        let event = AuditdEvent(meaningful)
        var f = event.fields()
        let execve = meaningful.contains { $0.type == "EXECVE" }
        let kind: SignalKind = execve ? .linuxProcessStart : .auditdEvent
        f["event.kind"] = .string("event")
        f["message"] = .string(text)
        let host = first.node
        if let host { f["host.name"] = .string(host) }

        let what: String
        if execve, let cmd = f["process.command_line"]?.stringValue {
            what = "\(cmd)"
        } else {
            let types = meaningful.map(\.type)
            var parts = [types.first ?? "event"]
            if let call = event.first("SYSCALL") ?? event.first("syscall"), types.first == "SYSCALL" { parts.append(call) }
            if let op = event.first("op") { parts.append(op) }
            if let unit = event.first("unit") { parts.append(unit) }
            if let exe = event.first("exe") { parts.append(exe) }
            what = parts.joined(separator: " ")
        }
        let title = "auditd: \(what.prefix(200))" + (host.map { " on \($0)" } ?? "")
        return [Normalized(
            time: time, source: "auditd", sourceRef: nil, kind: kind, severity: .info, title: title, fields: f, raw: record.raw,
            texts: [f["process.command_line"]?.stringValue].compactMap { $0 })]
    }
}

/// The records of one auditd event as one set of fields.
struct AuditdEvent {
    let records: [AuditdRecord]
    /// Every name with its distinct values, in the order first seen.
    private var values: [String: [String]] = [:]
    private var order: [String] = []

    init(_ records: [AuditdRecord]) {
        self.records = records
        add("type", records.map(\.type))
        for r in records {
            // EXECVE's long arguments come in pieces (a1_len=N a1[0]=... a1[1]=...): one value.
            var pieces: [String: String] = [:]
            for (name, value) in r.pairs {
                if r.type == "EXECVE", let open = name.firstIndex(of: "["), name.hasSuffix("]") {
                    pieces[String(name[..<open]), default: ""] += value
                    continue
                }
                if r.type == "EXECVE", name.hasSuffix("_len") { continue }
                add(name, [value])
            }
            for (name, value) in pieces.sorted(by: { $0.key < $1.key }) { add(name, [value]) }
        }
    }

    private mutating func add(_ name: String, _ more: [String]) {
        for v in more {
            if values[name] == nil { order.append(name) }
            if values[name]?.contains(v) != true { values[name, default: []].append(v) }
        }
    }

    func first(_ name: String) -> String? { values[name]?.first }

    /// A value of the one record of this type (EXECVE's `a0`, not SYSCALL's).
    func value(_ name: String, in type: String) -> String? {
        records.first { $0.type == type }?.pairs.first { $0.0 == name }?.1
    }

    /// EXECVE's arguments in order (pieces of long ones joined).
    var arguments: [String]? {
        guard let execve = records.first(where: { $0.type == "EXECVE" }) else { return nil }
        var args: [Int: String] = [:]
        for (name, value) in execve.pairs where name.first == "a" {
            var digits = name.dropFirst()
            var piece = false
            if let open = digits.firstIndex(of: "[") {
                digits = digits[..<open]
                piece = true
            }
            guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { continue }
            if piece { args[n, default: ""] += value } else { args[n] = value }
        }
        return args.keys.sorted().compactMap { args[$0] }
    }

    func fields() -> JSONObject {
        var f: JSONObject = [:]
        for name in order {
            guard let vs = values[name] else { continue }
            f[name] = vs.count == 1 ? .string(vs[0]) : .array(vs.map { .string($0) })
        }
        let syscall = value("syscall", in: "SYSCALL")
        let syscallName = value("SYSCALL", in: "SYSCALL") ?? syscall.flatMap { AuditdSyscalls.name($0, arch: value("arch", in: "SYSCALL")) }
        if let syscallName, f["SYSCALL"] == nil { f["SYSCALL"] = .string(syscallName) }
        if let syscallName { f["event.action"] = .string(syscallName) } else if let t = records.first?.type { f["event.action"] = .string(t.lowercased()) }

        // The process.
        let exe = value("exe", in: "SYSCALL") ?? first("exe")
        let cwd = first("cwd")
        if let exe { f["process.executable"] = .string(exe) }
        if let comm = first("comm") { f["process.name"] = .string(comm) } else if let exe { f["process.name"] = .string(VendorJSON.basename(exe)) }
        if let pid = first("pid"), let n = Int64(pid) { f["process.pid"] = .int(n) }
        if let ppid = first("ppid"), let n = Int64(ppid) { f["process.parent.pid"] = .int(n) }
        if let cwd { f["process.working_directory"] = .string(cwd) }
        let args = arguments
        if let args, !args.isEmpty {
            f["process.args"] = .array(args.map { .string($0) })
            f["process.command_line"] = .string(args.joined(separator: " "))
        } else if let title = first("proctitle") {
            f["process.command_line"] = .string(title)
        }

        // Who: the login (auid) stays across su and sudo; uid and euid are who it ran as.
        if let uid = value("uid", in: "SYSCALL") ?? first("uid") { f["user.id"] = .string(uid) }
        if let auid = first("auid"), auid != "4294967295", auid != "-1" { f["user.audit.id"] = .string(auid) }
        if let euid = first("euid") { f["user.effective.id"] = .string(euid) }
        let login = first("acct") ?? first("UID")
        ECS.user(login, into: &f)
        if let auid = first("AUID"), auid != "unset" { f["user.audit.name"] = .string(auid) }
        if let addr = first("addr"), VendorJSON.isIP(addr) { f["source.ip"] = .string(addr) }
        if let host = first("hostname"), VendorJSON.isHostname(host) { f["source.domain"] = .string(host) }
        if let key = first("key") { f["tags"] = .array((values["key"] ?? [key]).map { .string($0) }) }
        if let success = first("success") {
            f["event.outcome"] = .string(success == "yes" ? "success" : "failure")
        } else if let res = first("res") {
            f["event.outcome"] = .string(res == "success" || res == "1" ? "success" : "failure")
        }

        // Files: the PATH records' names; a relative one is under the CWD.
        let paths = records.filter { $0.type == "PATH" }.compactMap { r -> (name: String, nametype: String?)? in
            guard let name = r.pairs.first(where: { $0.0 == "name" })?.1 else { return nil }
            let full = name.hasPrefix("/") || cwd == nil ? name : (cwd ?? "") + (cwd?.hasSuffix("/") == true ? "" : "/") + name
            return (full, r.pairs.first { $0.0 == "nametype" || $0.0 == "objtype" }?.1)
        }
        if let file = paths.first(where: { $0.nametype != "PARENT" }) ?? paths.first {
            f["file.path"] = .string(file.name)
            f["file.name"] = .string(VendorJSON.basename(file.name))
        }
        let created = paths.filter { $0.nametype == "CREATE" }.map(\.name)
        if !created.isEmpty {
            f["TargetFilename"] = created.count == 1 ? .string(created[0]) : .array(created.map { .string($0) })
            if let exe { f["Image"] = .string(exe) }
        }

        // A connection: SOCKADDR's address, the peer of a connect.
        if let saddr = value("saddr", in: "SOCKADDR"), let (ip, port) = AuditdSockaddr.inet(saddr),
           syscallName == "connect" || syscallName == "sendto" || syscallName == "sendmsg"
        {
            f["destination.ip"] = .string(ip)
            f["destination.port"] = .int(Int64(port))
            f["DestinationIp"] = .string(ip)
            f["DestinationPort"] = .int(Int64(port))
            f["Initiated"] = .string("true")
            if let exe { f["Image"] = .string(exe) }
        }

        // Sigma's process_creation names for a process start.
        if let args, !args.isEmpty {
            if let exe { f["Image"] = .string(exe) }
            f["CommandLine"] = .string(args.joined(separator: " "))
            if let cwd { f["CurrentDirectory"] = .string(cwd) }
            if let pid = first("pid") { f["ProcessId"] = .string(pid) }
            if let ppid = first("ppid") { f["ParentProcessId"] = .string(ppid) }
            if let name = first("UID") { f["User"] = .string(name) }
        }
        return f
    }
}

/// SOCKADDR's `saddr`: a `struct sockaddr` in hex, the family little-endian (x86 and arm64),
/// the port and address in network order.
enum AuditdSockaddr {
    static func inet(_ hex: String) -> (String, Int)? {
        let u = Array(hex.utf8)
        guard u.count >= 16, u.count <= 512, u.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = 0
        while i + 1 < u.count {
            guard let b = UInt8(String(decoding: u[i...(i + 1)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(b)
            i += 2
        }
        let family = Int(bytes[0]) | Int(bytes[1]) << 8
        let port = Int(bytes[2]) << 8 | Int(bytes[3])
        switch family {
        case 2 where bytes.count >= 8:
            return ("\(bytes[4]).\(bytes[5]).\(bytes[6]).\(bytes[7])", port)
        case 10 where bytes.count >= 24:
            var groups: [String] = []
            for g in stride(from: 8, to: 24, by: 2) { groups.append(String(Int(bytes[g]) << 8 | Int(bytes[g + 1]), radix: 16)) }
            guard let ip = IPAddress(groups.joined(separator: ":")) else { return nil }
            return (ip.text, port)
        default:
            return nil
        }
    }
}
