import Testing
@testable import Model

/// `JSONKeyIndex` finds a member's key by its tag and confirms it by the key itself: exact, for
/// keys of the same tag too, and for a key spelled in other bytes that `String` calls equal.
@Suite struct JSONKeyIndexTests {
    @Test func findsExactlyTheKeysItHolds() {
        var map = JSONKeyIndex()
        for (i, key) in ["process.executable", "host.name", "Image", "a", "b"].enumerated() { map[key] = i }
        map["b"] = nil
        let object: JSONObject = ["Image": .string("x"), "image": .string("y"), "host.name": .null, "b": .int(1), "process.executable": .int(2)]
        let found = (0..<object.count).map { object.number(forKeyAt: $0, in: map) }
        #expect(found == [2, nil, 1, nil, 0])
        #expect(map["a"] == 3 && map["b"] == nil && !map.isEmpty)
    }

    @Test func aKeySpelledInOtherBytesIsTheSameKey() {
        var ascii = JSONKeyIndex()
        ascii["Key"] = 1
        let kelvin: JSONObject = ["\u{212A}ey": .int(0)]  // KELVIN SIGN: canonically K
        #expect(kelvin.number(forKeyAt: 0, in: ascii) == 1)
        var unicode = JSONKeyIndex()
        unicode["\u{212A}ey"] = 2
        let plain: JSONObject = ["Key": .int(0)]
        #expect(plain.number(forKeyAt: 0, in: unicode) == 2)
        // Set again under the other spelling: the same key, so one entry.
        unicode["Key"] = 3
        #expect(plain.number(forKeyAt: 0, in: unicode) == 3 && unicode["\u{212A}ey"] == 3)
    }
}

/// `forEachMemberMoved` hands over each member as `forEachMember(in:)` does, and an object
/// that shared its members with the one moved from keeps them all.
@Suite struct JSONMovedMembersTests {
    @Test func movesEveryMemberAndLeavesACopyWhole() {
        let table = JSONKeyTable(["Image", "CommandLine"])
        var object: JSONObject = ["Image": .string(String(repeating: "i", count: 40)), "n": 7, "nested": ["a": [1, "two"]]]
        object["CommandLine"] = .string("cmd.exe /c " + String(repeating: "c", count: 30))
        object["null"] = .null
        let kept = object  // shares the members' storage
        var expected: [(String, JSONValue, Int?)] = []
        kept.forEachMember(in: table) { key, value, p in expected.append((key.name, value, p)) }
        var moved: [(String, JSONValue, Int?)] = []
        var rebuilt = JSONObject()
        (consume object).forEachMemberMoved(in: table) { key, value, p in
            moved.append((key.name, value, p))
            rebuilt.append(distinct: key, value)
        }
        #expect(moved.count == 5 && moved.map(\.0) == expected.map(\.0))
        #expect(moved.map(\.1) == expected.map(\.1) && moved.map(\.2) == expected.map(\.2))
        #expect(moved.compactMap(\.2).count == 2)
        #expect(rebuilt == kept && kept.count == 5 && kept["Image"]?.stringValue?.count == 40)
    }
}
