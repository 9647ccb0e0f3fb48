import Model
import Testing
@testable import SignalServer

/// Rules' answers remembered by the values they read (`RuleMemo`) are the answers running
/// them gives: on random rules over events that repeat their values, across the literal
/// cache letting its entries go, and where a field is read only while another is missing.
@Suite struct RuleMemoTests {
    typealias R = MatcherProgramTests

    static func index(_ filters: [Filter], kind: String = "p") throws -> RuleIndex {
        try RuleIndex(filters.enumerated().map { i, f in
            (name: "r\(i)", rule: Rule(clauses: [Clause(count: 1, kinds: [kind], filter: f)], window: 0, groupBy: []))
        })
    }

    @Test func rememberedAnswersAreTheRulesAnswers() throws {
        var r = R.Random(state: 2026)
        let filters = (0..<150).map { _ in R.filter(&r) }
        let index = try Self.index(filters)
        // Few events' worth of values, so that most events repeat another's.
        let events = (0..<40).map { _ in R.event(&r) }
        var cache = LiteralCache()
        var matched = 0
        for n in 0..<1_500 {
            if n == 900 { cache.letGo() }  // entries renumbered: what was remembered by them goes
            let fields = events[r.next(events.count)]
            let expected = try filters.indices.filter { try ReferenceMatcher(filters[$0]).matches(fields) }
            #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "\(fields)")
            matched += expected.count
        }
        #expect(matched > 20_000)
        // Most rules that ran were answered from the memo.
        #expect(cache.memo.found > 10_000)
    }

    /// What a rule reads: each field once, whether its value or only its presence, and the
    /// field whose presence makes a mapped name's reads moot.
    @Test func aRuleReadsItsFieldsAndNotesWhichAreMoot() throws {
        let wrapped = SigmaOwnFields.wrap(.test(field: "Image", .endsWith("\\cmd.exe", cased: false)), own: "Image", mapped: "process.executable")
        var fields = MatchFields()
        var program = MatchProgram()
        let root = try program.add(.all([wrapped, .test(field: "User", .exists(true))]), fields: &fields)
        let image = Int32(fields.names.firstIndex(of: "Image") ?? -1), mapped = Int32(fields.names.firstIndex(of: "process.executable") ?? -1)
        let user = Int32(fields.names.firstIndex(of: "User") ?? -1)
        #expect(program.reads(root) == [
            MatchProgram.Read(slot: image, value: true, moot: -1),
            MatchProgram.Read(slot: mapped, value: true, moot: image),
            MatchProgram.Read(slot: user, value: false, moot: -1),
        ])
        // A keyword reads every field: its answers are not remembered.
        let keyword = try program.add(.any([.anyField(.contains("mimikatz", cased: false)), wrapped]), fields: &fields)
        #expect(program.reads(keyword) == nil)
    }

    /// Events that differ only in a mapped field read while the own one is missing share an
    /// answer while the own one is there, and not once it is missing.
    @Test func aMootReadDoesNotSplitTheAnswers() throws {
        let wrapped = SigmaOwnFields.wrap(.test(field: "Image", .endsWith("\\cmd.exe", cased: false)), own: "Image", mapped: "process.executable")
        let index = try Self.index([wrapped])
        var cache = LiteralCache()
        let own: [JSONObject] = [
            ["Image": "C:\\Windows\\cmd.exe", "process.executable": "C:\\a.exe"],
            ["Image": "C:\\Windows\\cmd.exe", "process.executable": "C:\\b.exe"],
        ]
        #expect(index.matches(kind: "p", fields: own[0], cache: &cache) == [0])
        #expect(index.matches(kind: "p", fields: own[1], cache: &cache) == [0])
        #expect(cache.memo.found == 1)
        let mapped: [JSONObject] = [["process.executable": "C:\\Windows\\CMD.exe"], ["Image": .null, "process.executable": "C:\\x.exe"]]
        #expect(index.matches(kind: "p", fields: mapped[0], cache: &cache) == [0])
        #expect(index.matches(kind: "p", fields: mapped[1], cache: &cache) == [])
        #expect(index.matches(kind: "p", fields: mapped[0], cache: &cache) == [0])
        #expect(cache.memo.found == 2)
    }

    /// A rule whose root is an `all` is remembered part by part, each part run only when the
    /// ones before it are true: a selection that rules the event out is answered from the
    /// memo even when a later part reads a value new in every event (a source port, an
    /// address), which remembered whole made the rule run at every event.
    @Test func aRuleIsRememberedPartByPart() throws {
        let selection: Filter = .all([
            .test(field: "DestinationPort", .equals(.number(3389))),
            .test(field: "Initiated", .equals(.text("true"))),
        ])
        let rule: Filter = .all([selection, .not(.test(field: "DestinationIp", .inCIDR("10.0.0.0/8")))])
        let index = try Self.index([rule])
        var cache = LiteralCache()
        for n in 0..<200 {
            let port = n % 4 == 0 ? 3389 : 443, inside = n % 3 == 0
            let fields: JSONObject = [
                "DestinationPort": .int(Int64(port)), "Initiated": "true",
                "DestinationIp": .string(inside ? "10.1.\(n / 250).\(n % 250)" : "203.0.\(n / 250).\(n % 250)"),
                "SourcePort": .int(Int64(49152 + n)),
            ]
            let expected = try ReferenceMatcher(rule).matches(fields) ? [0] : []
            #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "\(fields)")
            #expect(expected == (port == 3389 && !inside ? [0] : []))
        }
        // Each event's selection after the first of its port is remembered (both ports'
        // answers, true and false); only the address, new at every event, is not.
        #expect(cache.memo.found >= 190)
    }

    /// The parts are an `all`'s children in order, or the filter whole. A part's reads are all
    /// of value, even one the whole filter reads only while another field is missing
    /// (`Read.moot`): the part may run before the `absent` test that makes it moot. The
    /// answers stay the rule's over events with and without that field, in any order.
    @Test func aPartBeforeItsAbsentTestReadsItsValue() throws {
        let mappedFirst: Filter = .all([
            .test(field: "process.executable", .endsWith("\\cmd.exe", cased: false)),
            .test(field: "Image", .absent),
        ])
        var fields = MatchFields()
        var program = MatchProgram()
        let root = try program.add(mappedFirst, fields: &fields)
        let parts = program.parts(root)
        #expect(parts.count == 2 && parts[0] == root + 1)
        #expect(program.reads(parts[0])?.first?.moot == Int32(fields.names.firstIndex(of: "Image") ?? -9))
        let either = try program.add(.any([.test(field: "A", .present), .test(field: "B", .present)]), fields: &fields)
        let single = try program.add(.all([.test(field: "A", .present)]), fields: &fields)
        #expect(program.parts(either) == [either] && program.parts(single) == [single])
        let index = try Self.index([mappedFirst])
        var cache = LiteralCache()
        let events: [JSONObject] = [
            ["Image": "C:\\x.exe", "process.executable": "C:\\Windows\\cmd.exe"],
            ["process.executable": "C:\\a.exe"],
            ["process.executable": "C:\\Windows\\cmd.exe"],
            ["Image": "C:\\y.exe", "process.executable": "C:\\a.exe"],
            ["Image": .null, "process.executable": "C:\\Windows\\CMD.EXE"],
        ]
        for round in 0..<3 {
            for fields in events {
                let expected = try ReferenceMatcher(mappedFirst).matches(fields) ? [0] : []
                #expect(index.matches(kind: "p", fields: fields, cache: &cache) == expected, "round \(round): \(fields)")
            }
        }
        #expect(cache.memo.found > 0)
    }

    /// The memo's own answers, for keys packed whole (`Key.packed`) and keys too wide to pack,
    /// side by side: a key answers what was remembered for it, a key never remembered answers
    /// nothing, and keys that differ only in a code's width (0xFFFF and 0x10000), its kind,
    /// their order or the rule are different keys. Past its capacity it lets go and starts
    /// again, and never answers wrongly.
    @Test func theMemoAnswersExactlyWhatWasRemembered() {
        var r = R.Random(state: 7)
        let numbers: [UInt32] = [0, 1, 0xFFFF, 0x10000, 0xFFFF_FFFF, 42, 0x8000_0000]
        func key() -> RuleMemo.Key {
            var k = RuleMemo.Key(rule: Int32(r.next(5)))
            for _ in 0..<r.next(RuleMemo.maxReads + 1) {
                k.append(UInt64(1 + r.next(7)) << 56 | UInt64(numbers[r.next(numbers.count)]))
            }
            return k
        }
        func name(_ k: RuleMemo.Key) -> [UInt64] { [UInt64(k.rule), UInt64(k.count)] + (0..<k.count).map { k.codes[$0] } }
        var memo = RuleMemo()
        var expected: [[UInt64]: Bool] = [:]
        var packed = 0, unpacked = 0
        for _ in 0..<4_000 {
            let k = key()
            if k.packed == nil { unpacked += 1 } else { packed += 1 }
            if let known = expected[name(k)] {
                #expect(memo.answer(k) == known)
            } else {
                #expect(memo.answer(k) == nil)
                let answer = r.next(2) == 1
                memo.remember(k, answer)
                expected[name(k)] = answer
                #expect(memo.answer(k) == answer)
            }
        }
        #expect(packed > 500 && unpacked > 500)
        // Widths, kinds, order and rule tell keys apart.
        var a = RuleMemo.Key(rule: 1), b = RuleMemo.Key(rule: 1), c = RuleMemo.Key(rule: 1), d = RuleMemo.Key(rule: 2)
        a.append(RuleMemo.integer(0xFFFF)); a.append(RuleMemo.string(entry: 0x1_0000))
        b.append(RuleMemo.string(entry: 0x1_0000)); b.append(RuleMemo.integer(0xFFFF))
        c.append(RuleMemo.string(entry: 0xFFFF)); c.append(RuleMemo.integer(0x1_0000))
        d.append(RuleMemo.integer(0xFFFF)); d.append(RuleMemo.string(entry: 0x1_0000))
        #expect([a, b, c, d].allSatisfy { $0.packed != nil })
        var small = RuleMemo()
        small.remember(a, true)
        #expect(small.answer(a) == true)
        #expect(small.answer(b) == nil && small.answer(c) == nil && small.answer(d) == nil)
        // Full: everything goes, and filling starts again.
        var full = RuleMemo()
        for n in 0..<(RuleMemo.capacity + 10) {
            var k = RuleMemo.Key(rule: 0)
            k.append(RuleMemo.integer(Int32(truncatingIfNeeded: n)))
            full.remember(k, n % 3 == 0)
        }
        #expect(full.count == 10)
        for n in 0..<(RuleMemo.capacity + 10) {
            var k = RuleMemo.Key(rule: 0)
            k.append(RuleMemo.integer(Int32(truncatingIfNeeded: n)))
            if let known = full.answer(k) { #expect(known == (n % 3 == 0)) }
        }
    }
}
