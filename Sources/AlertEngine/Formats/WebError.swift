import Model

/// Web servers' error logs, for Sigma's `service: apache` and `service: nginx` rules (keywords
/// over the message, such as `exit signal Segmentation Fault`):
///
///     Apache 2.4: [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 10.0.0.5:51234] AH00037: ...
///     Apache 2.2: [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test
///     nginx:      2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, ...
///
/// `service.type` says which server wrote it (the two forms differ), `log.level` the level,
/// `message` the text after the bracketed prefixes, `source.ip` the client when named.
struct WebErrorFormat: Format {
    let name = "web-error"

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, !line.contains("\n") else { return false }
        return WebErrorLine(line) != nil
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line, let e = WebErrorLine(line) else {
            throw NormalizeError("web-error: not an Apache ([Www Mmm dd hh:mm:ss yyyy] [level] ...) or nginx (yyyy/mm/dd hh:mm:ss [level] pid#tid: ...) error log line")
        }
        var f: JSONObject = [:]
        f["message"] = .string(e.message)
        f["event.kind"] = .string("event")
        f["event.category"] = .string("web")
        f["service.type"] = .string(e.server)
        f["log.level"] = .string(e.level)
        if let module = e.module { f["apache.error.module"] = .string(module) }
        if let pid = e.pid { f["process.pid"] = .int(pid) }
        if let client = e.client {
            if VendorJSON.isIP(client) { f["source.ip"] = .string(client) } else if let (ip, port) = ECS.splitPort(client) {
                f["source.ip"] = .string(ip)
                f["source.port"] = .int(Int64(port))
            }
        }
        let severity: Severity = ["emerg", "alert", "crit"].contains(e.level) ? .medium : .info
        return [Normalized(
            time: e.time, source: "webserver", sourceRef: nil, kind: .webServerError, severity: severity,
            title: "\(e.server) \(e.level): \(e.message.prefix(160))", fields: f, raw: record.raw, texts: [e.message])]
    }
}

struct WebErrorLine {
    var server: String
    var time: Timestamp
    var level: String
    var module: String?
    var pid: Int64?
    var client: String?
    var message: String

    static let levels: Set<String> = ["emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"]

    init?(_ line: String) {
        if line.hasPrefix("[") {
            // Apache: bracketed prefixes, the first the time.
            var rest = Substring(line)
            var brackets: [Substring] = []
            while rest.hasPrefix("["), brackets.count < 6, let close = rest.firstIndex(of: "]") {
                brackets.append(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...].drop { $0 == " " }
            }
            guard brackets.count >= 2 else { return nil }
            let stamp = Array(String(brackets[0]).utf8)
            guard let t = (LogTime.scan(stamp, pattern: "EEE MMM d HH:mm:ss.SSSSSS yyyy") ?? LogTime.scan(stamp, pattern: "EEE MMM d HH:mm:ss yyyy"))?
                .0.timestamp(reference: .now)
            else { return nil }
            let levelText = brackets[1].split(separator: ":").last.map(String.init) ?? ""
            guard WebErrorLine.levels.contains(levelText) || levelText.hasPrefix("trace") else { return nil }
            server = "apache"
            time = t
            level = levelText
            module = brackets[1].contains(":") ? brackets[1].split(separator: ":").first.map(String.init) : nil
            for b in brackets.dropFirst(2) {
                if b.hasPrefix("pid "), let n = Int64(b.dropFirst(4).prefix { $0.isNumber }) { pid = n }
                if b.hasPrefix("client ") { client = String(b.dropFirst(7)) }
            }
            message = String(rest)
            return
        }
        // nginx: `yyyy/mm/dd hh:mm:ss [level] pid#tid: message`.
        let u = Array(line.utf8)
        guard u.count > 22, let (parts, end) = LogTime.scan(u, pattern: "yyyy/MM/dd HH:mm:ss", prefix: true), let t = parts.timestamp(reference: .now)
        else { return nil }
        var rest = Substring(String(decoding: u[end...], as: UTF8.self)).drop { $0 == " " }
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { return nil }
        let levelText = String(rest[rest.index(after: rest.startIndex)..<close])
        guard WebErrorLine.levels.contains(levelText) else { return nil }
        rest = rest[rest.index(after: close)...].drop { $0 == " " }
        let ids = rest.prefix { $0 != ":" && $0 != " " }
        guard ids.contains("#"), rest.dropFirst(ids.count).hasPrefix(":") else { return nil }
        server = "nginx"
        time = t
        level = levelText
        pid = Int64(ids.prefix { $0 != "#" })
        message = String(rest.dropFirst(ids.count + 1).drop { $0 == " " })
        if let c = message.range(of: ", client: ") {
            client = String(message[c.upperBound...].prefix { $0 != "," })
        }
    }
}
