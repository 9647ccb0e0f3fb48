import Testing
@testable import Model

@Suite struct JSONTests {
    @Test func parsesAndPrintsCanonically() throws {
        let v = try JSONValue.parse(#" { "b": [1, 2.5, true, null], "a": "x\"y\n", "c": {"z": -7, "y": 1e3} } "#)
        #expect(v.text == #"{"a":"x\"y\n","b":[1,2.5,true,null],"c":{"y":1000,"z":-7}}"#)
        #expect(try JSONValue.parse(v.text) == v)
    }

    @Test func keepsBigIntegersExact() throws {
        #expect(try JSONValue.parse("9007199254740993") == .int(9_007_199_254_740_993))
    }

    @Test func decodesEscapesAndSurrogates() throws {
        #expect(try JSONValue.parse(#""caf\u00e9 \ud83d\ude00 \/""#) == .string("café 😀 /"))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "01x", "{\"a\":1}x", "\"\\ud800\""])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    /// Strings with escapes anywhere (a Windows path has one per backslash) read back as
    /// written: runs between escapes are copied whole, so their edges are where bugs would be.
    @Test func stringsWithEscapesReadBack() throws {
        var state: UInt64 = 11
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let pieces = ["a", "C:\\Windows\\", "\\", "\"", "\n", "\t", "\u{1}", "é", "😀", "/", "x y", "\u{7F}"]
        for _ in 0..<2000 {
            let s = (0..<next(12)).map { _ in pieces[next(pieces.count)] }.joined()
            #expect(try JSONValue.parse(JSONValue.string(s).text) == .string(s), "\(s)")
            #expect(try JSONValue.parse("{\"k\":\(JSONValue.string(s).text)}")["k"] == .string(s))
        }
        #expect(try JSONValue.parse(#""C:\\Windows\/x\u00e9\ud83d\ude00""#) == .string("C:\\Windows/xé😀"))
        for bad in [#""a\"#, #""a\\"#, "\"a\\\n\u{1}\"", #""a\q""#, "\"a\\\\b\u{1F}\""] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
        }
    }

    /// A reader kept for many documents (a file's lines) gives what `JSONValue.parse` gives,
    /// value or error, however its remembered keys collide, are pushed out, or are left
    /// half-read by a document that failed.
    @Test func aReaderParsesAsParseDoes() throws {
        var state: UInt64 = 5
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        // Keys of every length around the cache's bounds (1, 8, 15, 16, 32, 33 bytes), keys
        // alike but for one byte, Unicode and escaped keys, and 3,000 more than it holds.
        var keys = ["a", "Event", "System", "EventData", "ParentCommandLine", "ParentCommandLinf", "abcdefgh",
                    "abcdefgi", String(repeating: "k", count: 15), String(repeating: "k", count: 16),
                    String(repeating: "x", count: 32), String(repeating: "x", count: 33), "Kelvin\u{212A}", "é", "a\\b", ""]
        keys += (0..<3000).map { "field\($0)" }
        // Values alike and not, escaped and not, and strings that must fail however often they
        // come (a control character, a bad escape).
        var values = ["1", "\"C:\\\\Windows\\\\x.exe\"", "null", "[1, {\"a\": true}]", "\"caf\\u00e9\"", "-2.5e3",
                      "\"a\u{1}b\"", "\"C:\\\\x\\q\"", "\"\\ud83d\\ude00 \\/\"", "\"\""]
        values += (0..<6000).map { "\"C:\\\\Users\\\\u\($0)\\\\\($0 % 7 == 0 ? "é" : "a")\"" }
        let reader = JSONReader()
        for round in 0..<3000 {
            var members: [String] = []
            for _ in 0..<(1 + next(8)) {
                let key = round < 300 ? keys[next(16)] : keys[next(keys.count)]
                members.append("\"\(key)\": \(values[round % 2 == 0 ? next(10) : next(values.count)])")
            }
            var text = "{" + members.joined(separator: ", ") + "}"
            if next(5) == 0 { text = String(text.dropLast(1 + next(text.count - 1))) }  // cut short: fails
            let bytes = Array(text.utf8)
            let expected = Result { () throws(JSONParseError) in try JSONValue.parse(bytes) }
            let got = Result { () throws(JSONParseError) in try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try reader.parse(b) } }
            #expect(got == expected, "\(text)")
            if case .success(let v) = got, case .object(let o) = v {
                // The members' tags are right: each key is found by its own name.
                for (k, value) in o { #expect(o[k] == value, "\(k)") }
            }
        }
    }

    @Test func escapesControlCharacters() {
        #expect(JSONValue.string("a\u{01}b\tc").text == #""a\u0001b\tc""#)
        #expect(JSONValue.string("say \"hi\" \\ \r\n").text == #""say \"hi\" \\ \r\n""#)
    }

    @Test func repeatedKeysKeepTheLastValue() throws {
        let small = try JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(small.text == #"{"a":3,"b":2}"#)
        #expect(small["a"] == .int(3) && small.objectValue?.count == 2)
        // Past the pairwise check's size, the set-based one.
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let large = try JSONValue.parse("{\(keys), \"k7\": \"again\"}")
        #expect(large["k7"] == .string("again") && large.objectValue?.count == 40)
    }

    @Test func objectsCompareWithoutOrder() throws {
        let a = try JSONValue.parse(#"{"x": 1, "y": [true, null]}"#)
        let b = try JSONValue.parse(#"{"y": [true, null], "x": 1}"#)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != (try JSONValue.parse(#"{"x": 1, "y": [true]}"#)))
        var o = JSONObject()
        o["b"] = 1
        o["a"] = "z"
        o["b"] = 2
        o["gone"] = true
        o["gone"] = nil
        #expect(JSONValue.object(o).text == #"{"a":"z","b":2}"# && o.keys == ["b", "a"])
    }

    @Test func readsDottedPaths() throws {
        let v = try JSONValue.parse(#"{"actor": {"alternateId": "jane@example.com"}, "target": [{"id": "t1"}], "n": null}"#)
        #expect(v.string("actor.alternateId") == "jane@example.com")
        #expect(v.string("target.0.id") == "t1")
        #expect(v.at("target.1.id") == nil && v.at("actor.missing") == nil && v.at("n") == nil && v.at("actor.alternateId.x") == nil)
    }

    /// Keys compare as their strings do, tags first: a Kelvin sign is canonically a `K`, so a
    /// Unicode key can equal an ASCII one whose tag differs.
    @Test func keysEqualAsTheirStringsDo() {
        let pairs: [(String, String)] = [
            ("Provider", "Provider"), ("Provider", "Providex"), ("EventID", "EventId"), ("\u{212A}ey", "Key"),
            ("Key", "\u{212A}ey"), ("\u{212A}ez", "Key"), ("é", "e\u{301}"), ("", ""), ("a", ""),
        ]
        for (a, b) in pairs {
            #expect(JSONKey(a).equals(JSONKey(b)) == (a == b), "\(a) and \(b)")
        }
        var object: JSONObject = ["Key": 1]
        #expect(object.contains(JSONKey("\u{212A}ey")))
        #expect(!object.contains(JSONKey("Kez")))
        object["Kez"] = 2
        #expect(object.contains(JSONKey("Kez")))
    }
}

@Suite struct CSVTests {
    @Test func followsRFC4180() {
        var csv = CSVWriter(columns: ["a", "b", "c"])
        csv.append(["plain", "with,comma", "with \"quote\""])
        csv.append(["line\nbreak", "", "x"])
        #expect(csv.text == "a,b,c\r\nplain,\"with,comma\",\"with \"\"quote\"\"\"\r\n\"line\nbreak\",,x\r\n")
    }
}

@Suite struct TimestampTests {
    @Test func formatsISO8601() {
        #expect(Timestamp(ms: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(ms: 1_795_922_886_123).iso8601 == "2026-11-29T03:28:06.123Z")
        #expect(Timestamp(ms: -1).iso8601 == "1969-12-31T23:59:59.999Z")
    }

    @Test func parsesWhatAnalystsType() {
        #expect(Timestamp(parsing: "2026-11-29")?.ms == 1_795_910_400_000)
        #expect(Timestamp(parsing: "2026-11-29T03:28:06.123Z")?.ms == 1_795_922_886_123)
        #expect(Timestamp(parsing: "2026-11-29 05:28:06.123+02:00")?.ms == 1_795_922_886_123)
        #expect(Timestamp(parsing: "1795922886")?.ms == 1_795_922_886_000)
        #expect(Timestamp(parsing: "2026-13-01") == nil)
        #expect(Timestamp(parsing: "yesterday") == nil)
        #expect(Timestamp(parsing: "2026-11-29T03:28:06.123456789Z")?.ms == 1_795_922_886_123)
    }

    /// A time with no space around it is read in place; one with spaces, an epoch's ten to
    /// thirteen digits, or no time at all take the other way, and both agree.
    @Test func readsTimesWithAndWithoutSpacesAlike() {
        let iso: Int64 = 1_795_922_886_123
        #expect(Timestamp(parsing: " 2026-11-29T03:28:06.123Z")?.ms == iso)
        #expect(Timestamp(parsing: "2026-11-29T03:28:06.123Z\n")?.ms == iso)
        #expect(Timestamp(parsing: "\t2026-11-29 03:28:06.123 ")?.ms == iso)
        #expect(Timestamp(parsing: "1795922886123")?.ms == iso, "thirteen digits: epoch milliseconds")
        #expect(Timestamp(parsing: " 1795922886 ")?.ms == 1_795_922_886_000)
        #expect(Timestamp(parsing: "2026-11-29T03:28:06.123Zjunk") == nil)
        #expect(Timestamp(parsing: "2026-11-29T03:28") != nil && Timestamp(parsing: "2026-11-29T03:28") == Timestamp(parsing: " 2026-11-29T03:28 "))
        #expect(Timestamp(parsing: "179592288612345") == nil, "fifteen digits are neither an epoch nor a date")
        for blank in ["", " ", "\n\t"] { #expect(Timestamp(parsing: blank) == nil) }
    }

    @Test func roundTripsThroughISO() {
        for ms: Int64 in [0, 951_782_400_000, 1_709_164_800_123, 4_102_444_800_000] {
            #expect(Timestamp(parsing: Timestamp(ms: ms).iso8601)?.ms == ms)
        }
    }
}
