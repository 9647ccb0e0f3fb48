import Model

/// Text of EVTX values written straight into a `String`'s storage: UTF-16LE names and strings
/// (nearly always ASCII), hex, GUIDs, SIDs and times in evtx_dump's forms. Every record has a
/// few dozen of these, and going through arrays of code units, `String(format:)` or a `[String]`
/// to join was most of the reader's time.
enum EvtxText {
    /// UTF-16LE code units (an odd last byte is ignored) as a string; unpaired surrogates become
    /// U+FFFD. `trimmingNUL`: trailing NULs go (string values are NUL-terminated; a NUL is a
    /// grapheme of its own, so dropping NUL units drops exactly the trailing "\0" characters).
    static func utf16(_ d: UnsafeRawBufferPointer, trimmingNUL: Bool = false) -> String {
        var end = d.count / 2
        if trimmingNUL {
            while end > 0, d[2 * end - 2] == 0, d[2 * end - 1] == 0 { end -= 1 }
        }
        guard end > 0 else { return "" }
        if isASCII(d, units: end) {
            return String(unsafeUninitializedCapacity: end) { out in
                for i in 0..<end { out[i] = d[2 * i] }
                return end
            }
        }
        var units: [UInt16] = []
        units.reserveCapacity(end)
        for i in 0..<end { units.append(UInt16(d[2 * i]) | UInt16(d[2 * i + 1]) << 8) }
        return String(decoding: units, as: UTF16.self)
    }

    /// Whether the first `units` code units are all below 0x80, eight at a time, then four.
    private static func isASCII(_ d: UnsafeRawBufferPointer, units: Int) -> Bool {
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= units {
            high |= d.loadUnaligned(fromByteOffset: 2 * i, as: UInt64.self) | d.loadUnaligned(fromByteOffset: 2 * i + 8, as: UInt64.self)
            i += 8
        }
        while i + 4 <= units {
            high |= d.loadUnaligned(fromByteOffset: 2 * i, as: UInt64.self)
            i += 4
        }
        while i < units {
            high |= UInt64(d.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            i += 1
        }
        return UInt64(littleEndian: high) & 0xFF80_FF80_FF80_FF80 == 0
    }

    /// Builds a string of at most `capacity` ASCII bytes; `write` must stay within it.
    ///
    /// Written on the stack first, then made a string of just its length: a string made with
    /// room for more than 15 bytes keeps heap storage however short it ends, and most of these
    /// (`S-1-5-18`, `0x3e7`) fit in the string itself, with no allocation at all.
    static func ascii(capacity: Int, _ write: (inout Writer) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(capacity, 1)) { buffer in
            var w = Writer(buffer: buffer)
            write(&w)
            let count = w.count
            return String(unsafeUninitializedCapacity: count) { out in
                guard let to = out.baseAddress, let from = buffer.baseAddress else { return 0 }
                to.update(from: from, count: count)
                return count
            }
        }
    }

    /// Appends ASCII to a buffer sized beforehand. Writes past the end are dropped rather than
    /// trusted to the caller's arithmetic.
    struct Writer {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        mutating func byte(_ b: UInt8) {
            guard count < buffer.count else { return }
            buffer[count] = b
            count += 1
        }

        mutating func text(_ s: StaticString) {
            s.withUTF8Buffer { for b in $0 { byte(b) } }
        }

        static let upper: StaticString = "0123456789ABCDEF"
        static let lower: StaticString = "0123456789abcdef"

        mutating func hexByte(_ b: UInt8) {
            byte(Writer.upper.utf8Start[Int(b >> 4)])
            byte(Writer.upper.utf8Start[Int(b & 0xF)])
        }

        /// Lower-case hex without leading zeros, as `String(v, radix: 16)`.
        mutating func hex(_ v: UInt64) {
            var digits = 1
            while digits < 16, v >> (4 * UInt64(digits)) != 0 { digits += 1 }
            for i in stride(from: digits - 1, through: 0, by: -1) {
                byte(Writer.lower.utf8Start[Int((v >> (4 * UInt64(i))) & 0xF)])
            }
        }

        static let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

        /// Two digits of `v` (below 100), as `%02d`: the fields of a time.
        mutating func two(_ v: Int) {
            let at = 2 * (v % 100)
            byte(Writer.pairs.utf8Start[at])
            byte(Writer.pairs.utf8Start[at + 1])
        }

        /// Decimal, zero-padded to `width` digits (at most 20), as `%0*d`. Digits are made
        /// backwards by dividing by the constant 10 (a multiplication), not by powers of ten.
        mutating func decimal(_ v: UInt64, width: Int = 1) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &digits) { d in
                var i = d.count
                var rest = v
                repeat {
                    i -= 1
                    d[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                } while rest != 0
                while d.count - i < width, i > 0 {
                    i -= 1
                    d[i] = UInt8(ascii: "0")
                }
                for j in i..<d.count { byte(d[j]) }
            }
        }
    }

    /// Bytes as upper-case hex, as evtx_dump writes binary values.
    static func hex(_ d: UnsafeRawBufferPointer) -> String {
        ascii(capacity: d.count * 2) { w in for b in d { w.hexByte(b) } }
    }

    /// `0x` and lower-case hex.
    static func hex0x(_ v: UInt64) -> String {
        ascii(capacity: 18) { w in
            w.text("0x")
            w.hex(v)
        }
    }

    /// `{A1B2...}` without braces: the first three fields little-endian, the rest as stored.
    static func guid(_ d: UnsafeRawBufferPointer) -> String? {
        guard d.count == 16 else { return nil }
        return ascii(capacity: 36) { w in
            w.hexByte(d[3]); w.hexByte(d[2]); w.hexByte(d[1]); w.hexByte(d[0])
            w.byte(UInt8(ascii: "-"))
            w.hexByte(d[5]); w.hexByte(d[4])
            w.byte(UInt8(ascii: "-"))
            w.hexByte(d[7]); w.hexByte(d[6])
            w.byte(UInt8(ascii: "-"))
            w.hexByte(d[8]); w.hexByte(d[9])
            w.byte(UInt8(ascii: "-"))
            for i in 10..<16 { w.hexByte(d[i]) }
        }
    }

    /// `S-1-5-21-...`: revision, 48-bit big-endian authority, little-endian sub-authorities.
    static func sid(_ d: UnsafeRawBufferPointer) -> String? {
        guard d.count >= 8 else { return nil }
        let count = Int(d[1])
        guard d.count >= 8 + 4 * count else { return nil }
        var authority: UInt64 = 0
        for i in 2..<8 { authority = authority << 8 | UInt64(d[i]) }
        return ascii(capacity: 2 + 3 + 1 + 20 + 11 * count) { w in
            w.text("S-")
            w.decimal(UInt64(d[0]))
            w.byte(UInt8(ascii: "-"))
            w.decimal(authority)
            for i in 0..<count {
                w.byte(UInt8(ascii: "-"))
                w.decimal(UInt64(d.loadUnaligned(fromByteOffset: 8 + 4 * i, as: UInt32.self).littleEndian))
            }
        }
    }

    /// `2017-12-26T13:10:29.136879Z` from 100-ns ticks since 1601: microseconds, as evtx_dump
    /// writes them (UTC, proleptic Gregorian, as gmtime).
    static func iso(filetime: UInt64) -> String {
        let seconds = Int64(clamping: filetime / 10_000_000) - 11_644_473_600
        let micros = (filetime % 10_000_000) / 10
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = Timestamp.civil(days: Int(days))  // FILETIME's days fit an Int
        let (year, month, day) = (Int64(date.year), Int64(date.month), Int64(date.day))
        return ascii(capacity: 40) { w in
            if year < 10000 {
                w.two(Int(year / 100))
                w.two(Int(year % 100))
            } else {
                w.decimal(UInt64(clamping: year), width: 4)
            }
            w.byte(UInt8(ascii: "-"))
            w.two(Int(month))
            w.byte(UInt8(ascii: "-"))
            w.two(Int(day))
            w.byte(UInt8(ascii: "T"))
            w.two(Int(secondOfDay / 3600))
            w.byte(UInt8(ascii: ":"))
            w.two(Int(secondOfDay % 3600 / 60))
            w.byte(UInt8(ascii: ":"))
            w.two(Int(secondOfDay % 60))
            w.byte(UInt8(ascii: "."))
            let us = Int(micros)
            w.two(us / 10000)
            w.two(us / 100 % 100)
            w.two(us % 100)
            w.byte(UInt8(ascii: "Z"))
        }
    }

    /// SYSTEMTIME (eight little-endian u16: year, month, weekday, day, hour, minute, second,
    /// milliseconds) as `2017-12-26T13:10:29.136Z`.
    static func systemTime(_ d: UnsafeRawBufferPointer) -> String? {
        guard d.count >= 16 else { return nil }
        func v(_ i: Int) -> UInt64 { UInt64(d.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) }
        return ascii(capacity: 48) { w in
            w.decimal(v(0), width: 4)
            w.byte(UInt8(ascii: "-"))
            w.decimal(v(1), width: 2)
            w.byte(UInt8(ascii: "-"))
            w.decimal(v(3), width: 2)
            w.byte(UInt8(ascii: "T"))
            w.decimal(v(4), width: 2)
            w.byte(UInt8(ascii: ":"))
            w.decimal(v(5), width: 2)
            w.byte(UInt8(ascii: ":"))
            w.decimal(v(6), width: 2)
            w.byte(UInt8(ascii: "."))
            w.decimal(v(7), width: 3)
            w.byte(UInt8(ascii: "Z"))
        }
    }
}
