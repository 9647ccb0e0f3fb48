import Testing
@testable import Model

/// Key bits say no only for keys an object certainly lacks, as `String` compares keys; and a
/// look among an object's first members sees only those.
@Suite struct JSONKeyBitsTests {
    @Test func bitsSayNoOnlyForKeysTheObjectLacks() {
        let names = (0..<300).map { "key\($0)" } + ["Event", "winlog", "detail-type", "a", ""]
        let object: JSONObject = ["Event": .null, "key7": .int(1), "a": "x"]
        var said = 0
        for name in names {
            let holds = object[name] != nil
            // Never no for a key it holds; no for most it lacks (the bits are a summary).
            if holds { #expect(object.mayHold(all: JSONKeyBits([name])) && object.keyBits.mayHold(JSONKey(name)), "\(name)") }
            if !object.mayHold(all: JSONKeyBits([name])) { said += 1 }
        }
        #expect(said > 200)
        #expect(object.mayHold(all: JSONKeyBits(["Event", "a"])))
        // Both ask the same summary: a set is held when each of its keys is.
        #expect(object.mayHold(all: JSONKeyBits(["Event", "winlog", "a"])) == object.keyBits.mayHold(JSONKey("winlog")))
        // A Unicode key: every object may hold it, and an object with one may hold any key.
        #expect(object.mayHold(all: JSONKeyBits(["\u{212A}ey"])) && object.keyBits.mayHold(JSONKey("\u{212A}ey")))
        let kelvin: JSONObject = ["\u{212A}ey": .int(0)]  // KELVIN SIGN: canonically K
        #expect(kelvin["Key"] != nil && kelvin.mayHold(all: JSONKeyBits(["Key"])) && kelvin.keyBits.mayHold(JSONKey("Key")))
    }

    @Test func aLookAmongTheFirstMembersSeesOnlyThem() {
        var object: JSONObject = ["Level": .int(4), "Computer": "WS1", "\u{212A}ey": .int(0)]
        object["Image"] = "x"
        #expect(object.contains(JSONKey("Computer"), before: 3) && object.contains(JSONKey("Level"), before: 1))
        #expect(!object.contains(JSONKey("Computer"), before: 1) && !object.contains(JSONKey("Image"), before: 3))
        #expect(object.contains(JSONKey("Image"), before: 4) && object.contains(JSONKey("Key"), before: 3))
        #expect(!object.contains(JSONKey("Level"), before: -1) && object.contains(JSONKey("Image"), before: 99))
    }
}
