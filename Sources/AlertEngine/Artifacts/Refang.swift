/// Undoes the defanging analysts and threat feeds apply so indicators cannot be clicked:
/// `hxxp://evil[.]example[.]com`, `user[@]example(.)org`, `bad(dot)site`, `evil dot com`.
public enum Refang {
    /// The text with defanged indicators restored. Text without any defanging comes back as it
    /// was, after one pass over its bytes.
    public static func apply(_ text: String) -> String {
        text.withBytes { b in mayBeDefanged(b) ? rewrite(b) : nil } ?? text
    }

    /// A quick look for anything a rewrite could change, so clean text costs one pass.
    private static func mayBeDefanged(_ b: Bytes) -> Bool {
        let n = b.count
        var k = 0
        while k < n {
            let c = b[k]
            switch c {
            case UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: "{"):
                return true
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                if k >= 1, ASCII.lower(b[k - 1]) == UInt8(ascii: "f") || ASCII.lower(b[k - 1]) == UInt8(ascii: "x") { return true }
            case UInt8(ascii: " "):
                if ASCII.hasPrefix(b, k + 1, n, "dot ") { return true }
            default:
                break
            }
            k += 1
        }
        return false
    }

    /// The rewritten text, or nil when nothing was defanged after all.
    private static func rewrite(_ b: Bytes) -> String? {
        let n = b.count
        var out: [UInt8] = []
        out.reserveCapacity(n)
        var changed = false
        var k = 0
        while k < n {
            let c = b[k]
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") || c == UInt8(ascii: "{"), let m = bracketMarker(b, k) {
                let next = k + m.length
                let leftAlnum = out.last.map(ASCII.isAlnum) ?? false
                let leftSpaced = out.count >= 2 && out[out.count - 1] == UInt8(ascii: " ") && ASCII.isAlnum(out[out.count - 2])
                let rightAlnum = next < n && ASCII.isAlnum(b[next])
                let rightSpaced = next + 1 < n && b[next] == UInt8(ascii: " ") && ASCII.isAlnum(b[next + 1])
                var joins = m.joinsLabels && (leftAlnum || leftSpaced) && (rightAlnum || rightSpaced)
                if joins, m.isWord, m.replacement == "@" {
                    // `[at]` only before something domain-like: `meet me (at) noon` is prose.
                    joins = dotFollows(b, rightSpaced ? next + 1 : next)
                }
                if !m.isWord || joins {
                    // `jane [at] example [dot] com`: the spaces around go with the marker.
                    if joins, leftSpaced { out.removeLast() }
                    out.append(contentsOf: m.replacement.utf8)
                    k = joins && rightSpaced ? next + 1 : next
                    changed = true
                    continue
                }
            } else if ASCII.lower(c) == UInt8(ascii: "h") || ASCII.lower(c) == UInt8(ascii: "f"), !(out.last.map(ASCII.isAlnum) ?? false),
                      let scheme = defangedScheme(b, k)
            {
                out.append(contentsOf: scheme.replacement.utf8)
                k += scheme.length
                changed = true
                continue
            } else if c == UInt8(ascii: " "), let chain = spokenDots(b, k, out) {
                for label in chain.labels {
                    out.append(UInt8(ascii: "."))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[label]))
                }
                k = chain.end
                changed = true
                continue
            }
            out.append(c)
            k += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : nil
    }

    private struct Marker {
        var replacement: String
        var length: Int
        /// `dot` and `at` are words: only between two labels are they markers.
        var isWord: Bool
        /// Whether it stands between two labels (`.` and `@`), so spaces around it go.
        var joinsLabels: Bool
    }

    /// `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}`, `[@]`, `(@)`, `[at]`, `(at)`, `[:]`,
    /// `[://]`, `[/]`, with spaces inside allowed (`[ . ]`).
    private static func bracketMarker(_ b: Bytes, _ k: Int) -> Marker? {
        let close: UInt8 = switch b[k] {
        case UInt8(ascii: "["): UInt8(ascii: "]")
        case UInt8(ascii: "("): UInt8(ascii: ")")
        default: UInt8(ascii: "}")
        }
        var e = k + 1
        while e < b.count, e - k <= 6, b[e] != close { e += 1 }
        guard e < b.count, b[e] == close else { return nil }
        var s = k + 1, t = e
        while s < t, b[s] == UInt8(ascii: " ") { s += 1 }
        while t > s, b[t - 1] == UInt8(ascii: " ") { t -= 1 }
        let length = e + 1 - k
        switch t - s {
        case 1:
            switch b[s] {
            case UInt8(ascii: "."): return Marker(replacement: ".", length: length, isWord: false, joinsLabels: true)
            case UInt8(ascii: "@"): return Marker(replacement: "@", length: length, isWord: false, joinsLabels: true)
            case UInt8(ascii: ":"): return Marker(replacement: ":", length: length, isWord: false, joinsLabels: false)
            case UInt8(ascii: "/"): return Marker(replacement: "/", length: length, isWord: false, joinsLabels: false)
            default: return nil
            }
        case 2:
            return ASCII.hasPrefix(b, s, t, "at") ? Marker(replacement: "@", length: length, isWord: true, joinsLabels: true) : nil
        case 3:
            if ASCII.hasPrefix(b, s, t, "dot") { return Marker(replacement: ".", length: length, isWord: true, joinsLabels: true) }
            if ASCII.hasPrefix(b, s, t, "://") { return Marker(replacement: "://", length: length, isWord: false, joinsLabels: false) }
            return nil
        default:
            return nil
        }
    }

    /// Whether the label at `k` is followed by a dot, plain or defanged.
    private static func dotFollows(_ b: Bytes, _ k: Int) -> Bool {
        var e = k
        while e < b.count, ASCII.isAlnum(b[e]) || b[e] == UInt8(ascii: "-") { e += 1 }
        guard e < b.count else { return false }
        if b[e] == UInt8(ascii: ".") { return e + 1 < b.count && ASCII.isAlnum(b[e + 1]) }
        if b[e] == UInt8(ascii: " ") { e += 1 }
        return e < b.count && bracketMarker(b, e)?.replacement == "."
    }

    /// `hxxp`, `hxxps` and `fxp` (any case) right before `:` or a bracketed `[:]`.
    private static func defangedScheme(_ b: Bytes, _ k: Int) -> (replacement: String, length: Int)? {
        let n = b.count
        func schemeEnds(_ e: Int) -> Bool {
            e < n && (b[e] == UInt8(ascii: ":") || b[e] == UInt8(ascii: "[") || b[e] == UInt8(ascii: "("))
        }
        if ASCII.hasPrefix(b, k, n, "hxxps"), schemeEnds(k + 5) { return ("https", 5) }
        if ASCII.hasPrefix(b, k, n, "hxxp"), schemeEnds(k + 4) { return ("http", 4) }
        if ASCII.hasPrefix(b, k, n, "fxp"), schemeEnds(k + 3) { return ("ftp", 3) }
        return nil
    }

    /// ` dot ` spelled out between labels, taken as a dot only inside a host-like run: words
    /// joined by ` dot ` ending in a real TLD (`evil dot example dot com`), whose first word
    /// is not an everyday one (`the dot com era`, `a dot in the box` stay prose).
    private static func spokenDots(_ b: Bytes, _ space: Int, _ out: [UInt8]) -> (labels: [Range<Int>], end: Int)? {
        let n = b.count
        guard let last = out.last, ASCII.isAlnum(last) else { return nil }
        var labels: [Range<Int>] = []
        var k = space
        while k + 5 < n, b[k] == UInt8(ascii: " "), ASCII.hasPrefix(b, k + 1, n, "dot "), ASCII.isAlnum(b[k + 5]) {
            let s = k + 5
            var e = s
            while e < n, ASCII.isAlnum(b[e]) || b[e] == UInt8(ascii: "-") { e += 1 }
            labels.append(s..<e)
            k = e
        }
        guard let tld = labels.last, let key = WordKey.of(b, tld.lowerBound, tld.upperBound), TopLevelDomains.all.contains(key) else { return nil }
        // The first word of the run, in what was already written.
        var s = out.count
        while s > 0, ASCII.isAlnum(out[s - 1]) || out[s - 1] == UInt8(ascii: "-") || out[s - 1] == UInt8(ascii: ".") { s -= 1 }
        var e = s
        while e < out.count, out[e] != UInt8(ascii: ".") { e += 1 }
        let first = out[s..<e].withUnsafeBufferPointer { WordKey.of($0, 0, $0.count) }
        if let first, everyday.contains(first) { return nil }
        return (labels, k)
    }

    private static let everyday: Set<UInt64> = WordKey.set("""
        a an the one this that these those each every no any single small big little tiny red blue green black \
        white yellow final last first period is are was and or of in on at to with by for as per from like same \
        new old another its his her our your their my
        """)
}
