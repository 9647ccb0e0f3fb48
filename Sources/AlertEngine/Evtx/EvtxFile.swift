import Foundation
import Model

/// A Windows event log file (EVTX), read natively: the file header, then 64 KiB chunks, each
/// with its own string and template caches, holding event records whose body is BinXML. Each
/// record becomes the JSON that evtx_dump and NXLog write (`{"Event": {"System": {...},
/// "EventData": {...}}}`), so the Windows event formats read it as they read a forwarder's JSON.
///
/// Damage is local: a chunk whose magic or checksums are wrong is reported and skipped and the
/// rest is read; a record that does not parse is reported and the chunk goes on; a file still
/// being written ends at its last complete chunk. Layout: libyal's "Windows XML Event Log
/// (EVTX)" format description.
public enum EvtxFile {
    public static let headerSize = 4096
    public static let chunkSize = 65536
    static let fileMagic: [UInt8] = Array("ElfFile\0".utf8)

    public struct Record: Sendable {
        public var id: UInt64
        public var written: Timestamp
        /// `{"Event": {...}}` as evtx_dump writes it.
        public var event: JSONValue
    }

    public struct Read: Sendable {
        public var records: [Record] = []
        /// One line per damaged chunk or record, with where it is.
        public var problems: [String] = []
    }

    /// How many chunks the file header says are in use (offset 42), nil when it cannot say.
    /// Windows allocates chunks ahead: one past this count without a chunk signature is
    /// unused space, not damage. One with a signature is read (a dirty file's header lags).
    public static func chunksInUse(header: some Collection<UInt8>) -> Int? {
        let h = Array(header.prefix(44))
        guard h.count == 44, looksLikeEvtx(h) else { return nil }
        return Int(h[42]) | Int(h[43]) << 8
    }

    /// Whether chunk `index` is allocated space the log has not used yet.
    public static func isUnused(_ chunk: some Collection<UInt8>, index: Int, inUse: Int?) -> Bool {
        guard let inUse, index >= inUse else { return false }
        return Array(chunk.prefix(8)) != EvtxChunk.magic
    }

    /// Whether these bytes start an EVTX file.
    public static func looksLikeEvtx(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count >= 8 && Array(bytes.prefix(8)) == fileMagic
    }

    /// Every record of a whole file's bytes.
    public static func read(_ bytes: [UInt8]) -> Read {
        var out = Read()
        guard looksLikeEvtx(bytes) else {
            out.problems.append("not an EVTX file (no ElfFile signature)")
            return out
        }
        var offset = headerSize
        var index = 0
        let inUse = chunksInUse(header: bytes)
        while offset < bytes.count {
            // A file still being written may end inside its last chunk: that chunk is read to
            // its last complete record.
            let available = min(chunkSize, bytes.count - offset)
            var chunk = Array(bytes[offset..<(offset + available)])
            if available < chunkSize { chunk += [UInt8](repeating: 0, count: chunkSize - available) }
            if isUnused(chunk, index: index, inUse: inUse) {
                offset += available
                index += 1
                continue
            }
            let got = EvtxChunk.read(chunk, index: index, available: available)
            out.records += got.records
            out.problems += got.problems
            offset += available
            index += 1
        }
        return out
    }

    /// Records of one chunk's 65,536 bytes (`chunk`, counted from 0 after the header), for a
    /// reader that streams the file a chunk at a time.
    public static func readChunk(_ bytes: [UInt8], index: Int) -> Read {
        let got = EvtxChunk.read(bytes, index: index, available: min(bytes.count, chunkSize))
        return Read(records: got.records, problems: got.problems)
    }
}

/// Little-endian reads that never trap: a read past the end is an error the caller reports.
struct EvtxBytes {
    let bytes: [UInt8]

    struct OutOfRange: Error {}

    func u8(_ at: Int) throws -> UInt8 {
        guard at >= 0, at < bytes.count else { throw OutOfRange() }
        return bytes[at]
    }

    func u16(_ at: Int) throws -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { throw OutOfRange() }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    func u32(_ at: Int) throws -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { throw OutOfRange() }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[at + i]) << (8 * UInt32(i)) }
        return v
    }

    func u64(_ at: Int) throws -> UInt64 {
        guard at >= 0, at + 8 <= bytes.count else { throw OutOfRange() }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }

    func slice(_ at: Int, _ count: Int) throws -> ArraySlice<UInt8> {
        guard at >= 0, count >= 0, count <= bytes.count, at <= bytes.count - count else { throw OutOfRange() }
        return bytes[at..<(at + count)]
    }

    /// `count` UTF-16 code units from `at`, as a string (unpaired surrogates become U+FFFD).
    func utf16(_ at: Int, count: Int) throws -> String {
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: 2)
        guard !overflow else { throw OutOfRange() }
        let raw = try slice(at, bytesNeeded)
        var units: [UInt16] = []
        units.reserveCapacity(count)
        var i = raw.startIndex
        while i < raw.endIndex {
            units.append(UInt16(raw[i]) | UInt16(raw[i + 1]) << 8)
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// CRC-32 (IEEE), as the EVTX header and chunk checksums use.
enum EvtxCRC {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func of(_ parts: ArraySlice<UInt8>...) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for part in parts {
            for b in part { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        return c ^ 0xFFFF_FFFF
    }
}
