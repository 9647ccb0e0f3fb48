/// CVE identifiers: `CVE-2024-3094`, a four-digit year and a sequence of four or more digits.
public enum CVEID {
    /// The id in uppercase, or nil.
    public static func canonical(_ text: String) -> String? {
        text.withBytes { b in
            match(b, 0, b.count) == b.count ? b.string(0, b.count).uppercased() : nil
        }
    }

    /// Where a CVE id that starts at `from` ends, reading no further than `to`; nil when none
    /// starts there. Sequences have no upper bound in the scheme, but seven digits is far beyond
    /// any assigned, so a longer run is some other number.
    static func match(_ b: Bytes, _ from: Int, _ to: Int) -> Int? {
        guard ASCII.hasPrefix(b, from, to, "cve-") else { return nil }
        var k = from + 4
        let year = k
        while k < to, ASCII.isDigit(b[k]) { k += 1 }
        guard k - year == 4, b[year] == UInt8(ascii: "1") || b[year] == UInt8(ascii: "2") else { return nil }
        guard k < to, b[k] == UInt8(ascii: "-") else { return nil }
        k += 1
        let sequence = k
        while k < to, ASCII.isDigit(b[k]) { k += 1 }
        guard k - sequence >= 4, k - sequence <= 7 else { return nil }
        return k
    }
}
