/// Email addresses as mail logs and phishing reports carry them: a plain local part and a
/// domain with a real TLD. Quoted local parts and IP-literal domains are valid RFC 5322 but
/// turn up in attacks on parsers, not in the addresses analysts pivot on.
public enum EmailAddress {
    /// The address lowercased, or nil. Takes `Jane Doe <jane@example.com>` too, since some
    /// mail gateways log the header as it was. Lowercased whole: a local part is case-sensitive
    /// by the RFC, but no real mailbox relies on it and one spelling lets pivots meet.
    public static func canonical(_ text: String) -> String? { address(text, strict: true) }

    /// An address a field says is one (`email.from.address`): the domain may be internal or
    /// reserved (`corp.local`, `.example`), as with `DomainName.canonicalField`.
    public static func canonicalField(_ text: String) -> String? { address(text, strict: false) }

    private static func address(_ text: String, strict: Bool) -> String? {
        text.withBytes { b in
            var from = 0, to = b.count
            if to > 0, b[to - 1] == UInt8(ascii: ">") {
                var open = to - 1
                while open > 0, b[open - 1] != UInt8(ascii: "<") { open -= 1 }
                guard open > 0 else { return nil }
                from = open
                to -= 1
            }
            return isValid(b, from, to, strict: strict) ? b.lowercased(from, to) : nil
        }
    }

    /// Whether `from..<to` is exactly one address; `strict` asks for a known TLD.
    static func isValid(_ b: Bytes, _ from: Int, _ to: Int, strict: Bool = true) -> Bool {
        var at = to - 1
        while at >= from, b[at] != UInt8(ascii: "@") { at -= 1 }
        guard at > from, isLocalPart(b, from, at) else { return false }
        return strict ? DomainName.isValid(b, at + 1, to) : DomainName.isValidSyntax(b, at + 1, to)
    }

    private static func isLocalPart(_ b: Bytes, _ from: Int, _ to: Int) -> Bool {
        guard to - from <= 64 else { return false }
        let dot = UInt8(ascii: ".")
        guard b[from] != dot, b[to - 1] != dot else { return false }
        var previous: UInt8 = 0
        for k in from..<to {
            let c = b[k]
            guard ASCII.isAlnum(c) || c == dot || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
                || c == UInt8(ascii: "+") || c == UInt8(ascii: "%") || c == UInt8(ascii: "'")
            else { return false }
            if c == dot && previous == dot { return false }
            previous = c
        }
        return true
    }
}
