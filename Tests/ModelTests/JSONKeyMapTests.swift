import Testing
@testable import Model

/// `JSONKeyMap` finds a member's key by its tag and confirms it by the key itself: exact, for
/// keys of the same tag too, and for a key spelled in other bytes that `String` calls equal.
@Suite struct JSONKeyMapTests {
    @Test func findsExactlyTheKeysItHolds() {
        var map = JSONKeyMap<Int>()
        for (i, key) in ["process.executable", "host.name", "Image", "a", "b"].enumerated() { map[key] = i }
        map["b"] = nil
        let object: JSONObject = ["Image": .string("x"), "image": .string("y"), "host.name": .null, "b": .int(1), "process.executable": .int(2)]
        let found = (0..<object.count).map { object.value(forKeyAt: $0, in: map) }
        #expect(found == [2, nil, 1, nil, 0])
        #expect(map["a"] == 3 && map["b"] == nil && !map.isEmpty)
    }

    @Test func aKeySpelledInOtherBytesIsTheSameKey() {
        var ascii = JSONKeyMap<Int>()
        ascii["Key"] = 1
        let kelvin: JSONObject = ["\u{212A}ey": .int(0)]  // KELVIN SIGN: canonically K
        #expect(kelvin.value(forKeyAt: 0, in: ascii) == 1)
        var unicode = JSONKeyMap<Int>()
        unicode["\u{212A}ey"] = 2
        let plain: JSONObject = ["Key": .int(0)]
        #expect(plain.value(forKeyAt: 0, in: unicode) == 2)
    }
}
