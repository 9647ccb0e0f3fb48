import CZlib
import Foundation
import Model

/// How much one input may cost: the largest record, how far gzip may inflate, and how much of a
/// refused oversize record quarantine keeps. Every framing (lines, JSON documents, CSV rows,
/// email) honours the same limits, so no input can make taser hold more than a few records'
/// worth of memory at once.
public struct IngestLimits: Sendable, Equatable {
    /// The largest record taser keeps as a signal; a larger one is quarantined as a sample.
    public var maxRecord: Int
    /// The most bytes one gzip input may inflate to; past it the rest is refused.
    public var maxInflated: Int
    /// How much of an oversize record (or of the unread rest of an input) quarantine keeps.
    public var sample: Int

    public static let standard = IngestLimits()
    /// The bounds `--max-record` and serve's `max_record` accept.
    public static let recordRange = 1024...(1 << 30)

    public init(maxRecord: Int = 16 << 20, maxInflated: Int = 64 << 30, sample: Int = 64 << 10) {
        self.maxRecord = min(max(maxRecord, IngestLimits.recordRange.lowerBound), IngestLimits.recordRange.upperBound)
        self.maxInflated = max(maxInflated, 1)
        self.sample = max(0, min(sample, self.maxRecord))
    }
}

/// Why an input could not be read on (a corrupt gzip member, a read error): the records before
/// the failure are kept, the failure is quarantined with the reason.
public struct InputFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// Where an ingest's bytes come from, read a block at a time so that memory does not grow with
/// the input's size. `read` returns an empty array at the end.
public protocol ByteInput: AnyObject {
    func read(max: Int) throws(InputFailure) -> [UInt8]
    /// Up to `max` bytes appended to `buffer`, as `read(max:)` would return them; how many
    /// (0 at the end). A framer that gathers blocks into one chunk reads them here, into the
    /// chunk, rather than into a block of their own copied into it after: a second pass over
    /// every byte of the input.
    func read(max: Int, appendingTo buffer: inout [UInt8]) throws(InputFailure) -> Int
}

extension ByteInput {
    public func read(max: Int, appendingTo buffer: inout [UInt8]) throws(InputFailure) -> Int {
        try appendBlock(max: max, to: &buffer)
    }

    /// `read(max:)`'s block appended to `buffer`: what an input that has no better way does.
    func appendBlock(max: Int, to buffer: inout [UInt8]) throws(InputFailure) -> Int {
        let block = try read(max: max)
        buffer.append(contentsOf: block)
        return block.count
    }
}

/// Bytes already in memory (a webhook body, a quarantined item, a test's input).
public final class BytesInput: ByteInput {
    let bytes: [UInt8]
    var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public func read(max: Int) -> [UInt8] {
        let end = offset + Swift.min(Swift.max(max, 0), bytes.count - offset)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    public func read(max: Int, appendingTo buffer: inout [UInt8]) -> Int {
        let end = offset + Swift.min(Swift.max(max, 0), bytes.count - offset)
        defer { offset = end }
        buffer.append(contentsOf: bytes[offset..<end])
        return end - offset
    }
}

/// A file or standard input, read with read(2): nothing is mapped or slurped.
public final class FileInput: ByteInput {
    let fd: Int32
    let owned: Bool
    let path: String
    /// A regular file, whose reads fill what they are asked for until its end (a pipe's give a
    /// few pages at a time).
    let regular: Bool

    /// Opens `path` for reading; "-" is standard input.
    public init(path: String) throws(InputFailure) {
        self.path = path
        if path == "-" {
            fd = 0
            owned = false
            var info = stat()
            regular = fstat(0, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            return
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else {
            let problem = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw InputFailure("cannot read \(path): \(problem)")
        }
        var info = stat()
        guard fstat(opened, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else {
            close(opened)
            throw InputFailure("cannot read \(path): it is a directory")
        }
        fd = opened
        owned = true
        regular = (info.st_mode & S_IFMT) == S_IFREG
    }

    deinit { if owned { close(fd) } }

    public func read(max: Int) throws(InputFailure) -> [UInt8] {
        let want = Swift.max(1, max)
        var block = [UInt8](repeating: 0, count: want)
        while true {
            let n = block.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, want) }
            if n >= 0 {
                block.removeLast(want - n)
                return block
            }
            if errno == EINTR { continue }
            throw failure(errno)
        }
    }

    /// read(2) straight into the end of `buffer`: room is made there (zeroed, as an array's
    /// elements must be) and what the read did not fill is taken off again. Not for a pipe,
    /// whose reads fill a few pages of the room each: zeroing the rest each time would cost
    /// more than the copy it spares.
    public func read(max: Int, appendingTo buffer: inout [UInt8]) throws(InputFailure) -> Int {
        guard regular else { return try appendBlock(max: max, to: &buffer) }
        let want = Swift.max(1, max)
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: want))
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress.map { $0 + start }, want) }
            if n >= 0 {
                buffer.removeLast(want - n)
                return n
            }
            if errno == EINTR { continue }
            let code = errno
            buffer.removeLast(want)
            throw failure(code)
        }
    }

    private func failure(_ code: Int32) -> InputFailure {
        InputFailure("cannot read \(path == "-" ? "standard input" : path): \(String(cString: strerror(code)))")
    }
}

/// Inflates a gzip (or zlib) stream as it is read, every member of it (`cat a.gz b.gz`), and
/// refuses to inflate past `limit` bytes: a 1 MB file that claims to hold a terabyte stops
/// there, with the records before it kept.
public final class GzipInput: ByteInput {
    let inner: ByteInput
    let limit: Int
    var stream = z_stream()
    var pending: [UInt8] = []
    var pendingOffset = 0
    var inflated = 0
    var finished = false
    var ready = false

    public init(_ inner: ByteInput, limit: Int) throws(InputFailure) {
        self.inner = inner
        self.limit = limit
        // 15 + 32: a zlib or gzip header, detected.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputFailure("gzip: cannot initialise zlib")
        }
        ready = true
    }

    deinit { if ready { inflateEnd(&stream) } }

    public func read(max: Int) throws(InputFailure) -> [UInt8] {
        if let deferred {
            finished = true
            self.deferred = nil
            throw deferred
        }
        let want = Swift.max(1, Swift.min(max, 1 << 20))
        var out = [UInt8](repeating: 0, count: want)
        var produced = 0
        while produced == 0 && !finished {
            if pendingOffset >= pending.count {
                pending = try inner.read(max: 1 << 16)
                pendingOffset = 0
                if pending.isEmpty {
                    finished = true
                    // The end of a member was the end of the input: a clean finish.
                    if betweenMembers { break }
                    throw InputFailure("gzip: truncated after \(inflated) bytes of output")
                }
            }
            if betweenMembers && sawMember {
                // Another member follows only if its magic does; anything else after a complete
                // member (padding from a tape or a copy tool) is ignored, as gzip(1) does.
                if pending.count - pendingOffset < 2 {
                    let more = try inner.read(max: 1 << 16)
                    if more.isEmpty {
                        finished = true
                        break
                    }
                    pending = Array(pending[pendingOffset...]) + more
                    pendingOffset = 0
                    continue
                }
                guard pending[pendingOffset] == 0x1F, pending[pendingOffset + 1] == 0x8B else {
                    finished = true
                    break
                }
            }
            let offset = pendingOffset
            let (status, consumed, made) = pending.withUnsafeMutableBufferPointer { inBuf in
                out.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_in = inBuf.baseAddress.map { $0 + offset }
                    stream.avail_in = UInt32(inBuf.count - offset)
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = UInt32(outBuf.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, inBuf.count - offset - Int(stream.avail_in), outBuf.count - Int(stream.avail_out))
                }
            }
            pendingOffset += consumed
            produced = made
            betweenMembers = false
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Concatenated members: the next one starts where this one ended.
                inflateReset(&stream)
                betweenMembers = true
                sawMember = true
            default:
                let detail = stream.msg.map { String(cString: $0) } ?? String(cString: zError(status))
                let failure = InputFailure("gzip: corrupt data after \(inflated.addingReportingOverflow(produced).partialValue) bytes of output (\(detail))")
                // What inflated before the damage is handed out first, whatever the size of
                // the read: the next read says why there is no more. (Thrown at once, it was
                // lost, so a larger read kept fewer records than small ones.)
                guard produced > 0 else {
                    finished = true
                    throw failure
                }
                deferred = failure
            }
            let (total, overflow) = inflated.addingReportingOverflow(produced)
            guard !overflow, total <= limit else {
                // What fits is handed out; the next read says why there is no more.
                let failure = InputFailure("gzip: inflates past the \(ByteCount.text(limit)) limit for one input (a compression bomb?); the rest was not read")
                produced = limit - inflated
                inflated = limit
                if produced == 0 {
                    finished = true
                    throw failure
                }
                deferred = failure
                break
            }
            inflated = total
        }
        out.removeLast(want - produced)
        return out
    }

    /// Set when the cap is reached or the data turns corrupt after some output: thrown by the
    /// next read, once what came before is handed out.
    private var deferred: InputFailure?
    /// True before the first member and after each complete one: an end of input here is clean.
    private var betweenMembers = false
    private var sawMember = false
}

/// An input with the first bytes held back so the framer can look at them before choosing how
/// to read the rest (gzip magic, JSON or lines, email headers).
final class PeekedInput: ByteInput {
    let inner: ByteInput
    var head: [UInt8]
    var headOffset = 0

    init(_ inner: ByteInput, peek: Int) throws(InputFailure) {
        self.inner = inner
        var head: [UInt8] = []
        while head.count < peek {
            let block = try inner.read(max: peek - head.count)
            if block.isEmpty { break }
            head += block
        }
        self.head = head
    }

    func read(max: Int) throws(InputFailure) -> [UInt8] {
        if headOffset < head.count {
            let end = headOffset + Swift.min(Swift.max(max, 1), head.count - headOffset)
            defer {
                headOffset = end
                if headOffset == head.count {
                    head = []
                    headOffset = 0
                }
            }
            return Array(head[headOffset..<end])
        }
        return try inner.read(max: max)
    }

    func read(max: Int, appendingTo buffer: inout [UInt8]) throws(InputFailure) -> Int {
        if headOffset < head.count { return try appendBlock(max: max, to: &buffer) }
        return try inner.read(max: max, appendingTo: &buffer)
    }
}
