/// URLs as text (http, https and ftp), not Foundation's `URL`: the URLs in alerts are often
/// not RFC-valid (spaces escaped badly, odd characters in paths), and an analyst wants the
/// string the victim clicked, with only the scheme and host put in one spelling.
public enum URLText {
    /// The URL with its scheme and host lowercased (an IPv6 host in RFC 5952 form), or nil
    /// when `text` is not exactly one URL with a usable host.
    public static func canonical(_ text: String) -> String? {
        text.withBytes { b in
            guard let m = match(b, at: 0, limit: b.count, trim: false), m.end == b.count else { return nil }
            return m.value
        }
    }

    /// A URL found at some position.
    struct Match {
        var end: Int
        /// The canonical URL.
        var value: String
        /// The host as written, without a trailing root dot, for reporting it as a domain.
        var host: Range<Int>
        /// The host when it is an IP address.
        var ip: IPAddress?
        /// Where the authority (`user@host:port`) ends and the path begins.
        var authorityEnd: Int
    }

    /// The length of `http://`, `https://` or `ftp://` at `i`, any case, or nil.
    static func schemeLength(_ b: Bytes, _ i: Int, _ limit: Int) -> Int? {
        if ASCII.hasPrefix(b, i, limit, "http://") { return 7 }
        if ASCII.hasPrefix(b, i, limit, "https://") { return 8 }
        if ASCII.hasPrefix(b, i, limit, "ftp://") { return 6 }
        return nil
    }

    /// The URL that starts at `i` and ends by `limit`. It ends at whitespace, a quote, `<`,
    /// `>`, a backtick or `|`; with `trim`, punctuation that ends the sentence rather than the
    /// URL is dropped (`.,;:!?`, a `)`, `]` or `}` the URL did not open, and the backslash
    /// of an escaped quote in JSON-ish text: `"http://x/a\"`).
    static func match(_ b: Bytes, at i: Int, limit: Int, trim: Bool) -> Match? {
        guard let schemeLength = schemeLength(b, i, limit) else { return nil }
        let start = i + schemeLength
        var end = start
        while end < limit {
            let c = b[end]
            if c >= 0x80 {
                if b.unicodeBreak(end) > 0 { break }
            } else if c <= 0x20 || c == 0x7F || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "<")
                || c == UInt8(ascii: ">") || c == UInt8(ascii: "`") || c == UInt8(ascii: "|")
            {
                break
            }
            end += 1
        }
        if trim {
            while end > start {
                let c = b[end - 1]
                if c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: ":")
                    || c == UInt8(ascii: "!") || c == UInt8(ascii: "?") || c == UInt8(ascii: "\\")
                {
                    end -= 1
                } else if let open = FilePath.opening(c), FilePath.count(b, start, end, open) < FilePath.count(b, start, end, c) {
                    end -= 1
                } else {
                    break
                }
            }
        }

        // The authority: [userinfo@]host[:port]
        var authorityEnd = start
        while authorityEnd < end, b[authorityEnd] != UInt8(ascii: "/"), b[authorityEnd] != UInt8(ascii: "?"), b[authorityEnd] != UInt8(ascii: "#") {
            authorityEnd += 1
        }
        var hostStart = start
        for k in start..<authorityEnd where b[k] == UInt8(ascii: "@") { hostStart = k + 1 }
        guard hostStart < authorityEnd else { return nil }
        var hostEnd: Int
        var ip: IPAddress?
        var hostText: String
        if b[hostStart] == UInt8(ascii: "[") {
            var close = hostStart + 1
            while close < authorityEnd, b[close] != UInt8(ascii: "]") { close += 1 }
            guard close < authorityEnd, let v6 = IPAddress.parseV6(b, hostStart + 1, close) else { return nil }
            ip = IPAddress(v6: v6.0, v6.1)
            hostEnd = close + 1
            hostText = "[" + ip!.text + "]"
        } else {
            hostEnd = hostStart
            while hostEnd < authorityEnd, b[hostEnd] != UInt8(ascii: ":") { hostEnd += 1 }
            guard isHostName(b, hostStart, hostEnd) else { return nil }
            if let v4 = IPAddress.parseV4(b, hostStart, hostEnd) {
                ip = IPAddress(v4: v4)
            } else if isDottedNumber(b, hostStart, hostEnd) {
                return nil // `http://1.2.3.256/`, `http://3232235777/`: no host
            }
            hostText = b.lowercased(hostStart, hostEnd)
        }
        if hostEnd < authorityEnd {
            // A port: 1–5 digits.
            guard b[hostEnd] == UInt8(ascii: ":") else { return nil }
            let digits = authorityEnd - hostEnd - 1
            guard digits >= 1, digits <= 5 else { return nil }
            for k in (hostEnd + 1)..<authorityEnd where !ASCII.isDigit(b[k]) { return nil }
        }
        let value = b.lowercased(i, start) + b.string(start, hostStart) + hostText + b.string(hostEnd, end)
        var host = hostStart..<hostEnd
        if ip == nil, b[hostEnd - 1] == UInt8(ascii: ".") { host = hostStart..<(hostEnd - 1) }
        return Match(end: end, value: value, host: host, ip: ip, authorityEnd: authorityEnd)
    }

    /// Letters, digits, hyphens and underscores in non-empty dot-separated labels; a trailing
    /// root dot is allowed. Underscores are not legal in host names, but browsers resolve them
    /// and attackers' infrastructure uses them.
    private static func isHostName(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to > from, to - from <= 254 else { return false }
        var labelLength = 0
        for k in from..<to {
            let c = b[k]
            if c == UInt8(ascii: ".") {
                guard labelLength > 0 else { return false }
                labelLength = 0
            } else {
                guard ASCII.isAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_"), labelLength < 63 else { return false }
                labelLength += 1
            }
        }
        return true
    }

    private static func isDottedNumber(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        for k in from..<to where !ASCII.isDigit(b[k]) && b[k] != UInt8(ascii: ".") { return false }
        return true
    }
}
