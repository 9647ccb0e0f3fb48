import Model

/// Wazuh manager alerts, one JSON object per line of `alerts.json` (the same objects the
/// integrations and the indexer receive): `timestamp` (`2026-11-02T14:05:40.123+0000`), `rule`
/// {`level` 0-15, `description`, `id`, `groups`, `mitre`}, `agent` {`id`, `name`, `ip`},
/// `manager`, `id` (the alert id, `1793628340.1234567`), `full_log`, `decoder`, `data`
/// (`srcip`, `dstip`, `srcuser`, `dstuser`, `url`, `win.eventdata.*`), `syscheck` (file
/// integrity), `location`.
///
/// Severity by rule level: 0-3 info, 4-7 low, 8-11 medium, 12-14 high, 15 critical.
struct WazuhFormat: Format {
    let name = "wazuh"
    var jsonMarks: [[String]] { [["timestamp", "rule"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("timestamp", "rule"), e["rule"]?.has("level") == true else { return false }
        return e.has("agent") || e.has("manager")
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        let time = try time(e, "timestamp")
        guard let level = VendorJSON.int(e.at("rule.level")) else {
            throw NormalizeError("wazuh: rule.level is not a number: \(e.at("rule.level")?.text.prefix(40) ?? "missing")")
        }
        func text(_ path: String) -> String? {
            guard let s = e.string(path), s != "-", s != "(null)" else { return nil }
            return s
        }

        var f: JSONObject = [:]
        f["wazuh.rule.level"] = .int(level)
        ECS.copy(e, "rule.id", to: "rule.id", into: &f)
        ECS.copy(e, "rule.description", to: "rule.name", into: &f)
        if let groups = e.at("rule.groups"), case .array = groups { f["wazuh.rule.groups"] = groups }
        ECS.int(e, "rule.firedtimes", to: "wazuh.rule.firedtimes", into: &f)
        for (from, to) in [("rule.mitre.id", "threat.technique.id"), ("rule.mitre.technique", "threat.technique.name"),
                           ("rule.mitre.tactic", "threat.tactic.name")]
        {
            let values = VendorJSON.strings(e.at(from))
            if !values.isEmpty { f[to] = .array(values.map { .string($0) }) }
        }
        ECS.copy(e, "agent.id", to: "agent.id", into: &f)
        ECS.copy(e, "agent.name", to: "agent.name", into: &f)
        ECS.copy(e, "agent.name", to: "host.name", into: &f)
        if let ip = text("agent.ip"), ip != "any" { f["host.ip"] = .string(ip) }
        ECS.copy(e, "manager.name", to: "observer.name", into: &f)
        ECS.copy(e, "decoder.name", to: "wazuh.decoder.name", into: &f)
        ECS.copy(e, "location", to: "wazuh.location", into: &f)
        ECS.copy(e, "full_log", to: "message", into: &f)

        // What the decoders extracted (`data`), including Windows event data.
        if let ip = text("data.srcip") ?? text("data.win.eventdata.ipAddress"), VendorJSON.isIP(ip) { f["source.ip"] = .string(ip) }
        if let port = VendorJSON.int(e.at("data.srcport") ?? e.at("data.win.eventdata.ipPort")), port > 0 { f["source.port"] = .int(port) }
        if let ip = text("data.dstip"), VendorJSON.isIP(ip) { f["destination.ip"] = .string(ip) }
        if let port = VendorJSON.int(e.at("data.dstport")), port > 0 { f["destination.port"] = .int(port) }
        ECS.user(text("data.srcuser") ?? text("data.win.eventdata.targetUserName"), into: &f)
        // Windows logs name the account's domain beside it (`targetDomainName: CORP`).
        if f["user.domain"] == nil, text("data.srcuser") == nil { ECS.copy(e, "data.win.eventdata.targetDomainName", to: "user.domain", into: &f) }
        ECS.user(text("data.dstuser"), prefix: "user.target", into: &f)
        VendorJSON.url(text("data.url"), into: &f)
        ECS.copy(e, "data.action", to: "event.action", into: &f)
        ECS.copy(e, "data.win.system.eventID", to: "event.code", into: &f)
        ECS.copy(e, "data.win.system.computer", to: "host.hostname", into: &f)
        if let process = text("data.win.eventdata.processName") ?? text("data.win.eventdata.image") {
            f["process.executable"] = .string(process)
            f["process.name"] = .string(VendorJSON.basename(process))
        }
        ECS.copy(e, "data.win.eventdata.commandLine", to: "process.command_line", into: &f)

        // File integrity monitoring.
        if let path = text("syscheck.path") {
            f["file.path"] = .string(path)
            f["file.name"] = .string(VendorJSON.basename(path))
        }
        ECS.copy(e, "syscheck.sha256_after", to: "file.hash.sha256", into: &f)
        ECS.copy(e, "syscheck.sha1_after", to: "file.hash.sha1", into: &f)
        ECS.copy(e, "syscheck.md5_after", to: "file.hash.md5", into: &f)
        ECS.copy(e, "syscheck.uname_after", to: "file.owner", into: &f)
        if f["event.action"] == nil { ECS.copy(e, "syscheck.event", to: "event.action", into: &f) }

        let description = e.string("rule.description") ?? "Wazuh rule \(e.string("rule.id") ?? "?")"
        let title = e.string("agent.name").map { "\(description) (\($0))" } ?? description
        var kind = SignalKind.wazuh
        var texts = [e.string("full_log"), e.string("data.win.eventdata.commandLine")].compactMap { $0 }
        // A Windows event Wazuh forwarded is that event: its kind and Windows' own field names,
        // so Sigma's Windows rules read it as they read the EVTX record. Wazuh's judgement
        // (rule, level, title) stays.
        if let win = WindowsEvent(wazuh: e) {
            kind = WindowsKinds.kind(win)
            var fields = WindowsFields.fields(win, kind: kind)
            for (key, value) in f where fields[key] == nil { fields[key] = value }
            f = fields
            texts += ["ParentCommandLine", "ScriptBlockText", "QueryName"].compactMap(win.text)
        }
        return [Normalized(
            time: time, source: "wazuh", sourceRef: e.string("id"), kind: kind, severity: WazuhFormat.severity(level),
            title: title, fields: f, raw: record.raw, texts: texts)]
    }

    static func severity(_ level: Int64) -> Severity {
        switch level {
        case ...3: .info
        case 4...7: .low
        case 8...11: .medium
        case 12...14: .high
        default: .critical
        }
    }
}
