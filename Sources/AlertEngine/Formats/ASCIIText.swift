/// Fast paths for the text tests normalizers make on every event. Each gives exactly the answer
/// of the `String` operation it stands for: on ASCII text a Character is a byte (a CR LF pair is
/// one Character, but neither byte is one these look for) and lower-casing is ASCII's, so the
/// bytes are read directly; other text takes the `String` operation itself.
extension UnsafeBufferPointer<UInt8> {
    /// Whether every byte is ASCII (and so the bytes are valid UTF-8). One OR over them, with
    /// no exit to stop the loop running several bytes a step.
    var isASCII: Bool {
        var high: UInt8 = 0
        for x in self { high |= x }
        return high < 0x80
    }
}

extension String {
    /// Whether every byte is ASCII.
    var isASCII: Bool {
        if let ascii = utf8.withContiguousStorageIfAvailable(\.isASCII) { return ascii }
        var s = self
        return s.withUTF8(\.isASCII)
    }

    /// Whether the UTF-8 holds the byte `byte`.
    func containsByte(_ byte: UInt8) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ $0.contains(byte) }) { return found }
        return utf8.contains(byte)
    }

    /// `lowercased() == lower`, for `lower` in lower-case ASCII, without the lower-cased copy
    /// when the text is ASCII.
    func lowercasedEquals(_ lower: StaticString) -> Bool {
        let answer = utf8.withContiguousStorageIfAvailable { b -> Bool? in
            let n = lower.utf8CodeUnitCount
            let w = lower.utf8Start
            var high: UInt8 = 0
            var equal = b.count == n
            for k in b.indices {
                high |= b[k]
                if equal && ASCII.lower(b[k]) != w[k] { equal = false }
            }
            // Not ASCII: only `lowercased()` itself can say (a Kelvin sign lower-cases to `k`).
            return high < 0x80 ? equal : nil
        }
        if let answer, let known = answer { return known }
        return lowercased() == lower.description
    }
}
