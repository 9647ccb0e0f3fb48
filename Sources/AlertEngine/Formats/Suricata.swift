import Model

/// Suricata EVE JSON (`eve.json`): one event per line with `timestamp`, `event_type`, `flow_id`,
/// the 5-tuple (`src_ip`, `src_port`, `dest_ip`, `dest_port`, `proto`) and an object named after
/// the event type (`alert`, `dns`, `http`, `tls`, `fileinfo`, `flow`, `anomaly`, ...). Alerts
/// also carry the app-layer objects of their transaction, which are read the same way.
///
/// Identity: EVE has no event id, so `sourceRef` is nil and a signal is identified by the hash of
/// its line. `flow_id` cannot serve: every event of a flow shares it (alert, http, fileinfo,
/// flow), and several events of one flow share a timestamp too (each rule that matches a packet
/// logs its own alert; DNS v1 logs one event per answer record). Any key built from flow_id,
/// event_type and timestamp would merge distinct events; the line's hash never does, and
/// re-ingesting the same eve.json still stores each event once. flow_id is kept as
/// `suricata.flow_id` to pivot on.
///
/// Severity: alerts by `alert.severity` (1 high, 2 medium, 3 and above low; missing medium);
/// every other event type is info. `stats` records are engine counters, not network events:
/// they are recognized and yield no signal.
struct SuricataFormat: Format {
    let name = "suricata"
    var jsonMarks: [[String]] { [["event_type", "timestamp"]] }

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("event_type", "timestamp") else { return false }
        return e.has("src_ip") || e.has("flow_id") || e.string("event_type") == "stats"
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        guard let eventType = e.string("event_type")?.lowercased() else {
            throw NormalizeError("suricata: event_type is not a name")
        }
        let time = try time(e, "timestamp")
        if eventType == "stats" { throw .skip("suricata: a stats record (engine counters, not a network event)") }

        var f: JSONObject = [:]
        f["event.action"] = .string(eventType)
        f["suricata.event_type"] = .string(eventType)
        if let flow = e.string("flow_id") { f["suricata.flow_id"] = .string(flow) }
        ECS.int(e, "tx_id", to: "suricata.tx_id", into: &f)
        ECS.copy(e, "src_ip", to: "source.ip", into: &f)
        ECS.int(e, "src_port", to: "source.port", into: &f)
        ECS.copy(e, "dest_ip", to: "destination.ip", into: &f)
        ECS.int(e, "dest_port", to: "destination.port", into: &f)
        if let proto = e.string("proto") { f["network.transport"] = .string(proto.lowercased()) }
        if let app = e.string("app_proto"), app != "failed" { f["network.protocol"] = .string(app.lowercased()) }
        ECS.copy(e, "community_id", to: "network.community_id", into: &f)
        ECS.copy(e, "host", to: "observer.name", into: &f)
        ECS.copy(e, "in_iface", to: "observer.ingress.interface.name", into: &f)

        var severity = Severity.info
        var texts: [String] = []
        if eventType == "alert" {
            guard case .object? = e.at("alert") else { throw NormalizeError("suricata: alert event without its alert object") }
            guard let sid = e.int("alert.signature_id") else {
                throw NormalizeError("suricata: alert.signature_id is not a number: \(e.at("alert.signature_id")?.text.prefix(40) ?? "missing")")
            }
            f["rule.id"] = .int(sid)
            ECS.copy(e, "alert.signature", to: "rule.name", into: &f)
            ECS.copy(e, "alert.category", to: "rule.category", into: &f)
            ECS.int(e, "alert.rev", to: "rule.version", into: &f)
            ECS.int(e, "alert.gid", to: "suricata.alert.gid", into: &f)
            ECS.copy(e, "alert.action", to: "suricata.alert.action", into: &f)
            ECS.copy(e, "alert.metadata", to: "suricata.alert.metadata", into: &f)
            switch e.at("alert.severity") {
            case nil: severity = .medium
            case let v?:
                guard let n = e.int("alert.severity") else {
                    throw NormalizeError("suricata: alert.severity is not a number: \(v.text.prefix(40))")
                }
                severity = SuricataFormat.severity(n)
                f["suricata.alert.severity"] = .int(n)
            }
            if let signature = e.string("alert.signature") { texts.append(signature) }
        }
        if case .object? = e.at("dns") { dns(e, into: &f) }
        if case .object? = e.at("http") { http(e, into: &f) }
        if case .object? = e.at("tls") { tls(e, into: &f) }
        if case .object? = e.at("fileinfo") {
            if let name = e.string("fileinfo.filename") { f["file.name"] = .string(VendorJSON.basename(name)) }
            ECS.copy(e, "fileinfo.md5", to: "file.hash.md5", into: &f)
            ECS.copy(e, "fileinfo.sha1", to: "file.hash.sha1", into: &f)
            ECS.copy(e, "fileinfo.sha256", to: "file.hash.sha256", into: &f)
            ECS.int(e, "fileinfo.size", to: "file.size", into: &f)
            ECS.copy(e, "fileinfo.state", to: "suricata.fileinfo.state", into: &f)
            ECS.copy(e, "fileinfo.stored", to: "suricata.fileinfo.stored", into: &f)
        }
        if case .object? = e.at("flow") {
            ECS.int(e, "flow.pkts_toserver", to: "source.packets", into: &f)
            ECS.int(e, "flow.bytes_toserver", to: "source.bytes", into: &f)
            ECS.int(e, "flow.pkts_toclient", to: "destination.packets", into: &f)
            ECS.int(e, "flow.bytes_toclient", to: "destination.bytes", into: &f)
            if let t = e.string("flow.start").flatMap(Timestamp.init(parsing:)) { f["event.start"] = JSONValue(t) }
            if let t = e.string("flow.end").flatMap(Timestamp.init(parsing:)) { f["event.end"] = JSONValue(t) }
            ECS.copy(e, "flow.state", to: "suricata.flow.state", into: &f)
            ECS.copy(e, "flow.reason", to: "suricata.flow.reason", into: &f)
            ECS.copy(e, "flow.alerted", to: "suricata.flow.alerted", into: &f)
        }
        if case .object? = e.at("anomaly") {
            ECS.copy(e, "anomaly.type", to: "suricata.anomaly.type", into: &f)
            ECS.copy(e, "anomaly.event", to: "suricata.anomaly.event", into: &f)
            ECS.copy(e, "anomaly.layer", to: "suricata.anomaly.layer", into: &f)
        }

        let kind: SignalKind
        switch eventType {
        case "alert": kind = .idsAlert
        case "dns": kind = .idsDNS
        case "http": kind = .idsHTTP
        case "tls": kind = .idsTLS
        default: kind = .idsEvent
        }
        return [Normalized(
            time: time, source: "suricata", sourceRef: nil, kind: kind, severity: severity,
            title: SuricataFormat.title(eventType, e, f), fields: f, raw: record.raw, texts: texts)]
    }

    /// DNS in the three EVE layouts: v1 (one event per answer, `rrname`/`rdata` at the top), v2
    /// (`answers` and/or `grouped`), v3 of Suricata 8 (`queries` array, `request`/`response`).
    func dns(_ e: JSONValue, into f: inout JSONObject) {
        let type = (e.string("dns.type") ?? "").lowercased()
        let isAnswer = type == "answer" || type == "response"
        f["dns.type"] = .string(isAnswer ? "answer" : "query")
        ECS.int(e, "dns.id", to: "dns.id", into: &f)
        let question = e.string("dns.rrname") ?? e.string("dns.queries.0.rrname")
        if let question { f["dns.question.name"] = .string(VendorJSON.hostname(question)) }
        if let qtype = e.string("dns.rrtype") ?? e.string("dns.queries.0.rrtype") { f["dns.question.type"] = .string(qtype) }
        guard isAnswer else { return }
        ECS.copy(e, "dns.rcode", to: "dns.response_code", into: &f)
        var answers: [JSONValue] = []
        func answer(name: String?, type: String?, ttl: Int64?, data: String) {
            var a: JSONObject = ["data": .string(data)]
            if let name { a["name"] = .string(VendorJSON.hostname(name)) }
            if let type { a["type"] = .string(type) }
            if let ttl { a["ttl"] = .int(ttl) }
            answers.append(.object(a))
        }
        if let list = e.at("dns.answers")?.arrayValue {
            for a in list {
                if let data = a.string("rdata") { answer(name: a.string("rrname"), type: a.string("rrtype"), ttl: a.int("ttl"), data: data) }
            }
        } else if let grouped = e.at("dns.grouped")?.objectValue {
            for rrtype in grouped.keys.sorted() {
                for data in VendorJSON.strings(grouped[rrtype]) { answer(name: question, type: rrtype, ttl: nil, data: data) }
            }
        } else if let data = e.string("dns.rdata") {
            answer(name: question, type: e.string("dns.rrtype"), ttl: e.int("dns.ttl"), data: data)
        }
        if !answers.isEmpty { f["dns.answers"] = .array(answers) }
        let resolved = answers.filter { ["A", "AAAA"].contains($0.string("type") ?? "") }.compactMap { $0.string("data") }
        var unique: [String] = []
        for ip in resolved where !unique.contains(ip) { unique.append(ip) }
        if !unique.isEmpty { f["dns.resolved_ip"] = .array(unique.map { .string($0) }) }
    }

    /// HTTP: `url` is usually the request target (`/path?q`), an absolute URL through proxies.
    /// `url.full` is rebuilt from the Host header (or the server's address) and the target.
    func http(_ e: JSONValue, into f: inout JSONObject) {
        let host = e.string("http.hostname").map { VendorJSON.hostname($0).lowercased() }
        if let host, !VendorJSON.isIP(host) {
            // The name the client asked for is the destination's, as the TLS SNI is (rules and
            // pivots read destination.domain for both).
            f["url.domain"] = .string(host)
            f["destination.domain"] = .string(host)
        }
        if let target = e.string("http.url") {
            VendorJSON.url(target, into: &f)
            if f["url.original"] == nil {
                let authority = host ?? e.string("dest_ip") ?? ""
                let port = e.int("http.http_port").map { $0 == 80 ? "" : ":\($0)" } ?? ""
                f["url.full"] = .string("http://\(authority)\(port)\(target.hasPrefix("/") ? "" : "/")\(target)")
            } else {
                f["url.full"] = .string(target)
                let afterScheme = target.range(of: "://").map { target[$0.upperBound...] } ?? target[...]
                let pathAndQuery = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
                VendorJSON.url(pathAndQuery, into: &f)
            }
        }
        ECS.copy(e, "http.http_method", to: "http.request.method", into: &f)
        ECS.int(e, "http.status", to: "http.response.status_code", into: &f)
        ECS.copy(e, "http.http_user_agent", to: "user_agent.original", into: &f)
        ECS.copy(e, "http.http_refer", to: "http.request.referrer", into: &f)
        ECS.copy(e, "http.http_content_type", to: "http.response.mime_type", into: &f)
        ECS.int(e, "http.length", to: "http.response.body.bytes", into: &f)
        if let proto = e.string("http.protocol"), let slash = proto.firstIndex(of: "/") {
            f["http.version"] = .string(String(proto[proto.index(after: slash)...]))
        }
    }

    /// TLS: `version` reads `TLS 1.3`, `SSLv3` or `UNDETERMINED`; `fingerprint` is the server
    /// certificate's SHA-1 with colons.
    func tls(_ e: JSONValue, into f: inout JSONObject) {
        if let sni = e.string("tls.sni") {
            let name = VendorJSON.hostname(sni).lowercased()
            f["tls.client.server_name"] = .string(name)
            f["destination.domain"] = .string(name)
        }
        if let version = e.string("tls.version"), version != "UNDETERMINED" {
            let lower = version.lowercased()
            if lower.hasPrefix("tls ") {
                f["tls.version_protocol"] = "tls"
                f["tls.version"] = .string(String(version.dropFirst(4)))
            } else if lower.hasPrefix("sslv") {
                f["tls.version_protocol"] = "ssl"
                f["tls.version"] = .string(String(version.dropFirst(4)))
            } else {
                f["tls.version"] = .string(version)
            }
        }
        ECS.copy(e, "tls.ja3.hash", to: "tls.client.ja3", into: &f)
        ECS.copy(e, "tls.ja3s.hash", to: "tls.server.ja3s", into: &f)
        ECS.copy(e, "tls.ja4", to: "tls.client.ja4", into: &f)
        ECS.copy(e, "tls.subject", to: "tls.server.subject", into: &f)
        ECS.copy(e, "tls.issuerdn", to: "tls.server.issuer", into: &f)
        ECS.copy(e, "tls.serial", to: "tls.server.x509.serial_number", into: &f)
        if let fp = e.string("tls.fingerprint") {
            f["tls.server.hash.sha1"] = .string(fp.replacingOccurrences(of: ":", with: "").uppercased())
        }
        if let t = e.string("tls.notbefore").flatMap(Timestamp.init(parsing:)) { f["tls.server.not_before"] = JSONValue(t) }
        if let t = e.string("tls.notafter").flatMap(Timestamp.init(parsing:)) { f["tls.server.not_after"] = JSONValue(t) }
    }

    static func severity(_ eve: Int64) -> Severity {
        switch eve {
        case ...1: .high
        case 2: .medium
        default: .low
        }
    }

    static func title(_ type: String, _ e: JSONValue, _ f: JSONObject) -> String {
        let src = e.string("src_ip") ?? "?"
        let dst = e.string("dest_ip") ?? "?"
        let dport = e.string("dest_port").map { ":\($0)" } ?? ""
        let tuple = "\(src) → \(dst)\(dport)"
        switch type {
        case "alert":
            return "\(e.string("alert.signature") ?? "Suricata alert \(e.string("alert.signature_id") ?? "")"): \(tuple)"
        case "dns":
            let name = f["dns.question.name"]?.stringValue ?? "?"
            guard f["dns.type"]?.stringValue == "answer" else { return "DNS query for \(name)" }
            let data = (f["dns.answers"]?.arrayValue ?? []).compactMap { $0.string("data") }
            var shown: [String] = []
            for d in data where !shown.contains(d) { shown.append(d) }
            if shown.isEmpty { return "DNS answer for \(name) (\(e.string("dns.rcode") ?? "no records"))" }
            return "DNS answer for \(name): \(shown.prefix(3).joined(separator: ", "))\(shown.count > 3 ? ", …" : "")"
        case "http":
            let method = e.string("http.http_method") ?? "HTTP"
            let url = f["url.full"]?.stringValue ?? "request to \(dst)\(dport)"
            let status = e.string("http.status").map { " (\($0))" } ?? ""
            return "\(method) \(url)\(status)"
        case "tls":
            return "TLS to \(f["tls.client.server_name"]?.stringValue ?? "\(dst)\(dport)")"
        case "fileinfo":
            let file = f["file.name"]?.stringValue ?? "file"
            let proto = f["network.protocol"]?.stringValue.map { " over \($0.uppercased())" } ?? ""
            return "File \(file) transferred\(proto): \(tuple)"
        case "flow":
            let proto = e.string("proto") ?? "IP"
            let app = f["network.protocol"]?.stringValue.map { " (\($0))" } ?? ""
            return "\(proto) flow \(src) → \(dst)\(dport)\(app)"
        case "anomaly":
            return "Network anomaly \(e.string("anomaly.event") ?? e.string("anomaly.type") ?? ""): \(tuple)"
        default:
            return "Suricata \(type) event: \(tuple)"
        }
    }
}
