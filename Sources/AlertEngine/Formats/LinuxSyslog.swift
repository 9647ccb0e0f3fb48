import Model

/// Syslog lines from Linux hosts (auth.log, secure, messages, syslog; or forwarded as RFC 5424):
/// `Feb 21 21:54:44 host sshd[3402]: Accepted publickey for vagrant from 10.0.2.2 port 63673 ssh2`.
///
/// Every line with a syslog header and a program (the RFC 3164 TAG, the RFC 5424 APP-NAME) is
/// an event: `process.name` is the program, `process.pid` its pid, `host.name` the host that
/// wrote it, `message` what follows the header (Sigma's `service: sshd|cron|vsftpd...` rules
/// are keywords over the message, on the program's lines). What is known of a program's
/// messages is read further:
/// - sshd (and `sshd-session`, as OpenSSH 9.8 names its per-connection process): accepted and
///   failed logins and invalid users, with `user.name`, `source.ip`, `source.port` and the
///   method (`linux.ssh.login`, `linux.ssh.login_failed`);
/// - sudo: `USER : TTY=pts/0 ; PWD=/home/u ; USER=root ; COMMAND=/bin/ls`, with the refusals
///   (`user NOT in sudoers`, `N incorrect password attempts`) as failures (`linux.sudo`).
///
/// A line without a header is no syslog line, and one whose payload is CEF or LEEF is those
/// formats' (their formats read the header themselves).
struct LinuxSyslogFormat: Format {
    let name = "syslog"
    /// What a yearless RFC 3164 time is read against; nil is the clock when the record is read.
    var reference: Timestamp? = nil

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, !line.contains("\n") else { return false }
        guard Syslog.payloadStart(of: line, marker: "CEF:") == nil, Syslog.payloadStart(of: line, marker: "LEEF:") == nil else { return false }
        let m = Syslog.parse(line, reference: reference ?? .now)
        return LinuxSyslogFormat.isProgramLine(m)
    }

    /// A header with a time and a program: `Mmm dd hh:mm:ss host prog[pid]: ...` or RFC 5424.
    static func isProgramLine(_ m: SyslogMessage) -> Bool {
        switch m.header {
        case .rfc5424: return m.appName != nil
        case .rfc3164: return m.timestamp != nil && m.appName != nil
        case .none: return false
        }
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line else { throw NormalizeError("syslog: expected a text line") }
        let m = Syslog.parse(line, reference: reference ?? .now)
        guard LinuxSyslogFormat.isProgramLine(m), let program = m.appName else {
            throw NormalizeError("syslog: no syslog header with a time and a program (Mmm dd hh:mm:ss host prog[pid]: message)")
        }
        var f: JSONObject = [:]
        Syslog.fields(m, into: &f)
        f["process.name"] = .string(program)
        if let pid = m.procID, let n = Int64(pid), n >= 0 { f["process.pid"] = .int(n) }
        if let host = m.hostname, host != "-" { f["host.name"] = .string(host) }
        f["message"] = .string(m.message)
        f["event.kind"] = .string("event")
        let time = m.timestamp ?? ECS.received(into: &f)

        var kind = SignalKind.syslogMessage
        var severity = Severity.info
        var title = "\(program): \(m.message.prefix(160))"
        switch program.lowercased() {
        case "sshd", "sshd-session":
            if let login = SSHLog.read(m.message) {
                login.fill(&f)
                kind = login.accepted ? .sshLogin : .sshLoginFailed
                severity = login.accepted ? .info : .low
                let who = f["user.name"]?.stringValue ?? "?"
                let from = f["source.ip"]?.stringValue.map { " from \($0)" } ?? ""
                title = login.accepted ? "SSH login of \(who)\(from)" : "Failed SSH login of \(login.invalidUser ? "invalid user " : "")\(who)\(from)"
            }
        case "sudo":
            if let sudo = SudoLog.read(m.message) {
                sudo.fill(&f)
                kind = .sudoCommand
                severity = sudo.refused == nil ? .info : .low
                let who = sudo.user
                title = sudo.refused.map { "sudo refused for \(who): \($0)" } ?? "sudo by \(who) as \(sudo.runAs ?? "root"): \((sudo.command ?? "").prefix(160))"
            }
        default:
            break
        }
        if let host = m.hostname { title += " on \(host)" }
        return [Normalized(
            time: time, source: "syslog", sourceRef: nil, kind: kind, severity: severity, title: title, fields: f,
            raw: record.raw, texts: [m.message, f["sudo.command"]?.stringValue].compactMap { $0 })]
    }
}

/// sshd's login lines (OpenSSH's auth2.c, `auth_log`): `Accepted|Failed METHOD for [invalid user]
/// USER from ADDRESS port PORT ssh2[: KEY]`, and `Invalid user USER from ADDRESS [port PORT]`.
struct SSHLog {
    var accepted: Bool
    var invalidUser: Bool
    var method: String?
    var user: String?
    var address: String?
    var port: Int64?

    static func read(_ message: String) -> SSHLog? {
        let words = message.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 4 else { return nil }
        var out: SSHLog
        var i: Int
        if words[0] == "Accepted" || words[0] == "Failed", words.count >= 6, words[2] == "for" {
            out = SSHLog(accepted: words[0] == "Accepted", invalidUser: false, method: words[1])
            i = 3
            if words[i] == "invalid", i + 1 < words.count, words[i + 1] == "user" {
                out.invalidUser = true
                i += 2
            }
        } else if words[0] == "Invalid" || words[0] == "Illegal", words[1] == "user" {
            out = SSHLog(accepted: false, invalidUser: true, method: nil)
            i = 2
        } else {
            return nil
        }
        // The user name may be empty (`Invalid user  from ...`) or hold spaces: it runs to the
        // last `from` followed by an address.
        guard let from = words.indices.last(where: { $0 >= i && words[$0] == "from" && $0 + 1 < words.count }) else { return nil }
        let user = words[i..<from].joined(separator: " ")
        out.user = user.isEmpty ? nil : user
        out.address = words[from + 1]
        if from + 3 < words.count, words[from + 2] == "port", let p = Int64(words[from + 3]), (0...65_535).contains(p) { out.port = p }
        return out
    }

    func fill(_ f: inout JSONObject) {
        ECS.user(user, into: &f)
        if let address {
            if VendorJSON.isIP(address) { f["source.ip"] = .string(address) } else if VendorJSON.isHostname(address) { f["source.domain"] = .string(address) }
        }
        if let port { f["source.port"] = .int(port) }
        if let method { f["system.auth.ssh.method"] = .string(method) }
        f["event.category"] = .string("authentication")
        f["event.action"] = .string(accepted ? "ssh_login" : invalidUser ? "ssh_invalid_user" : "ssh_login_failed")
        f["event.outcome"] = .string(accepted ? "success" : "failure")
        if invalidUser { f["system.auth.ssh.invalid_user"] = .bool(true) }
    }
}

/// sudo's log line (sudoers' `log_format=sudo`): `USER : [REFUSAL ; ]TTY=tty ; PWD=dir ; USER=runas ;
/// [GROUP=g ; ][ENV=... ; ]COMMAND=cmd`.
struct SudoLog {
    var user: String
    var refused: String?
    var tty: String?
    var pwd: String?
    var runAs: String?
    var command: String?

    static func read(_ message: String) -> SudoLog? {
        guard let colon = message.range(of: " : ") else { return nil }
        let user = message[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, !user.contains(" ") else { return nil }
        var out = SudoLog(user: user)
        var sawField = false
        // COMMAND is last and may hold ` ; ` itself: everything after `COMMAND=` is the command.
        var rest = Substring(message[colon.upperBound...])
        if let command = rest.range(of: "COMMAND=") {
            out.command = String(rest[command.upperBound...])
            rest = rest[..<command.lowerBound]
            sawField = true
        }
        for part in rest.split(separator: ";") {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { continue }
            if let eq = item.firstIndex(of: "="), item[..<eq].allSatisfy({ $0.isUppercase }) {
                let key = item[..<eq], value = String(item[item.index(after: eq)...])
                sawField = true
                switch key {
                case "TTY": out.tty = value
                case "PWD": out.pwd = value
                case "USER": out.runAs = value
                default: break
                }
            } else {
                out.refused = item
            }
        }
        return sawField ? out : nil
    }

    func fill(_ f: inout JSONObject) {
        ECS.user(user, into: &f)
        if let runAs { f["user.effective.name"] = .string(runAs) }
        if let tty, tty != "unknown" { f["process.tty.name"] = .string(tty) }
        // The command is sudo's child, not the process that wrote the line: it stays under sudo.*.
        f["sudo.user"] = .string(user)
        if let tty { f["sudo.tty"] = .string(tty) }
        if let pwd { f["sudo.pwd"] = .string(pwd) }
        if let runAs { f["sudo.runas"] = .string(runAs) }
        if let command { f["sudo.command"] = .string(command) }
        if let refused { f["event.reason"] = .string(refused) }
        f["event.action"] = .string("sudo")
        f["event.outcome"] = .string(refused == nil ? "success" : "failure")
    }
}
