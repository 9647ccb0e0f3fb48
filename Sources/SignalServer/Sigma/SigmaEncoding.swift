import Foundation
import Model

/// The bytes a value is encoded from before Base64: Sigma's `wide`/`utf16le`, `utf16be` and
/// `utf16` (with a byte order mark), or UTF-8 when none is given.
enum SigmaTextEncoding: Sendable {
    case utf8, utf16le, utf16be, utf16

    func bytes(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: return Array(text.utf8)
        case .utf16le: return text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case .utf16be: return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        // As Python's "utf-16" writes it (and pySigma with it): the little-endian mark, then LE.
        case .utf16: return [0xFF, 0xFE] + SigmaTextEncoding.utf16le.bytes(text)
        }
    }
}

/// The value transformations Sigma defines: Base64 (plain and at the three offsets), Windows
/// dashes, and placeholders. Each returns the alternatives the value stands for; the caller
/// matches any of them.
enum SigmaEncoding {
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// A value somewhere inside a Base64 text encodes differently depending on its offset
    /// modulo 3 in the decoded bytes. For each offset this is the part of the encoding that does
    /// not depend on the bytes around the value: encode the value after 0, 1 or 2 filler bytes,
    /// drop the characters that mix in the filler (none, 2 or 3 at the start), and drop the
    /// characters at the end that would mix in whatever follows (none when the value ends on a
    /// 3-byte boundary, else 3 or 2). This is Sigma's `base64offset` as pySigma computes it, so
    /// `http://` gives `aHR0cDovL`, `h0dHA6Ly` and `odHRwOi8v`.
    static func base64Offsets(_ bytes: [UInt8]) -> [String] {
        let startCut = [0, 2, 3]
        let endCut = [0, 3, 2]
        return (0..<3).map { shift in
            let encoded = Array(base64(Array(repeating: UInt8(ascii: " "), count: shift) + bytes))
            let from = startCut[shift]
            let to = encoded.count - endCut[(bytes.count + shift) % 3]
            return from < to ? String(encoded[from..<to]) : ""
        }
    }

    /// The characters Windows programs accept where a flag's dash goes (Sigma `windash`):
    /// hyphen, slash, en dash, em dash and horizontal bar.
    static let dashes: [Character] = ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"]

    /// Each flag dash replaced by every Windows dash. A flag dash is a dash (or slash) at the
    /// start of a word: not after a letter, digit or underscore, and before one — so in
    /// `-param-name` only the first dash varies (pySigma's `\B[-/]\b`). The variants multiply
    /// per flag; `limit` flags keep the filter a readable size.
    static func windash(_ value: SigmaString, limit: Int = 3) throws(RuleError) -> [SigmaString] {
        func word(_ p: SigmaString.Piece?) -> Bool {
            guard case .char(let c)? = p else { return false }
            return c.isLetter || c.isNumber || c == "_"
        }
        let pieces = value.pieces
        var flags: [Int] = []
        for (i, p) in pieces.enumerated() {
            guard case .char(let c) = p, dashes.contains(c) else { continue }
            let before = i > 0 ? pieces[i - 1] : nil
            let after = i + 1 < pieces.count ? pieces[i + 1] : nil
            if !word(before), word(after) { flags.append(i) }
        }
        guard flags.count <= limit else {
            let variants = flags.count <= 8 ? "\(Int(pow(5.0, Double(flags.count))))" : "over 390625"
            throw RuleError(message: "windash on '\(value.display)' has \(flags.count) flags, which make \(variants) variants; split the value (at most \(limit) flags per value)")
        }
        var variants: [[SigmaString.Piece]] = [pieces]
        for i in flags {
            variants = variants.flatMap { v in
                dashes.map { d in
                    var w = v
                    w[i] = .char(d)
                    return w
                }
            }
        }
        return variants.map { SigmaString(pieces: $0) }
    }

    /// `%name%` placeholders replaced by every combination of their values (Sigma `expand`).
    /// Placeholder values are Sigma strings, so they may carry wildcards.
    static func expand(_ text: String, placeholders: [String: [String]]) throws(RuleError) -> [String] {
        var results = [""]
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "%") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "%") else { break }
            let name = String(rest[afterOpen..<close])
            let literal = String(rest[..<open])
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
                // Not a placeholder name (`100%`, `%%`): keep the first `%` as text and go on.
                results = results.map { $0 + literal + "%" }
                rest = rest[afterOpen...]
                continue
            }
            guard let values = placeholders[name], !values.isEmpty else {
                throw RuleError(message:
                    "needs placeholder values for %\(name)%, which are your environment's (add them under placeholders: in a Sigma mapping file, as \(name): [value, ...], and import with --mapping)")
            }
            results = results.flatMap { prefix in values.map { prefix + literal + $0 } }
            rest = rest[rest.index(after: close)...]
        }
        return results.map { $0 + rest }
    }
}
