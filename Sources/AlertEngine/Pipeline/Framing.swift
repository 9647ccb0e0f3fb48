import Foundation
import Model

/// A piece of an input, framed and ready for a worker to turn into signals. Framing reads the
/// input a block at a time and hands out pieces of bounded size, so an ingest holds a few
/// pieces at once, never the input.
enum Work: Sendable {
    /// Whole lines, the first of them numbered `firstLine`: framed by the worker itself.
    case lines([UInt8], firstLine: Int)
    /// Records framed already (CSV rows, email messages, a small document's events).
    case records([Record])
    /// Events of a streamed JSON document, as bytes the worker parses.
    case documents([JSONEvent])
    /// Chunks of an EVTX file, parsed by the worker.
    case evtx(EvtxChunks)
    /// Input refused before it could be a record.
    case rejected([Rejected])
}

/// One event of a streamed JSON document: its bytes and where it was.
struct JSONEvent: Sendable {
    var bytes: [UInt8]
    var origin: String
}

/// Hands out an input's pieces in order; nil at the end. Read failures (a corrupt gzip member,
/// an I/O error) become a refusal after the pieces read before them: what came before is kept.
protocol Framing: AnyObject {
    func next() -> Work?
}

/// Reads blocks from an input and remembers why it stopped, if it was not the end.
final class BlockReader {
    let input: ByteInput
    /// 1 MiB: large enough that reading costs nothing beside parsing; tests make it tiny to
    /// put block boundaries everywhere.
    let blockSize: Int
    private(set) var failure: InputFailure?
    private(set) var atEnd = false

    init(_ input: ByteInput, blockSize: Int = 1 << 20) {
        self.input = input
        self.blockSize = max(1, blockSize)
    }

    func next() -> [UInt8]? {
        guard !atEnd else { return nil }
        do {
            let block = try input.read(max: blockSize)
            if block.isEmpty {
                atEnd = true
                return nil
            }
            return block
        } catch {
            failure = error
            atEnd = true
            return nil
        }
    }

    /// The next block appended to `buffer` (`ByteInput.read(max:appendingTo:)`); false, with
    /// nothing appended, at the end or when the read failed.
    func next(appendingTo buffer: inout [UInt8]) -> Bool {
        guard !atEnd else { return false }
        do {
            if try input.read(max: blockSize, appendingTo: &buffer) > 0 { return true }
        } catch {
            failure = error
        }
        atEnd = true
        return false
    }
}

/// Holds at most `limit` bytes of one record; past that, only a sample and the count. This is
/// how every framing keeps an oversize record from costing more than the limit.
struct BoundedBytes {
    let limit: Int
    let sampleSize: Int
    private(set) var bytes: [UInt8] = []
    private(set) var size = 0
    var isOver: Bool { size > limit }

    init(limits: IngestLimits) {
        limit = limits.maxRecord
        sampleSize = limits.sample
    }

    mutating func append<C: Collection>(_ more: C) where C.Element == UInt8 {
        let (total, overflow) = size.addingReportingOverflow(more.count)
        size = overflow ? Int.max : total
        if size <= limit {
            bytes.append(contentsOf: more)
        } else if bytes.count > sampleSize {
            bytes.removeLast(bytes.count - sampleSize)
        } else if bytes.count < sampleSize {
            bytes.append(contentsOf: more.prefix(sampleSize - bytes.count))
        }
    }

    mutating func append(_ byte: UInt8) {
        size = size == Int.max ? size : size + 1
        if size <= limit || bytes.count < sampleSize {
            bytes.append(byte)
        } else if bytes.count > sampleSize {
            bytes.removeLast(bytes.count - sampleSize)
        }
    }

    /// What quarantine keeps: all of the bytes, or the sample of an oversize record.
    var sample: [UInt8] { bytes }
    /// The whole size when only a sample is held.
    var sampledFrom: Int? { size > bytes.count ? size : nil }

    /// Hands the bytes over and starts again.
    mutating func take() -> [UInt8] {
        defer {
            bytes = []
            size = 0
        }
        return bytes
    }

    var isEmpty: Bool { size == 0 }
}

extension IngestLimits {
    /// The reason an oversize record is refused with.
    func overLimit(_ what: String, size: Int) -> String {
        "\(what) of \(size) bytes is over the \(ByteCount.text(maxRecord)) limit (raise it with --max-record; quarantine keeps the first \(ByteCount.text(sample)))"
    }
}

extension Framer {
    /// Whether input starting with `[` is a JSON array: its first element starts as a JSON value
    /// does. Apache's error log starts with `[Mon Dec 26 16:22:08 2016]`, which is lines.
    static func opensJSONArray(_ head: [UInt8]) -> Bool {
        guard let open = head.firstIndex(of: UInt8(ascii: "[")) else { return false }
        guard let next = head[(open + 1)...].first(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) else { return true }
        return "{[]\"-0123456789tfn".utf8.contains(next)
    }
}

/// What the framer does when nothing can be read at all (a corrupt gzip header).
final class RefusedInput: Framing {
    var rejected: [Rejected]?
    init(_ rejected: Rejected) { self.rejected = [rejected] }
    func next() -> Work? {
        defer { rejected = nil }
        return rejected.map(Work.rejected)
    }
}

extension Framer {
    /// Frames an input as it is read: gzip is inflated on the way (capped), then the first
    /// block decides the framing (email, CSV, a JSON document or lines), as `frame` does for
    /// bytes in memory.
    static func open(
        _ input: ByteInput, name: String, hint: Hint, limits: IngestLimits, batchLines: Int, blockSize: Int = 1 << 20
    ) -> Framing {
        let base = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        let lower = base.lowercased()
        let sniffed: PeekedInput
        do {
            let raw = try PeekedInput(input, peek: 2)
            let gzip = raw.head.count == 2 && raw.head[0] == 0x1F && raw.head[1] == 0x8B
            sniffed = try PeekedInput(gzip ? try GzipInput(raw, limit: limits.maxInflated) : raw, peek: 64 << 10)
        } catch {
            return RefusedInput(Rejected(origin: name, format: nil, reason: error.reason, raw: []))
        }
        let head = sniffed.head
        let reader = BlockReader(sniffed, blockSize: blockSize)
        // EVTX by its signature, whatever the file is called (collectors rename them).
        if EvtxFile.looksLikeEvtx(head) {
            return EvtxFramer(reader, name: name)
        }
        if hint == .email || lower.hasSuffix(".eml") || lower.hasSuffix(".mbox") || looksLikeEmail(head) {
            return MailFramer(reader, name: name, limits: limits, batch: batchLines)
        }
        if hint == .csv || lower.hasSuffix(".csv") {
            return CSVFramer(reader, name: name, limits: limits, batch: batchLines)
        }
        let first = head.first { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
        if first == UInt8(ascii: "{") || (first == UInt8(ascii: "[") && opensJSONArray(head)) {
            return DocumentFramer(reader, name: name, limits: limits, batch: batchLines)
        }
        return LineFramer(reader, name: name, limits: limits, batchLines: batchLines)
    }
}
