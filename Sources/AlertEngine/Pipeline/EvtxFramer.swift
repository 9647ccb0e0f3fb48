import Model

/// Chunks of an EVTX file, handed to the workers to parse (BinXML is the costly part, so the
/// framer only cuts the file and every worker parses its own chunks).
struct EvtxChunks: Sendable {
    struct Chunk: Sendable {
        /// 65,536 bytes, zero-padded when the file ends inside the chunk.
        var bytes: [UInt8]
        /// Counted from 0 after the file header.
        var index: Int
        /// How many of `bytes` the file really had: a file being written ends inside its last
        /// chunk, which is read to its last whole record.
        var available: Int
    }

    var name: String
    var chunks: [Chunk]

    /// The event with its time: a damaged record may have lost TimeCreated, and then the time
    /// the record was written (its header's) stands in. Only what the format reads gets it;
    /// the raw body stays the record as written.
    static func timed(_ r: EvtxFile.Record) -> JSONValue {
        guard case .object(var root) = r.event, case .object(var event)? = root["Event"],
              case .object(var system)? = event["System"], system["TimeCreated"]?["#attributes"]?["SystemTime"] == nil
        else { return r.event }
        system["TimeCreated"] = .object(["#attributes": .object(["SystemTime": .string(r.written.iso8601)])])
        event["System"] = .object(system)
        root["Event"] = .object(event)
        return .object(root)
    }

    /// The records of these chunks, each as the JSON evtx_dump writes, and what was damaged.
    func frame() -> (records: [Record], rejected: [Rejected]) {
        var records: [Record] = []
        var rejected: [Rejected] = []
        // A log defines its templates again in every chunk: the batch's chunks share what the
        // first of them parsed (`EvtxTemplateCache`; their indexes differ, as it needs).
        var templates = EvtxTemplateCache()
        for chunk in chunks {
            let got = EvtxChunk.read(chunk.bytes, index: chunk.index, available: chunk.available, templates: &templates)
            for r in got.records {
                records.append(Record(payload: .json(Self.timed(r)), rawBody: .json(r.event), origin: "\(name) record \(r.id)"))
            }
            for problem in got.problems {
                rejected.append(Rejected(
                    origin: "\(name) chunk \(chunk.index)", format: "evtx", reason: problem,
                    raw: Array(chunk.bytes.prefix(min(chunk.available, 4096)))))
            }
        }
        return (records, rejected)
    }
}

/// Frames an EVTX file (`ElfFile` signature) a chunk at a time: the 4 KiB file header is
/// skipped, then every 64 KiB is one chunk. Nothing is held but the chunks of one hand-out,
/// so a 1 GB log costs a few chunks' memory.
final class EvtxFramer: Framing {
    let reader: BlockReader
    let name: String
    /// Chunks per hand-out: about as much work as a batch of lines.
    let batch: Int
    /// Read and not yet cut: `pending[consumed...]`.
    private var pending: [UInt8] = []
    private var consumed = 0
    private var headerSkipped = false
    private var inUse: Int?
    private var index = 0
    private var done = false

    init(_ reader: BlockReader, name: String, batch: Int = 8) {
        self.reader = reader
        self.name = name
        self.batch = max(1, batch)
    }

    func next() -> Work? {
        guard !done else { return nil }
        var chunks: [EvtxChunks.Chunk] = []
        while chunks.count < batch {
            let need = headerSkipped ? EvtxFile.chunkSize : EvtxFile.headerSize
            while pending.count - consumed < need, let block = reader.next() {
                pending.removeFirst(consumed)
                consumed = 0
                pending += block
            }
            let left = pending.count - consumed
            if !headerSkipped {
                guard left >= EvtxFile.headerSize else { break }
                inUse = EvtxFile.chunksInUse(header: pending[consumed...])
                consumed += EvtxFile.headerSize
                headerSkipped = true
                continue
            }
            if left == 0 { break }
            let available = min(left, EvtxFile.chunkSize)
            var bytes = Array(pending[consumed..<(consumed + available)])
            consumed += available
            if available < EvtxFile.chunkSize { bytes += [UInt8](repeating: 0, count: EvtxFile.chunkSize - available) }
            if !EvtxFile.isUnused(bytes, index: index, inUse: inUse) {
                chunks.append(.init(bytes: bytes, index: index, available: available))
            }
            index += 1
        }
        if !chunks.isEmpty { return .evtx(EvtxChunks(name: name, chunks: chunks)) }
        done = true
        if let failure = reader.failure {
            return .rejected([Rejected(origin: "\(name) chunk \(index)", format: "evtx", reason: failure.reason, raw: [])])
        }
        if !headerSkipped {
            return .rejected([Rejected(
                origin: name, format: "evtx", reason: "an EVTX file of \(pending.count) bytes ends inside its 4096-byte header",
                raw: Array(pending.prefix(EvtxFile.headerSize)))])
        }
        return nil
    }
}
