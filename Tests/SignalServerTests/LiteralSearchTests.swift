import Testing
@testable import SignalServer

/// The literal search against the plain answer: a literal is found exactly when the text
/// holds it (from where the scan starts). Over a small alphabet (with the two bytes of `é`
/// and a 0) so literals overlap, nest, repeat and share anchors, and of every length the
/// search treats apart: empty, shorter than an anchor, one anchor, many.
@Suite struct LiteralSearchTests {
    @Test func findsExactlyTheLiteralsTheTextHolds() {
        var r = MatcherProgramTests.Random(state: 5)
        let alphabet = Array("abc\\.é".utf8) + [0]
        func word(_ n: Int) -> [UInt8] { (0..<n).map { _ in alphabet[r.next(alphabet.count)] } }
        let literals = (0..<300).map { _ in word(r.next(r.next(4) == 0 ? 24 : 7)) }
        let only = Set((0..<literals.count).filter { $0 % 3 == 0 })
        // At most `fewShort` 1- and 2-byte literals: those are found with memchr, not tables.
        let shortOnes = literals.indices.filter { (1...2).contains(literals[$0].count) }
        let fewShort = Set(shortOnes.prefix(LiteralSearch.fewShort)).union(literals.indices.filter { literals[$0].count > 2 && $0 % 5 == 0 })
        #expect(shortOnes.count > LiteralSearch.fewShort && fewShort.count > LiteralSearch.fewShort)
        // In any order, with repeats: the search keeps each once.
        let search = LiteralSearch(literals), some = LiteralSearch(literals, only: Array(only) + only.prefix(3)), few = LiteralSearch(literals, only: Array(fewShort))
        var hitsSeen = 0
        for _ in 0..<300 {
            let text = word(r.next(r.next(2) == 0 ? 40 : 1200))
            let from = r.next(3) == 0 ? r.next(text.count + 1) : 0
            for (searched, looked) in [(search, Set(literals.indices)), (some, only), (few, fewShort)] {
                var found = LiteralFlags(count: literals.count)
                var hits: [Int32] = []
                searched.scan(text, from: from, into: &found, hits: &hits)
                for (id, literal) in literals.enumerated() {
                    let there = text.count - from >= literal.count && (from...(text.count - literal.count)).contains { start in
                        literal.indices.allSatisfy { text[start + $0] == literal[$0] }
                    }
                    #expect(found.contains(id) == (there && looked.contains(id)), "\(literal) in \(text[from...])")
                }
                #expect(Set(hits).count == hits.count && hits.allSatisfy { found.contains(Int($0)) } && hits.count == literals.indices.filter { found.contains($0) }.count)
                hitsSeen += hits.count
            }
        }
        #expect(hitsSeen > 1000)
    }
}
