import Model

/// Squid's native access.log (`logformat squid`, the default):
///
///     1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET http://liveupdate.symantecliveupdate.com/minitri.flg - DIRECT/125.23.216.203 text/plain
///
/// time (epoch seconds.millis), elapsed ms, client, result code/status, bytes, method, URL (a
/// CONNECT's is `host:port`), user (`-`), hierarchy code/peer, content type.
///
/// Fields are SigmaHQ's `proxy` names: `c-ip`, `cs-method`, `c-uri` (the URL as Squid logged
/// it), `c-uri-stem` (its path), `c-uri-query`, `c-uri-extension`, `cs-host` and `r-dns` (the
/// requested host), `sc-status` (a number), `sc-bytes`, `cs-username`, `dst_ip` (the server Squid
/// went to, when the peer is an address), `rs-content-type`, `s-action` (TCP_MISS, TCP_DENIED...);
/// ECS beside them. Squid's native format logs no user agent or referer.
struct SquidFormat: Format {
    let name = "squid"

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, !line.contains("\n") else { return false }
        return SquidLine(line) != nil
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line, let s = SquidLine(line) else {
            throw NormalizeError("squid: not a native access.log line (TIME ELAPSED CLIENT CODE/STATUS BYTES METHOD URL USER HIERARCHY/PEER TYPE)")
        }
        guard let seconds = Double(s.time), let time = Timestamp(epoch: seconds) else {
            throw NormalizeError("squid: \(s.time.prefix(30)) is not a time (epoch seconds)")
        }
        var f: JSONObject = [:]
        f["message"] = .string(line)
        f["event.kind"] = .string("event")
        f["event.category"] = .string("web")
        f["observer.type"] = .string("proxy")
        f["observer.product"] = .string("Squid")
        f["c-ip"] = .string(s.client)
        if VendorJSON.isIP(s.client) { f["source.ip"] = .string(s.client) } else if VendorJSON.isHostname(s.client) { f["source.domain"] = .string(s.client) }
        f["s-action"] = .string(s.action)
        f["event.action"] = .string(s.action)
        if s.action.contains("DENIED") { f["event.outcome"] = .string("failure") }
        WebFields.status(s.status, into: &f)
        if let n = WebFields.bytes(s.bytes) {
            f["sc-bytes"] = .int(n)
            f["http.response.bytes"] = .int(n)
        }
        if let ms = Int64(s.elapsed), ms >= 0, ms < 1_000_000_000_000 { f["event.duration"] = .int(ms * 1_000_000) }
        f["cs-method"] = .string(s.method)
        f["http.request.method"] = .string(s.method)
        ProxyFields.url(s.url, into: &f)
        if let user = WebFields.header(s.user) {
            f["cs-username"] = .string(user)
            ECS.user(user, into: &f)
        }
        let peer = s.hierarchy.split(separator: "/", maxSplits: 1)
        if peer.count == 2 {
            f["s-hierarchy"] = .string(String(peer[0]))
            let host = String(peer[1])
            if VendorJSON.isIP(host) {
                f["dst_ip"] = .string(host)
                f["destination.ip"] = .string(host)
            }
        }
        if let type = WebFields.header(s.contentType) {
            f["rs-content-type"] = .string(type)
            f["http.response.mime_type"] = .string(type)
        }
        let status = f["sc-status"].map { " \($0.text)" } ?? ""
        return [Normalized(
            time: time, source: "proxy", sourceRef: nil, kind: .proxyRequest, severity: .info,
            title: "\(s.client) \(s.method) \(s.url.prefix(160))\(status) (\(s.action))", fields: f, raw: record.raw, texts: [s.url])]
    }
}

/// A native Squid line's ten fields.
struct SquidLine {
    var time, elapsed, client, action, status, bytes, method, url, user, hierarchy: String
    var contentType: String?

    init?(_ line: String) {
        let t = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard t.count >= 9, t.count <= 12 else { return nil }
        // 1286536308.779: ten digits of seconds and milliseconds.
        let time = t[0].split(separator: ".", omittingEmptySubsequences: false)
        guard time.count == 2, (9...11).contains(time[0].count), time[1].count == 3,
              time.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              t[1].count <= 12, t[1].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") })
        else { return nil }
        let code = t[3].split(separator: "/", omittingEmptySubsequences: false)
        guard code.count == 2, !code[0].isEmpty, code[0].allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "_" || $0.isNumber) }),
              code[1].count == 3, code[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        guard t[5].count <= 32, t[5].allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-" || $0 == "_") }), t[8].contains("/") else { return nil }
        (self.time, elapsed, client, action, status, bytes, method, url, user, hierarchy) =
            (t[0], t[1], t[2], String(code[0]), String(code[1]), t[4], t[5], t[6], t[7], t[8])
        contentType = t.count > 9 ? t[9] : nil
    }
}

/// URL fields as SigmaHQ's proxy rules read them.
enum ProxyFields {
    static func url(_ text: String, into f: inout JSONObject) {
        let target = WebFields.Target(text)
        f["c-uri"] = .string(text)
        f["c-uri-stem"] = .string(target.path)
        if let q = target.query, !q.isEmpty { f["c-uri-query"] = .string(q) }
        if let e = target.fileExtension { f["c-uri-extension"] = .string(e) }
        if let host = target.host, !host.isEmpty {
            f["cs-host"] = .string(host)
            if !VendorJSON.isIP(host) { f["r-dns"] = .string(host) }
        }
        WebFields.url(target, into: &f)
    }
}
