/// Byte-level pieces the artifact scanners share. They read UTF-8 bytes, never Characters:
/// scanning runs on every signal's free text during ingest, so it stays one linear pass that
/// allocates nothing until it has found an artifact.
typealias Bytes = UnsafeBufferPointer<UInt8>

enum ASCII {
    static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    static func isAlnum(_ b: UInt8) -> Bool { isDigit(b) || isLetter(b) }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- 0x61 < 6 }
    static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    static func lower(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
    /// Eight bytes at once as `lower` makes each: `A`-`Z` gain 0x20, every other byte (those
    /// of 0x80 and up too) stays as it is. Per byte, its low seven bits plus 0x3F carry into
    /// the top bit from `A` up, plus 0x25 from past `Z`; no carry crosses into the next byte.
    static func lowerWord(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, top: UInt64 = 0x8080_8080_8080_8080
        let heptets = x & low7
        let atLeastA = heptets &+ 0x3F3F_3F3F_3F3F_3F3F  // 0x41 + 0x3F = 0x80
        let pastZ = heptets &+ 0x2525_2525_2525_2525  // 0x5B + 0x25 = 0x80
        let upper = atLeastA & ~pastZ & ~x & top
        return x | upper >> 2
    }

    /// Space, tab, newline, vertical tab, form feed, carriage return.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b &- 0x09 < 5 }

    /// Whether `bytes[at...]` starts with `word` (given in lowercase), ignoring case.
    static func hasPrefix(_ bytes: Bytes, _ at: Int, _ end: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= end else { return false }
        let w = word.utf8Start
        for k in 0..<n where lower(bytes[at + k]) != w[k] { return false }
        return true
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// The bytes `from..<to` as a String, as they are.
    func string(_ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[from..<to]), as: UTF8.self)
    }

    /// The bytes `from..<to` as a String with ASCII letters lowercased.
    func lowercased(_ from: Int, _ to: Int) -> String {
        String(unsafeUninitializedCapacity: to - from) { out in
            for k in from..<to { out[k - from] = ASCII.lower(self[k]) }
            return to - from
        }
    }

    /// The length of the Unicode space or punctuation that starts at `i` (no-break space,
    /// curly quotes, dashes, ellipsis, guillemets, CJK punctuation, a byte-order mark), or 0.
    /// Mail bodies are full of these; they end an artifact just as ASCII punctuation does,
    /// while any other non-ASCII character is part of a word, and a word with one is no artifact.
    func unicodeBreak(_ i: Int) -> Int {
        let b = self[i]
        guard b >= 0xC2, i + 1 < count else { return 0 }
        let b1 = self[i + 1]
        switch b {
        case 0xC2: return b1 == 0xA0 || b1 == 0xAB || b1 == 0xBB ? 2 : 0
        case 0xE2: return i + 2 < count && (b1 == 0x80 || (b1 == 0x81 && self[i + 2] < 0xB0)) ? 3 : 0
        case 0xE3: return i + 2 < count && b1 == 0x80 ? 3 : 0
        case 0xEF: return i + 2 < count && b1 == 0xBB && self[i + 2] == 0xBF ? 3 : 0
        default: return 0
        }
    }
}

/// A short word (a TLD, a file extension) packed into an integer, so the scanners look words
/// up without making a String: 6 bits a character, digits and letters only, case folded.
enum WordKey {
    static let maxLength = 10

    static func of(_ bytes: Bytes, _ from: Int, _ to: Int) -> UInt64? {
        guard to > from, to - from <= maxLength else { return nil }
        var key: UInt64 = 0
        for k in from..<to {
            let b = bytes[k]
            let code: UInt64
            if ASCII.isDigit(b) { code = UInt64(b - 0x30) + 1 } else if ASCII.isLetter(b) { code = UInt64(ASCII.lower(b) - 0x61) + 11 } else { return nil }
            key = key << 6 | code
        }
        return key
    }

    static func of(_ word: String) -> UInt64? {
        var word = word
        return word.withUTF8 { of($0, 0, $0.count) }
    }

    /// The keys of a space-separated word list.
    static func set(_ words: String) -> Set<UInt64> {
        Set(words.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { of(String($0))! })
    }
}

extension String {
    /// Runs `body` over the string's UTF-8 bytes without copying them when the string is native.
    func withBytes<R>(_ body: (Bytes) -> R) -> R {
        var s = self
        return s.withUTF8(body)
    }
}
