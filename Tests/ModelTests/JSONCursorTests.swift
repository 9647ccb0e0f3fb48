import Testing
@testable import Model

/// A cursor reads a document member by member; what it reads is what `JSONValue.parse` reads,
/// and it refuses what parse refuses.
@Suite struct JSONCursorTests {
    /// The document rebuilt through the cursor: objects member by member, everything else whole.
    static func rebuilt(_ text: String, reader: JSONReader) throws(JSONParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) -> JSONValue in
            var c = JSONCursor(b, reader: reader)
            func next() throws(JSONParseError) -> JSONValue {
                guard try c.enterObject() else { return try c.value() }
                var o = JSONObject()
                // A repeated key keeps its last value, as parse does (equality ignores order).
                while let k = try c.nextKey() { o[k.name] = try next() }
                return .object(o)
            }
            let v = try next()
            guard c.atEnd() else { throw JSONParseError(offset: 0, reason: "text after the document") }
            return v
        }
    }

    @Test(arguments: [
        "", "{", "{,}", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":}", "{\"a\":1}x", "{\"a\":{\"b\":1}",
        "{\"a\":[1,]}", "{1:2}", "{\"a\":1}}", "{\"a\":\"\\q\"}",
    ])
    func refusesWhatParseRefuses(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        #expect(throws: JSONParseError.self) { try Self.rebuilt(text, reader: JSONReader()) }
    }

    @Test func readsWhatParseReads() throws {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let keys = ["a", "Event", "System", "EventData", "#attributes", "é", "Kelvin\u{212A}", "a\\\\b", ""]
        let scalars = ["1", "-2.5e3", "null", "true", "\"C:\\\\Windows\\\\x.exe\"", "\"caf\\u00e9\"", "[1, {\"a\": true}]", "\"\""]
        let reader = JSONReader()
        var objects = 0
        for round in 0..<2000 {
            // Objects nested up to three deep, with spaces here and there and repeated keys.
            func object(_ depth: Int) -> String {
                let members = (0..<next(5)).map { _ -> String in
                    let value = depth < 3 && next(3) == 0 ? object(depth + 1) : scalars[next(scalars.count)]
                    return "\"\(keys[next(keys.count)])\"\(next(2) == 0 ? " " : ""):\(next(2) == 0 ? " " : "")\(value)"
                }
                return "{" + members.joined(separator: next(2) == 0 ? ", " : ",") + "}"
            }
            var text = (next(4) == 0 ? " " : "") + object(0)
            if next(6) == 0 { text = String(text.dropLast(1 + next(text.count))) }  // cut short: fails
            let expected = Result { () throws(JSONParseError) in try JSONValue.parse(text) }
            let got = Result { () throws(JSONParseError) in try Self.rebuilt(text, reader: reader) }
            switch (expected, got) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(text)")
                objects += 1
            case (.failure, .failure): break
            default: Issue.record("parse and the cursor disagree on \(text) (round \(round))")
            }
        }
        #expect(objects > 1000)
    }

    /// Nesting is bounded as parse bounds it.
    @Test func nestingIsBoundedAsParseBoundsIt() throws {
        for depth in [511, 512, 513] {
            let text = String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            let parsed = (try? JSONValue.parse(text)) != nil
            let read = (try? Self.rebuilt(text, reader: JSONReader())) != nil
            #expect(parsed == read, "\(depth)")
        }
        #expect((try? JSONValue.parse(String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600))) == nil)
    }

    /// A mark taken before a value brings the cursor back to read it again another way.
    @Test func aMarkReadsAValueAgain() throws {
        let bytes = Array(#"{"a": {"b": [1, 2]}, "c": 3}"#.utf8)
        let (first, again, next, last, ended) = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in
            var c = JSONCursor(b, reader: JSONReader())
            _ = try c.enterObject()
            _ = try c.nextKey()
            let mark = c.mark
            _ = try c.enterObject()
            let first = try c.nextKey()?.name
            c.reset(to: mark)
            let again = try c.value()
            let next = try c.nextKey()?.name
            _ = try c.value()
            let last = try c.nextKey()
            return (first, again, next, last == nil, c.atEnd())
        }
        #expect(first == "b")
        #expect(again == (try JSONValue.parse(#"{"b": [1, 2]}"#)))
        #expect(next == "c" && last && ended)
    }
}
