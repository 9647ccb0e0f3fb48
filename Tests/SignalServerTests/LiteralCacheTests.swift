import Model
import Testing
@testable import SignalServer

/// The cache against the scan it saves: an event's literals found value by value through the
/// cache are those one scan of its whole search text finds, whether a value was seen before
/// or not, under two searches that look for different literals in the same values, with
/// upper-case, non-ASCII, empty and over-long values, and after the cache has let go of
/// everything for being full.
@Suite struct LiteralCacheTests {
    static let letters = ["a", "b", "c", "C", "\\", ".", "é", "É", "\u{212A}"]

    static func word(_ r: inout MatcherProgramTests.Random, _ n: Int) -> String {
        (0..<n).map { _ in letters[r.next(letters.count)] }.joined()
    }

    /// What one scan of the values' text (each lower-cased, then a 0 byte) finds.
    static func scanned(_ values: [String], _ search: LiteralSearch, literals: Int) -> (Set<Int32>, Bool) {
        var text: [UInt8] = [], ascii = true
        for v in values {
            if !Matcher.lower(v, onto: &text) { ascii = false }
            text.append(0)
        }
        var found = LiteralFlags(count: literals)
        var hits: [Int32] = []
        search.scan(text, from: 0, into: &found, hits: &hits)
        return (Set(hits), ascii)
    }

    @Test func findsWhatOneScanOfTheWholeTextFinds() {
        var r = MatcherProgramTests.Random(state: 23)
        let literals = (0..<200).map { _ in Array(Matcher.lowered(Self.word(&r, 1 + r.next(5)))) }
        let all = LiteralSearch(literals), some = LiteralSearch(literals, only: literals.indices.filter { $0 % 4 == 0 })
        var pool = (0..<50).map { _ in Self.word(&r, r.next(24)) }
        pool.append(Self.word(&r, LiteralCache.longest + 10))  // scanned each time, never kept
        pool.append("")
        var cache = LiteralCache()
        var hits = 0
        for _ in 0..<2000 {
            let values = (0..<(1 + r.next(8))).map { _ in r.next(5) == 0 ? Self.word(&r, r.next(30)) : pool[r.next(pool.count)] }
            for (id, search) in [(Int32(0), all), (Int32(1), some)] {
                let (expected, expectedASCII) = Self.scanned(values, search, literals: literals.count)
                cache.startEvent(literals: literals.count)
                var ascii = true
                for v in values where !cache.add(v, search, id: id) { ascii = false }
                #expect(Set(cache.hits) == expected, "\(values) in search \(id)")
                #expect(cache.hits.count == Set(cache.hits).count)
                #expect(expected.allSatisfy { cache.found.contains(Int($0)) })
                #expect((0..<literals.count).filter { cache.found.contains($0) }.count == expected.count)
                #expect(ascii == expectedASCII)
                hits += expected.count
            }
        }
        #expect(hits > 5000)
    }

    /// A field whose values are nearly all new is scanned without the cache, and its values
    /// are kept again once they repeat; the literals found are the scan's either way.
    @Test func aFieldOfNewValuesIsScannedWithoutTheCache() {
        let literals = [Array("needle".utf8), Array("guid".utf8)]
        let search = LiteralSearch(literals)
        var cache = LiteralCache()
        let field: UInt32 = 0x000B_4764  // any tag but 0, which is "unknown"
        func add(_ value: String) {
            cache.startEvent(literals: literals.count)
            _ = cache.add(value, search, id: 0, field: field)
            let (expected, _) = Self.scanned([value], search, literals: literals.count)
            #expect(Set(cache.hits) == expected, "\(value)")
        }
        #expect(!cache.scansWithoutCache(field: field))
        for n in 0..<2000 { add(n % 7 == 0 ? "GUID-\(n)-needle" : "guid-\(n)") }
        #expect(cache.scansWithoutCache(field: field))
        // Only one value in `resample` went through the cache once the field was known.
        #expect(cache.values < 2000 / Int(LiteralCache.resample) + 64)
        let kept = cache.values
        for n in 0..<4000 { add("repeated \(n % 10) needle") }
        #expect(!cache.scansWithoutCache(field: field))
        #expect(cache.values == kept + 10)
    }

    /// Fields met in turn keep figures of their own, even those whose tags once shared a slot
    /// (Sysmon's `ProcessGuid` and Security's `SubjectUserSid`; `IpAddress` and
    /// `SubjectUserName`, of one logon event): the field of new values is known as one, and
    /// the field whose values repeat is still cached. Past the table's size, every field
    /// still gets the literals a scan finds.
    @Test func fieldsMetInTurnKeepFiguresOfTheirOwn() {
        let literals = [Array("needle".utf8), Array("s-1-5".utf8)]
        let search = LiteralSearch(literals)
        let tags: JSONObject = ["ProcessGuid": "x", "SubjectUserSid": "x", "IpAddress": "x", "SubjectUserName": "x"]
        let (guid, sid, ip, user) = (tags.keyTag(at: 0), tags.keyTag(at: 1), tags.keyTag(at: 2), tags.keyTag(at: 3))
        var cache = LiteralCache()
        func add(_ value: String, _ field: UInt32) {
            cache.startEvent(literals: literals.count)
            _ = cache.add(value, search, id: 0, field: field)
            let (expected, _) = Self.scanned([value], search, literals: literals.count)
            #expect(Set(cache.hits) == expected, "\(value)")
        }
        for n in 0..<2000 {
            add("{94F748D5-\(n)-5A42-needle}", guid)
            add("S-1-5-\(n % 3)", sid)
            add("10.20.\(n / 256).\(n % 256)", ip)
            add(["jdoe", "asmith", "WS-0001$"][n % 3], user)
        }
        #expect(cache.scansWithoutCache(field: guid) && cache.scansWithoutCache(field: ip))
        #expect(!cache.scansWithoutCache(field: sid) && !cache.scansWithoutCache(field: user))
        // Each field of new values put one value in `resample` in the cache once known.
        #expect(cache.values < 2 * 2000 / Int(LiteralCache.resample) + 200)
        // More fields than the table holds: answers stay the scan's.
        for n in 0..<3000 { add("value \(n % 5) needle", UInt32(n % 600 + 1) << 8 | 0x61) }
    }

    /// Full, it lets everything go and starts again: memory stays bounded and answers right.
    @Test func aFullCacheStartsAgain() {
        let literals = [Array("needle".utf8), Array("x7".utf8)]
        let search = LiteralSearch(literals)
        var cache = LiteralCache()
        var found = 0
        for n in 0..<(LiteralCache.maxEntries + 5000) {
            cache.startEvent(literals: literals.count)
            _ = cache.add(n % 1000 == 0 ? "a NEEDLE \(n)" : "value \(n)", search, id: 0)
            #expect(cache.values <= LiteralCache.maxEntries)
            if cache.found.contains(0) { found += 1 }
        }
        #expect(found == (LiteralCache.maxEntries + 5000 + 999) / 1000)
        #expect(cache.values > 0 && cache.values < 10_000)
        cache.startEvent(literals: literals.count)
        _ = cache.add("a NEEDLE 0", search, id: 0)
        #expect(cache.hits == [0])
    }
    /// One event's `values` added to `cache` by `add` (in `search`, known as `id`): the
    /// literals found are one scan's, and each value's entry is the one `bytesOnly` finds by
    /// its bytes.
    static func check(
        _ values: [String], _ id: Int32, _ search: LiteralSearch, literals: Int, _ cache: inout LiteralCache,
        against bytesOnly: inout LiteralCache, add: (inout LiteralCache, String) throws -> Bool
    ) rethrows {
        let (expected, expectedASCII) = scanned(values, search, literals: literals)
        cache.startEvent(literals: literals)
        bytesOnly.startEvent(literals: literals)
        var ascii = true
        for v in values {
            if try !add(&cache, v) { ascii = false }
            _ = bytesOnly.add(v, search, id: id, counted: true)
            #expect(cache.lastEntry == bytesOnly.lastEntry, "\(Array(v.utf8)) in search \(id)")
        }
        #expect(Set(cache.hits) == expected, "\(values) in search \(id)")
        #expect(cache.hits.count == Set(cache.hits).count)
        #expect(ascii == expectedASCII)
    }

    /// Where a `String` of more than 15 bytes keeps its bytes, as `MatchEvent` reads it.
    static func address(_ s: String) -> UInt? {
        s.utf8.count > 15 ? s.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) } : nil
    }

    /// A value looked up by where its bytes are (`add(_:at:count:...)`, as the hunt does for
    /// the `String`s the JSON reader hands out again) finds what one scan finds and the same
    /// entry as its bytes: for the same `String` again, for a copy with the same bytes
    /// elsewhere, under two searches, and after the cache has let go of everything (a
    /// string it had pinned is looked up afresh, not by a slot that named it before).
    @Test func aValueFoundByWhereItIsFindsWhatItsBytesFind() throws {
        var r = MatcherProgramTests.Random(state: 41)
        let literals = (0..<120).map { _ in Array(Matcher.lowered(Self.word(&r, 1 + r.next(4)))) }
        let all = LiteralSearch(literals), some = LiteralSearch(literals, only: literals.indices.filter { $0 % 3 == 0 })
        let pool = (0..<40).map { _ in Self.word(&r, 16 + r.next(40)) }
        var cache = LiteralCache(), bytesOnly = LiteralCache()
        func check(_ values: [String], _ id: Int32, _ search: LiteralSearch) throws {
            try Self.check(values, id, search, literals: literals.count, &cache, against: &bytesOnly) { cache, v in
                cache.add(v, at: try #require(Self.address(v)), count: v.utf8.count, search, id: id, field: 0)
            }
        }
        for round in 0..<3000 {
            // The pool's own strings again and again, and now and then a copy made elsewhere.
            let values = (0..<(1 + r.next(6))).map { _ in
                let v = pool[r.next(pool.count)]
                return r.next(4) == 0 ? String(decoding: Array(v.utf8), as: UTF8.self) : v
            }
            try check(values, Int32(round % 2), round % 2 == 0 ? all : some)
        }
        #expect(cache.values == bytesOnly.values)
        // Full of values seen once, both let go of everything; the pool is found again.
        for n in 0..<(LiteralCache.maxEntries + 100) {
            try check(["a value seen once, number \(n)"], 0, all)
        }
        #expect(cache.generation == 1 && bytesOnly.generation == 1)
        for round in 0..<200 { try check([pool[round % pool.count]], 0, all) }
    }

    /// A short value looked up by its bytes as words (`add(short:...)`, as the hunt does for
    /// values of at most 15 bytes) finds what one scan finds and the same entry as a look-up
    /// by its bytes: for every length 1...15 (and the empty and 16-byte values it passes on),
    /// values that differ only past where a shorter one ends (`a` and `a\0`), non-ASCII ones,
    /// two searches, more values than the pins have slots (so they push each other out), and
    /// after the cache has let go of everything.
    @Test func aShortValueFoundByItsWordsFindsWhatItsBytesFind() {
        var r = MatcherProgramTests.Random(state: 59)
        let literals = (0..<120).map { _ in Array(Matcher.lowered(Self.word(&r, 1 + r.next(3)))) }
        let all = LiteralSearch(literals), some = LiteralSearch(literals, only: literals.indices.filter { $0 % 3 == 0 })
        var pool = (0..<3000).map { i in Self.word(&r, i % 17) }  // 0...16 bytes or more (é is two)
        pool += ["a", "a\0", "a\0\0", "ab", "ba", "\0", "\0\0", String(repeating: "z", count: 15), String(repeating: "z", count: 16)]
        var cache = LiteralCache(), bytesOnly = LiteralCache()
        func check(_ values: [String], _ id: Int32, _ search: LiteralSearch) {
            Self.check(values, id, search, literals: literals.count, &cache, against: &bytesOnly) { cache, v in
                cache.add(short: v, search, id: id, field: 0)
            }
        }
        for round in 0..<20_000 {
            let values = (0..<(1 + r.next(6))).map { _ in pool[r.next(pool.count)] }
            check(values, Int32(round % 2), round % 2 == 0 ? all : some)
        }
        #expect(cache.values == bytesOnly.values)
        for n in 0..<(LiteralCache.maxEntries + 100) { check(["long value \(n)"], 0, all) }
        #expect(cache.generation == 1 && bytesOnly.generation == 1)
        for round in 0..<500 { check([pool[round % pool.count]], 0, all) }
    }

    /// The hash reads a value's last bytes as words; it is the byte-by-byte one it replaced.
    @Test func theHashReadsTheLastBytesAsTheyAre() {
        var r = MatcherProgramTests.Random(state: 7)
        func byteByByte(_ bytes: [UInt8], _ id: Int32) -> UInt64 {
            let k: UInt64 = 0x9E37_79B9_7F4A_7C15
            var h = UInt64(bytes.count) &* k ^ UInt64(UInt32(bitPattern: id))
            if bytes.isEmpty { return h &* k }
            var i = 0
            while i + 8 <= bytes.count {
                var word: UInt64 = 0
                for j in 0..<8 { word |= UInt64(bytes[i + j]) << UInt64(8 * j) }
                h = (h ^ word) &* k
                h ^= h >> 29
                i += 8
            }
            if i < bytes.count {
                var last: UInt64 = 0
                for j in i..<bytes.count { last |= UInt64(bytes[j]) << UInt64(8 * (j - i)) }
                h = (h ^ last) &* k
                h ^= h >> 29
            }
            return h &* k ^ (h >> 32)
        }
        for n in 0...40 {
            for _ in 0..<50 {
                // Exactly `n` bytes, so a read past them would show.
                let bytes = (0..<n).map { _ in UInt8(r.next(256)) }
                let id = Int32(r.next(5))
                let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: n)
                defer { p.deallocate() }
                _ = p.initialize(from: bytes)
                #expect(LiteralCache.hash(UnsafeBufferPointer(p), id) == byteByByte(bytes, id), "\(bytes)")
            }
        }
    }
}
