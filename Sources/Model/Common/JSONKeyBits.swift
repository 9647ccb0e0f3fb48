/// Keys an object must all hold, as the bits of its key summary (`JSONObject.tagBits`):
/// `JSONObject.mayHold(all:)` says no without a scan when the object lacks one of them. For
/// format detection, which asks each record of an input whether it is each format's: a
/// Windows event was asked for sixteen vendors' keys, one look-up each, before its own format.
public struct JSONKeyBits: Sendable {
    // Usable from inline code: a Windows event's reading asks `mayHold` twenty times, and a
    // call across modules for each cost more than the test.
    @usableFromInline private(set) var bits: UInt64

    init(bits: UInt64) { self.bits = bits }

    /// No keys yet (see `add`).
    public static let none = JSONKeyBits(bits: 0)

    /// Adds an ASCII key's bit: then `mayHold(key)` is true.
    @inlinable public mutating func add(_ key: JSONKey) { bits |= JSONObject.Member.bit(key.tag) }

    /// False only when no key of these bits can be `key` (see `JSONObject.keyBits`).
    @inlinable public func mayHold(_ key: JSONKey) -> Bool {
        key.tag & JSONObject.Member.nonASCII != 0 || bits & JSONObject.Member.bit(key.tag) == JSONObject.Member.bit(key.tag)
    }

    /// 0 when a key is not ASCII (then every object may hold it: a Unicode key is found by
    /// `String`'s comparison, which takes canonical equivalents as equal, not by its tag).
    public init(_ keys: [String]) {
        var bits: UInt64 = 0
        for key in keys {
            let tag = JSONObject.Member.tag(of: key)
            guard tag & JSONObject.Member.nonASCII == 0 else { bits = 0; break }
            bits |= JSONObject.Member.bit(tag)
        }
        self.bits = bits
    }
}

extension JSONObject {
    /// Its keys as bits, for asking later whether it held a key without a scan (after it was
    /// handed on to be added to). Every bit when a key is not ASCII.
    public var keyBits: JSONKeyBits { JSONKeyBits(bits: asciiKeys ? tagBits : .max) }

    /// False only when the object certainly lacks one of the keys; true may still lack them
    /// (another key has the same bit). Objects with a Unicode key always may: such a key can
    /// equal an ASCII one spelled with other bytes.
    public func mayHold(all keys: JSONKeyBits) -> Bool {
        !asciiKeys || tagBits & keys.bits == keys.bits
    }
}
