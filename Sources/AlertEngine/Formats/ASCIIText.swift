/// Fast paths for the text tests normalizers make on every event. Each gives exactly the answer
/// of the `String` operation it stands for: on ASCII text a Character is a byte (a CR LF pair is
/// one Character, but neither byte is one these look for) and lower-casing is ASCII's, so the
/// bytes are read directly; other text takes the `String` operation itself.
extension String {
    /// Whether every byte is ASCII.
    var isASCII: Bool {
        var s = self
        return s.withUTF8 { b in
            var high: UInt8 = 0
            for x in b { high |= x }
            return high < 0x80
        }
    }

    /// `lowercased() == lower`, for `lower` in lower-case ASCII, without the lower-cased copy
    /// when the text is ASCII.
    func lowercasedEquals(_ lower: StaticString) -> Bool {
        guard isASCII else { return lowercased() == lower.description }
        let n = lower.utf8CodeUnitCount
        guard utf8.count == n else { return false }
        let w = lower.utf8Start
        var k = 0
        for b in utf8 {
            if ASCII.lower(b) != w[k] { return false }
            k += 1
        }
        return true
    }
}
