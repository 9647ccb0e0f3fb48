import Foundation

extension String {
    /// Without leading and trailing whitespace. Checks the ends first: ingest trims every
    /// value, and almost none need it, which Foundation's `trimmingCharacters` does not know.
    public var trimmed: String {
        guard let first = utf8.first, let last = utf8.last else { return "" }
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard space(first) || space(last) else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Substring {
    public var trimmed: String { String(self).trimmed }
}

extension StringProtocol {
    /// Whether `needle` occurs in the text, compared byte for byte. Foundation's `contains`
    /// goes through CFString, which costs more than the rest of a normalizer on the ingest path.
    public func includes(_ needle: String) -> Bool {
        let hay = Array(utf8), n = Array(needle.utf8)
        guard !n.isEmpty else { return true }
        guard n.count <= hay.count else { return false }
        for start in 0...(hay.count - n.count) where hay[start] == n[0] {
            var k = 1
            while k < n.count && hay[start + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        return false
    }
}

/// A string built of pieces: their bytes gathered, and one string made at the end. A
/// `String`'s `+=` of a piece cost 340 instructions, and a hunt's detection titles are seven
/// pieces or more each.
public struct TextBuilder {
    private var bytes: [UInt8] = []

    public init(capacity: Int = 96) { bytes.reserveCapacity(capacity) }

    public static func += (text: inout TextBuilder, piece: String) {
        if piece.utf8.withContiguousStorageIfAvailable({ text.bytes.append(contentsOf: $0) }) == nil {
            text.bytes.append(contentsOf: piece.utf8)
        }
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// `1 alert`, `2 alerts`: how the console and the CLI count, in English (nouns that take `s`).
public func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
