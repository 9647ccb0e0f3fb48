import Foundation
import Model

/// RFC 4180 rows under the first row as header, read a block at a time. Rows are cut on the
/// bytes (a quote, a comma, CR and LF are single bytes in UTF-8, never inside a multi-byte
/// character), then each row is decoded and split into fields on its own: one row in invalid
/// UTF-8 or of the wrong width is refused alone. A row over the record limit (an unclosed
/// quote swallowing the rest of the file) is kept as a sample.
final class CSVFramer: Framing {
    let reader: BlockReader
    let name: String
    let limits: IngestLimits
    let batch: Int

    private var header: [String]?
    private var headerLine = ""
    private var row: BoundedBytes
    private var quoted = false
    /// Just after a closing quote: a quote here is an escaped one (`""`), back inside.
    private var closedQuote = false
    private var atFieldStart = true
    private var skipLineFeed = false
    private var line = 1
    private var rowLine = 1
    private var records: [Record] = []
    private var queue: [Work] = []
    private var finished = false

    init(_ reader: BlockReader, name: String, limits: IngestLimits, batch: Int) {
        self.reader = reader
        self.name = name
        self.limits = limits
        self.batch = max(1, batch)
        self.row = BoundedBytes(limits: limits)
    }

    func next() -> Work? {
        while queue.isEmpty && !finished {
            guard let block = reader.next() else {
                end()
                break
            }
            consume(block)
            if records.count >= batch { queue.append(.records(records)); records = [] }
        }
        return queue.isEmpty ? nil : queue.removeFirst()
    }

    private func consume(_ block: [UInt8]) {
        for b in block {
            if skipLineFeed {
                skipLineFeed = false
                if b == 10 { continue }
            }
            if quoted {
                if b == 34 {
                    quoted = false
                    closedQuote = true
                } else if b == 10 {
                    line += 1
                }
                row.append(b)
                continue
            }
            switch b {
            case 34 where atFieldStart || closedQuote:
                quoted = true
                closedQuote = false
                atFieldStart = false
                row.append(b)
            case 44:
                atFieldStart = true
                closedQuote = false
                row.append(b)
            case 10, 13:
                skipLineFeed = b == 13
                line += 1
                endRow()
            default:
                atFieldStart = false
                closedQuote = false
                row.append(b)
            }
        }
    }

    private func endRow() {
        let number = rowLine
        rowLine = line
        atFieldStart = true
        closedQuote = false
        let origin = "\(name):\(number)"
        if row.isOver {
            let size = row.size
            refuse(origin, limits.overLimit("CSV row", size: size), row.sample, sampledFrom: row.sampledFrom)
            return
        }
        let bytes = row.take()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return refuse(origin, "invalid UTF-8", header == nil ? bytes : Array((headerLine + "\n").utf8) + bytes)
        }
        guard let fields = CSVReader.rows(text).first?.fields else { return }  // an empty line
        guard let header else {
            header = fields
            headerLine = text
            return
        }
        if fields.count == 1 && fields[0].isEmpty { return }
        guard fields.count == header.count else {
            // With its header line, so that the row can be replayed alone.
            return refuse(origin, "row has \(fields.count) fields for a header of \(header.count)", Array((headerLine + "\n" + text).utf8))
        }
        records.append(Record(payload: .csv(header: header, values: fields), raw: text, origin: origin))
    }

    private func refuse(_ origin: String, _ reason: String, _ raw: [UInt8], sampledFrom: Int? = nil) {
        if !records.isEmpty {
            queue.append(.records(records))
            records = []
        }
        queue.append(.rejected([Rejected(origin: origin, format: "csv", reason: reason, raw: raw, sampledFrom: sampledFrom)]))
        row = BoundedBytes(limits: limits)
    }

    private func end() {
        finished = true
        if let failure = reader.failure {
            refuse("\(name):\(rowLine)", failure.reason, row.sample, sampledFrom: row.sampledFrom)
        } else if !row.isEmpty {
            if quoted {
                let size = row.size
                refuse("\(name):\(rowLine)", "a quoted field is never closed (\(size) bytes from here to the end)", row.sample, sampledFrom: row.sampledFrom)
            } else {
                endRow()
            }
        }
        if !records.isEmpty {
            queue.append(.records(records))
            records = []
        }
    }
}
