import Model

/// Zscaler Internet Access web logs from an NSS feed with a JSON output format: one object per
/// line, bare or in the envelope Zscaler's SIEM templates put it in
/// (`{"sourcetype": "zscalernss-web", "event": {...}}`). The keys are the NSS web log field
/// names (help.zscaler.com, "NSS Feed Output Format: Web Logs"): `time` (`Fri Dec 31 07:07:07
/// 2021`, or `epochtime`), `login`, `proto`, `url` or `eurl` (host and path, no scheme),
/// `reqmethod`, `respcode`, `action`, `cip`, `sip`, `ua`, `referer`/`ereferer`, `urlcat`,
/// `threatname`, `malwarecat`, `riskscore`, `filetype`, `contenttype`, `devicehostname`, `dept`,
/// `location`, `rulelabel`. Every NSS value is text; `None` means none.
///
/// Fields are SigmaHQ's `proxy` names as for Squid (`c-uri` is `scheme://` and the logged
/// URL, so it reads as Squid's does; a CONNECT keeps `host:port`), `c-useragent`,
/// `cs-referrer`, `dst_ip` (`sip`), plus every NSS field under `zscaler.<name>` and ECS.
struct ZscalerFormat: Format {
    let name = "zscaler"

    func accepts(_ record: Record) -> Bool {
        guard let e = ZscalerFormat.event(record) else { return false }
        return e.has("reqmethod") && (e.has("url") || e.has("eurl")) && (e.has("respcode") || e.has("action"))
    }

    static func event(_ record: Record) -> JSONValue? {
        guard let json = record.json, case .object = json else { return nil }
        if let inner = json["event"], case .object = inner, json.has("sourcetype") { return inner }
        return json
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let e = ZscalerFormat.event(record), let object = e.objectValue else { throw NormalizeError("zscaler: expected a JSON object") }
        func text(_ key: String) -> String? {
            guard let v = e[key] else { return nil }
            let s: String
            switch v {
            case .string(let t): s = t
            case .int(let n): s = String(n)
            default: return nil
            }
            return s.isEmpty || s == "None" || s == "NA" ? nil : s
        }
        var time: Timestamp? = nil
        if let epoch = text("epochtime"), let n = Double(epoch) { time = Timestamp(epoch: n) }
        if time == nil, let t = text("time") {
            time = LogTime.scan(Array(t.utf8), pattern: "EEE MMM d HH:mm:ss yyyy")?.0.timestamp(reference: .now) ?? Timestamp(parsing: t)
        }
        guard let time else { throw NormalizeError("zscaler: no time (time as 'Fri Dec 31 07:07:07 2021', or epochtime)") }
        guard let url = text("url") ?? text("eurl"), let method = text("reqmethod") else {
            throw NormalizeError("zscaler: url (or eurl) and reqmethod are needed")
        }
        var f: JSONObject = [:]
        for key in object.keys.sorted() { if let v = text(key) { f["zscaler.\(key)"] = .string(v) } }
        f["message"] = .string(record.raw)
        f["event.kind"] = .string("event")
        f["event.category"] = .string("web")
        f["observer.type"] = .string("proxy")
        f["observer.vendor"] = .string("Zscaler")
        f["observer.product"] = .string("ZIA")
        f["cs-method"] = .string(method)
        f["http.request.method"] = .string(method)
        let proto = text("proto")?.uppercased()
        let scheme = proto == "HTTPS" ? "https" : proto == "HTTP" ? "http" : nil
        let full = method == "CONNECT" || scheme == nil || url.contains("://") ? url : "\(scheme ?? "http")://\(url)"
        ProxyFields.url(full, into: &f)
        WebFields.status(text("respcode"), into: &f)
        if let ip = text("cip") {
            f["c-ip"] = .string(ip)
            if VendorJSON.isIP(ip) { f["source.ip"] = .string(ip) }
        }
        if let ip = text("sip"), VendorJSON.isIP(ip) {
            f["dst_ip"] = .string(ip)
            f["destination.ip"] = .string(ip)
        }
        if let ua = text("ua") {
            f["c-useragent"] = .string(ua)
            f["user_agent.original"] = .string(ua)
        }
        if let referer = text("referer") ?? text("ereferer") {
            f["cs-referrer"] = .string(referer)
            f["http.request.referrer"] = .string(referer)
        }
        if let login = text("login") {
            f["cs-username"] = .string(login)
            ECS.user(login, into: &f)
        }
        if let host = text("devicehostname") { f["host.name"] = .string(host) }
        if let action = text("action") {
            f["s-action"] = .string(action)
            f["event.action"] = .string(action.lowercased())
            f["event.outcome"] = .string(action.lowercased() == "blocked" ? "failure" : "success")
        }
        if let n = text("reqsize").flatMap(WebFields.bytes) { f["http.request.bytes"] = .int(n) }
        if let n = text("respsize").flatMap(WebFields.bytes) { f["http.response.bytes"] = .int(n) }
        if let category = text("urlcat") { f["url.category"] = .string(category) }
        if let threat = text("threatname") { f["threat.name"] = .string(threat) }
        let blocked = text("action")?.lowercased() == "blocked"
        let threat = text("threatname") != nil || text("malwarecat") != nil
        let severity: Severity = threat ? .high : blocked ? .low : .info
        let user = text("login").map { "\($0) " } ?? ""
        let status = f["sc-status"].map { " \($0.text)" } ?? ""
        return [Normalized(
            time: time, source: "zscaler", sourceRef: nil, kind: .proxyRequest, severity: severity,
            title: "\(user)\(method) \(url.prefix(160))\(status)\(text("action").map { " (\($0))" } ?? "")", fields: f, raw: record.raw,
            texts: [url])]
    }
}
