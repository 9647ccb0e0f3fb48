import Testing
@testable import Model

/// Durations, sizes and whole numbers from input: read exactly, bounded, never trapping.
@Suite struct SpanTests {
    @Test(arguments: [
        ("4h", 14_400_000), ("4 Hours", 14_400_000), ("1d12h", 129_600_000), ("1d 12h", 129_600_000), ("90 minutes", 5_400_000),
        ("500ms", 500), ("1.5h", 5_400_000), ("2 weeks", 1_209_600_000), ("36H", 129_600_000),
    ] as [(String, Int64)])
    func readsWhatPeopleWrite(_ text: String, _ ms: Int64) throws {
        #expect(try Span.parse(text).ms == ms)
    }

    @Test(arguments: [
        "99999999999999999d", "9999999999999999s", "9223372036854775807ms", "9223372036854775808ms", "101 years", "1e300h",
        "36600d 1d", "1" + String(repeating: "0", count: 400) + "h", "99999999999999999999.5d",
    ])
    func refusesWhatCannotBeAWindow(_ text: String) {
        #expect(throws: Span.Problem.self) { try Span.parse(text) }
    }

    @Test func saysWhyInOneLine() throws {
        #expect(throws: Span.Problem.tooLong("99999999999999999d", limit: .longest)) { try Span.parse("99999999999999999d") }
        #expect(throws: Span.Problem.notASpan("4 fortnights")) { try Span.parse("4 fortnights") }
        #expect(throws: Span.Problem.zero("0s")) { try Span.parse("0s") }
        #expect(try Span.parse("0s", allowZero: true).ms == 0)
        #expect(Span.Problem.tooLong("9d", limit: Span(ms: 86_400_000)).description == "'9d' is longer than 1d, the longest taser accepts here")
    }

    @Test func bareNumbersOnlyWhereTheCallerSaysWhatTheyMean() throws {
        #expect(throws: Span.Problem.self) { try Span.parse("90") }
        #expect(try Span.parse("90", bareUnit: 1000).ms == 90_000)
        #expect(throws: Span.Problem.self) { try Span.parse("1d 12", bareUnit: 1000) }
    }

    @Test func printsTheShortestExactText() {
        #expect(Span(ms: 129_600_000).text == "1d12h")
        #expect(Span(ms: 0).text == "0s")
        #expect(Span(ms: Int64.min).text.hasPrefix("-"))
    }

    @Test func sizes() throws {
        #expect(try ByteCount.parse("16MiB") == 16 << 20)
        #expect(try ByteCount.parse("512 KiB") == 512 << 10)
        #expect(try ByteCount.parse("1048576") == 1_048_576)
        #expect(throws: ByteCount.Problem.self) { try ByteCount.parse("99999999999999999999999GiB") }
        #expect(throws: ByteCount.Problem.self) { try ByteCount.parse("-1MiB") }
        #expect(throws: ByteCount.Problem.self) { try ByteCount.parse("lots") }
        #expect(ByteCount.text(16 << 20) == "16 MiB")
    }

    @Test func wholeNumbers() throws {
        #expect(try WholeNumber.parse("42", in: 1...100) == 42)
        #expect(try WholeNumber.parse("-5", in: -10...0) == -5)
        #expect(throws: WholeNumber.Problem.self) { try WholeNumber.parse("9223372036854775807", in: 1...5_000_000) }
        #expect(throws: WholeNumber.Problem.self) { try WholeNumber.parse("99999999999999999999999", in: 0...Int64.max) }
        #expect(throws: WholeNumber.Problem.self) { try WholeNumber.parse("12a", in: 0...100) }
        #expect(throws: WholeNumber.Problem.self) { try WholeNumber.parse("", in: 0...100) }
    }
}
