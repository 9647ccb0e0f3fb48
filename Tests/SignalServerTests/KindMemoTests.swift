import Model
import Testing
@testable import SignalServer

/// A literal cache remembers which of its index's kinds an event's kind name is
/// (`LiteralCache.KindMemo`): names spelled by other strings, names the index does not have,
/// more kinds than the memo holds, and an index told of derived fields after its kinds were
/// remembered all give the answers a fresh cache gives. (A cache is for one index: its
/// values' literals are numbered by the index's searches.)
struct KindMemoTests {
    static func index(_ rules: [(kind: String, image: String)]) throws -> RuleIndex {
        try RuleIndex(rules.enumerated().map { i, r in
            let filter = Filter.test(field: "Image", .endsWith(r.image))
            return (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: [r.kind], filter: filter)], window: 0, groupBy: []))
        })
    }

    @Test func kindsNamedByOtherStringsAnswerAsAFreshCacheDoes() throws {
        let index = try Self.index([
            ("windows.process_creation", "\\cmd.exe"), ("windows.image_load", "\\a.dll"),
            ("windows.process_creation", "\\powershell.exe"), ("windows.registry_set", "\\reg.exe"),
        ])
        let images = ["C:\\cmd.exe", "C:\\powershell.exe", "C:\\a.dll", "C:\\reg.exe"]
        let kinds = ["windows.process_creation", "windows.image_load", "windows.registry_set", "windows.dns_query"]
        var shared = LiteralCache()
        var found = 0
        for n in 0..<400 {
            // Half the names are strings of their own, equal to the others only by their bytes.
            let kind = n % 2 == 0 ? kinds[n % kinds.count] : String(decoding: Array(kinds[n % kinds.count].utf8), as: UTF8.self)
            let fields: JSONObject = ["Image": .string(images[(n / 4) % images.count])]
            var fresh = LiteralCache()
            let expected = index.matches(kind: kind, fields: fields, cache: &fresh)
            #expect(index.matches(kind: kind, fields: fields, cache: &shared) == expected, "\(n): \(kind)")
            found += expected.count
        }
        #expect(found > 40)
    }

    @Test func moreKindsThanTheMemoHoldsAreAllFound() throws {
        let kinds = (0..<(LiteralCache.KindMemo.most + 5)).map { "kind\($0)" }
        let index = try Self.index(kinds.map { ($0, "\\x.exe") })
        var cache = LiteralCache()
        for round in 0..<3 {
            for (i, kind) in kinds.enumerated() {
                #expect(index.matches(kind: kind, fields: ["Image": "C:\\x.exe"], cache: &cache) == [i], "round \(round)")
                #expect(index.matches(kind: "no.\(kind)", fields: ["Image": "C:\\x.exe"], cache: &cache) == [])
            }
        }
    }

    @Test func anIndexToldOfDerivedFieldsIsNotAnsweredByItsKindsFromBefore() throws {
        // Not yet told: every event must have its derived fields added first.
        var index = try DerivedFieldsTests.index([Sigma.selection("Image|endswith", "'\\cmd.exe'")], told: false)
        var cache = LiteralCache()
        let event: JSONObject = ["EventID": .int(1), "Image": "C:\\Windows\\cmd.exe"]
        #expect(index.matchesLeavingOutDerived(kind: "windows.process_creation", fields: event, cache: &cache) == nil)
        index.expectingDerived(DerivedFieldsTests.sources)
        #expect(index.matchesLeavingOutDerived(kind: "windows.process_creation", fields: event, cache: &cache) == [0])
    }
}
