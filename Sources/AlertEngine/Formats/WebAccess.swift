import Model

/// Web servers' access logs in the NCSA forms Apache and nginx write by default:
///
///     common:    127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326
///     combined:  ... "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"
///
/// with a virtual host first (`vhost_combined`, `www.example.com:443 127.0.0.1 - - [...]`) and
/// fields nginx appends after the user agent (`"$http_x_forwarded_for"`) allowed. Quoted values
/// escape `"` as `\"` (Apache) or `\x22` (nginx); a request that is not `METHOD TARGET
/// VERSION` (a TLS handshake sent to a plain port, `-`) keeps its text only.
///
/// Fields are SigmaHQ's `webserver` names: `c-ip`, `cs-username`, `cs-method`, `cs-uri-stem`
/// (the path), `cs-uri-query`, `cs-version`, `sc-status` (a number), `sc-bytes`, `cs-referer`,
/// `cs-user-agent`, `cs-host` (the virtual host). `cs-uri-query` is the whole request target as
/// sent (path and query), because that is how SigmaHQ's webserver rules use it
/// (`cs-uri-query|endswith: '/mgmt/tm/util/bash'`, `cs-uri-query|contains: '~1'` with
/// `endswith: 'a.aspx'`); ECS's `url.query` is the query alone. `message` is the whole line, which
/// the rules' keywords (`'=select '`, `'../../'`) search. ECS: `source.ip`, `user.name`,
/// `http.*`, `url.*`, `user_agent.original`.
struct WebAccessFormat: Format {
    let name = "access"

    func accepts(_ record: Record) -> Bool {
        guard let line = record.line, !line.contains("\n") else { return false }
        return AccessLine.parse(line) != nil
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard let line = record.line, let a = AccessLine.parse(line) else {
            throw NormalizeError("access: not an access log line (HOST IDENT USER [dd/Mon/yyyy:hh:mm:ss zone] \"REQUEST\" STATUS BYTES)")
        }
        guard let time = LogTime.scan(Array(a.time.utf8), pattern: "dd/MMM/yyyy:HH:mm:ss Z")?.0.timestamp(reference: .now) else {
            throw NormalizeError("access: [\(a.time.prefix(40))] is not a time (dd/Mon/yyyy:hh:mm:ss +zzzz)")
        }
        var f: JSONObject = [:]
        f["message"] = .string(line)
        f["event.kind"] = .string("event")
        f["event.category"] = .string("web")
        f["c-ip"] = .string(a.client)
        if VendorJSON.isIP(a.client) { f["source.ip"] = .string(a.client) } else if VendorJSON.isHostname(a.client) { f["source.domain"] = .string(a.client) }
        if let user = WebFields.header(a.user) {
            f["cs-username"] = .string(user)
            ECS.user(user, into: &f)
        }
        if let vhost = a.vhost {
            let (host, port) = WebFields.hostPort(Substring(vhost))
            if let host {
                f["cs-host"] = .string(host)
                f["url.domain"] = .string(host)
                f["destination.domain"] = VendorJSON.isIP(host) ? nil : .string(host)
            }
            if let port { f["destination.port"] = .int(Int64(port)) }
        }
        WebRequest.fill(request: a.request, into: &f)
        WebFields.status(a.status, into: &f)
        if let n = WebFields.bytes(a.bytes) {
            f["sc-bytes"] = .int(n)
            f["http.response.body.bytes"] = .int(n)
        }
        if let referer = WebFields.header(a.referer) {
            f["cs-referer"] = .string(referer)
            f["http.request.referrer"] = .string(referer)
        }
        if let agent = WebFields.header(a.userAgent) {
            f["cs-user-agent"] = .string(agent)
            f["c-useragent"] = .string(agent)
            f["user_agent.original"] = .string(agent)
        }
        let status = f["sc-status"].map { " \($0.text)" } ?? ""
        let title = "\(a.client) \(a.request.prefix(160))\(status)"
        return [Normalized(
            time: time, source: "webserver", sourceRef: nil, kind: .webRequest, severity: .info, title: title, fields: f,
            raw: record.raw, texts: [a.request, a.referer ?? ""].filter { !$0.isEmpty })]
    }
}

/// The request line (`GET /a?b HTTP/1.1`) into the Sigma and ECS request fields.
enum WebRequest {
    static func fill(request: String, into f: inout JSONObject) {
        let parts = request.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 || parts.count == 2, parts[0].count <= 32, parts[0].allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-" || $0 == "_") }) else {
            if let r = WebFields.header(request) { f["http.request.line"] = .string(r) }
            return
        }
        let method = String(parts[0])
        f["cs-method"] = .string(method)
        f["http.request.method"] = .string(method)
        let target = WebFields.Target(String(parts[1]))
        f["cs-uri"] = .string(target.original)
        f["cs-uri-stem"] = .string(target.path)
        f["cs-uri-query"] = .string(target.original)
        WebFields.url(target, into: &f)
        if parts.count == 3 {
            f["cs-version"] = .string(String(parts[2]))
            if parts[2].hasPrefix("HTTP/") { f["http.version"] = .string(String(parts[2].dropFirst(5))) }
        }
    }
}

/// One access log line taken apart (no meaning given yet).
struct AccessLine {
    var vhost: String?
    var client: String
    var ident: String
    var user: String
    var time: String
    var request: String
    var status: String
    var bytes: String
    var referer: String?
    var userAgent: String?

    static func parse(_ line: String) -> AccessLine? {
        let u = Array(line.utf8)
        guard u.count >= 20, let open = u.firstIndex(of: UInt8(ascii: "[")), open <= 600 else { return nil }
        // The tokens before the date: HOST IDENT USER, or VHOST HOST IDENT USER.
        let head = u[..<open].split(separator: 32).map { String(decoding: $0, as: UTF8.self) }
        guard head.count == 3 || head.count == 4, u[open - 1] == 32 else { return nil }
        guard let close = u[open...].firstIndex(of: UInt8(ascii: "]")), close - open <= 40 else { return nil }
        let time = String(decoding: u[(open + 1)..<close], as: UTF8.self)
        var i = close + 1
        func skipSpaces() { while i < u.count, u[i] == 32 { i += 1 } }
        func quoted() -> String? {
            skipSpaces()
            guard i < u.count, u[i] == UInt8(ascii: "\"") else { return nil }
            i += 1
            var out: [UInt8] = []
            while i < u.count {
                if u[i] == UInt8(ascii: "\\"), i + 1 < u.count {
                    // Apache writes \" and \\; nginx writes \xHH for a quote and bytes it escapes.
                    if u[i + 1] == UInt8(ascii: "x"), i + 3 < u.count, let b = UInt8(String(decoding: u[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                        out.append(b)
                        i += 4
                        continue
                    }
                    out.append(u[i + 1])
                    i += 2
                    continue
                }
                if u[i] == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: out, as: UTF8.self)
                }
                out.append(u[i])
                i += 1
            }
            return nil
        }
        func token() -> String? {
            skipSpaces()
            let s = i
            while i < u.count, u[i] != 32 { i += 1 }
            return i > s ? String(decoding: u[s..<i], as: UTF8.self) : nil
        }
        guard let request = quoted(), let status = token(), status.count == 3, status.allSatisfy(\.isNumber),
              let bytes = token(), bytes == "-" || bytes.allSatisfy(\.isNumber)
        else { return nil }
        let referer = quoted()
        let agent = referer == nil ? nil : quoted()
        let offset = head.count == 4 ? 1 : 0
        return AccessLine(
            vhost: head.count == 4 ? head[0] : nil, client: head[offset], ident: head[offset + 1], user: head[offset + 2], time: time,
            request: request, status: status, bytes: bytes, referer: referer, userAgent: agent)
    }
}
