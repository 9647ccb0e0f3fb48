import Foundation
import Model

/// A BinXML value, typed as Windows wrote it.
enum EvtxValue: Sendable {
    case null
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    /// Hex integers, GUIDs, SIDs, times, binary: text in the form evtx_dump writes.
    case text(String)
    case array([EvtxValue])
}

/// Substitution values by their BinXML type (libyal's value types). A value shorter than its
/// type needs is null, not a trap.
enum EvtxValues {
    static func decode(type: UInt8, _ data: [UInt8]) -> EvtxValue {
        if type & 0x80 != 0 { return array(of: type & 0x7F, data) }
        let b = EvtxBytes(bytes: data)
        switch type {
        case 0x00: return .null
        case 0x01: return .string(trimmed(String(decoding: units(data), as: UTF16.self)))  // empty stays ""

        case 0x02: return .string(trimmed(String(decoding: data, as: UTF8.self)))
        case 0x03: return (try? b.u8(0)).map { .int(Int64(Int8(bitPattern: $0))) } ?? .null
        case 0x04: return (try? b.u8(0)).map { .int(Int64($0)) } ?? .null
        case 0x05: return (try? b.u16(0)).map { .int(Int64(Int16(bitPattern: $0))) } ?? .null
        case 0x06: return (try? b.u16(0)).map { .int(Int64($0)) } ?? .null
        case 0x07: return (try? b.u32(0)).map { .int(Int64(Int32(bitPattern: $0))) } ?? .null
        case 0x08: return (try? b.u32(0)).map { .int(Int64($0)) } ?? .null
        case 0x09: return (try? b.u64(0)).map { .int(Int64(bitPattern: $0)) } ?? .null
        case 0x0A: return (try? b.u64(0)).map { .uint($0) } ?? .null
        case 0x0B: return (try? b.u32(0)).map { .double(Double(Float(bitPattern: $0))) } ?? .null
        case 0x0C: return (try? b.u64(0)).map { .double(Double(bitPattern: $0)) } ?? .null
        case 0x0D: return (try? b.u32(0)).map { .bool($0 != 0) } ?? .null
        case 0x0E: return .text(data.map { hex2($0) }.joined())
        case 0x0F: return guid(data).map { .text($0) } ?? .null
        case 0x10: return data.count == 8 ? ((try? b.u64(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null)
            : ((try? b.u32(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null)
        case 0x11: return (try? b.u64(0)).map { .text(iso(filetime: $0)) } ?? .null
        case 0x12: return systemTime(data).map { .text($0) } ?? .null
        case 0x13: return sid(data).map { .text($0) } ?? .null
        case 0x14: return (try? b.u32(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null
        case 0x15: return (try? b.u64(0)).map { .text("0x" + String($0, radix: 16)) } ?? .null
        default: return .text(data.map { hex2($0) }.joined())
        }
    }

    static func array(of type: UInt8, _ data: [UInt8]) -> EvtxValue {
        if type == 0x01 {
            // NUL-separated UTF-16 strings.
            let parts = units(data).split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF16.self) }
            return .array((parts.last == "" ? parts.dropLast() : parts[...]).map { .string($0) })
        }
        let sizes: [UInt8: Int] = [0x03: 1, 0x04: 1, 0x05: 2, 0x06: 2, 0x07: 4, 0x08: 4, 0x09: 8, 0x0A: 8, 0x0B: 4, 0x0C: 8, 0x0D: 4,
                                    0x0F: 16, 0x11: 8, 0x12: 16, 0x14: 4, 0x15: 8]
        guard let size = sizes[type] else { return decode(type: 0x0E, data) }
        return .array(stride(from: 0, to: data.count - data.count % size, by: size).map { decode(type: type, Array(data[$0..<($0 + size)])) })
    }

    static func units(_ data: [UInt8]) -> [UInt16] {
        stride(from: 0, to: data.count - data.count % 2, by: 2).map { UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8 }
    }

    static func trimmed(_ s: String) -> String {
        var s = s
        while s.hasSuffix("\0") { s.removeLast() }
        return s
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    static func guid(_ d: [UInt8]) -> String? {
        guard d.count == 16 else { return nil }
        let first = [d[3], d[2], d[1], d[0]], second = [d[5], d[4]], third = [d[7], d[6]]
        let parts = [first, second, third, Array(d[8..<10]), Array(d[10..<16])]
        return parts.map { $0.map(hex2).joined() }.joined(separator: "-")
    }

    static func sid(_ d: [UInt8]) -> String? {
        guard d.count >= 8 else { return nil }
        let count = Int(d[1])
        guard d.count >= 8 + 4 * count else { return nil }
        var authority: UInt64 = 0
        for i in 2..<8 { authority = authority << 8 | UInt64(d[i]) }
        var out = "S-\(d[0])-\(authority)"
        for i in 0..<count {
            let at = 8 + 4 * i
            out += "-\(UInt32(d[at]) | UInt32(d[at + 1]) << 8 | UInt32(d[at + 2]) << 16 | UInt32(d[at + 3]) << 24)"
        }
        return out
    }

    /// 100-ns ticks since 1601 to milliseconds since 1970, clamped into taser's range.
    static func timestamp(filetime: UInt64) -> Timestamp {
        let ms = Int64(clamping: filetime / 10_000) - 11_644_473_600_000
        return Timestamp(ms: ms)
    }

    /// `2017-12-26T13:10:29.136879Z`: microseconds, as evtx_dump writes them.
    static func iso(filetime: UInt64) -> String {
        let seconds = Int64(clamping: filetime / 10_000_000) - 11_644_473_600
        let micros = Int((filetime % 10_000_000) / 10)
        var t = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&t, &parts) != nil else { return "0x" + String(filetime, radix: 16) }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    static func systemTime(_ d: [UInt8]) -> String? {
        guard d.count >= 16 else { return nil }
        let v = units(d)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(v[0]), Int(v[1]), Int(v[3]), Int(v[4]), Int(v[5]), Int(v[6]), Int(v[7]))
    }
}
