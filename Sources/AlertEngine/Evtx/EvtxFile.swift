import CIsal
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
        var records: [Record] = []
        let problems = read(bytes) { records.append($0) }
        return Read(records: records, problems: problems)
    }

    /// Every record of a whole file's bytes, handed to `record` as it is read rather than
    /// kept (as a streaming reader would, which holds no more than it is working on); the
    /// problems found, as `Read.problems`.
    public static func read(_ bytes: [UInt8], each record: (Record) -> Void) -> [String] {
        var problems: [String] = []
        guard looksLikeEvtx(bytes) else {
            return ["not an EVTX file (no ElfFile signature)"]
        }
        var offset = headerSize
        var index = 0
        let inUse = chunksInUse(header: bytes)
        var templates = EvtxTemplateCache()
        bytes.withUnsafeBytes { file in
            while offset < bytes.count {
                let available = min(chunkSize, bytes.count - offset)
                let whole = UnsafeRawBufferPointer(rebasing: file[offset..<(offset + available)])
                if !isUnused(whole, index: index, inUse: inUse) {
                    if available == chunkSize {
                        EvtxChunk.read(whole, index: index, available: available, problems: &problems, templates: &templates, each: record)
                    } else {
                        // A file still being written may end inside its last chunk: that chunk
                        // is read to its last complete record.
                        let padded = Array(whole) + [UInt8](repeating: 0, count: chunkSize - available)
                        padded.withUnsafeBytes {
                            EvtxChunk.read($0, index: index, available: available, problems: &problems, templates: &templates, each: record)
                        }
                    }
                }
                offset += available
                index += 1
            }
        }
        return problems
    }

    /// Records of one chunk's 65,536 bytes (`chunk`, counted from 0 after the header), for a
    /// reader that streams the file a chunk at a time.
    public static func readChunk(_ bytes: [UInt8], index: Int) -> Read {
        let got = EvtxChunk.read(bytes, index: index, available: min(bytes.count, chunkSize))
        return Read(records: got.records, problems: got.problems)
    }
}

/// CRC-32 (IEEE, reflected: zlib's and gzip's), as the EVTX header and chunk checksums use:
/// ISA-L's, which folds with carry-less multiplication (about 50 GB/s here). zlib's ran at
/// about 4 GB/s, a twentieth of reading a Sysmon log; a table a byte at a time cost as much as
/// parsing the chunk's records. The Rust parser skips the checks by default; taser makes them
/// and says which chunks fail.
enum EvtxCRC {
    static func of(_ parts: Slice<UnsafeRawBufferPointer>...) -> UInt32 {
        var c: UInt32 = 0
        for part in parts {
            let p = UnsafeRawBufferPointer(rebasing: part)
            guard let base = p.baseAddress, !p.isEmpty else { continue }
            c = crc32_gzip_refl(c, base.assumingMemoryBound(to: UInt8.self), UInt64(p.count))
        }
        return c
    }
}
