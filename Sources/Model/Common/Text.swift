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
