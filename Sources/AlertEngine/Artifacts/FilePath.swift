import Foundation

/// File paths in free text: Windows (`C:\Users\x\a.exe`, `C:/x/y`, `%APPDATA%\x.dll`), UNC
/// (`\\server\share\x`, `\\.\pipe\name`) and absolute Unix paths under a real top-level
/// directory (`/tmp/x.sh`, `/usr/bin/curl`).
public enum FilePath {
    /// A path field's value: trimmed, nothing else. Fields name their type, and a field's
    /// path may be relative or from an OS the scanner does not know.
    public static func canonical(_ text: String) -> String? {
        let v = text.trimmed
        return v.isEmpty ? nil : v
    }

    /// A path found in text: where it ends, its text, and for UNC paths where the server is.
    struct Match {
        var end: Int
        var value: String
        var server: Range<Int>?
    }

    /// The top directories an absolute Unix path must start with. Without this every URL path
    /// in a web log (`/api/v1/users`, `/wp-admin/x.php`) would be taken for a file.
    static let unixRoots: Set<String> = [
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt", "opt", "proc",
        "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var", "snap", "nix", "sdcard",
        "Users", "Library", "Applications", "System", "Volumes", "private", "cores", "Network",
    ]

    // MARK: Windows

    /// A Windows or UNC path that starts at `i`, or nil.
    static func windows(_ b: Bytes, at i: Int) -> Match? {
        let n = b.count
        let backslash = UInt8(ascii: "\\"), slash = UInt8(ascii: "/")
        var bodyStart: Int
        var minComponents = 1
        var isUNC = false
        let c = b[i]
        if ASCII.isLetter(c), i + 3 < n, b[i + 1] == UInt8(ascii: ":"), b[i + 2] == backslash || b[i + 2] == slash {
            // `C://` is a mangled URL, not a drive; and with a forward slash only a capital
            // counts as a drive letter, since `a:/b` is more often a key and a Unix path.
            guard b[i + 2] == backslash || ASCII.isUpper(c) && b[i + 3] != slash else { return nil }
            bodyStart = i + 3
        } else if c == backslash, i + 2 < n, b[i + 1] == backslash {
            let s = b[i + 2]
            guard ASCII.isAlnum(s) || s == UInt8(ascii: ".") else { return nil }
            bodyStart = i + 2
            minComponents = 2
            isUNC = true
        } else if c == UInt8(ascii: "%") {
            var k = i + 1
            while k < n, ASCII.isAlnum(b[k]) || b[k] == UInt8(ascii: "_") || b[k] == UInt8(ascii: "(") || b[k] == UInt8(ascii: ")") { k += 1 }
            guard k > i + 1, k + 2 < n, b[k] == UInt8(ascii: "%"), b[k + 1] == backslash else { return nil }
            bodyStart = k + 2
        } else {
            return nil
        }
        let root = bodyStart
        if !isUNC {
            // JSON-escaped text doubles every backslash: `C:\\Users\\x`.
            while bodyStart < n, b[bodyStart] == backslash { bodyStart += 1 }
        }
        // A path opened by a quote may hold spaces and runs to the closing quote.
        let quote: UInt8? = i > 0 && (b[i - 1] == UInt8(ascii: "\"") || b[i - 1] == UInt8(ascii: "'")) ? b[i - 1] : nil
        var end = windowsBody(b, bodyStart, quote: quote)
        if let quote, !(end < n && b[end] == quote) { end = windowsBody(b, bodyStart, quote: nil) }
        end = trimEnd(b, bodyStart, end, separators: [backslash, slash])

        // Count components and build the value, collapsing doubled backslashes.
        var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: b[i..<root]))
        out.reserveCapacity(end - i)
        var components = 0, inComponent = false
        var server: Range<Int>?
        for k in bodyStart..<end {
            let ch = b[k]
            if ch == backslash || ch == slash {
                if isUNC, server == nil { server = bodyStart..<k }
                inComponent = false
                if ch == backslash, out.last == backslash { continue }
            } else if !inComponent {
                inComponent = true
                components += 1
            }
            out.append(ch)
        }
        guard components >= minComponents else { return nil }
        return Match(end: end, value: String(decoding: out, as: UTF8.self), server: server)
    }

    /// Where a Windows path's body that starts at `from` ends.
    private static func windowsBody(_ b: Bytes, _ from: Int, quote: UInt8?) -> Int {
        let n = b.count
        var k = from
        var componentStart = from
        while k < n {
            let c = b[k]
            if c >= 0x80 {
                if b.unicodeBreak(k) > 0 { break }
            } else if c == UInt8(ascii: "\\") || c == UInt8(ascii: "/") {
                componentStart = k + 1
            } else if let quote {
                if c == quote || c < 0x20 || c == 0x7F || windowsNever(c) { break }
            } else if c == UInt8(ascii: " ") {
                guard let next = joinAcrossSpace(b, k, componentStart: componentStart) else { break }
                k = next
                continue
            } else if c < 0x20 || c == 0x7F || windowsNever(c) || windowsUnquotedStop(c) {
                break
            }
            k += 1
        }
        return k
    }

    /// Characters no Windows file name may hold. `:` ends a path too: what follows is an
    /// alternate data stream (`a.exe:Zone.Identifier`) or the next `key:value`.
    private static func windowsNever(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|"), UInt8(ascii: "*"), UInt8(ascii: "?"), UInt8(ascii: ":"): true
        default: false
        }
    }

    /// Legal in names, but in unquoted text they separate values.
    private static func windowsUnquotedStop(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "'") || c == UInt8(ascii: "`")
    }

    /// Unquoted paths with spaces (`C:\Program Files (x86)\App\app.exe`) are everywhere in
    /// Windows logs. At a space inside a directory name the path goes on when, within three
    /// words, a word holds a backslash; it stops at a space after a file name (`cmd.exe /c`),
    /// and before a flag or another path. Returns where to resume, or nil to end the path.
    private static func joinAcrossSpace(_ b: Bytes, _ space: Int, componentStart: Int) -> Int? {
        let n = b.count
        for k in componentStart..<space where b[k] == UInt8(ascii: ".") { return nil }
        var k = space
        for _ in 0..<3 {
            guard k + 1 < n, b[k] == UInt8(ascii: " ") else { return nil }
            let word = k + 1
            let first = b[word]
            if first == UInt8(ascii: "-") || first == UInt8(ascii: "/") || first == UInt8(ascii: "\\") || first == UInt8(ascii: "%") { return nil }
            if ASCII.isLetter(first), word + 1 < n, b[word + 1] == UInt8(ascii: ":") { return nil }
            var e = word
            var backslash = false
            while e < n {
                let c = b[e]
                if c == UInt8(ascii: " ") || c < 0x20 || c == 0x7F || windowsNever(c) || windowsUnquotedStop(c) { break }
                if c >= 0x80, b.unicodeBreak(e) > 0 { break }
                if c == UInt8(ascii: "\\") { backslash = true }
                e += 1
            }
            guard e > word else { return nil }
            if backslash { return word }
            guard e < n, b[e] == UInt8(ascii: " ") else { return nil }
            k = e
        }
        return nil
    }

    // MARK: Unix

    /// An absolute Unix path that starts at `i` (a `/`), or nil.
    static func unix(_ b: Bytes, at i: Int) -> Match? {
        let n = b.count
        let slash = UInt8(ascii: "/")
        if i > 0 {
            // Only after a space, quote, `=`, bracket or separator: `and/or`, `TCP/IP`,
            // `Mozilla/5.0` and relative paths are not absolute paths.
            let p = b[i - 1]
            let fileURL = i >= 3 && p == slash && b[i - 2] == slash && b[i - 3] == UInt8(ascii: ":") // file:///etc/x
            guard fileURL || ASCII.isSpace(p) || "\"'=([{<>|;&,:`".utf8.contains(p) else { return nil }
        }
        var k = i + 1
        while k < n, isUnixNameByte(b, k) { k += 1 }
        guard k > i + 1, k + 1 < n, b[k] == slash, isUnixNameByte(b, k + 1),
              unixRoots.contains(b.string(i + 1, k))
        else { return nil }
        let rootEnd = k
        while k < n {
            if b[k] == slash {
                if k + 1 < n, b[k + 1] == slash { break }
            } else if !isUnixNameByte(b, k) {
                break
            }
            k += 1
        }
        let end = trimEnd(b, i, k, separators: [slash])
        guard end > rootEnd + 1 else { return nil } // `/tmp/.` is one directory
        return Match(end: end, value: b.string(i, end), server: nil)
    }

    private static func isUnixNameByte(_ b: Bytes, _ k: Int) -> Bool {
        let c = b[k]
        if c >= 0x80 { return b.unicodeBreak(k) == 0 }
        return ASCII.isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "+") || c == UInt8(ascii: "@") || c == UInt8(ascii: "%") || c == UInt8(ascii: "~")
            || c == UInt8(ascii: "(") || c == UInt8(ascii: ")") || c == UInt8(ascii: "[") || c == UInt8(ascii: "]")
            || c == UInt8(ascii: "$")
    }

    // MARK: Shared

    /// Drops what ends a sentence rather than the path: trailing dots, commas, trailing
    /// separators, and a closing bracket the path did not open.
    static func trimEnd(_ b: Bytes, _ from: Int, _ to: Int, separators: [UInt8]) -> Int {
        var end = to
        while end > from {
            let c = b[end - 1]
            if c == UInt8(ascii: ".") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "!") || separators.contains(c) {
                end -= 1
            } else if let open = opening(c), count(b, from, end, open) < count(b, from, end, c) {
                end -= 1
            } else {
                break
            }
        }
        return end
    }

    static func opening(_ close: UInt8) -> UInt8? {
        switch close {
        case UInt8(ascii: ")"): UInt8(ascii: "(")
        case UInt8(ascii: "]"): UInt8(ascii: "[")
        case UInt8(ascii: "}"): UInt8(ascii: "{")
        default: nil
        }
    }

    static func count(_ b: Bytes, _ from: Int, _ to: Int, _ c: UInt8) -> Int {
        var n = 0
        for k in from..<to where b[k] == c { n += 1 }
        return n
    }
}
