import Model

/// One 64 KiB chunk: its header (magic, checksums, the record range), then its records. Names
/// and templates are referred to by offsets within the chunk, so the chunk's bytes are the
/// BinXML parser's whole world.
enum EvtxChunk {
    static let magic: [UInt8] = Array("ElfChnk\0".utf8)
    static let recordMagic: UInt32 = 0x0000_2A2A
    static let recordsStart = 512

    /// `available`: how many of the chunk's bytes the file holds (fewer for a file still being
    /// written, the rest zero); its checksums are not checked, and its records are read as far
    /// as they are whole.
    static func read(_ chunk: [UInt8], index: Int, available: Int = EvtxFile.chunkSize) -> EvtxFile.Read {
        var templates = EvtxTemplateCache()
        return read(chunk, index: index, available: available, templates: &templates)
    }

    /// The same, taking templates from (and adding to) those of the file's chunks read before
    /// (`index` must differ from theirs): a reader that hands a file out a few chunks at a time
    /// keeps one `EvtxTemplateCache` across them.
    static func read(_ chunk: [UInt8], index: Int, available: Int = EvtxFile.chunkSize, templates: inout EvtxTemplateCache) -> EvtxFile.Read {
        var records: [EvtxFile.Record] = []
        var problems: [String] = []
        chunk.withUnsafeBytes {
            read($0, index: index, available: available, problems: &problems, templates: &templates) { records.append($0) }
        }
        return EvtxFile.Read(records: records, problems: problems)
    }

    /// The same, over bytes borrowed in place (a whole file's reader hands each chunk this way
    /// rather than copying 64 KiB), handing each record to `each` and adding to `problems`.
    /// `templates`: those of the file's chunks read before, which this one adds to.
    static func read(
        _ chunk: UnsafeRawBufferPointer, index: Int, available: Int, problems: inout [String], templates: inout EvtxTemplateCache,
        each: (EvtxFile.Record) -> Void
    ) {
        let b = EvtxRaw(bytes: chunk)
        guard chunk.count == EvtxFile.chunkSize, available >= recordsStart, chunk.prefix(8).elementsEqual(magic) else {
            // An all-zero chunk is space the log has not used yet, not damage.
            if !chunk.allSatisfy({ $0 == 0 }) { problems.append("chunk \(index): no ElfChnk signature; skipped") }
            return
        }
        guard let free = try? Int(b.u32(48)), let headerCRC = try? b.u32(124), let dataCRC = try? b.u32(52) else { return }
        let whole = available >= EvtxFile.chunkSize
        if whole, EvtxCRC.of(chunk[0..<120], chunk[128..<512]) != headerCRC {
            problems.append("chunk \(index): its header checksum does not match; its records are read as far as they parse")
        }
        let end = min(max(free, recordsStart), chunk.count, max(available, recordsStart))
        if whole, EvtxCRC.of(chunk[recordsStart..<end]) != dataCRC {
            problems.append("chunk \(index): its records' checksum does not match; its records are read as far as they parse")
        }
        // The cache moves into the parser for the chunk and back out after it.
        var parser = BinXML(b, shared: templates, generation: index)
        templates = EvtxTemplateCache()
        defer { templates = parser.shared }
        var offset = recordsStart
        while offset + 28 <= end {
            guard let signature = try? b.u32(offset), signature == recordMagic, let size32 = try? b.u32(offset + 4) else {
                problems.append("chunk \(index): no record signature at offset \(offset); the rest of the chunk is skipped")
                break
            }
            let size = Int(size32)
            guard size >= 28, offset + size <= end else {
                problems.append("chunk \(index): a record at offset \(offset) claims \(size) bytes, past the chunk's end; the rest is skipped")
                break
            }
            do {
                // Inside the record: its size was checked against the chunk's end.
                let id = (try? b.u64(offset + 8)) ?? 0
                let written = EvtxValues.timestamp(filetime: (try? b.u64(offset + 16)) ?? 0)
                let event = try parser.event(at: offset + 24, end: offset + size - 4)
                each(EvtxFile.Record(id: id, written: written, event: event))
            } catch {
                problems.append("chunk \(index): the record at offset \(offset) does not parse (\(error)); skipped")
            }
            offset += size
        }
    }
}
