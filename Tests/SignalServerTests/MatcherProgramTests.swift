import Foundation
import Model
import Testing
@testable import SignalServer

/// The flat matcher program against the tree-walking matcher it replaced (`ReferenceMatcher`),
/// on random filters over random events: every test kind, cased and not, nulls, lists,
/// numbers, and the Unicode cases where bytes and strings disagree (a Kelvin sign equals K,
/// a decomposed é equals a composed one, U+037E equals `;`, a sigma lower-cases by place). Each filter runs three ways: alone, on an event
/// shared by a ruleset (slots looked up once), and on one whose search text was built first
/// (every value lowered in one pass, as the hunt does).
@Suite struct MatcherProgramTests {
    static let names = ["Image", "CommandLine", "n", "list", "empty"]
    static let words = [
        "C:\\Windows\\System32\\cmd.exe", "cmd.exe", "CMD", "powershell -enc AAA", "Straße", "STRASSE", "\u{212A}elvin",
        "kelvin", "Kelvin", "caf\u{E9}", "cafe\u{301}", "", "22", "22.0", "true", "TRUE", "10.1.2.3", "*.exe", "c?d*",
        "a\\*b", "a*b", "x", "ΟΔΟΣ", "Σ", "ος", "a;b", "A\u{37E}B",
    ]

    struct Random {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        mutating func pick<T>(_ list: [T]) -> T { list[next(list.count)] }
    }

    static func value(_ r: inout Random, depth: Int = 0) -> JSONValue {
        switch r.next(depth > 0 ? 6 : 7) {
        case 0, 1, 2: return .string(r.pick(words))
        case 3: return .int(Int64(r.pick([22, 0, -1, 443])))
        case 4: return r.pick([.double(22), .double(0.5), .bool(true), .bool(false)])
        case 5: return .null
        default: return .array((0..<r.next(3)).map { _ in value(&r, depth: 1) })
        }
    }

    static func event(_ r: inout Random) -> JSONObject {
        var o = JSONObject()
        for name in names where r.next(4) != 0 { o[name] = value(&r) }
        return o
    }

    static func filterValue(_ r: inout Random) -> FilterValue {
        switch r.next(6) {
        case 0: return .number(r.pick([22, 0.5, 443]))
        case 1: return .bool(r.next(2) == 0)
        case 2: return .null
        default: return .text(r.pick(words))
        }
    }

    static func test(_ r: inout Random) -> Model.Test {
        let cased = r.next(4) == 0
        switch r.next(13) {
        case 0: return .equals(filterValue(&r), cased: cased)
        case 1: return .contains(r.pick(words), cased: cased)
        case 2: return .startsWith(r.pick(words), cased: cased)
        case 3: return .endsWith(r.pick(words), cased: cased)
        case 4: return .glob(r.pick(words), cased: cased)
        case 5: return .regex(r.pick(["^c.d", "exe$", "\\d+", "stra(ss|ß)e", "(?i)kelvin", "(?i)strasse", "cmd\\.exe|powershell", "Sys[a-z]+32\\\\cmd", "(?:st)?rasse", "c(md)?\\.exe", "caf(e|é)"]), caseInsensitive: r.next(2) == 0)
        case 6: return .compare(r.pick([Comparison.less, .lessOrEqual, .greater, .greaterOrEqual]), r.pick([0, 22, 100]))
        case 7: return .inCIDR(r.pick(["10.0.0.0/8", "192.168.0.0/16"]))
        case 8: return .oneOf((0..<(1 + r.next(3))).map { _ in filterValue(&r) }, cased: cased)
        case 9: return .present
        case 10: return .absent
        case 11: return .exists(r.next(2) == 0)
        default: return .equals(.text(r.pick(words)), cased: cased)
        }
    }

    static func filter(_ r: inout Random, depth: Int = 0) -> Filter {
        switch depth >= 3 ? 6 : r.next(10) {
        case 0: return .all((0..<(1 + r.next(3))).map { _ in filter(&r, depth: depth + 1) })
        case 1: return .any((0..<(1 + r.next(3))).map { _ in filter(&r, depth: depth + 1) })
        case 2: return .not(filter(&r, depth: depth + 1))
        case 3: return .sameAs(field: r.pick(names), other: r.pick(names), cased: r.pick([nil, true, false]))
        case 4: return .anyField(test(&r))
        case 5: return r.next(8) == 0 ? .always : .test(field: r.pick(names), test(&r))
        case 8:
            // A Sigma field read from the event's own name, or its mapped one when that is
            // missing: the hunt leaves the mapped field out of its search text while the own
            // one is there.
            let f = filter(&r, depth: depth + 1)
            guard let own = f.fields.sorted().first else { return f }
            return SigmaOwnFields.wrap(f, own: own, mapped: r.pick(names))
        default: return .test(field: r.pick(names), test(&r))
        }
    }

    @Test func theProgramAnswersAsTheTreeDid() throws {
        var r = Random(state: 17)
        var filters: [Filter] = []
        for _ in 0..<400 { filters.append(Self.filter(&r)) }
        let events = (0..<250).map { _ in Self.event(&r) }
        var shared = MatchFields()
        let sharedMatchers = try filters.map { f throws(RuleError) in try Matcher(f, fields: &shared) }
        var compared = 0, matched = 0
        for fields in events {
            var lazy = MatchEvent(fields, reading: shared)
            var searched = MatchEvent(fields, reading: shared)
            _ = searched.searchText()
            for (f, matcher) in zip(filters, sharedMatchers) {
                let expected = try ReferenceMatcher(f).matches(fields)
                let alone = try Matcher(f).matches(fields)
                #expect(alone == expected, "\(f) on \(fields)")
                #expect(matcher.matches(&lazy) == expected, "shared: \(f) on \(fields)")
                #expect(matcher.matches(&searched) == expected, "searched: \(f) on \(fields)")
                compared += 1
                if expected { matched += 1 }
            }
        }
        // Both answers are well represented, so agreement means something.
        #expect(compared == 100_000)
        #expect(matched > 15_000 && matched < 85_000)
    }

    /// A `|cidr` list (an `any` of network tests of one field) is one test of the address
    /// against every network, read once: the same answers as a test per network, for IPv4 and
    /// IPv6 addresses and networks, spaces around an address, a list of addresses, text that
    /// is no address, a number, null and a missing field; and a bad network is refused by name.
    @Test func aNetworkListIsOneTestWithEachNetworksAnswers() throws {
        let networks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.1.0/24", "203.0.113.7", "::1/128", "fe80::/10", "2001:db8::/32"]
        let list: Filter = .any(networks.map { .test(field: "ip", .inCIDR($0)) })
        let guarded: Filter = .all([.test(field: "own", .absent), .not(list)])
        var fields = MatchFields()
        var program = MatchProgram()
        let root = try program.add(list, fields: &fields)
        #expect(program.ops.count - root == 1 && program.ops[root].kind == .test)
        let mixed = try program.add(.any([.test(field: "ip", .inCIDR("10.0.0.0/8")), .test(field: "other", .inCIDR("10.0.0.0/8"))]), fields: &fields)
        #expect(program.ops[mixed].kind == .any)
        let values: [JSONValue] = [
            "10.1.2.3", "11.1.2.3", "172.31.255.255", "172.32.0.1", "192.168.1.200", "192.168.2.1", "203.0.113.7", "203.0.113.8",
            " 10.0.0.1 ", "::1", "::2", "fe80::1", "fe80::1%eth0", "2001:db8:1::5", "2001:db9::1", "010.1.2.3", "not an address", "",
            .int(10), .null, .array(["8.8.8.8", "192.168.1.9"]), .array(["8.8.8.8", "::3"]),
        ]
        for value in values {
            for event in [["ip": value], ["ip": value, "own": "x"]] as [JSONObject] {
                for f in [list, guarded] {
                    let expected = try ReferenceMatcher(f).matches(event)
                    #expect(try Matcher(f).matches(event) == expected, "\(f) on \(event)")
                }
            }
        }
        #expect(try Matcher(list).matches(["other": "10.1.2.3"]) == false)
        #expect(try Matcher(list).matches(["ip": "10.1.2.3"]) && Matcher(list).matches(["ip": "2001:db8::9"]))
        #expect(throws: RuleError.self) { try Matcher(.any([.test(field: "ip", .inCIDR("10.0.0.0/8")), .test(field: "ip", .inCIDR("10.0.0.0/33"))])) }
    }

    /// The rule index on the same random rules: its pre-filter (kinds, necessary literals)
    /// and the tests it answers from the literal scan alone (a needle nowhere in the event)
    /// change nothing.
    @Test func theIndexAnswersAsTheTreeDid() throws {
        var r = Random(state: 99)
        let filters = (0..<400).map { _ in Self.filter(&r) }
        let rules = filters.enumerated().map { i, f in
            (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: [i % 2 == 0 ? "a" : "b"], filter: f)], window: 0, groupBy: []))
        }
        let index = try RuleIndex(rules)
        var matched = 0
        // One cache for every event, as a hunt keeps one per file: events share values.
        var cache = LiteralCache()
        for n in 0..<300 {
            let fields = Self.event(&r)
            let kind = n % 2 == 0 ? "a" : "b"
            let expected = try filters.indices.filter { $0 % 2 == n % 2 }.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
            #expect(index.matches(kind: kind, fields: fields, cache: &cache) == expected, "with values seen before: \(fields)")
            let got = index.matches(kind: kind, fields: fields)
            #expect(got == expected, "\(fields) missing \(Set(expected).subtracting(got).map { (filters[$0], RuleIndex.necessary(filters[$0])?.literals) }) extra \(Set(got).subtracting(expected).map { filters[$0] })")
            matched += expected.count
        }
        #expect(matched > 10_000)
    }

    /// An event's slots are first looked for where the reader's event before had them
    /// (`MatchEvent.hint`): events whose keys come in another order, or fewer of them, or the
    /// same ones in the same places, all find each field where it is.
    @Test func aReaderWhoseEventsMoveTheirKeysFindsEachWhereItIs() throws {
        var r = Random(state: 7)
        let filters = (0..<300).map { _ in Self.filter(&r) }
        let index = try RuleIndex(filters.enumerated().map { i, f in (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["a"], filter: f)], window: 0, groupBy: [])) })
        var cache = LiteralCache()
        var matched = 0, same = 0
        var before: [String] = []
        for n in 0..<400 {
            // Every third event keeps the order of the one before; the others shuffle a subset.
            var order = Self.names.filter { _ in r.next(4) != 0 }
            if n % 3 == 0, !before.isEmpty {
                order = before
                same += 1
            } else {
                for i in order.indices.reversed() where i > 0 { order.swapAt(i, r.next(i + 1)) }
            }
            before = order
            var fields = JSONObject()
            for name in order { fields[name] = Self.value(&r) }
            let expected = try filters.indices.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
            #expect(index.matches(kind: "a", fields: fields, cache: &cache) == expected, "\(order)")
            matched += expected.count
        }
        #expect(same > 100 && matched > 5_000)
    }

    @Test func unicodeEqualityIsTheStringsNotTheBytes() throws {
        let kelvin: JSONObject = ["u": .string("\u{212A}")]  // KELVIN SIGN: canonically K
        #expect(try Matcher(.test(field: "u", .equals(.text("k")))).matches(kelvin))
        let decomposed: JSONObject = ["u": .string("cafe\u{301}")]
        #expect(try Matcher(.test(field: "u", .equals(.text("CAF\u{C9}")))).matches(decomposed))
        #expect(try Matcher(.test(field: "u", .oneOf([.text("x"), .text("caf\u{E9}")]))).matches(decomposed))
    }

    /// A rule naming its field with a Kelvin sign reads the event's ASCII `Key` (the strings are
    /// equal): the hunt's search text must hold that value, or the needle looks absent.
    @Test func theIndexReadsAFieldNamedInAnotherSpelling() throws {
        let f = Filter.test(field: "\u{212A}ey", .contains("needle", cased: false))
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["a"], filter: f)], window: 0, groupBy: []))])
        let fields: JSONObject = ["Key": .string("a NEEDLE here"), "other": .string("x")]
        #expect(try ReferenceMatcher(f).matches(fields))
        #expect(index.matches(kind: "a", fields: fields) == [0])
    }

    /// Each kind has a literal search of its own; a rule's check whose needle is only another
    /// kind's necessary literal (here `beta`, under a `not`, so never this rule's own) must
    /// still be looked for in this kind's events, or the check takes it as absent.
    @Test func aCheckMayReadAnotherKindsLiteral() throws {
        let a = Filter.all([.test(field: "x", .contains("alphabet", cased: false)), .not(.test(field: "y", .contains("beta", cased: false)))])
        let b = Filter.test(field: "y", .contains("beta", cased: false))
        let index = try RuleIndex([
            (name: "a", rule: Rule(clauses: [Clause(count: 1, kinds: ["one"], filter: a)], window: 0, groupBy: [])),
            (name: "b", rule: Rule(clauses: [Clause(count: 1, kinds: ["two"], filter: b)], window: 0, groupBy: [])),
        ])
        #expect(RuleIndex.necessary(a)?.literals.map(\.text) == ["alphabet"])
        let both: JSONObject = ["x": .string("ALPHABET soup"), "y": .string("a BETA test")]
        #expect(index.matches(kind: "one", fields: both) == [])
        #expect(index.matches(kind: "two", fields: both) == [1])
        let one: JSONObject = ["x": .string("ALPHABET soup"), "y": .string("a test")]
        #expect(index.matches(kind: "one", fields: one) == [0])
    }

    /// A rule is a candidate only when each of its clauses (one per child of an `all`) has a
    /// literal in the event, not when one has: the index runs fewer rules, and the same ones match.
    @Test func everyClauseMustHaveALiteral() throws {
        let f = Filter.all([.test(field: "Image", .endsWith("\\cmd.exe", cased: false)),
                            .any([.test(field: "CommandLine", .contains("/c whoami", cased: false)), .test(field: "CommandLine", .contains("net user", cased: false))])])
        #expect(RuleIndex.necessary(f)?.clauses.map { $0.map(\.text) } == [["\\cmd.exe"], ["/c whoami", "net user"]])
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: []))])
        let one: JSONObject = ["Image": .string("C:\\Windows\\cmd.exe"), "CommandLine": .string("cmd /c dir")]
        var cache = LiteralCache()  // shared: the second event's Image is the first's, found in the cache
        #expect(index.prefiltered(kind: "p", fields: one, cache: &cache).run == 0)
        let both: JSONObject = ["Image": .string("C:\\Windows\\cmd.exe"), "CommandLine": .string("cmd /c WHOAMI")]
        #expect(index.prefiltered(kind: "p", fields: both, cache: &cache).run == 1)
        #expect(index.matches(kind: "p", fields: both) == [0])
    }

    /// A rule is posted under one clause (the one whose literals fewest rules share: here
    /// rule 2's command lines, not `\\cmd.exe`) and its other clauses are asked of what the
    /// event holds, so it runs only when each clause has a literal found. One posted under two
    /// literals the event both holds runs once, and rules that need no literal (for any
    /// EventID, or for theirs) come in index order among the others.
    @Test func candidatesComeOnceInIndexOrder() throws {
        func cmd(_ rare: String) -> Filter {
            .all([.test(field: "Image", .endsWith("\\cmd.exe", cased: false)), .test(field: "CommandLine", .contains(rare, cased: false))])
        }
        let posted = Filter.all([.test(field: "Image", .endsWith("\\cmd.exe", cased: false)),
                                 .any([.test(field: "CommandLine", .contains("whoami", cased: false)), .test(field: "CommandLine", .contains("/all", cased: false))])])
        let filters: [Filter] = [
            cmd("vssadmin"), .test(field: "Level", .equals(.number(4))),  // needs no literal, any EventID
            posted, .all([.test(field: "EventID", .equals(.number(1))), .not(.test(field: "Hashes", .present))]),  // no literal, EventID 1
            cmd("bcdedit"), cmd("wevtutil"),
        ]
        let index = try RuleIndex(filters.enumerated().map { i, f in
            (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: []))
        })
        var cache = LiteralCache()
        // `\cmd.exe` is in four rules: none runs for it alone, though each needs it.
        let plain: JSONObject = ["EventID": 1, "Level": 4, "Image": "C:\\Windows\\cmd.exe", "CommandLine": "cmd /c dir"]
        #expect(index.prefiltered(kind: "p", fields: plain, cache: &cache).run == 2)
        #expect(index.matches(kind: "p", fields: plain, cache: &cache) == [1, 3])
        // Both of rule 2's posted literals, and rule 4's: each runs once, in order.
        let both: JSONObject = ["EventID": 1, "Level": 4, "Image": "C:\\Windows\\cmd.exe", "CommandLine": "whoami /all & bcdedit"]
        #expect(index.prefiltered(kind: "p", fields: both, cache: &cache).run == 4)
        #expect(index.matches(kind: "p", fields: both, cache: &cache) == [1, 2, 3, 4])
        // Rule 2's posted clause without its other one: not run. Another EventID: rule 3 is not run.
        let other: JSONObject = ["EventID": 3, "Level": 4, "Image": "C:\\Windows\\net.exe", "CommandLine": "whoami"]
        #expect(index.prefiltered(kind: "p", fields: other, cache: &cache).run == 1)
        #expect(index.matches(kind: "p", fields: other, cache: &cache) == [1])
        for fields in [plain, both, other] {
            let expected = try filters.indices.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
            #expect(index.matches(kind: "p", fields: fields) == expected)
        }
    }

    /// `1 of selection_*` where one selection needs two texts (`\Windows\` in the image, which
    /// nearly every path holds, and a rarer command line) and the other one: each clause of
    /// the `any` is the union of a clause of each selection, so an event with only the common
    /// text is not a candidate; the same events match.
    @Test func anAnyNeedsAClauseOfEachChildAtEachDepth() throws {
        let first = Filter.all([.test(field: "Image", .contains("\\Windows\\", cased: false)),
                                .test(field: "CommandLine", .contains("\\..\\..\\", cased: false))])
        let second = Filter.test(field: "CommandLine", .contains(".exe\\..\\", cased: false))
        let f = Filter.any([first, second])
        #expect(RuleIndex.necessary(f)?.clauses.map { $0.map(\.text) } == [[".exe\\..\\", "\\windows\\"], [".exe\\..\\", "\\..\\..\\"]])
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: []))])
        var cache = LiteralCache()
        let events: [(image: String, line: String, runs: Int, matches: Bool)] = [
            ("C:\\Windows\\System32\\cmd.exe", "cmd /c dir", 0, false),  // only the common text
            ("C:\\Windows\\x.exe", "x.exe C:\\a\\..\\..\\b", 1, true),  // the first selection
            ("C:\\Tools\\a.exe", "a.exe\\..\\b", 1, true),  // the second
            ("C:\\Tools\\a.exe", "C:\\x\\..\\..\\y", 0, false),  // the rare text, not the common one
        ]
        for e in events {
            let fields: JSONObject = ["Image": .string(e.image), "CommandLine": .string(e.line)]
            #expect(try ReferenceMatcher(f).matches(fields) == e.matches, "\(e)")
            #expect(index.prefiltered(kind: "p", fields: fields, cache: &cache).run == e.runs, "\(e)")
            #expect(index.matches(kind: "p", fields: fields, cache: &cache) == (e.matches ? [0] : []), "\(e)")
        }
    }

    /// Values of fields whose values are all new (a GUID, a time) are not kept by the cache
    /// but put in the event's text and scanned with it (`LiteralCache.scansApart`), for field
    /// tests and keywords alike; what matches is the same.
    @Test func valuesTheCacheDoesNotKeepAreScannedInTheText() throws {
        let rules: [Filter] = [
            .test(field: "Guid", .contains("needle", cased: false)),
            .all([.test(field: "Guid", .contains("-7-", cased: false)), .test(field: "Image", .endsWith("\\cmd.exe", cased: false))]),
            .anyField(.contains("kiwi", cased: false)),
        ]
        let index = try RuleIndex(rules.enumerated().map { i, f in (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: [])) })
        var cache = LiteralCache()
        var matched = [0, 0, 0]
        for n in 0..<600 {
            let fields: JSONObject = [
                "Guid": .string(n % 5 == 0 ? "\(n)-NEEDLE-\(n)" : "\(n)-\(n % 10)-\(n * 7)"),
                "Image": .string(n % 4 != 0 ? "C:\\Windows\\cmd.exe" : "C:\\Tools\\x.exe"),
                "Time": .string(n % 9 == 0 ? "2026-12-04T\(n)Kiwi" : "2026-12-04T\(n)"),
            ]
            let expected = try rules.indices.filter { try ReferenceMatcher(rules[$0]).matches(fields) }
            #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "\(fields)")
            for i in expected { matched[i] += 1 }
        }
        #expect(matched[0] == 120 && matched[1] == 60 && matched[2] == 67)
        // Both fields of new values were left out of the cache by the end.
        let tags: JSONObject = ["Guid": "", "Time": ""]
        #expect(cache.scansWithoutCache(field: tags.keyTag(at: 0)) && cache.scansWithoutCache(field: tags.keyTag(at: 1)))
    }

    /// A rule every way of matching of which names EventIDs (`(selection_4738 and not filter)
    /// or 1 of selection_5136_*`) runs only on events with one of them.
    @Test func anAnyOfEventIDsRequiresOneOfThem() throws {
        let f = Filter.any([
            .all([.test(field: "EventID", .equals(.number(4738))), .not(.test(field: "Delegate", .present))]),
            .all([.test(field: "EventID", .equals(.number(5136))), .test(field: "Class", .equals(.text("user")))]),
        ])
        #expect(RuleIndex.eventIDs(f) == [4738, 5136])
        #expect(RuleIndex.eventIDs(.any([f, .test(field: "Class", .present)])) == nil)
        #expect(RuleIndex.eventIDs(.all([f, .test(field: "EventID", .oneOf([.number(5136), .number(1)]))])) == [5136])
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["s"], filter: f)], window: 0, groupBy: []))])
        var cache = LiteralCache()
        for (id, runs, matches) in [(4624, 0, false), (4738, 1, true), (5136, 1, true)] {
            let fields: JSONObject = ["EventID": .int(Int64(id)), "Class": "user"]
            #expect(try ReferenceMatcher(f).matches(fields) == matches, "\(id)")
            #expect(index.prefiltered(kind: "s", fields: fields, cache: &cache).run == runs, "\(id)")
            #expect(index.matches(kind: "s", fields: fields, cache: &cache) == (matches ? [0] : []), "\(id)")
        }
    }

    /// A rule posted under a literal keeps its EventIDs and its other clauses in its posting
    /// record: EventIDs of 32 bits there, wider ones (a hand-made rule's) asked of the rule's
    /// own list; any EventID, and another clause that must be found too.
    @Test func aPostedRuleTakesOnlyItsEventIDsAndNeedsItsOtherClauses() throws {
        let wide: Int64 = 1 << 40
        let filters: [Filter] = [
            .all([.test(field: "EventID", .oneOf([.number(1), .number(4688)])), .test(field: "Image", .endsWith("\\whoami.exe"))]),
            .all([.test(field: "EventID", .equals(.number(Double(wide)))), .test(field: "Image", .endsWith("\\whoami.exe"))]),
            .all([.test(field: "EventID", .equals(.number(-7))), .test(field: "Image", .endsWith("\\whoami.exe"))]),
            .all([.test(field: "Image", .endsWith("\\whoami.exe")), .test(field: "CommandLine", .contains("/priv"))]),
        ]
        let index = try RuleIndex(filters.enumerated().map { i, f in (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: [])) })
        var cache = LiteralCache()
        for id in [1, 4688, 4624, wide, wide + 1, -7, Int64(Int32.max) + 1] {
            for (image, line) in [(#"C:\Windows\System32\whoami.exe"#, "whoami /priv"), (#"C:\Windows\System32\whoami.exe"#, "whoami /all"), ("cmd.exe", "/priv")] {
                let fields: JSONObject = ["EventID": .int(id), "Image": .string(image), "CommandLine": .string(line)]
                let expected = try filters.indices.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
                #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "\(id) \(image) \(line)")
                // The pre-filter runs exactly the rules that match here: each rule's other
                // tests are its EventIDs and literals.
                #expect(index.prefiltered(kind: "p", fields: fields, cache: &cache).run == expected.count, "\(id) \(image) \(line)")
            }
        }
    }

    /// A rule whose needles are two bytes at their shortest (DOSfuscation's `^^`, a Cyrillic
    /// look-alike letter) runs only on events that hold one, not on every event of its kind;
    /// a weak clause beside a stronger one is still one more condition, never a looser one.
    @Test func twoByteNeedlesAreLiteralsToo() throws {
        let f = Filter.test(field: "CommandLine", .contains("^^", cased: false))
        let g = Filter.any([.test(field: "CommandLine", .contains("\u{0410}", cased: false)), .test(field: "CommandLine", .contains("\u{0412}", cased: false))])
        #expect(RuleIndex.necessary(f)?.clauses.map { $0.map(\.text) } == [["^^"]])
        #expect(RuleIndex.necessary(g)?.clauses.map { $0.map(\.text) } == [["\u{0430}", "\u{0432}"]])
        #expect(RuleIndex.necessary(.test(field: "CommandLine", .contains("^", cased: false))) == nil)
        let index = try RuleIndex([f, g].enumerated().map { i, f in (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: [])) })
        var cache = LiteralCache()
        for (line, expected) in [("cmd /c dir", [Int]()), ("c^^md /c dir", [0]), ("cmd /c \u{0410}dmin", [1]), ("^^ \u{0432}", [0, 1])] {
            let fields: JSONObject = ["CommandLine": .string(line)]
            #expect(index.prefiltered(kind: "p", fields: fields, cache: &cache).run == expected.count, "\(line)")
            #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "\(line)")
        }
    }

    /// A cased or equality test's Unicode needle gives the ASCII it certainly holds: not a
    /// character a combining mark follows, not across `;` or `` ` ``.
    @Test func aUnicodeNeedleGivesTheASCIIItCertainlyHolds() throws {
        #expect(RuleIndex.certainASCII("GnuPG\u{2019}s OpenPGP tool") == "s openpgp tool")
        #expect(RuleIndex.certainASCII("Cafe\u{301} Noir") == " noir")
        #expect(RuleIndex.certainASCII("Xe\u{301}") == nil)
        #expect(RuleIndex.certainASCII("ab;cd\u{E9}") == "ab")
        #expect(RuleIndex.necessary(.test(field: "Description", .equals(.text("GnuPG\u{2019}s OpenPGP tool"), cased: false)))?.clauses.map { $0.map(\.text) } == [["s openpgp tool"]])
        // Whatever spelling the value has, the index answers as the matcher does.
        let needles = ["Caf\u{E9} Noir", "Cafe\u{301} Noir", "GnuPG\u{2019}s OpenPGP tool", "\u{212A}elvin \u{E9}t\u{E9}", "x\u{37E}y\u{E9}"]
        let values = needles + ["CAF\u{C9} NOIR", "cafe\u{301} noir", "Kelvin \u{E9}t\u{E9}", "kelvin e\u{301}te\u{301}", "x;y\u{E9}", "gnupg\u{2019}s openpgp tool", "tool"]
        var filters: [Filter] = []
        for n in needles { for cased in [false, true] { filters += [.test(field: "F", .equals(.text(n), cased: cased)), .test(field: "F", .contains(n, cased: cased))] } }
        let index = try RuleIndex(filters.enumerated().map { i, f in (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: ["k"], filter: f)], window: 0, groupBy: [])) })
        var cache = LiteralCache()
        var matched = 0
        for v in values {
            let fields: JSONObject = ["F": .string(v)]
            let expected = try filters.indices.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
            #expect(index.matches(kind: "k", fields: fields, cache: &cache) == expected, "\(v)")
            matched += expected.count
        }
        #expect(matched > 20, "\(matched)")
    }

    /// A field read only when another is missing or null (a Sigma field's ECS name, read when
    /// the event lacks the Sigma name) is left out of the hunt's search text while the other
    /// is there, and is in it when the other is missing or null; a rule reading it unguarded
    /// puts it back.
    @Test func aFieldReadOnlyWhenAnotherIsMissingIsSearchedOnlyThen() throws {
        let f = SigmaOwnFields.wrap(.test(field: "Image", .endsWith("\\cmd.exe", cased: false)), own: "Image", mapped: "process.executable")
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: f)], window: 0, groupBy: []))])
        let own: JSONObject = ["Image": .string("C:\\x\\calc.exe"), "process.executable": .string("C:\\Windows\\CMD.exe")]
        let missing: JSONObject = ["process.executable": .string("C:\\Windows\\CMD.exe")]
        let null: JSONObject = ["Image": .null, "process.executable": .string("C:\\Windows\\CMD.exe")]
        #expect(index.matches(kind: "p", fields: own) == [])
        #expect(index.matches(kind: "p", fields: missing) == [0])
        #expect(index.matches(kind: "p", fields: null) == [0])

        var fields = MatchFields()
        var program = MatchProgram()
        _ = try program.add(f, fields: &fields)
        var event = MatchEvent(own, reading: fields)
        #expect(String(decoding: event.searchText(), as: UTF8.self) == "c:\\x\\calc.exe\0")
        var lacking = MatchEvent(null, reading: fields)
        #expect(String(decoding: lacking.searchText(), as: UTF8.self) == "c:\\windows\\cmd.exe\0")
        _ = try program.add(.test(field: "process.executable", .contains("windows", cased: false)), fields: &fields)
        var both = MatchEvent(own, reading: fields)
        #expect(String(decoding: both.searchText(), as: UTF8.self) == "c:\\x\\calc.exe\0c:\\windows\\cmd.exe\0")
    }

    /// What an event reader keeps from event to event (its `LiteralCache.reading` event: which member
    /// keys are read only when another field is missing, by position) is dropped when the
    /// key at a position changes, and when the cache is used with another index: the same
    /// answers as an event read alone, over events whose keys move about.
    @Test func whatAReaderKeepsFollowsTheKeysAndTheIndex() throws {
        let wrapped = SigmaOwnFields.wrap(.test(field: "Image", .endsWith("\\cmd.exe", cased: false)), own: "Image", mapped: "process.executable")
        let first = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter: wrapped)], window: 0, groupBy: []))])
        let second = try RuleIndex([(name: "s", rule: Rule(clauses: [Clause(count: 1, kinds: ["p"], filter:
            .test(field: "process.executable", .endsWith("\\cmd.exe", cased: false)))], window: 0, groupBy: []))])
        let events: [JSONObject] = [
            ["Image": "C:\\x\\calc.exe", "process.executable": "C:\\Windows\\cmd.exe"],
            ["process.executable": "C:\\Windows\\cmd.exe", "Image": "C:\\x\\calc.exe"],
            ["process.executable": "C:\\Windows\\cmd.exe"],
            ["Other": "C:\\Windows\\cmd.exe", "process.executable": "C:\\Windows\\cmd.exe"],
            ["Image": .null, "process.executable": "C:\\Windows\\cmd.exe"],
        ]
        var cache = LiteralCache()
        for round in 0..<3 {
            for (n, fields) in events.enumerated() {
                for index in [first, second] {
                    #expect(index.matches(kind: "p", fields: fields, cache: &cache) == index.matches(kind: "p", fields: fields), "\(round) \(n)")
                }
            }
        }
        #expect(first.matches(kind: "p", fields: events[2], cache: &cache) == [0])
        #expect(first.matches(kind: "p", fields: events[0], cache: &cache) == [])
    }

    /// Numbers are in the search text as text tests read them (`stringValue`).
    @Test func numbersAreInTheSearchTextAsTestsReadThem() throws {
        var fields = MatchFields()
        var program = MatchProgram()
        _ = try program.add(.test(field: "n", .contains("1", cased: false)), fields: &fields)
        for n: Int64 in [0, 7, -42, 1_000_000, .max, .min, .min + 1] {
            var event = MatchEvent(["n": .int(n)], reading: fields)
            #expect(String(decoding: event.searchText(), as: UTF8.self) == "\(n)\0")
        }
    }

    /// `Glob` reads `\\*` as a literal star where the text has one and as a backslash and a
    /// wildcard where it does not, so the pre-filter takes no literal across it (it took `a*b`
    /// from `a\\*b` and skipped the rule on `a\\xb`, which the random oracle test found).
    @Test func anEscapedWildcardGivesNoLiteralAcrossIt() throws {
        let f = Filter.test(field: "x", .glob("a\\*b", cased: false))
        let index = try RuleIndex([(name: "r", rule: Rule(clauses: [Clause(count: 1, kinds: ["k"], filter: f)], window: 0, groupBy: []))])
        for value in ["a*b", "a\\xb", "a\\*b"] {
            let fields: JSONObject = ["x": .string(value)]
            #expect(index.matches(kind: "k", fields: fields) == (try ReferenceMatcher(f).matches(fields) ? [0] : []), "\(value)")
        }
        #expect(RuleIndex.longestPlainRun("abc\\*de") == "abc")
    }

    /// Lower-casing eight bytes a word gives what `lowercased()` gives, at every length and
    /// alignment, with the bytes around the letters' range (`@`, `[`, `` ` ``, `{`) and a
    /// non-ASCII character anywhere.
    @Test func loweringIsLowercased() {
        var r = Random(state: 7)
        let pieces = ["A", "Z", "a", "z", "@", "[", "`", "{", "0", "\\", " ", "M", "é", "İ", "\u{7F}", "\u{0}"]
        for _ in 0..<3000 {
            let s = (0..<r.next(40)).map { _ in r.pick(r.next(6) == 0 ? pieces : Array(pieces.prefix(11))) }.joined()
            var out: [UInt8] = [1, 2, 3]
            let ascii = Matcher.lower(s, onto: &out)
            #expect(out == [1, 2, 3] + Array(s.lowercased().utf8), "\(s)")
            #expect(ascii == s.utf8.allSatisfy { $0 < 0x80 })
        }
    }

    @Test func containsFindsTheNeedleAnywhereAndOnlyWhole() throws {
        let hay: JSONObject = ["v": "aab aabc abcabd"]
        for (needle, found) in [("abd", true), ("abc", true), ("aabca", false), ("d", true), ("abcabd!", false), ("AABC", true)] {
            #expect(try Matcher(.test(field: "v", .contains(needle))).matches(hay) == found, "\(needle)")
        }
    }
}
