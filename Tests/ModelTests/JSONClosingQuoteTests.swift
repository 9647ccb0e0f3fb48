import Testing
@testable import Model

/// A string with escapes ends where reading each escape's two bytes ends it: the closing quote
/// is found by looking back from each quote at the backslashes before it, never differently.
@Suite struct JSONClosingQuoteTests {
    /// The reading it replaced: a backslash takes the byte after it, whatever that is.
    static func stepped(_ bytes: [UInt8], from j: Int) -> Int {
        var end = j
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
        return min(end, bytes.count)
    }

    @Test func theClosingQuoteIsWhereSteppingThroughEscapesEndsAtEveryLength() {
        var rng = SameBytesTests.Seeded(state: 31)
        // Quotes, backslashes, a control byte, a letter and a multi-byte character's bytes.
        let alphabet: [UInt8] = [0x22, 0x5C, 0x5C, 0x5C, 0x0A, 0x61, 0xC3, 0xA9]
        var checked = 0, escapedQuotes = 0
        for n in 0...40 {
            for _ in 0..<200 {
                // The opening quote at 0; the text from 1. Exactly `n + 1` bytes, so a read past
                // them is a read past the allocation.
                let text = [UInt8(ascii: "\"")] + (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                let expected = Self.stepped(text, from: 1)
                text.withUnsafeBufferPointer { b in
                    let p = Parser(bytes: b, members: MemberStack(), keys: nil, values: nil)
                    #expect(p.closingQuote(from: 1, after: 1) == expected, "\(text)")
                    // From any point stepping lands on (as the parser starts at the first
                    // special byte), the same end.
                    var k = 1
                    while k < expected {
                        #expect(p.closingQuote(from: k, after: 1) == expected, "\(text) from \(k)")
                        k += text[k] == 0x5C ? 2 : 1
                    }
                }
                if expected < text.count, text[1..<expected].contains(0x22) { escapedQuotes += 1 }
                checked += 1
            }
        }
        #expect(checked == 41 * 200 && escapedQuotes > 100)
    }

    /// The scans that end a string's plain run (`special`: a quote, a backslash or a byte below
    /// 0x20; `quote`) read sixteen bytes a step (`CScan`): they stop where a byte-by-byte look
    /// stops, for every start and length, with the stop at every place in a step and every byte
    /// value around it (bytes of 0x80 and up are not control bytes), and never read outside the
    /// text.
    @Test func theScansStopWhereAByteByByteLookStops() {
        func special(_ b: UInt8) -> Bool { b == 0x22 || b == 0x5C || b < 0x20 }
        var rng = SameBytesTests.Seeded(state: 7)
        var stops = 0
        for n in 0...70 {
            for _ in 0..<40 {
                // Mostly plain bytes (any value that is not special), a few of each kind.
                let text: [UInt8] = (0..<n).map { _ in
                    let r = rng.next()
                    if r % 23 == 0 { return UInt8(truncatingIfNeeded: r >> 8) }  // any byte at all
                    var b = UInt8(truncatingIfNeeded: r >> 16)
                    while special(b) { b &+= 0x25 }
                    return b
                }
                // Exactly `n` bytes: a read past them is a read past the allocation.
                text.withUnsafeBufferPointer { b in
                    let p = Parser(bytes: b, members: MemberStack(), keys: nil, values: nil)
                    for from in 0...(n + 1) {
                        let plainSpecial = (from..<max(from, n)).first { special(text[$0]) } ?? max(from, n)
                        let plainQuote = (from..<max(from, n)).first { text[$0] == 0x22 } ?? max(from, n)
                        #expect(p.special(from: from) == plainSpecial, "\(text) from \(from)")
                        #expect(p.quote(from: from) == plainQuote, "\(text) from \(from)")
                        if plainSpecial < n { stops += 1 }
                    }
                }
            }
        }
        // Every byte value, alone at each place of a 16-byte step and after it.
        for value in 0...255 {
            for at in 0..<33 {
                var text = [UInt8](repeating: 0x61, count: 40)
                text[at] = UInt8(value)
                text.withUnsafeBufferPointer { b in
                    let p = Parser(bytes: b, members: MemberStack(), keys: nil, values: nil)
                    #expect(p.special(from: 0) == (special(UInt8(value)) ? at : 40), "byte \(value) at \(at)")
                    #expect(p.quote(from: 0) == (value == 0x22 ? at : 40), "byte \(value) at \(at)")
                }
            }
        }
        // A start before the text reads nothing and is given back.
        [UInt8](repeating: 0x22, count: 20).withUnsafeBufferPointer { b in
            let p = Parser(bytes: b, members: MemberStack(), keys: nil, values: nil)
            #expect(p.special(from: -1) == -1 && p.quote(from: -3) == -3)
        }
        #expect(stops > 10_000)
    }

    /// Strings of escaped paths and escaped quotes parse to their text, through a reader that
    /// keeps values (its cache is looked up by the raw text up to the closing quote) and
    /// without one.
    @Test func escapedStringsReadTheSameWithAndWithoutTheValueCache() throws {
        let texts = [
            #"C:\\Windows\\System32\\cmd.exe"#, #"say \"hi\""#, #"\\\\server\\share\\"#, #"ends in a backslash \\"#,
            #"\\\"quoted\\\""#, #"caf\u00e9 \\ \"x\""#, #"\\"#, #"\""#,
        ]
        let reader = JSONReader()
        for _ in 0..<3 {
            for t in texts {
                let line = #"{"v":""# + t + #"","w":1}"#
                let plain = try JSONValue.parse(Array(line.utf8))
                let bytes = Array(line.utf8)
                let cached = try bytes.withUnsafeBufferPointer { b throws(JSONParseError) in try reader.parse(b) }
                #expect(plain == cached, "\(t)")
                #expect(plain["w"] == .int(1), "\(t)")
            }
        }
        #expect(try JSONValue.parse(Array(#"{"v":"C:\\a\\b.exe"}"#.utf8))["v"] == .string(#"C:\a\b.exe"#))
        #expect(try JSONValue.parse(Array(#"{"v":"a\"b\\"}"#.utf8))["v"] == .string(#"a"b\"#))
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(#"{"v":"a\\\"}"#.utf8)) }
    }
}
