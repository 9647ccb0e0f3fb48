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

/// Substitution values by their BinXML type (libyal's value types), read in place from the
/// chunk's bytes. A value shorter than its type needs is null, not a trap.
enum EvtxValues {
    static func decode(type: UInt8, _ d: UnsafeRawBufferPointer) -> EvtxValue {
        if type & 0x80 != 0 { return array(of: type & 0x7F, d) }
        switch type {
        case 0x00: return .null
        case 0x01: return .string(EvtxText.utf16(d, trimmingNUL: true))  // empty stays ""
        case 0x02: return .string(trimmed(String(decoding: d, as: UTF8.self)))
        case 0x03: return d.count >= 1 ? .int(Int64(Int8(bitPattern: d[0]))) : .null
        case 0x04: return d.count >= 1 ? .int(Int64(d[0])) : .null
        case 0x05: return d.count >= 2 ? .int(Int64(Int16(bitPattern: u16(d)))) : .null
        case 0x06: return d.count >= 2 ? .int(Int64(u16(d))) : .null
        case 0x07: return d.count >= 4 ? .int(Int64(Int32(bitPattern: u32(d)))) : .null
        case 0x08: return d.count >= 4 ? .int(Int64(u32(d))) : .null
        case 0x09: return d.count >= 8 ? .int(Int64(bitPattern: u64(d))) : .null
        case 0x0A: return d.count >= 8 ? .uint(u64(d)) : .null
        case 0x0B: return d.count >= 4 ? .double(Double(Float(bitPattern: u32(d)))) : .null
        case 0x0C: return d.count >= 8 ? .double(Double(bitPattern: u64(d))) : .null
        case 0x0D: return d.count >= 4 ? .bool(u32(d) != 0) : .null
        case 0x0E: return .text(EvtxText.hex(d))
        case 0x0F: return EvtxText.guid(d).map { .text($0) } ?? .null
        case 0x10:
            if d.count == 8 { return .text(EvtxText.hex0x(u64(d))) }
            return d.count >= 4 ? .text(EvtxText.hex0x(UInt64(u32(d)))) : .null
        case 0x11: return d.count >= 8 ? .text(EvtxText.iso(filetime: u64(d))) : .null
        case 0x12: return EvtxText.systemTime(d).map { .text($0) } ?? .null
        case 0x13: return EvtxText.sid(d).map { .text($0) } ?? .null
        case 0x14: return d.count >= 4 ? .text(EvtxText.hex0x(UInt64(u32(d)))) : .null
        case 0x15: return d.count >= 8 ? .text(EvtxText.hex0x(u64(d))) : .null
        default: return .text(EvtxText.hex(d))
        }
    }

    // Callers check the length first.
    private static func u16(_ d: UnsafeRawBufferPointer) -> UInt16 { d.loadUnaligned(as: UInt16.self).littleEndian }
    private static func u32(_ d: UnsafeRawBufferPointer) -> UInt32 { d.loadUnaligned(as: UInt32.self).littleEndian }
    private static func u64(_ d: UnsafeRawBufferPointer) -> UInt64 { d.loadUnaligned(as: UInt64.self).littleEndian }

    static func array(of type: UInt8, _ d: UnsafeRawBufferPointer) -> EvtxValue {
        if type == 0x01 {
            // NUL-separated UTF-16 strings.
            let units = stride(from: 0, to: d.count - d.count % 2, by: 2).map { UInt16(d[$0]) | UInt16(d[$0 + 1]) << 8 }
            let parts = units.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF16.self) }
            return .array((parts.last == "" ? parts.dropLast() : parts[...]).map { .string($0) })
        }
        guard let size = size(of: type) else { return decode(type: 0x0E, d) }
        return .array(stride(from: 0, to: d.count - d.count % size, by: size).map {
            decode(type: type, UnsafeRawBufferPointer(rebasing: d[$0..<($0 + size)]))
        })
    }

    /// The size of one element of an array of `type`, nil for types without a fixed size.
    static func size(of type: UInt8) -> Int? {
        switch type {
        case 0x03, 0x04: 1
        case 0x05, 0x06: 2
        case 0x07, 0x08, 0x0B, 0x0D, 0x14: 4
        case 0x09, 0x0A, 0x0C, 0x11, 0x15: 8
        case 0x0F, 0x12: 16
        default: nil
        }
    }

    static func trimmed(_ s: String) -> String {
        var s = s
        while s.hasSuffix("\0") { s.removeLast() }
        return s
    }

    /// 100-ns ticks since 1601 to milliseconds since 1970, clamped into taser's range.
    static func timestamp(filetime: UInt64) -> Timestamp {
        let ms = Int64(clamping: filetime / 10_000) - 11_644_473_600_000
        return Timestamp(ms: ms)
    }
}
