import Foundation

/// One record per message: a single .eml, or each message of an mbox (split on `From ` lines
/// after a blank line), read a line at a time. A message over the record limit (a huge
/// attachment) is refused as a sample and the next message is read as usual.
final class MailFramer: Framing {
    let reader: BlockReader
    let name: String
    let limits: IngestLimits
    let batch: Int

    private var mbox: Bool?
    private var message: BoundedBytes
    private var previousBlank = true
    private var count = 0
    private var partial: [UInt8] = []
    private var records: [Record] = []
    private var queue: [Work] = []
    private var finished = false

    init(_ reader: BlockReader, name: String, limits: IngestLimits, batch: Int) {
        self.reader = reader
        self.name = name
        self.limits = limits
        self.batch = max(1, batch)
        self.message = BoundedBytes(limits: limits)
    }

    func next() -> Work? {
        while queue.isEmpty && !finished {
            guard let block = reader.next() else {
                end()
                break
            }
            consume(block)
            if records.count >= batch {
                queue.append(.records(records))
                records = []
            }
        }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    private func consume(_ block: [UInt8]) {
        var start = 0
        while start < block.count {
            guard let nl = LineFramer.newline(in: block, from: start) else {
                takePartial(block[start...])
                return
            }
            takePartial(block[start..<nl])
            lineEnded()
            start = nl + 1
        }
    }

    /// Bytes of the current line; a line is held only up to the record limit (beyond it the
    /// message is over anyway, and only its sample is kept).
    private func takePartial(_ bytes: ArraySlice<UInt8>) {
        let room = max(0, limits.maxRecord + 1 - partial.count)
        partial.append(contentsOf: bytes.prefix(room))
        if bytes.count > room { message.append(bytes.dropFirst(room)) }
    }

    private func lineEnded() {
        var line = partial
        partial = []
        if line.last == 13 { line.removeLast() }
        let isFrom = line.starts(with: Array("From ".utf8))
        if mbox == nil { mbox = isFrom }
        if mbox == true {
            if isFrom && previousBlank {
                flush()
                previousBlank = false
                return  // the separator line is not part of the message
            }
            if line.starts(with: Array(">From ".utf8)) { line.removeFirst() }  // undo >From quoting
        }
        message.append(line)
        message.append(10)
        previousBlank = line.isEmpty
    }

    /// `last` is true for the input's last message when the input ended with a line break,
    /// which belongs to the message (as the message's text is the input's, line for line).
    private func flush(last: Bool = false) {
        guard !message.isEmpty else { return }
        count += 1
        let origin = mbox == true ? "\(name)#\(count)" : name
        if message.isOver {
            let size = message.size
            if !records.isEmpty {
                queue.append(.records(records))
                records = []
            }
            queue.append(.rejected([Rejected(origin: origin, format: "email", reason: limits.overLimit("email", size: size), raw: message.sample, sampledFrom: message.sampledFrom)]))
            _ = message.take()
            return
        }
        var bytes = message.take()
        // Each line was taken with a line break after it; the last one's is the input's only
        // at the input's end.
        if !last, bytes.last == 10 { bytes.removeLast() }
        // Mail is often Latin-1 or carries 8-bit bodies: decoded leniently; the email format
        // decides whether the message can be read at all.
        let text = String(decoding: bytes, as: UTF8.self)
        records.append(Record(payload: .email(text), raw: text, origin: origin))
    }

    private func end() {
        finished = true
        let endedWithBreak = partial.isEmpty
        if !partial.isEmpty { lineEnded() }
        if let failure = reader.failure {
            if !records.isEmpty {
                queue.append(.records(records))
                records = []
            }
            queue.append(.rejected([Rejected(origin: name, format: "email", reason: failure.reason, raw: message.sample, sampledFrom: message.sampledFrom)]))
            return
        }
        flush(last: endedWithBreak)
        if !records.isEmpty {
            queue.append(.records(records))
            records = []
        }
    }
}
