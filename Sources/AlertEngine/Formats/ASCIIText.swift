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
    /// when the answer is in the bytes. A scalar lower-cases to ASCII only when it is ASCII (a
    /// byte for a byte) or one of the few that shrink (the Kelvin sign's three bytes become
    /// `k`; `ASCIITextTests` checks every scalar): so text of fewer bytes than `lower` never
    /// equals it, text of as many equals it exactly when its bytes do as ASCII lower-cases
    /// them, and only longer text that is not ASCII needs `lowercased()` itself. Channels and
    /// providers are tested against a few names each per event, and reading every byte of
    /// each (as this did) was a hundredth of a hunt.
    func lowercasedEquals(_ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        let answer = utf8.withContiguousStorageIfAvailable { b -> Bool? in
            if b.count < n { return false }
            if b.count > n { return b.isASCII ? false : nil }
            guard let base = b.baseAddress else { return true }  // both empty
            let w = UnsafeRawPointer(lower.utf8Start), t = UnsafeRawPointer(base)
            guard n >= 8 else {
                for k in 0..<n where ASCII.lower(b[k]) != lower.utf8Start[k] { return false }
                return true
            }
            // Eight bytes a step, the last step overlapping the one before.
            var k = 0
            while k < n {
                let at = min(k, n - 8)
                if ASCII.lowerWord(t.loadUnaligned(fromByteOffset: at, as: UInt64.self)) != w.loadUnaligned(fromByteOffset: at, as: UInt64.self) {
                    return false
                }
                k += 8
            }
            return true
        }
        if let answer, let known = answer { return known }
        return lowercased() == lower.description
    }
}
