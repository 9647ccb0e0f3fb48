import Model
import Testing
@testable import SignalServer

/// A rule is posted under one clause of its necessary literals and its other clauses are
/// asked of the event's flags, as the words of `LiteralFlags` their literals are in (a mask
/// per word). A clause of many needles spans several words, and shares some with other
/// rules (numbered before it); whichever one needle an event holds, the rule is a candidate,
/// and with none it is not: the answers are those of every rule run.
struct PostingTests {
    /// Seventy needles (more than a word of flags), for a rule's second clause.
    static let needles = (0..<70).map { "needle\($0)x" }

    static let detections = [
        // Numbered first: two of the long clause's needles are this rule's too, so that clause's
        // literals are not all one run of numbers.
        "selection:\n    CommandLine|contains:\n      - 'needle3x'\n      - 'needle68x'\ncondition: selection",
        // Posted under the rare image; the command line's clause is asked of the flags.
        "selection:\n    Image|endswith: '\\rare.exe'\n    CommandLine|contains:\n"
            + needles.map { "      - '\($0)'" }.joined(separator: "\n") + "\ncondition: selection",
        // Posted under the rare parent; a clause of one needle.
        "selection:\n    ParentImage|endswith: '\\rareparent.exe'\n    CommandLine|contains: 'needle40x'\ncondition: selection",
    ]

    @Test func aClauseOfManyNeedlesAdmitsTheRuleOnAnyOneOfThem() throws {
        let index = try DerivedFieldsTests.index(Self.detections, told: false)
        var cache = LiteralCache()
        var admitted = 0
        for (n, needle) in (Self.needles + ["none at all"]).enumerated() {
            for image in ["C:\\rare.exe", "C:\\common.exe"] {
                let fields: JSONObject = [
                    "Image": .string(image), "ParentImage": n % 2 == 0 ? "C:\\rareparent.exe" : "C:\\explorer.exe",
                    "CommandLine": .string("run \(needle) now"),
                ]
                let found = index.matches(kind: "windows.process_creation", fields: fields, cache: &cache)
                #expect(found == index.matchesWithoutPrefilter(kind: "windows.process_creation", fields: fields), "\(needle) \(image)")
                let expected = image == "C:\\rare.exe" && needle != "none at all"
                #expect(found.contains(1) == expected, "\(needle) \(image)")
                #expect(found.contains(0) == (needle == "needle3x" || needle == "needle68x"))
                #expect(found.contains(2) == (needle == "needle40x" && n % 2 == 0))
                if found.contains(1) { admitted += 1 }
            }
        }
        #expect(admitted == Self.needles.count)
    }
}
