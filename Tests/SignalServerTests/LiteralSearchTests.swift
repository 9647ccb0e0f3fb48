import Testing
@testable import SignalServer

/// The literal search against the plain answer: a literal is found exactly when its first
/// `longest` bytes are in the text with any byte from 0x80 up standing for any other (what the
/// search promises), so whenever the literal itself is there. Over a small alphabet (with the
/// two bytes of `é`) so literals overlap, nest and repeat.
@Suite struct LiteralSearchTests {
    @Test func findsExactlyTheLiteralsTheTextHolds() {
        var r = MatcherProgramTests.Random(state: 5)
        let alphabet = Array("abc\\.é".utf8) + [0]
        func word(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[r.next(alphabet.count)] } }
        let literals = (0..<300).map { _ in word(1 + r.next(r.next(4) == 0 ? 24 : 6)) }
        let search = LiteralSearch(literals)
        var hitsSeen = 0
        for _ in 0..<300 {
            let text = word(r.next(r.next(2) == 0 ? 200 : 1200))  // long texts take the lanes
            var found = [Bool](repeating: false, count: literals.count)
            var hits: [Int32] = []
            search.scan(text, into: &found, hits: &hits)
            for (id, literal) in literals.enumerated() {
                func column(_ b: UInt8) -> UInt8 { b >= 0x80 ? 0x80 : b }
                func within(_ needle: [UInt8], _ same: (UInt8, UInt8) -> Bool) -> Bool {
                    text.count >= needle.count && (0...(text.count - needle.count)).contains { start in
                        needle.indices.allSatisfy { same(text[start + $0], needle[$0]) }
                    }
                }
                let expected = within(Array(literal.prefix(LiteralSearch.longest))) { column($0) == column($1) }
                #expect(found[id] == expected, "\(literal) in \(text)")
                if within(literal, ==) { #expect(found[id], "\(literal) is in \(text)") }
            }
            #expect(Set(hits).count == hits.count && hits.allSatisfy { found[Int($0)] } && hits.count == found.filter { $0 }.count)
            hitsSeen += hits.count
        }
        #expect(hitsSeen > 1000)
    }
}
