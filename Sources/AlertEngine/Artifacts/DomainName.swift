/// Fully qualified domain names: DNS labels (letters, digits, inner hyphens; 1–63 bytes each,
/// 253 in all), at least two of them, ending in a real top-level domain.
public enum DomainName {
    /// The name lowercased and without a trailing root dot, or nil when it is no FQDN
    /// (`localhost`, `dc01.corp.local`, `1.2.3.4`, `svchost.exe`).
    public static func canonical(_ text: String) -> String? {
        text.withBytes { b in
            var end = b.count
            if end > 0, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
            return isValid(b, 0, end) ? b.lowercased(0, end) : nil
        }
    }

    /// A name a field says is a domain (`dns.question.name`, `url.domain`): any TLD, because
    /// internal zones (`dc01.corp.local`) and reserved ones (`.example`, `.test`) are real to
    /// the network that logged them. Free text keeps the strict rule.
    public static func canonicalField(_ text: String) -> String? {
        text.withBytes { b in
            var end = b.count
            if end > 0, b[end - 1] == UInt8(ascii: ".") { end -= 1 }
            return isValidSyntax(b, 0, end) ? b.lowercased(0, end) : nil
        }
    }

    /// DNS label syntax, two labels or more, the last not all digits (that is an IP).
    static func isValidSyntax(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard let tld = lastLabel(b, from, to), tld.labels >= 2 else { return false }
        for k in tld.start..<to where ASCII.isLetter(b[k]) { return true }
        return false
    }

    /// Whether `from..<to` is a domain name with a known TLD.
    static func isValid(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard let tld = lastLabel(b, from, to), TopLevelDomains.all.contains(tld.key) else { return false }
        return tld.labels >= 2
    }

    /// Whether `from..<to`, found in free text, should be taken as a domain: a valid name whose
    /// TLD is not one that text mostly uses for something else, and spelled like a host rather
    /// than like code. `System.IO` and `Logger.Info` are .NET, not hosts: a name counts when its
    /// TLD is in lowercase, or when it has no lowercase letter at all (`DC01.CORP.EXAMPLE.COM`).
    static func isLikelyInText(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard let tld = lastLabel(b, from, to), tld.labels >= 2, TopLevelDomains.all.contains(tld.key) else { return false }
        if TopLevelDomains.shy.contains(tld.key) { return false }
        // `500.ms`, `10.in`, `5.cm`, `3.pm`: a number and its unit, not a host. Some real names
        // are all digits (`163.com`); in free text they are given up for the far commoner units.
        var letter = false
        for k in from..<tld.start where ASCII.isLetter(b[k]) { letter = true; break }
        guard letter else { return false }
        if tld.key == TopLevelDomains.id {
            // Only `x.co.id`, `x.go.id`, ...: the label before `.id` must be Indonesian second level.
            guard tld.labels >= 3 else { return false }
            var s = tld.start - 1
            while s > from, b[s - 1] != UInt8(ascii: ".") { s -= 1 }
            guard let second = WordKey.of(b, s, tld.start - 1), TopLevelDomains.indonesia.contains(second) else { return false }
        }
        var tldHasUpper = false
        for k in tld.start..<to where ASCII.isUpper(b[k]) { tldHasUpper = true }
        guard tldHasUpper else { return true }
        for k in from..<to where ASCII.isLower(b[k]) { return false }
        return true
    }

    /// The TLD's key, where it starts and how many labels the name has; nil when any label is
    /// not a DNS label or the whole is too long.
    private static func lastLabel(_ b: Bytes, _ from: Int, _ to: Int) -> (key: UInt64, start: Int, labels: Int)? {
        guard to > from, to - from <= 253 else { return nil }
        var labels = 0, start = from
        var k = from
        while true {
            // One label: start..<k
            while k < to, b[k] != UInt8(ascii: ".") {
                let c = b[k]
                guard ASCII.isAlnum(c) || c == UInt8(ascii: "-") else { return nil }
                k += 1
            }
            let n = k - start
            guard n >= 1, n <= 63, b[start] != UInt8(ascii: "-"), b[k - 1] != UInt8(ascii: "-") else { return nil }
            labels += 1
            if k == to { break }
            k += 1
            start = k
            guard k < to else { return nil } // a trailing dot is the caller's to strip
        }
        // TLDs are letters only (the list has no IDN TLDs): `1.2.3.4` and `v2.10` end here.
        for c in start..<to where !ASCII.isLetter(b[c]) { return nil }
        guard let key = WordKey.of(b, start, to) else { return nil }
        return (key, start, labels)
    }
}
