import CScan
import Foundation

/// A strict RFC 8259 parser into `JSONValue`. Ours rather than Foundation's because Foundation on
/// Linux cannot tell `true` from `1`, loses 64-bit integers to Double, and is slow on the ingest path.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try parse(b) }
    }

    /// Parses bytes in place (a line of a larger input), without copying them first.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var p = Parser(bytes: bytes, members: MemberStack(), keys: nil, values: nil)
        return try p.document()
    }
}

/// A parser for many documents in a row (a file's lines), one thread at a time: it keeps its
/// stack of members and the object keys it has read. A file's events repeat the same few dozen
/// keys, and making each key's `String` again for every event (checking its UTF-8, and
/// allocating one over 15 bytes, freed with the event) was a sixth of parsing them. It keeps
/// the values it read too (`ValueCache`): they repeat nearly as much.
public final class JSONReader {
    let members = MemberStack()
    let keys = KeyCache()
    let values = ValueCache()

    public init() {}

    /// As `JSONValue.parse`, the same value or error.
    public func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        members.removeAll()  // a document that failed left its members: let go, not kept under the next
        var p = Parser(bytes: bytes, members: members, keys: keys, values: values)
        return try p.document()
    }
}

/// ASCII keys of up to 32 bytes read before, by their bytes, with their member tags: one slot
/// per hash, a new key taking the slot of the one before (bounded: 1,024 keys, 32 KiB).
final class KeyCache {
    private let slots = TextSlots(count: 1024, width: 32)
    /// By slot. A pointer, not an array property: a class's stored `var` is checked for
    /// exclusive access at each use, which cost more than the lookup.
    private let tags: UnsafeMutablePointer<UInt32> = {
        let tags = UnsafeMutablePointer<UInt32>.allocate(capacity: 1024)
        tags.initialize(repeating: 0, count: 1024)
        return tags
    }()

    /// By slot, the slot of the key read after that key last time, -1 for none: a file's
    /// events name their members in the same order, so the next key is most often the one
    /// that followed the key before last time, told by comparing its bytes in place
    /// (`guess(after:_:from:)`) rather than by finding its end and hashing it.
    private let following: UnsafeMutablePointer<Int16> = {
        let following = UnsafeMutablePointer<Int16>.allocate(capacity: 1024)
        following.initialize(repeating: -1, count: 1024)
        return following
    }()

    deinit {
        tags.deallocate()
        following.deallocate()
    }

    /// The key that followed the key in slot `previous` last time, with its tag, slot and
    /// length, when `bytes` from `i` on spell it and its closing quote; nil otherwise. A kept
    /// key has no quote, backslash or control byte (it was read up to the first of them, its
    /// closing quote), so the bytes it matches are read as that key, kept in that slot.
    @inline(__always) func guess(after previous: Int, _ bytes: UnsafeBufferPointer<UInt8>, from i: Int) -> (key: String, tag: UInt32, slot: Int, length: Int)? {
        let g = Int(following[previous])
        guard g >= 0, let length = slots.length(ofTextAt: g, in: bytes, from: i),
              i + length < bytes.count, bytes[i + length] == UInt8(ascii: "\"") else { return nil }
        return (slots.string(at: g), tags[g], g, length)
    }

    /// Notes that the key in slot `next` was read after the key in slot `previous`.
    @inline(__always) func follow(_ previous: Int, with next: Int) {
        following[previous] = Int16(truncatingIfNeeded: next)
    }

    /// The slot of the key spelled by `text`, or nil when it is too long to keep.
    @inline(__always) func slot(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = text.count
        guard n > 0, n <= slots.width, let base = text.baseAddress else { return nil }
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(n) &* k
        if n >= 8 {
            h = (h ^ UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)) &* k
            h ^= UnsafeRawPointer(base + n - 8).loadUnaligned(as: UInt64.self)
        } else {
            var v: UInt64 = 0
            for i in 0..<n { v = v << 8 | UInt64(base[i]) }
            h ^= v
        }
        h = h &* k
        return Int(truncatingIfNeeded: h >> 54)  // the top 10 bits: 0..<1024
    }

    /// The key and its tag when `slot` holds `text`: a key kept is ASCII, so its tag needs no
    /// look at its bytes again.
    @inline(__always) func known(_ text: UnsafeBufferPointer<UInt8>, at slot: Int) -> (String, UInt32)? {
        guard let key = slots.string(text, at: slot) else { return nil }
        return (key, tags[slot])
    }

    /// Keeps the key spelled by `text` (ASCII, as the parser found it) with its tag at `slot`.
    func keep(_ key: String, tag: UInt32, _ text: UnsafeBufferPointer<UInt8>, at slot: Int) {
        slots.keep(key, text, at: slot)
        tags[slot] = tag
    }
}

/// The members of the objects being parsed, innermost last. An object's members are moved out
/// of it into the object's own array (not copied, then released here), so a member costs no
/// reference counting between its parse and its object.
final class MemberStack {
    private var base: UnsafeMutablePointer<JSONObject.Member>
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 32
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    func push(_ member: consuming JSONObject.Member) {
        if count == capacity {
            // Doubling stays far below overflow: each member is parsed from input bytes.
            let larger = UnsafeMutablePointer<JSONObject.Member>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = larger
            capacity *= 2
        }
        (base + count).initialize(to: member)
        count += 1
    }

    /// The members from `start` on, moved out into an array; the stack ends at `start` again.
    func pop(from start: Int) -> [JSONObject.Member] {
        guard start >= 0, start < count else { return [] }
        let n = count - start
        // Reserved and appended rather than `Array(unsafeUninitializedCapacity:)`: that one
        // ran unspecialized here, looking up the array's type metadata on every object parsed
        // (a twentieth of reading evtx_dump JSON); these are specialized for `Member`.
        var out: [JSONObject.Member] = []
        out.reserveCapacity(n)
        for i in start..<count { out.append((base + i).move()) }
        count = start
        return out
    }
}

struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    /// Members and elements of the objects and arrays being read, innermost last: each
    /// container is taken out once at its end, into an array of its exact size, rather than
    /// grown an element at a time (which was most of parsing's allocations).
    let members: MemberStack
    var elements: [JSONValue] = []
    /// Keys and string values read before (a `JSONReader`'s), or nil to make each anew.
    let keys: KeyCache?
    let values: ValueCache?
    /// The key cache's slot of the key read last (-1: none, or not kept), for `keyInOrder`.
    var lastKeySlot = -1

    init(bytes: UnsafeBufferPointer<UInt8>, members: MemberStack, keys: KeyCache?, values: ValueCache?) {
        self.bytes = bytes
        self.members = members
        self.keys = keys
        self.values = values
    }

    /// The document: one value, with only white space around it.
    mutating func document() throws(JSONParseError) -> JSONValue {
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected text after the document") }
        return v
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: i, reason: reason) }

    /// Inlined with one test first: most places have no space (evtx_dump's lines, compact
    /// JSON), and a call for each of a line's hundred-odd places cost 1,200 instructions an
    /// event.
    @inline(__always) mutating func skipSpace() {
        guard i < bytes.count, bytes[i] <= 32 else { return }
        skipSpaces()
    }

    private mutating func skipSpaces() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSONValue) throws(JSONParseError) -> JSONValue {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw fail("expected \(word)") }
            i += 1
        }
        return v
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < 512 else { throw fail("nested too deeply") }
        guard i < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            let base = members.count
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject()) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let (key, tag) = try keyInOrder()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                let v = try value(depth: depth + 1)
                members.push(JSONObject.Member(key: key, value: v, tag: tag))
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(JSONObject(parsed: members.pop(from: base)))
                }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            let base = elements.count
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
            while true {
                skipSpace()
                let v = try value(depth: depth + 1)
                elements.append(v)
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    let a = Array(elements[base...])
                    elements.removeSubrange(base...)
                    return .array(a)
                }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = i
        var isInteger = true
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; digits += 1 }
        guard digits > 0 else { i = start; throw fail("expected a value") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            var frac = 0
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; frac += 1 }
            guard frac > 0 else { throw fail("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            var exp = 0
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1; exp += 1 }
            guard exp > 0 else { throw fail("expected digits in exponent") }
        }
        // Up to 18 digits cannot overflow: read as `Int64(text)` would, without the text.
        if isInteger, digits <= 18 {
            var n: Int64 = 0
            for k in (bytes[start] == UInt8(ascii: "-") ? start + 1 : start)..<i { n = n &* 10 &+ Int64(bytes[k] &- 48) }
            return .int(bytes[start] == UInt8(ascii: "-") ? -n : n)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if isInteger, let n = Int64(text) { return .int(n) }
        guard let d = Double(text) else { throw fail("bad number \(text)") }
        // JSON has one number type: an integral value is an int however it was written
        // (`1e3`, `2.0`), so printing and parsing again gives the same value.
        if d == d.rounded(), abs(d) < 9_007_199_254_740_992 { return .int(Int64(d)) }
        return .double(d)
    }

    /// An object's next key in the document's order, with its member tag: first tried as the
    /// key that followed the one read before it last time (`KeyCache.guess`), noting which
    /// followed it this time; otherwise read by `keyAndSlot`.
    mutating func keyInOrder() throws(JSONParseError) -> (String, UInt32) {
        let previous = lastKeySlot
        if let keys, previous >= 0, let g = keys.guess(after: previous, bytes, from: i + 1) {
            i += g.length + 2
            lastKeySlot = g.slot
            return (g.key, g.tag)
        }
        let read = try keyAndSlot()
        if let keys, previous >= 0, read.2 >= 0 { keys.follow(previous, with: read.2) }
        lastKeySlot = read.2
        return (read.0, read.1)
    }

    /// A key with its member tag, taken from the bytes as they are scanned when it has no
    /// escapes, and its slot in the key cache when it is kept there (-1 when not).
    private mutating func keyAndSlot() throws(JSONParseError) -> (String, UInt32, Int) {
        let j = special(from: i + 1)
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            let text = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<j])
            i = j + 1
            // A key read before is taken as it was kept, tag and all.
            let slot = keys?.slot(text)
            if let keys, let slot, let known = keys.known(text, at: slot) { return (known.0, known.1, slot) }
            var high: UInt8 = 0
            for b in text { high |= b }
            // Other keys' tags come from their text (invalid bytes decode to U+FFFD).
            guard high < 0x80, !text.isEmpty else {
                let s = String(decoding: text, as: UTF8.self)
                return (s, JSONObject.Member.tag(of: s), -1)
            }
            let s = String(decoding: text, as: UTF8.self)
            let tag = JSONObject.Member.tag(text, ascii: true)
            if let keys, let slot {
                keys.keep(s, tag: tag, text, at: slot)
                return (s, tag, slot)
            }
            return (s, tag, -1)
        }
        let s = try string()
        return (s, JSONObject.Member.tag(of: s), -1)
    }

    mutating func string() throws(JSONParseError) -> String {
        i += 1  // opening quote
        // Fast path: no escapes before the closing quote, so the text is the bytes as they are.
        let j = special(from: i)
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            let text = UnsafeBufferPointer(rebasing: bytes[i..<j])
            i = j + 1
            guard let values, ValueCache.keeps(text.count) else { return String(decoding: text, as: UTF8.self) }
            let slot = values.slot(text)
            if let s = values.value(text, slot: slot) { return s }
            let s = String(decoding: text, as: UTF8.self)
            values.keep(s, text, slot: slot)
            return s
        }
        // Escapes (a Windows path's every backslash): written straight into the string's own
        // storage, the runs between them copied whole. The text up to the closing quote bounds
        // the length, as no escape is shorter than what it stands for (`\\uXXXX` is six bytes
        // for at most three; a pair twelve for four): one allocation, where a byte array then
        // a string made two and copied the text twice.
        let end = closingQuote(from: j, after: i)
        // The text before the closing quote, escapes and all, says what the string is: read
        // before, it is not unescaped again.
        let raw = UnsafeBufferPointer(rebasing: bytes[i..<min(end, bytes.count)])
        var slot = -1
        if let values, end < bytes.count, ValueCache.keeps(raw.count) {
            slot = values.slot(raw)
            if let s = values.value(raw, slot: slot) {
                i = end + 1
                return s
            }
        }
        var failure: JSONParseError?
        let s = String(unsafeUninitializedCapacity: min(end, bytes.count) - i) { out in
            do throws(JSONParseError) {
                return try unescape(into: out)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        // Kept only when the string ended at the quote found above, as it does whenever it parsed.
        if slot >= 0, i == end + 1, let values { values.keep(s, raw, slot: slot) }
        return s
    }

    /// The first position from `j` on whose byte is a quote, a backslash or a control character,
    /// `bytes.count` (or `j` past it) when none is; strings are most of a log's bytes.
    func special(from j: Int) -> Int {
        // Sixteen bytes a step (`CScan`): eight at a time in Swift cost a fortieth of a hunt.
        guard let base = bytes.baseAddress else { return j }
        return taser_first_special(base, j, bytes.count)
    }

    /// The closing quote of a string whose text starts at `start` (after its opening quote), from
    /// `j` in it on: the first quote after an even run of backslashes (an odd run's last one
    /// escapes it), where reading each escape's two bytes would stop at it too; `bytes.count`
    /// when there is none. One look per quote, not per backslash: a Windows path has one every
    /// few bytes. A run is counted back only to the quote before it, so each byte once.
    func closingQuote(from j: Int, after start: Int) -> Int {
        var j = j
        while true {
            let q = quote(from: j)
            guard q < bytes.count else { return bytes.count }
            var k = q
            while k > start, bytes[k - 1] == UInt8(ascii: "\\") { k -= 1 }
            if (q - k) & 1 == 0 { return q }
            j = q + 1
        }
    }

    /// The first position from `j` on whose byte is a quote, `bytes.count` (or `j` past it)
    /// when none is.
    func quote(from j: Int) -> Int {
        guard let base = bytes.baseAddress else { return j }
        return taser_first_quote(base, j, bytes.count)
    }

    /// The string from `i` (after its opening quote) through its closing quote, unescaped into
    /// `out`, which holds at least the bytes up to that quote; returns how many it wrote.
    private mutating func unescape(into out: UnsafeMutableBufferPointer<UInt8>) throws(JSONParseError) -> Int {
        var n = 0
        func put(_ b: UInt8) throws(JSONParseError) {
            guard n < out.count else { throw fail("string longer than its text") }
            out[n] = b
            n += 1
        }
        while true {
            let k = special(from: i)
            if k > i {
                guard let from = bytes.baseAddress, let to = out.baseAddress, k - i <= out.count - n else { throw fail("string longer than its text") }
                (to + n).update(from: from + i, count: k - i)
                n += k - i
            }
            i = k
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return n }
            if b < 0x20 { throw fail("control character in string") }
            i += 1
            guard i < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): try put(0x22)
            case UInt8(ascii: "\\"): try put(0x5C)
            case UInt8(ascii: "/"): try put(0x2F)
            case UInt8(ascii: "b"): try put(0x08)
            case UInt8(ascii: "f"): try put(0x0C)
            case UInt8(ascii: "n"): try put(0x0A)
            case UInt8(ascii: "r"): try put(0x0D)
            case UInt8(ascii: "t"): try put(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                    else { throw fail("lone surrogate") }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("bad surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("bad unicode escape") }
                for b in u.utf8 { try put(b) }
            default: throw fail("bad escape")
            }
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("short unicode escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: throw fail("bad hex digit")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }
}

extension JSONValue {
    /// Each element of the array at `path` (an empty path: the document itself is the array),
    /// with the byte range of its text in `bytes`, so a framer can keep every element's raw
    /// text verbatim (a CloudTrail `Records` file, a JSON array of alerts). Nil when the
    /// document has no array there.
    public static func elements(of bytes: [UInt8], at path: [String] = []) throws(JSONParseError) -> [(value: JSONValue, range: Range<Int>)]? {
        try bytes.withUnsafeBufferPointer { (b) throws(JSONParseError) in try elements(of: b, at: path) }
    }

    private static func elements(of bytes: UnsafeBufferPointer<UInt8>, at path: [String]) throws(JSONParseError) -> [(value: JSONValue, range: Range<Int>)]? {
        var p = Parser(bytes: bytes, members: MemberStack(), keys: nil, values: nil)
        p.skipSpace()
        var remaining = path[...]
        while let key = remaining.first {
            guard p.i < bytes.count, bytes[p.i] == UInt8(ascii: "{") else { return nil }
            p.i += 1
            var found = false
            while true {
                p.skipSpace()
                guard p.i < bytes.count else { throw p.fail("unterminated object") }
                if bytes[p.i] == UInt8(ascii: "}") { return nil }
                guard bytes[p.i] == UInt8(ascii: "\"") else { throw p.fail("expected a string key") }
                let k = try p.string()
                p.skipSpace()
                guard p.i < bytes.count, bytes[p.i] == UInt8(ascii: ":") else { throw p.fail("expected ':'") }
                p.i += 1
                p.skipSpace()
                if k == key { found = true; break }
                _ = try p.value(depth: 1)
                p.skipSpace()
                if p.i < bytes.count, bytes[p.i] == UInt8(ascii: ",") { p.i += 1 }
            }
            guard found else { return nil }
            remaining = remaining.dropFirst()
        }
        guard p.i < bytes.count, bytes[p.i] == UInt8(ascii: "[") else { return nil }
        p.i += 1
        var out: [(value: JSONValue, range: Range<Int>)] = []
        p.skipSpace()
        if p.i < bytes.count, bytes[p.i] == UInt8(ascii: "]") { return out }
        while true {
            p.skipSpace()
            let start = p.i
            let v = try p.value(depth: 1)
            out.append((v, start..<p.i))
            p.skipSpace()
            guard p.i < bytes.count else { throw p.fail("unterminated array") }
            if bytes[p.i] == UInt8(ascii: ",") { p.i += 1; continue }
            if bytes[p.i] == UInt8(ascii: "]") { break }
            throw p.fail("expected ',' or ']'")
        }
        return out
    }
}
