import Testing
@testable import Model

/// A `JSONReader` keeps the string values it read (`ValueCache`): a value read again is the
/// same `String`, and never another value than parsing its text gives.
@Suite struct JSONValueCacheTests {
    /// Where a string's bytes are, nil for a string stored inline (15 bytes or fewer).
    static func storage(_ v: JSONValue?) -> UInt? {
        guard case .string(let s) = v, s.utf8.count > 15 else { return nil }
        return s.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
    }

    /// Values of every length around the cache's bounds (15, 16, 128, 129 bytes of text), with
    /// escapes, `\u` escapes and invalid UTF-8, texts alike but for one byte, and texts that
    /// begin as a kept one and then fail (a control character, a bad escape, no closing
    /// quote); 5,000 documents of them, with 3,000 more values than the cache has slots,
    /// read as `JSONValue.parse` reads them.
    @Test func readsWhatParseReads() throws {
        var state: UInt64 = 13
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        func quoted(_ body: [UInt8]) -> [UInt8] { [0x22] + body + [0x22] }
        var texts: [[UInt8]] = []
        for n in [14, 15, 16, 17, 64, 127, 128, 129, 130] {
            let plain = Array(String(repeating: "a", count: n).utf8)
            texts.append(quoted(plain))
            texts.append(quoted(Array(plain.dropLast()) + [0x62]))  // one byte apart
            texts.append(quoted(Array(plain.dropLast(2)) + Array(#"\\"#.utf8)))  // an escape at the end
            texts.append(quoted(Array(plain.dropLast(6)) + Array(#"\u00e9"#.utf8)))
            texts.append(quoted(Array(plain.dropLast(1)) + [0xFF]))  // invalid UTF-8, read repaired
            texts.append(quoted(Array(plain.dropLast(1)) + [0x01]))  // a control character: fails
            texts.append(quoted(Array(plain.dropLast(2)) + Array(#"\q"#.utf8)))  // a bad escape: fails
        }
        texts += (0..<5000).map { Array(#""C:\\Users\\user\#($0)\\AppData\\x.exe""#.utf8) }
        let reader = JSONReader()
        for round in 0..<5000 {
            var doc: [UInt8] = Array("{".utf8)
            for m in 0..<(1 + next(6)) {
                if m > 0 { doc += Array(", ".utf8) }
                doc += Array("\"k\(m)\": ".utf8)
                doc += texts[round % 3 == 0 ? next(63) : next(texts.count)]
            }
            doc += Array("}".utf8)
            if next(8) == 0 { doc = Array(doc.dropLast(1 + next(doc.count - 1))) }  // cut short: fails
            let expected = Result { () throws(JSONParseError) in try JSONValue.parse(doc) }
            let got = Result { () throws(JSONParseError) in try doc.withUnsafeBufferPointer { (b) throws(JSONParseError) in try reader.parse(b) } }
            #expect(got == expected, "\(String(decoding: doc, as: UTF8.self))")
        }
    }

    /// A value read again is the string read before, not a copy: by the reader and by a
    /// cursor over the same reader. Values the cache does not keep are made anew.
    @Test func aValueReadAgainIsTheSameString() throws {
        let reader = JSONReader()
        func parse(_ text: String) throws -> JSONValue {
            try Array(text.utf8).withUnsafeBufferPointer { (b) throws(JSONParseError) in try reader.parse(b) }
        }
        let path = #""C:\\Windows\\System32\\cmd.exe""#
        let first = try parse(#"{"Image": \#(path), "Long": "\#(String(repeating: "z", count: 200))"}"#)
        let second = try parse(#"{"Other": 1, "ParentImage": \#(path), "Long": "\#(String(repeating: "z", count: 200))"}"#)
        #expect(first["Image"] == .string(#"C:\Windows\System32\cmd.exe"#))
        let kept = try #require(JSONValueCacheTests.storage(first["Image"]))
        #expect(JSONValueCacheTests.storage(second["ParentImage"]) == kept)
        // Over 128 bytes: not kept, so two strings.
        #expect(JSONValueCacheTests.storage(first["Long"]) != JSONValueCacheTests.storage(second["Long"]))

        let read = try Array(#"{"Image": \#(path)}"#.utf8).withUnsafeBufferPointer { (b) throws(JSONParseError) -> JSONValue? in
            var cursor = JSONCursor(b, reader: reader)
            guard try cursor.enterObject(), try cursor.nextKey() != nil else { return nil }
            return try cursor.value()
        }
        #expect(JSONValueCacheTests.storage(read) == kept)
    }
}
