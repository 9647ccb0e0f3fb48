import Testing
@testable import Model

/// A `JSONReader` tries each key as the key that followed the one before last time
/// (`KeyCache.guess`). Keys that begin like the guess, end like it, are it escaped, are it in
/// other case, are longer than the cache keeps, or come in another order are read as
/// `JSONValue.parse` reads them, with the tags their names give, by the tree and by a cursor.
@Suite struct JSONKeyGuessTests {
    static let keys = [
        "Image", "ImageLoaded", "Imag", "image", "Image ", #"Image\u0020"#, #"Im\"age"#, "Imagé",
        "EventID", "Event", "EventData", "System", String(repeating: "k", count: 31), String(repeating: "k", count: 32),
        String(repeating: "k", count: 33), "TargetObject", "TargetObjec", "a", "",
    ]

    /// The keys as read: their escapes undone.
    static let names = keys.map { key in (try? JSONValue.parse("\"\(key)\""))?.stringValue ?? key }

    @Test func guessedKeysAreTheKeysParseReads() throws {
        var state: UInt64 = 29
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        // A few orders the documents mostly repeat, so guesses are made and mostly right.
        let orders: [[Int]] = (0..<4).map { _ in (0..<(3 + next(8))).map { _ in next(JSONKeyGuessTests.keys.count) } }
        let reader = JSONReader()
        var documents = 0, cursorKeys = 0
        for round in 0..<4000 {
            var order = orders[next(orders.count)]
            if next(4) == 0 { order[next(order.count)] = next(JSONKeyGuessTests.keys.count) }  // one key other than last time
            if next(8) == 0 {
                var generator = Generator(state: UInt64(round))
                order.shuffle(using: &generator)
            }
            var seen = Set<String>()
            // A key twice (`Image ` spelled `Image\u0020` too) reads as its last value in a tree.
            order = order.filter { seen.insert(JSONKeyGuessTests.names[$0]).inserted }
            var doc = "{"
            for (m, k) in order.enumerated() {
                if m > 0 { doc += next(2) == 0 ? "," : " ,\n " }
                doc += "\"\(JSONKeyGuessTests.keys[k])\"" + (next(2) == 0 ? ":" : " : ") + (next(3) == 0 ? "{\"Image\": \(m)}" : "\(m)")
            }
            doc += "}"
            let bytes = Array(doc.utf8)
            let expected = try JSONValue.parse(bytes)
            let got = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try reader.parse(b) }
            #expect(got == expected, "\(doc)")
            guard case .object(let object) = expected else { continue }
            // The cursor: the same keys in order, each with the tag its name gives.
            let read = try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) -> [JSONKey] in
                var cursor = JSONCursor(b, reader: reader)
                guard try cursor.enterObject() else { return [] }
                var keys: [JSONKey] = []
                while let k = try cursor.nextKey() {
                    keys.append(k)
                    _ = try cursor.value()
                }
                return keys
            }
            #expect(read.map(\.name) == object.map(\.key), "\(doc)")
            for k in read {
                #expect(k.tag == JSONObject.Member.tag(of: k.name), "\(k.name)")
                cursorKeys += 1
            }
            documents += 1
        }
        #expect(documents == 4000 && cursorKeys > 10_000)
    }

    /// The guess itself: the key that followed, only when the bytes spell it up to its quote.
    @Test func theGuessIsTheKeyThatFollowedOnlyWhenSpelledWhole() throws {
        let reader = JSONReader()
        _ = try Array(#"{"Image": 1, "ImageLoaded": 2}"#.utf8).withUnsafeBufferPointer { (b) throws(JSONParseError) in try reader.parse(b) }
        let image = try #require(Array("Image".utf8).withUnsafeBufferPointer { reader.keys.slot($0) })
        func guess(_ text: String) -> String? {
            Array(text.utf8).withUnsafeBufferPointer { reader.keys.guess(after: image, $0, from: 0)?.key }
        }
        #expect(guess(#"ImageLoaded": 3"#) == "ImageLoaded")
        #expect(guess(#"ImageLoadedX": 3"#) == nil)
        #expect(guess(#"ImageLoade": 3"#) == nil)
        #expect(guess(#"ImageLoaded"#) == nil)  // no closing quote within the bytes
        #expect(guess(#"Image": 3"#) == nil)
    }

    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }
}
