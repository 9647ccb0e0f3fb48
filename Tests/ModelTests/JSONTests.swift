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

    @Test func escapesControlCharacters() {
        #expect(JSONValue.string("a\u{01}b\tc").text == #""a\u0001b\tc""#)
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

    @Test func roundTripsThroughISO() {
        for ms: Int64 in [0, 951_782_400_000, 1_709_164_800_123, 4_102_444_800_000] {
            #expect(Timestamp(parsing: Timestamp(ms: ms).iso8601)?.ms == ms)
        }
    }
}
