import Model

/// Access logs written as JSON, as nginx's `log_format NAME escape=json '{...}'` is set up with
/// its variable names as keys (`remote_addr`, `remote_user`, `time_local` or `time_iso8601`,
/// `request`, `request_method`, `request_uri`, `status`, `body_bytes_sent`, `http_referer`,
/// `http_user_agent`, `host`): the same fields as the text forms (`WebAccessFormat`), read from
/// the keys. Known by `remote_addr` and `status` with a request (`request`, `request_uri`).
/// Every value is numbers-as-text in nginx's output; `status` may also be a number.
struct WebAccessJSONFormat: Format {
    let name = "access-json"

    func accepts(_ record: Record) -> Bool {
        guard let e = record.json, e.has("remote_addr"), e.has("status") else { return false }
        return e.has("request") || e.has("request_uri")
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        let e = try object(record)
        func text(_ key: String) -> String? {
            guard let v = e[key] else { return nil }
            switch v {
            case .string(let s): return WebFields.header(s)
            case .int(let n): return String(n)
            case .double(let d): return String(d)
            default: return nil
            }
        }
        let time: Timestamp
        if let local = text("time_local"), let t = LogTime.scan(Array(local.utf8), pattern: "dd/MMM/yyyy:HH:mm:ss Z")?.0.timestamp(reference: .now) {
            time = t
        } else {
            time = try self.time(e, "time_iso8601", "@timestamp", "timestamp", "time", "msec")
        }
        guard let client = text("remote_addr") else { throw NormalizeError("access-json: remote_addr is empty") }
        var f: JSONObject = [:]
        f["message"] = .string(record.raw)
        f["event.kind"] = .string("event")
        f["event.category"] = .string("web")
        f["c-ip"] = .string(client)
        if VendorJSON.isIP(client) { f["source.ip"] = .string(client) }
        if let user = text("remote_user") {
            f["cs-username"] = .string(user)
            ECS.user(user, into: &f)
        }
        if let host = text("host") ?? text("server_name") ?? text("http_host") {
            let (name, port) = WebFields.hostPort(Substring(host))
            if let name {
                f["cs-host"] = .string(name)
                f["url.domain"] = .string(name)
            }
            if let port { f["destination.port"] = .int(Int64(port)) }
        }
        if let request = text("request") {
            WebRequest.fill(request: request, into: &f)
        } else if let method = text("request_method"), let target = text("request_uri") {
            WebRequest.fill(request: "\(method) \(target) \(text("server_protocol") ?? "")", into: &f)
        }
        WebFields.status(text("status"), into: &f)
        if let n = WebFields.bytes(text("body_bytes_sent") ?? text("bytes_sent")) {
            f["sc-bytes"] = .int(n)
            f["http.response.body.bytes"] = .int(n)
        }
        if let referer = text("http_referer") {
            f["cs-referer"] = .string(referer)
            f["http.request.referrer"] = .string(referer)
        }
        if let agent = text("http_user_agent") {
            f["cs-user-agent"] = .string(agent)
            f["c-useragent"] = .string(agent)
            f["user_agent.original"] = .string(agent)
        }
        if let forwarded = text("http_x_forwarded_for") { f["http.request.x_forwarded_for"] = .string(forwarded) }
        let request = text("request") ?? [text("request_method"), text("request_uri")].compactMap { $0 }.joined(separator: " ")
        let status = f["sc-status"].map { " \($0.text)" } ?? ""
        return [Normalized(
            time: time, source: "webserver", sourceRef: nil, kind: .webRequest, severity: .info,
            title: "\(client) \(request.prefix(160))\(status)", fields: f, raw: record.raw, texts: [request])]
    }
}
