/// A JSON document read a member at a time, for a reader that expects one shape and would
/// rather not build a tree only to take it apart again (evtx_dump's Windows events, which
/// become their signal's fields). As strict as `JSONValue.parse`, and the same values; each
/// step throws where the text is not JSON, and the caller then parses the document the
/// ordinary way, whose error is the one to report.
public struct JSONCursor {
    private var p: Parser
    /// Whether a member was just read: then `,` or the object's end comes next.
    private var afterMember = false
    /// The objects entered and not yet left, for the parser's bound on nesting.
    private var depth = 0

    /// The document in `bytes`, with `reader`'s keys and values (each made once per file).
    public init(_ bytes: UnsafeBufferPointer<UInt8>, reader: JSONReader) {
        reader.members.removeAll()
        p = Parser(bytes: bytes, members: reader.members, keys: reader.keys, values: reader.values)
    }

    /// Where the cursor is, to come back to when a value turns out not to be the shape a
    /// reader expected, and read it another way.
    public struct Mark {
        fileprivate let i: Int, afterMember: Bool, depth: Int, lastKeySlot: Int
    }

    public var mark: Mark { Mark(i: p.i, afterMember: afterMember, depth: depth, lastKeySlot: p.lastKeySlot) }

    public mutating func reset(to mark: Mark) {
        p.i = mark.i
        p.lastKeySlot = mark.lastKeySlot
        afterMember = mark.afterMember
        depth = mark.depth
    }

    /// Enters the object that comes next; false, having read nothing, when the next value is
    /// not an object.
    public mutating func enterObject() throws(JSONParseError) -> Bool {
        p.skipSpace()
        guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "{") else { return false }
        guard depth < 512 else { throw p.fail("nested too deeply") }
        p.i += 1
        depth += 1
        afterMember = false
        return true
    }

    /// The next key of the object entered, leaving the cursor at its value (which must be read
    /// next: `value()`, or `enterObject()` and its members); nil at the object's end, which is
    /// then read past.
    public mutating func nextKey() throws(JSONParseError) -> JSONKey? {
        p.skipSpace()
        guard p.i < p.bytes.count else { throw p.fail("unterminated object") }
        if p.bytes[p.i] == UInt8(ascii: "}") {
            p.i += 1
            depth -= 1
            afterMember = true  // the object was its own member's value
            return nil
        }
        if afterMember {
            guard p.bytes[p.i] == UInt8(ascii: ",") else { throw p.fail("expected ',' or '}'") }
            p.i += 1
            p.skipSpace()
        }
        guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: "\"") else { throw p.fail("expected a string key") }
        let (name, tag) = try p.keyInOrder()
        p.skipSpace()
        guard p.i < p.bytes.count, p.bytes[p.i] == UInt8(ascii: ":") else { throw p.fail("expected ':'") }
        p.i += 1
        return JSONKey(name: name, tag: tag)
    }

    /// The value that comes next, whole.
    public mutating func value() throws(JSONParseError) -> JSONValue {
        p.skipSpace()
        let v = try p.value(depth: depth)
        afterMember = true
        return v
    }

    /// Whether only white space is left: the document ended where the reader expected.
    public mutating func atEnd() -> Bool {
        p.skipSpace()
        return p.i == p.bytes.count
    }
}
