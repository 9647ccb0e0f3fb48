import Testing
@testable import Model

/// A key's tag sums it up for filters (length, first, middle and last bytes): equal keys have
/// equal tags, and keys a filter must tell apart seldom share one.
@Suite struct JSONKeyTagTests {
    @Test func systemTimeIsToldFromNamesOfItsLengthAndEnds() {
        let keys = ["SystemTime", "ServerName", "SourceName"]
        #expect(Set(keys.map { JSONObject.Member.tag(of: $0) }).count == 3)
        // A filter holding one lets the others through only by its bits' chance, not always.
        let filter = JSONKeyFilter(["ServerName", "SourceName"])
        let event: JSONObject = ["SystemTime": "2025-01-01T00:00:00Z", "ServerName": "DC01", "SourceName": "x"]
        #expect(!event.key(at: 0, mayBeIn: filter) && event.key(at: 1, mayBeIn: filter) && event.key(at: 2, mayBeIn: filter))
    }

    /// Tags keep a key's length mod 128: a key table still finds exactly its keys when a key of
    /// 130 bytes and one of 2 fall in the same place, and keys of equal bytes but the middle.
    @Test func aKeyTableFindsItsKeysWhateverTheirLengths() {
        let long = "a" + String(repeating: "x", count: 128) + "b", short = "ab"
        let keys = [long, short, "SystemTime", "ServerName", String(repeating: "k", count: 300)]
        let table = JSONKeyTable(keys)
        var object = JSONObject()
        for (i, key) in keys.enumerated() { object[key] = .int(Int64(i)) }
        object["aXb"] = .int(99)  // a stranger of its own tag's neighbours
        object[String(repeating: "k", count: 172)] = .int(98)  // 300 and 172 are equal mod 128
        var found: [String: JSONValue] = [:]
        object.forEachValue(of: table) { k, v in found[table.keys[k]] = v }
        #expect(found.count == keys.count)
        for (i, key) in keys.enumerated() { #expect(found[key] == .int(Int64(i)), "\(key.prefix(12))… (\(key.utf8.count))") }
        for (key, tag) in keys.map({ ($0, JSONObject.Member.tag(of: $0)) }) {
            #expect(Int(tag >> 24 & 0x7F) == key.utf8.count % 128)  // the tag's length bits
        }
    }

    /// A full table (64 keys, several sharing a tag: same length, first, middle and last
    /// bytes) finds exactly its keys among strangers, the keys of its tags included, and a
    /// Unicode key equal to one of them as `String`s are (a Kelvin sign is canonically a K).
    @Test func aFullKeyTableFindsExactlyItsKeys() {
        // `aQc`-style keys: one tag for every letter in the middle.
        var keys = (0..<20).map { "k" + String(repeating: "_", count: $0 % 5) + "m" + String(UnicodeScalar(UInt8(65 + $0))) + "z" }
        keys += (0..<44).map { "Field\($0)Name" }
        #expect(keys.count == 64)
        let shared = Dictionary(grouping: keys, by: { JSONObject.Member.tag(of: $0) }).values.filter { $0.count > 1 }
        #expect(shared.count >= 4, "keys that share a tag")
        let table = JSONKeyTable(keys)
        let strangers = keys.map { $0 + "x" } + keys.map { String($0.dropFirst()) } + ["kmQz", "Field99Name", "Field1Nam"]
        var object = JSONObject()
        for (i, key) in (keys + strangers).enumerated() { object[key] = .int(Int64(i)) }
        var found: [String: JSONValue] = [:]
        object.forEachValue(of: table) { k, v in found[table.keys[k]] = v }
        #expect(found.count == keys.count)
        for (i, key) in keys.enumerated() { #expect(found[key] == .int(Int64(i)), "\(key)") }
        var seen: [String] = []
        object.forEachMember(in: table) { key, _, p in if let p { seen.append(table.keys[p]) } }
        #expect(seen == keys)
        // "Kelvin" spelled with a Kelvin sign is the table's "Kelvin" to `String`.
        let kelvin = JSONKeyTable(["Kelvin", "EventID"])
        var hits: [Int] = []
        JSONObject(["\u{212A}elvin": .null, "kelvin": .null]).forEachValue(of: kelvin) { k, _ in hits.append(k) }
        #expect(hits.map { kelvin.keys[$0] } == ["Kelvin"])
    }

    /// `holdsAny` looks at tags before keys: it answers as comparing every key with every
    /// name does, for ASCII keys, Unicode ones, and a name spelled with other bytes.
    @Test func holdsAnyAnswersAsComparingEveryKey() {
        let names = ["process.name", "user.name", "host.name", "K\u{212A}elvin"]
        let set = JSONKeySet(names)
        let pool = ["EventID", "Channel", "process.name", "user.nam", "host.name", "Host.name", "KKelvin", "K\u{212A}elvin", "caf\u{E9}", "cafe\u{301}"]
        var rng = SameBytesTests.Seeded(state: 5)
        var held = 0
        for _ in 0..<500 {
            var object = JSONObject()
            for key in pool where rng.next() % 3 == 0 { object[key] = .null }
            let expected = object.keys.contains { key in names.contains { $0 == key } }
            #expect(object.holdsAny(of: set) == expected, "\(object.keys)")
            if expected { held += 1 }
        }
        #expect(held > 100 && held < 500)
        // A Kelvin sign is canonically a K: the set's Unicode name equals an ASCII key's.
        #expect(JSONObject(["KKelvin": .null]).holdsAny(of: set))
    }
}
