import Foundation

/// Line-framed input (NDJSON, syslog with CEF or LEEF) read a block at a time and handed out
/// in chunks of whole lines, which the workers frame in parallel. A line longer than the record
/// limit is never held: its first bytes are kept as a sample, the rest is counted and skipped.
final class LineFramer: Framing {
    let reader: BlockReader
    let name: String
    let limits: IngestLimits
    let batchLines: Int
    /// A chunk is handed out at this size even with fewer lines: it bounds what one batch holds.
    let chunkBytes: Int

    /// Bytes read and not yet handed out; `line` is the number of its first line.
    private var carry: [UInt8]
    private var carryLines = 0
    /// Of those, the lines of an auditd event the last cut held back (they do not count
    /// toward the next batch, or a batch of fewer lines than the event would never end).
    private var heldLines = 0
    private var lastNewline: Int?
    private var line: Int
    private var queue: [Work] = []
    private var finished = false

    init(_ reader: BlockReader, name: String, limits: IngestLimits, batchLines: Int, prefix: [UInt8] = [], firstLine: Int = 1) {
        self.reader = reader
        self.name = name
        self.limits = limits
        self.batchLines = max(1, batchLines)
        self.chunkBytes = 2 << 20
        self.carry = []
        self.line = firstLine
        append(prefix)
    }

    func next() -> Work? {
        while queue.isEmpty && !finished { fill() }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    private func append(_ block: [UInt8]) {
        guard !block.isEmpty else { return }
        let start = carry.count
        carry.append(contentsOf: block)
        countLines(from: start)
    }

    /// Counts the lines of `carry` from `start` on (bytes just added), noting the last newline.
    private func countLines(from start: Int) {
        carry.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var i = start
            // memchr jumps line to line with vector compares: this scan is serial, before any
            // worker starts, so a byte-at-a-time loop here would hold up every ingest.
            while i < buf.count, let hit = memchr(base + i, 10, buf.count - i) {
                let at = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                carryLines += 1
                lastNewline = at
                i = at + 1
            }
        }
    }

    /// Hands out the whole lines held so far. With `hold`, the auditd event the lines end with
    /// stays for the next chunk when more of its records may follow, so one worker frames all
    /// of them (unless it is longer than `AuditGrouping.maxRecords` or a whole chunk).
    private func cut(hold: Bool = true) {
        guard let last = lastNewline else { return }
        var end = last + 1
        var held = 0
        // A chunk that is all one unfinished event waits for more lines, unless it is already
        // a chunk's size (then it goes as it is, cut in two: the bound on what one batch holds).
        if hold, let event = heldAuditEvent(end: end), event.start > 0 || carry.count < chunkBytes {
            end = event.start
            held = event.lines
        }
        if end == 0 {
            heldLines = held
            return
        }
        // In a large input, room for the chunk the rest will grow to, made once: grown by
        // doubling as blocks were added, every byte read was copied twice more.
        var rest: [UInt8] = []
        if carry.count >= reader.blockSize { rest.reserveCapacity(chunkBytes + reader.blockSize) }
        rest.append(contentsOf: carry[end...])
        carry.removeLast(carry.count - end)
        queue.append(.lines(carry, firstLine: line))
        line += carryLines - held
        carry = rest
        carryLines = held
        heldLines = held
        lastNewline = held > 0 ? last - end : nil
    }

    /// The run of lines of one auditd event that `carry[..<end]` ends with (where it starts and
    /// how many lines), when the last line is an auditd record other than EOE.
    private func heldAuditEvent(end: Int) -> (start: Int, lines: Int)? {
        carry.withUnsafeBufferPointer { buf -> (start: Int, lines: Int)? in
            // The line that ends with the newline at `e - 1`: [start, e - 1), without a CR.
            func line(endingAt e: Int) -> (start: Int, text: UnsafeBufferPointer<UInt8>) {
                var s = e - 1
                while s > 0, buf[s - 1] != 10 { s -= 1 }
                var stop = e - 1
                if stop > s, buf[stop - 1] == 13 { stop -= 1 }
                return (s, UnsafeBufferPointer(rebasing: buf[s..<stop]))
            }
            guard end > 0, end <= buf.count else { return nil }
            let last = line(endingAt: end)
            guard let key = AuditGrouping.key(last.text), !AuditGrouping.isEnd(last.text) else { return nil }
            var start = last.start
            var lines = 1
            while start > 0 {
                let before = line(endingAt: start)
                guard AuditGrouping.key(before.text) == key else { break }
                start = before.start
                lines += 1
                if lines >= AuditGrouping.maxRecords { return nil }
            }
            return (start, lines)
        }
    }

    private func fill() {
        let partial = carry.count - (lastNewline.map { $0 + 1 } ?? 0)
        if partial > limits.maxRecord {
            cut(hold: false)
            return skipLongLine()
        }
        if lastNewline != nil && (carryLines - heldLines >= batchLines || carry.count >= chunkBytes) { return cut() }
        // Read into the carry itself: a block of its own, copied in after, was a second pass
        // over every byte.
        let start = carry.count
        guard reader.next(appendingTo: &carry) else { return end() }
        countLines(from: start)
    }

    /// The line at the start of `carry` is over the limit: keep a sample, count the rest up to
    /// its newline without holding it, and go on after it.
    private func skipLongLine() {
        var long = BoundedBytes(limits: limits)
        long.append(carry)
        carry = []
        while true {
            guard let block = reader.next() else {
                queue.append(.rejected([oversize(&long)]))
                return end()
            }
            if let at = LineFramer.newline(in: block, from: 0) {
                var stop = at
                if stop > 0, block[stop - 1] == 13 { stop -= 1 }
                long.append(block[..<stop])
                queue.append(.rejected([oversize(&long)]))
                line += 1
                append(Array(block[(at + 1)...]))
                return
            }
            long.append(block)
        }
    }

    /// How many line feeds `bytes` holds.
    static func newlines(in bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return 0 }
            var n = 0, i = 0
            while i < buf.count, let hit = memchr(base + i, 10, buf.count - i) {
                n += 1
                i = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit)) + 1
            }
            return n
        }
    }

    /// The first line feed in `block` at or after `from` (memchr: this runs over every byte of
    /// a skipped line or a mailbox).
    static func newline(in block: [UInt8], from: Int) -> Int? {
        guard from < block.count else { return nil }
        return block.withUnsafeBufferPointer { buf -> Int? in
            guard let base = buf.baseAddress, let hit = memchr(base + from, 10, buf.count - from) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
        }
    }

    private func oversize(_ long: inout BoundedBytes) -> Rejected {
        let size = long.size
        return Rejected(origin: "\(name):\(line)", format: nil, reason: limits.overLimit("line", size: size), raw: long.sample, sampledFrom: long.sampledFrom)
    }

    private func end() {
        finished = true
        if let failure = reader.failure {
            // A read failed partway (a truncated gzip): the whole lines stand, the unfinished
            // last one goes to quarantine with the reason.
            cut(hold: false)
            var rest = BoundedBytes(limits: limits)
            rest.append(carry)
            carry = []
            queue.append(.rejected([Rejected(origin: "\(name):\(line)", format: nil, reason: failure.reason, raw: rest.sample, sampledFrom: rest.sampledFrom)]))
        } else if !carry.isEmpty {
            queue.append(.lines(carry, firstLine: line))
            carry = []
        }
    }
}
