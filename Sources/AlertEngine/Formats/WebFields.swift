import Model

/// The fields web server and proxy logs share, under the names SigmaHQ's `webserver` and
/// `proxy` rules read (W3C extended log names: `c-ip`, `cs-method`, `sc-status`...) and ECS's
/// beside them.
enum WebFields {
    /// A request target (`/path?query`) or absolute URL split as the rules read it.
    struct Target {
        var original: String
        var host: String?
        var port: Int?
        var path: String
        var query: String?
        var scheme: String?

        /// The last path segment's extension (`exe` of `/dl/setup.exe`), nil without one.
        var fileExtension: String? {
            let last = path.split(separator: "/").last ?? Substring(path)
            guard let dot = last.lastIndex(of: "."), last.index(after: dot) < last.endIndex else { return nil }
            let ext = last[last.index(after: dot)...]
            guard ext.count <= 16, ext.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
            return String(ext)
        }

        init(_ text: String) {
            original = text
            var rest = Substring(text)
            if let sep = rest.range(of: "://"), !rest[..<sep.lowerBound].isEmpty, rest[..<sep.lowerBound].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }) {
                scheme = rest[..<sep.lowerBound].lowercased()
                rest = rest[sep.upperBound...]
                let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
                rest = rest.dropFirst(authority.count)
                (host, port) = WebFields.hostPort(authority)
            } else if !rest.hasPrefix("/"), !rest.isEmpty, !rest.hasPrefix("*") {
                // `host:443` (CONNECT) or a proxy's scheme-less `host/path`.
                let authority = rest.prefix { $0 != "/" && $0 != "?" }
                rest = rest.dropFirst(authority.count)
                (host, port) = WebFields.hostPort(authority)
            }
            let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            path = parts.first.map(String.init) ?? ""
            if parts.count > 1 { query = String(parts[1]) }
        }
    }

    /// `user@host:port` -> (host, port); the host lowercased as DNS names compare.
    static func hostPort(_ authority: Substring) -> (String?, Int?) {
        var a = authority
        if let at = a.lastIndex(of: "@") { a = a[a.index(after: at)...] }
        if a.hasPrefix("["), let close = a.firstIndex(of: "]") {
            let host = String(a[a.index(after: a.startIndex)..<close])
            let rest = a[a.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()).flatMap { (0...65_535).contains($0) ? $0 : nil } : nil)
        }
        let parts = a.split(separator: ":", omittingEmptySubsequences: false)
        guard let host = parts.first, !host.isEmpty else { return (nil, nil) }
        var port: Int? = nil
        if parts.count == 2, let p = Int(parts[1]), (0...65_535).contains(p) { port = p }
        return (host.lowercased(), port)
    }

    /// ECS `url.*` for a target: `url.original` always; host, port, path, query and extension
    /// when there are.
    static func url(_ t: Target, into f: inout JSONObject) {
        f["url.original"] = .string(t.original)
        if t.scheme != nil { f["url.full"] = .string(t.original) }
        if let s = t.scheme { f["url.scheme"] = .string(s) }
        if let h = t.host, !h.isEmpty {
            f["url.domain"] = .string(h)
            if !VendorJSON.isIP(h) { f["destination.domain"] = .string(h) }
        }
        if let p = t.port { f["url.port"] = .int(Int64(p)) }
        if !t.path.isEmpty { f["url.path"] = .string(t.path) }
        if let q = t.query, !q.isEmpty { f["url.query"] = .string(q) }
        if let e = t.fileExtension { f["url.extension"] = .string(e) }
    }

    /// A status code as a number (Sigma's `sc-status: 404`, ECS's integer), when it is one.
    static func status(_ text: String?, into f: inout JSONObject, sigma: String = "sc-status") {
        guard let text, text.count <= 3, let n = Int64(text), (0...999).contains(n) else { return }
        f[sigma] = .int(n)
        f["http.response.status_code"] = .int(n)
    }

    /// A byte count (`-` is none).
    static func bytes(_ text: String?) -> Int64? {
        guard let text, text.count <= 18, let n = Int64(text), n >= 0 else { return nil }
        return n
    }

    /// A header value as logged: `-` and empty are none.
    static func header(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text != "-" else { return nil }
        return text
    }
}
