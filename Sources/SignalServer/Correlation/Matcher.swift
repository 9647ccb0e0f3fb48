import Foundation
import Model

/// A `Filter` made ready to run: needles lowercased, regexes compiled, networks parsed, once
/// per rule rather than once per signal. The one place filter semantics live:
/// - a field is read from the signal's normalized fields by its ECS name (`user.name`);
/// - a missing (or null) field fails every test but `absent` (and `equals(.null)`); `exists`
///   alone tells a null field from a missing one;
/// - `anyField` runs its test on every field that holds text (or a list of texts);
/// - text tests ignore case unless `cased`; numbers compare as numbers, and a number's text
///   (`22`) equals the number;
/// - a field holding a list passes when any element passes.
///
/// The filter is compiled to a flat program (`MatchProgram`) of plain values: running it
/// retains nothing, where walking a tree of enums retained every node and needle it passed.
/// Fields are read through a `MatchEvent`, which finds each field once and lower-cases each
/// value once for all the rules reading one event (`RuleIndex` shares one across a ruleset).
public struct Matcher: Sendable {
    private let program: MatchProgram
    private let root: Int
    /// The field table the program's slots are in (a ruleset's shared one, as it stood when
    /// this rule was added: later rules only add slots).
    private let reading: MatchFields

    public init(_ filter: Filter) throws(RuleError) {
        var fields = MatchFields()
        try self.init(filter, fields: &fields)
    }

    /// A matcher whose fields are slots of `fields`, shared with the other matchers of a
    /// ruleset so that one `MatchEvent` serves them all.
    public init(_ filter: Filter, fields: inout MatchFields) throws(RuleError) {
        var program = MatchProgram()
        root = try program.add(filter, fields: &fields)
        self.program = program
        reading = fields
    }

    public func matches(_ fields: JSONObject) -> Bool {
        var event = MatchEvent(fields, reading: reading)
        return program.run(root, &event)
    }

    /// The answer on an event prepared for the field table this matcher was made with (or a
    /// later state of it).
    public func matches(_ event: inout MatchEvent) -> Bool {
        program.run(root, &event)
    }

    /// The same test on one field's value alone (the simulator evaluates a filter once per
    /// distinct value of its field). Nil when the filter reads more than `field`.
    public static func singleField(_ filter: Filter) -> String? {
        let fields = filter.fields
        return fields.count == 1 ? fields.first : nil
    }

    /// The text's bytes lower-cased: ASCII byte by byte (most of what logs hold), anything
    /// else as `lowercased()` does it, as the needles were.
    static func lowered(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        _ = lower(s, onto: &out)
        return out
    }

    /// `lowered(s)` appended to `out`, without a copy of its own; whether `s` was all ASCII.
    /// The bytes are copied whole and lower-cased in place eight at a time (a hunt lowers
    /// every value its rules read, for every event).
    static func lower(_ s: String, onto out: inout [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { lower(utf8: $0, onto: &out) }
    }

    /// `lower` of a string's UTF-8.
    static func lower(utf8: UnsafeBufferPointer<UInt8>, onto out: inout [UInt8]) -> Bool {
        let start = out.count
        out.append(contentsOf: utf8)
        guard out.withUnsafeMutableBufferPointer({ lowerASCII(UnsafeMutableBufferPointer(rebasing: $0[start...])) }) else {
            out.removeSubrange(start...)
            out += String(decoding: utf8, as: UTF8.self).lowercased().utf8
            return false
        }
        return true
    }

    /// Lower-cases ASCII letters in place; false (leaving the bytes part done) when a byte is
    /// not ASCII. Eight bytes a word: a byte's top bit set by adding to its low seven bits
    /// tells whether it is at least `A` and whether it is past `Z`.
    static func lowerASCII(_ bytes: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        let high: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            guard w & high == 0 else { return false }
            let atLeastA = w &+ 0x3F3F_3F3F_3F3F_3F3F  // 0x80 - 0x41
            let pastZ = w &+ 0x2525_2525_2525_2525     // 0x80 - 0x5B
            let upper = atLeastA & ~pastZ & high
            UnsafeMutableRawPointer(base + i).storeBytes(of: w | (upper >> 2), as: UInt64.self)
            i += 8
        }
        while i < n {
            let b = base[i]
            guard b < 0x80 else { return false }
            if b >= 65 && b <= 90 { base[i] = b | 0x20 }
            i += 1
        }
        return true
    }
}
