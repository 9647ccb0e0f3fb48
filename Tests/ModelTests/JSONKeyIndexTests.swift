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
