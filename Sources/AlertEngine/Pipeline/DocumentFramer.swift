import Foundation
import Model

/// A JSON document (an array of events, or an envelope holding one: CloudTrail's `Records`,
/// Duo's `response.authlogs`, ...) read a block at a time.
///
/// A document up to the record limit is held whole and framed exactly as before (the envelope
/// chosen by `Framer.wrappers`' order, a lone object as one event). A larger one is streamed:
/// each event of its event arrays is handed out as it completes and the rest of the document is
/// not kept, so a 5 GB CloudTrail export costs one event's memory. Input that turns out to be
/// NDJSON (a complete object followed by another) is handed to the line framer; a broken
/// document keeps the events before the break and quarantines the rest with the byte offset.
final class DocumentFramer: Framing {
    let reader: BlockReader
    let name: String
    let limits: IngestLimits
    let batch: Int

    private var scanner = JSONScanner(eventPaths: Framer.wrappers + [[]])
    private var queue: [Work] = []
    private var finished = false
    /// When the input turned out to be lines, the framer that reads them.
    private var lines: LineFramer?

    // While the document is held whole.
    private var holding = true
    private var held: [UInt8] = []
    /// Offset in the input of `held[0]`.
    private var heldStart = 0
    private var firstDocument = true
    private var opener: UInt8 = 0
    private var heldEvents: [Range<Int>] = []
    private var eventStart: Int?

    // While streaming.
    private var event = BoundedBytes(limits: .standard)
    private var inEvent = false
    private var eventsSeen = 0
    private var head: [UInt8] = []
    private var documentSize = 0
    private var pending: [JSONEvent] = []
    private var pendingBytes = 0

    init(_ reader: BlockReader, name: String, limits: IngestLimits, batch: Int) {
        self.reader = reader
        self.name = name
        self.limits = limits
        self.batch = max(1, batch)
        self.event = BoundedBytes(limits: limits)
    }

    func next() -> Work? {
        while true {
            if !queue.isEmpty { return queue.removeFirst() }
            if let lines { return lines.next() }
            if finished { return nil }
            step()
        }
    }

    /// Scans the next piece of input. While a document is held, a piece never takes it past the
    /// record limit, so the switch to streaming falls at the same byte however the input was
    /// read (a block boundary must never change what is framed).
    private func step() {
        if unreadOffset >= unread.count {
            guard let block = reader.next() else { return end() }
            unread = block
            unreadOffset = 0
        }
        let left = unread.count - unreadOffset
        let room = holding && deferredEnd == nil ? max(1, limits.maxRecord + 1 - held.count) : left
        let end = unreadOffset + min(left, room)
        let piece = Array(unread[unreadOffset..<end])
        unreadOffset = end
        scan(piece)
    }

    /// What was read and not yet scanned, handed over (to the line framer, to a refusal).
    private func takeUnread() -> [UInt8] {
        defer {
            unread = []
            unreadOffset = 0
        }
        return Array(unread[min(unreadOffset, unread.count)...])
    }

    private var unread: [UInt8] = []
    private var unreadOffset = 0

    private func scan(_ block: [UInt8]) {
        let blockStart = scanner.offset
        if holding { held.append(contentsOf: block) }
        var consumedAll = true
        var scanner = self.scanner
        block.withUnsafeBufferPointer { buf in
            var from = 0
            while from < buf.count && consumedAll {
                let used = scanner.scan(UnsafeBufferPointer(rebasing: buf[from...])) { event in
                    self.handle(event, block: buf, blockStart: blockStart)
                }
                from += used
                if scanner.failed || lines != nil || finished { consumedAll = false }
            }
            // The event under way continues into the next block.
            if consumedAll, !holding, inEvent, let start = eventStart {
                self.event.append(buf[max(0, start - blockStart)...])
                eventStart = blockStart + buf.count
            }
        }
        self.scanner = scanner
        newlinesBefore += LineFramer.newlines(in: block[...])
        if !holding { documentSize = documentSize.addingReportingOverflow(block.count).overflow ? Int.max : documentSize + block.count }
        if holding && deferredEnd == nil && held.count > limits.maxRecord && lines == nil && !finished {
            startStreaming()
        }
    }

    /// What the scanner found; false stops it.
    private func handle(_ found: JSONScanner.Event, block: UnsafeBufferPointer<UInt8>, blockStart: Int) -> Bool {
        switch found {
        case .elementStart(let at):
            eventStart = at
            inEvent = true
        case .elementEnd(let at):
            inEvent = false
            guard let start = eventStart else { return true }
            eventStart = nil
            if holding {
                heldEvents.append(start..<(at + 1))
            } else {
                // A number ends at the byte before its delimiter, which may be the last byte
                // of the previous block, already taken.
                let lower = max(0, start - blockStart), upper = at - blockStart
                if upper >= lower { event.append(block[lower...upper]) }
                emitEvent()
            }
        case .topEnd(let at):
            // A first document that is one object may be the first line of NDJSON: it is framed
            // once the input is known to end after it.
            if firstDocument && holding && startedWithObject {
                deferredEnd = at
            } else {
                documentEnded(at: at, block: block, blockStart: blockStart)
            }
        case .another(let at):
            // A second value after a complete object: NDJSON (or concatenated JSON), read as lines.
            if deferredEnd != nil {
                switchToLines()
                return false
            }
            if let first = oversizeFirst {
                // The first line was one object over the limit: refused as the line it was.
                oversizeFirst = nil
                queue.append(.rejected([Rejected(origin: "\(name):1", format: nil, reason: limits.overLimit("line", size: first.size), raw: first.head, sampledFrom: first.size)]))
                let before = at - blockStart
                let line = newlinesBefore + LineFramer.newlines(in: Array(block[..<max(0, min(before, block.count))])[...]) + 1
                let rest = Array(block[max(0, min(before, block.count))...]) + takeUnread()
                lines = LineFramer(reader, name: name, limits: limits, batchLines: batch, prefix: rest, firstLine: line)
                return false
            }
            firstDocument = false
            beginDocument(at: at)
        case .invalid(let at, let why):
            broken(at: at, why: why)
            return false
        }
        return true
    }

    private var startedWithObject: Bool {
        if opener == 0 { opener = held.first(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) ?? 0 }
        return opener == UInt8(ascii: "{")
    }

    /// A complete top-level value ended at `at`; `block` is the block being scanned, for the
    /// bytes after it when a streamed document ends and the next is held again.
    private func documentEnded(at: Int, block: UnsafeBufferPointer<UInt8>, blockStart: Int) {
        if holding && at + 1 - heldStart > limits.maxRecord {
            // Whole within one block but larger than a record: its events one by one, each
            // held to the limit, as if it had been streamed.
            startStreaming(size: at + 1 - heldStart)
        }
        if holding {
            let end = min(max(0, at + 1 - heldStart), held.count)
            let bytes = Array(held[..<end])
            if let framed = Framer.frameDocument(bytes, name: documentName) {
                if !framed.rejected.isEmpty { queue.append(.rejected(framed.rejected)) }
                var start = 0
                while start < framed.records.count {
                    let end = min(start + batch, framed.records.count)
                    queue.append(.records(Array(framed.records[start..<end])))
                    start = end
                }
            } else {
                // An object the parser refuses although it scanned (a malformed number): lines.
                if firstDocument { return switchToLines() }
                queue.append(.rejected([Rejected(origin: documentName, format: nil, reason: Framer.parseReason(bytes), raw: bytes)]))
            }
            held.removeFirst(end)
            heldStart = at + 1
            heldEvents = []
        } else {
            documentSize = at + 1 - documentStart
            flush()
            if eventsSeen == 0 && firstDocument && startedWithObject {
                // Perhaps the first line of NDJSON: refused once it is known which.
                oversizeFirst = (head, documentSize)
            } else if eventsSeen == 0 {
                queue.append(.rejected([Rejected(
                    origin: documentName, format: nil,
                    reason: limits.overLimit("JSON document", size: documentSize) + "; it holds no array of events (\(Framer.wrappers.map { $0.joined(separator: ".") }.joined(separator: ", ")))",
                    raw: head)]))
            }
            holding = true
            let after = min(max(0, at + 1 - blockStart), block.count)
            held = Array(block[after...])
            heldStart = at + 1
        }
    }

    private var documents = 0
    /// Where the document being streamed began in the input.
    private var documentStart = 0
    /// Newlines in the blocks before the one being scanned, for line numbers if the input
    /// turns out to be lines.
    private var newlinesBefore = 0
    /// A first document that was one object over the limit, with no events: the first line of
    /// NDJSON if another value follows, else a document refused.
    private var oversizeFirst: (head: [UInt8], size: Int)?
    /// Where the first document ended, while it is not yet known whether more follows.
    private var deferredEnd: Int?
    private var documentName: String { documents == 0 ? name : "\(name)#\(documents + 1)" }

    private func beginDocument(at: Int) {
        documents += 1
        opener = 0
        eventsSeen = 0
        documentSize = 0
        if holding, at > heldStart {
            held.removeFirst(min(held.count, at - heldStart))
            heldStart = at
        }
    }

    /// The document outgrew the limit: hand out the events held so far and stream the rest.
    private func startStreaming(size: Int? = nil) {
        for range in heldEvents {
            event.append(held[clamped(range)])
            emitEvent()
        }
        heldEvents = []
        if inEvent, let start = eventStart {
            event.append(held[min(max(0, start - heldStart), held.count)...])
            eventStart = heldStart + held.count
        }
        _ = startedWithObject  // known while the document's first bytes are still held
        head = Array(held.prefix(limits.sample))
        documentSize = size ?? held.count
        documentStart = heldStart
        held = []
        holding = false
        flush()
    }

    private func emitEvent() {
        let origin = "\(documentName)[\(eventsSeen)]"
        eventsSeen += 1
        if event.isOver {
            let size = event.size
            flush()
            queue.append(.rejected([Rejected(origin: origin, format: nil, reason: limits.overLimit("JSON event", size: size), raw: event.sample, sampledFrom: event.sampledFrom)]))
            _ = event.take()
            return
        }
        let bytes = event.take()
        pendingBytes += bytes.count
        pending.append(JSONEvent(bytes: bytes, origin: origin))
        if pending.count >= batch || pendingBytes >= 2 << 20 { flush() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        queue.append(.documents(pending))
        pending = []
        pendingBytes = 0
    }

    private func switchToLines() {
        let prefix = held + takeUnread()
        held = []
        lines = LineFramer(reader, name: name, limits: limits, batchLines: batch, prefix: prefix)
    }

    /// Not JSON from `at` on.
    private func broken(at: Int, why: String) {
        if holding && firstDocument && startedWithObject {
            // Most likely NDJSON whose first line is broken: let the lines be tried one by one.
            return switchToLines()
        }
        // The events before the break stand; the rest is refused, as a sample.
        var rest = salvage()
        rest.append(takeUnread())
        while let block = reader.next() { rest.append(block) }
        let reason = eventsSeen > 0 ? "\(why) (after \(eventsSeen) events; the rest was not read)" : why
        queue.append(.rejected([Rejected(origin: eventsSeen > 0 ? "\(documentName)[\(eventsSeen)]" : documentName, format: nil, reason: reason, raw: rest.sample, sampledFrom: rest.sampledFrom)]))
        held = []
        finished = true
    }

    /// An event's range in the input as indexes into `held` (always inside it).
    private func clamped(_ range: Range<Int>) -> Range<Int> {
        let lower = min(max(0, range.lowerBound - heldStart), held.count)
        return lower..<min(max(lower, range.upperBound - heldStart), held.count)
    }

    /// Hands out the complete events held so far; returns what is left after them.
    private func salvage() -> BoundedBytes {
        var rest = BoundedBytes(limits: limits)
        if holding {
            for range in heldEvents {
                event.append(held[clamped(range)])
                emitEvent()
            }
            let from = min(max(0, (heldEvents.last?.upperBound ?? heldStart) - heldStart), held.count)
            heldEvents = []
            rest.append(held[from...])
        } else {
            rest.append(event.take())
        }
        flush()
        return rest
    }

    private func end() {
        if lines != nil { return }
        if let failure = reader.failure {
            // A read failed partway (a truncated gzip): the events before it stand.
            let rest = salvage()
            let origin = eventsSeen > 0 ? "\(documentName)[\(eventsSeen)]" : documentName
            queue.append(.rejected([Rejected(origin: origin, format: nil, reason: failure.reason, raw: rest.sample, sampledFrom: rest.sampledFrom)]))
            finished = true
            return
        }
        var scanner = self.scanner
        let none = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        scanner.finish { event in self.handle(event, block: none, blockStart: 0) }
        self.scanner = scanner
        if let first = oversizeFirst {
            oversizeFirst = nil
            queue.append(.rejected([Rejected(
                origin: documentName, format: nil,
                reason: limits.overLimit("JSON document", size: first.size) + "; it holds no array of events (\(Framer.wrappers.map { $0.joined(separator: ".") }.joined(separator: ", ")))",
                raw: first.head, sampledFrom: first.size)]))
        }
        if !finished, let at = deferredEnd {
            deferredEnd = nil
            documentEnded(at: at, block: none, blockStart: 0)
        }
        flush()
        finished = true
    }
}
