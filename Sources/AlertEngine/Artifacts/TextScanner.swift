import Model

/// Finds artifacts in free text: log messages, command lines, email bodies, CEF extensions.
/// Precision before recall: a word is an artifact only when it parses as one and nothing
/// around it says it is something else (a version, a property, a network rather than a host).
///
/// One pass over the refanged text's bytes. URLs and paths are read first where they start,
/// since they hold the characters that split words; everything else is a word of letters,
/// digits and `.-_@:+`, classified as an IP, email, domain or file name. Hashes and CVE ids are
/// picked out of every word, URL and path.
public enum TextScanner {
    /// Every artifact in the text, each (type, value) once, in the order found, with the role
    /// `related`. The host of a URL counts as a domain (or IP); the domain of an email address
    /// does not count separately.
    public static func scan(_ text: String) -> [ArtifactMention] {
        Refang.apply(text).withBytes { b in
            var scan = Scan(b)
            scan.run()
            return scan.found.mentions
        }
    }
}

/// What a scan has found: each (type, value) once, in the order found.
struct Findings {
    private(set) var mentions: [ArtifactMention] = []
    private var seen: Set<ArtifactKey> = []

    mutating func add(_ type: ArtifactType, _ value: String) {
        if seen.insert(ArtifactKey(type: type, value: value)).inserted {
            mentions.append(ArtifactMention(type, value, role: "related"))
        }
    }
}

private struct Scan {
    let b: Bytes
    let n: Int
    var found = Findings()

    init(_ b: Bytes) {
        self.b = b
        n = b.count
    }

    mutating func run() {
        var i = 0
        while i < n {
            let c = b[i]
            if c >= 0x80 {
                let width = b.unicodeBreak(i)
                i = width > 0 ? i + width : word(at: i)
            } else if Scan.isWordByte(c) {
                i = url(at: i, limit: n) ?? windowsPath(at: i) ?? word(at: i)
            } else if c == UInt8(ascii: "\\") || c == UInt8(ascii: "%") {
                i = windowsPath(at: i) ?? i + 1
            } else if c == UInt8(ascii: "/") {
                i = unixPath(at: i) ?? i + 1
            } else {
                i += 1
            }
        }
    }

    // MARK: Words

    /// Letters, digits and `+-.:@_`: what IPs, domains, emails, hashes and file names are made of.
    static func isWordByte(_ c: UInt8) -> Bool {
        c < 64 ? lowWordBytes >> UInt64(c) & 1 == 1 : c < 128 && highWordBytes >> UInt64(c - 64) & 1 == 1
    }

    private static let lowWordBytes: UInt64 = mask("+-.0123456789:", base: 0)
    private static let highWordBytes: UInt64 = mask("@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz", base: 64)

    private static func mask(_ chars: String, base: UInt8) -> UInt64 {
        chars.utf8.reduce(0) { $0 | 1 << UInt64($1 - base) }
    }

    /// Reads the word at `s`, picks out what it holds, and returns where it ends.
    mutating func word(at s: Int) -> Int {
        var k = s
        var sawColon = false
        while k < n {
            let c = b[k]
            if c >= 0x80 {
                if b.unicodeBreak(k) > 0 { break }
            } else if Scan.isWordByte(c) {
                if c == UInt8(ascii: ":"), k > s {
                    // `url:http://x` and `Image:C:\x`: a URL or a drive path starts inside the word.
                    if k + 2 < n, b[k + 1] == UInt8(ascii: "/"), b[k + 2] == UInt8(ascii: "/"), let start = schemeStart(before: k, after: s) {
                        k = start
                        break
                    }
                    if k + 1 < n, b[k + 1] == UInt8(ascii: "\\"), k - 1 > s, ASCII.isLetter(b[k - 1]), !ASCII.isAlnum(b[k - 2]) {
                        k -= 1
                        break
                    }
                    sawColon = true
                }
            } else if c == UInt8(ascii: "%"), sawColon, k + 1 < n, ASCII.isAlnum(b[k + 1]) {
                // An IPv6 zone, `fe80::1%eth0`, ends the word.
                k += 1
                while k < n, ASCII.isAlnum(b[k]) || b[k] == UInt8(ascii: "_") { k += 1 }
                break
            } else {
                break
            }
            k += 1
        }
        guard k > s else { return s + 1 }
        hashesAndCVEs(s, k)
        classify(s, k)
        return k
    }

    /// Where `http`, `https` or `ftp` ending at `colon` starts, if it starts after `s` at a
    /// word boundary.
    private func schemeStart(before colon: Int, after s: Int) -> Int? {
        for (word, length): (StaticString, Int) in [("https", 5), ("http", 4), ("ftp", 3)] {
            let start = colon - length
            if start > s, ASCII.hasPrefix(b, start, colon, word), !ASCII.isAlnum(b[start - 1]) { return start }
        }
        return nil
    }

    /// What one word (or a piece of one, split at `:` or `+`) is.
    private mutating func classify(_ from: Int, _ to: Int) {
        var s = from, e = to
        while s < e, Scan.isEdge(b[s]) { s += 1 }
        while e > s, Scan.isEdge(b[e - 1]) { e -= 1 }
        guard e - s >= 3 else { return }
        var colon = false, at = false, plus = false, dot = false, hyphen = false, dotted = true
        for k in s..<e {
            let c = b[k]
            switch c {
            case UInt8(ascii: ":"): colon = true
            case UInt8(ascii: "@"): at = true
            case UInt8(ascii: "+"): plus = true
            case UInt8(ascii: "."): dot = true
            case UInt8(ascii: "-"): hyphen = true
            default: if c >= 0x80 { return }
            }
            if !ASCII.isDigit(c), c != UInt8(ascii: ".") { dotted = false }
        }
        if colon {
            // An IPv6 address, or `host:port`, `key:value`, `10:22:33`: the pieces apart.
            if let ip = IPAddress.parse(b, s, e) {
                if !isNetwork(ip, after: e) { add(ip) }
                return
            }
            split(s, e, at: UInt8(ascii: ":"))
            return
        }
        if at {
            // `krbtgt/CORP.EXAMPLE.COM@CORP.EXAMPLE.COM`, `HTTP/web01@CORP.COM`: Kerberos
            // service principals, not mailboxes.
            if s > 0, b[s - 1] == UInt8(ascii: "/") { return }
            if EmailAddress.isValid(b, s, e) {
                found.add(.email, b.lowercased(s, e))
            } else {
                // `ssh root@10.0.0.5`: the host after the `@`.
                var a = e - 1
                while b[a] != UInt8(ascii: "@") { a -= 1 }
                if let v4 = IPAddress.parseV4(b, a + 1, e) { add(IPAddress(v4: v4)) }
            }
            return
        }
        if plus {
            split(s, e, at: UInt8(ascii: "+"))
            return
        }
        guard dot else { return }
        if dotted {
            if let v4 = IPAddress.parseV4(b, s, e), !isVersion(at: s) {
                let ip = IPAddress(v4: v4)
                if !isNetwork(ip, after: e) { add(ip) }
            }
            return
        }
        if hyphen, addressRange(s, e) { return }
        // `$env.ComputerName`, `$wc.DownloadFile`: PowerShell variables and their members.
        if s > 0, b[s - 1] == UInt8(ascii: "$") { return }
        if FileName.hasKnownExtension(b, s, e) {
            // After a `/` it ends a URL path or a relative path (`/wp-admin/admin-ajax.php`,
            // `assets/app.js`): a web resource more often than a file on a host.
            let afterSlash = s > 0 && b[s - 1] == UInt8(ascii: "/")
            if !afterSlash, FileName.isLikelyInText(b, s, e) { found.add(.filename, b.string(s, e)) }
            return
        }
        // `document.write(`, `user.name=`: a call or a key, not a host.
        if e < n, b[e] == UInt8(ascii: "(") || b[e] == UInt8(ascii: "=") { return }
        if DomainName.isLikelyInText(b, s, e) { found.add(.domain, b.lowercased(s, e)) }
    }

    /// An address, unless free text mostly means something else by it: see `isLikelyInText`.
    private mutating func add(_ ip: IPAddress) {
        if ip.isLikelyInText { found.add(.ip, ip.text) }
    }

    /// Leading and trailing bytes that belong to the sentence, not the word.
    private static func isEdge(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "@")
    }

    private mutating func split(_ s: Int, _ e: Int, at separator: UInt8) {
        var start = s
        for k in s...e where k == e || b[k] == separator {
            if k > start { classify(start, k) }
            start = k + 1
        }
    }

    /// `10.0.0.1-10.0.0.5`: both ends of a range are addresses.
    private mutating func addressRange(_ s: Int, _ e: Int) -> Bool {
        var ends: [IPAddress] = []
        var start = s
        for k in s...e where k == e || b[k] == UInt8(ascii: "-") {
            guard let v4 = IPAddress.parseV4(b, start, k) else { return false }
            ends.append(IPAddress(v4: v4))
            start = k + 1
        }
        for ip in ends { add(ip) }
        return true
    }

    /// Whether a dotted quad at `s` is a version: right after `Product/` (`Chrome/120.0.0.0`)
    /// or after the word version, build, release or firmware (`Version: 1.2.3.4`). A dotted quad
    /// anywhere else is an IP, even one that was meant as a version: nothing else tells them apart.
    private func isVersion(at s: Int) -> Bool {
        guard s > 0 else { return false }
        if b[s - 1] == UInt8(ascii: "/") { return s >= 2 && ASCII.isAlnum(b[s - 2]) }
        var k = s
        while k > 0, s - k < 3, " \t:=\"'#".utf8.contains(b[k - 1]) { k -= 1 }
        let wordEnd = k
        while k > 0, wordEnd - k < 10, ASCII.isLetter(b[k - 1]) { k -= 1 }
        guard k < wordEnd, k == 0 || !ASCII.isAlnum(b[k - 1]), let key = WordKey.of(b, k, wordEnd) else { return false }
        return Scan.versionWords.contains(key)
    }

    private static let versionWords = WordKey.set("version ver vers build release firmware fw rev revision")

    /// Whether `ip/prefix` follows and names a network (`10.0.0.0/8`) rather than a host on
    /// one (`192.168.1.10/24`, as `ip addr` prints it).
    private func isNetwork(_ ip: IPAddress, after e: Int) -> Bool {
        guard e + 1 < n, b[e] == UInt8(ascii: "/") else { return false }
        var k = e + 1, prefix = 0
        while k < n, k - e <= 3, ASCII.isDigit(b[k]) {
            prefix = prefix * 10 + Int(b[k] - 0x30)
            k += 1
        }
        guard k > e + 1, k == n || !ASCII.isAlnum(b[k]) else { return false }
        return ip.isNetwork(prefix: prefix)
    }

    /// MD5, SHA-1 and SHA-256 hashes (hex runs of 32, 40 or 64 digits) and CVE ids in
    /// `s..<e`. A run counts only when letters and digits do not go on either side, so hex
    /// inside a longer identifier or a base64 blob is left alone.
    private mutating func hashesAndCVEs(_ s: Int, _ e: Int) {
        var k = s
        while k < e {
            guard ASCII.isAlnum(b[k]) else {
                k += 1
                continue
            }
            let start = k
            var hex = true
            while k < e, ASCII.isAlnum(b[k]) {
                if !ASCII.isHex(b[k]) { hex = false }
                k += 1
            }
            guard start == 0 || !ASCII.isAlnum(b[start - 1]), k == n || !ASCII.isAlnum(b[k]) else { continue }
            let length = k - start
            if hex, let type = Hashes.type(ofLength: length) {
                if Hashes.isHash(b, start, k) { found.add(type, b.lowercased(start, k)) }
            } else if length == 3, let end = CVEID.match(b, start, e), end == n || !ASCII.isAlnum(b[end]) {
                found.add(.cve, b.string(start, end).uppercased())
            }
        }
    }

    // MARK: URLs and paths

    mutating func url(at i: Int, limit: Int) -> Int? {
        guard let m = URLText.match(b, at: i, limit: limit, trim: true) else { return nil }
        found.add(.url, m.value)
        if let ip = m.ip {
            add(ip)
        } else if DomainName.isValid(b, m.host.lowerBound, m.host.upperBound) {
            found.add(.domain, b.lowercased(m.host.lowerBound, m.host.upperBound))
        }
        hashesAndCVEs(i, m.end)
        // Redirectors carry their target in the query: `?u=http://evil.example/x`.
        var k = m.authorityEnd
        while k < m.end {
            if let nested = !ASCII.isAlnum(b[k - 1]) ? url(at: k, limit: m.end) : nil {
                k = nested
            } else {
                k += 1
            }
        }
        return m.end
    }

    mutating func windowsPath(at i: Int) -> Int? {
        if b[i] == UInt8(ascii: "\\"), i > 0, b[i - 1] == UInt8(ascii: "\\") { return nil }
        guard let m = FilePath.windows(b, at: i) else { return nil }
        found.add(.filepath, m.value)
        addFileName(of: m.value)
        if let server = m.server {
            // `\\evil.example@SSL\DavWWWRoot\x.dll` (WebDAV): the host is before the `@`.
            var end = server.lowerBound
            while end < server.upperBound, b[end] != UInt8(ascii: "@") { end += 1 }
            if let v4 = IPAddress.parseV4(b, server.lowerBound, end) {
                add(IPAddress(v4: v4))
            } else if DomainName.isLikelyInText(b, server.lowerBound, end) {
                found.add(.domain, b.lowercased(server.lowerBound, end))
            }
        }
        hashesAndCVEs(i, m.end)
        return m.end
    }

    mutating func unixPath(at i: Int) -> Int? {
        guard let m = FilePath.unix(b, at: i) else { return nil }
        found.add(.filepath, m.value)
        addFileName(of: m.value)
        // `/dev/tcp/203.0.113.9/4444`: bash's network redirection names the peer in a path.
        var start = i + 1
        for k in (i + 1)...m.end where k == m.end || b[k] == UInt8(ascii: "/") {
            if let v4 = IPAddress.parseV4(b, start, k) { add(IPAddress(v4: v4)) }
            start = k + 1
        }
        hashesAndCVEs(i, m.end)
        return m.end
    }

    /// The file a path ends in, when it has a known extension.
    private mutating func addFileName(of path: String) {
        let name = FileName.of(path: path)
        guard name.first != ".", FileName.hasKnownExtension(String(name)) else { return }
        found.add(.filename, String(name))
    }
}
