import Foundation
import Model

/// Input that could not become a record or a signal: kept whole, with the reason.
public struct Rejected: Sendable {
    public var origin: String
    public var format: String?
    public var reason: String
    /// All of the refused input, or the first bytes of an oversize record.
    public var raw: [UInt8]
    /// The whole size when `raw` is only a sample.
    public var sampledFrom: Int? = nil
}

/// Splits an input into records by the format's own framing: NDJSON lines, a JSON array, a
/// JSON document (or the array inside a known wrapper such as CloudTrail's `Records`), syslog
/// lines, CSV rows under a header, email messages (.eml, mbox). gzip is read transparently.
public enum Framer {
    /// Arrays inside vendor envelopes, tried in order on a single JSON document.
    static let wrappers: [[String]] = [
        ["Records"], ["response", "authlogs"], ["response"], ["Findings"], ["findings"], ["detail", "findings"], ["events"],
        ["alerts"], ["results"],
        // Azure Monitor's Event Hub messages and diagnostic exports.
        ["records"],
    ]

    public enum Hint: Sendable { case auto, csv, email }

    /// Frames bytes in memory into records, as an ingest would (for tests and small inputs).
    public static func frame(_ input: [UInt8], name: String, hint: Hint = .auto, limits: IngestLimits = .standard) -> (records: [Record], rejected: [Rejected]) {
        frame(input, name: name, hint: hint, limits: limits, blockSize: 1 << 20)
    }

    /// As `frame`, reading `blockSize` bytes at a time (tests put block boundaries everywhere).
    static func frame(_ input: [UInt8], name: String, hint: Hint = .auto, limits: IngestLimits = .standard, blockSize: Int) -> (records: [Record], rejected: [Rejected]) {
        frame(BytesInput(input), name: name, hint: hint, limits: limits, blockSize: blockSize)
    }

    /// As `frame`, from an input (tests read files and pipes).
    static func frame(_ input: ByteInput, name: String, hint: Hint = .auto, limits: IngestLimits = .standard, blockSize: Int) -> (records: [Record], rejected: [Rejected]) {
        var records: [Record] = []
        var rejected: [Rejected] = []
        let framing = open(input, name: name, hint: hint, limits: limits, batchLines: 20_000, blockSize: blockSize)
        while let work = framing.next() {
            rejected += Framer.records(of: work, name: name, limits: limits) { records.append($0) }
        }
        return (records, rejected)
    }

    /// The records of one piece of framed input, each handed to `each` in order; what could
    /// not be a record is returned. `windowsEvents`: evtx_dump's JSON lines may be read
    /// straight into Windows events (`FormatRegistry.readsWindowsEventLines`).
    static func records(
        of work: Work, name: String, limits: IngestLimits, windowsEvents: Bool = false, _ each: (Record) throws -> Void
    ) rethrows -> [Rejected] {
        switch work {
        case .lines(let bytes, let firstLine):
            return try frameLines(bytes[...], name: name, firstLine: firstLine, limits: limits, windowsEvents: windowsEvents) { record in try each(record) }
        case .records(let more):
            for r in more { try each(r) }
            return []
        case .evtx(let chunks):
            let got = chunks.frame()
            for r in got.records { try each(r) }
            return got.rejected
        case .documents(let events):
            var rejected: [Rejected] = []
            for event in events {
                switch parseEvent(event) {
                case .record(let record): try each(record)
                case .refused(let refusal): rejected.append(refusal)
                }
            }
            return rejected
        case .rejected(let more):
            return more
        }
    }

    enum Parsed { case record(Record), refused(Rejected) }

    /// The envelope path (`findings`, `response.authlogs`) of a document whose array of events
    /// is there and empty, or nil.
    static func emptyEnvelope(_ json: JSONValue) -> String? {
        guard case .object = json else { return nil }
        for path in wrappers {
            let key = path.joined(separator: ".")
            if case .array(let a)? = json.at(key), a.isEmpty { return key }
        }
        return nil
    }

    /// One event of a streamed document as a record, or why not.
    static func parseEvent(_ event: JSONEvent) -> Parsed {
        guard let text = String(validating: event.bytes, as: UTF8.self) else {
            return .refused(Rejected(origin: event.origin, format: nil, reason: "invalid UTF-8", raw: event.bytes))
        }
        do {
            return .record(Record(payload: .json(try JSONValue.parse(event.bytes)), raw: text.trimmed, origin: event.origin))
        } catch {
            return .refused(Rejected(origin: event.origin, format: nil, reason: error.description, raw: event.bytes))
        }
    }

    /// A whole JSON document: an array, an envelope holding one, or a single event. Nil when the
    /// bytes are not one document (NDJSON), so lines are tried instead.
    static func frameDocument(_ bytes: [UInt8], name: String) -> (records: [Record], rejected: [Rejected])? {
        guard let whole = try? JSONValue.parse(bytes) else {
            // A broken array is one broken document: keep it whole with the parser's reason.
            // A broken '{' document is most likely NDJSON: let the lines be tried one by one.
            guard bytes.first(where: { $0 > 32 }) == UInt8(ascii: "[") else { return nil }
            return ([], [Rejected(origin: name, format: nil, reason: parseReason(bytes), raw: bytes)])
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            return ([], [Rejected(origin: name, format: nil, reason: "invalid UTF-8", raw: bytes)])
        }
        var path: [String]? = nil
        if case .array = whole {
            path = []
        } else {
            path = wrappers.first { w in if case .array(let a)? = whole.at(w.joined(separator: ".")) { return !a.isEmpty && a.allSatisfy { $0.objectValue != nil } } else { return false } }
        }
        guard let path, let elements = try? JSONValue.elements(of: bytes, at: path) else {
            return ([Record(payload: .json(whole), raw: String(decoding: bytes, as: UTF8.self).trimmed, origin: name)], [])
        }
        var records: [Record] = []
        for (n, element) in elements.enumerated() {
            let raw = String(decoding: bytes[element.range], as: UTF8.self)
            records.append(Record(payload: .json(element.value), raw: raw, origin: "\(name)[\(n)]"))
        }
        return (records, [])
    }

    static func parseReason(_ bytes: [UInt8]) -> String {
        do {
            _ = try JSONValue.parse(bytes)
            return "unreadable"
        } catch {
            return error.description
        }
    }

    /// Hands each line's record to `body` as soon as it is framed, so a worker normalizes an
    /// event while its parsed JSON is still in cache, and frees it before parsing the next
    /// (rather than holding a whole chunk's trees and freeing them at once). The lines of one
    /// auditd event are one record (`AuditGrouping`). Returns the lines that could not be records.
    /// `windowsEvents`: evtx_dump's JSON lines become `.windowsEvent` records, read without
    /// their tree, when the registry's Windows format is the one that takes them
    /// (`FormatRegistry.readsWindowsEventLines`); any other line is parsed as before.
    static func frameLines<E: Error>(
        _ bytes: ArraySlice<UInt8>, name: String, firstLine: Int, limits: IngestLimits, windowsEvents: Bool = false,
        each body: (Record) throws(E) -> Void
    ) throws(E) -> [Rejected] {
        var rejected: [Rejected] = []
        var lineNumber = firstLine - 1
        var start = 0
        // The auditd event being gathered (see AuditGrouping): its key, lines and first line.
        var audit: (key: [UInt8], lines: [String], first: Int, size: Int)? = nil
        let reader = JSONReader()  // the lines repeat their keys: each is made once
        var scratch = WindowsEvent.LineScratch()
        func flushAudit() throws(E) {
            guard let a = audit else { return }
            audit = nil
            let text = a.lines.joined(separator: "\n")
            try body(Record(payload: .line(text), raw: text, name: name, line: a.first))
        }
        try bytes.withUnsafeBufferPointer { (buf) throws(E) in
            while start < buf.count {
                lineNumber += 1
                // The line's end by `memchr`, which reads many bytes a step (a byte loop was a
                // thirtieth of reading evtx_dump lines).
                var end = buf.count
                if let base = buf.baseAddress, let nl = memchr(base + start, 10, buf.count - start) {
                    end = start + (UnsafeRawPointer(nl) - UnsafeRawPointer(base + start))
                }
                var stop = end
                if stop > start, buf[stop - 1] == 13 { stop -= 1 }
                // Read in place: a line is copied only into its record's text (or a rejection).
                let slice = UnsafeBufferPointer(rebasing: buf[start..<stop])
                let lineStart = start
                start = end + 1
                if slice.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                var origin: String { "\(name):\(lineNumber)" }
                let auditKey = slice.count <= limits.maxRecord ? AuditGrouping.key(slice) : nil
                if auditKey == nil || audit?.key != auditKey || (audit?.lines.count ?? 0) >= AuditGrouping.maxRecords
                    || (audit?.size ?? 0) + slice.count + 1 > limits.maxRecord
                {
                    try flushAudit()
                }
                guard slice.count <= limits.maxRecord else {
                    rejected.append(Rejected(origin: origin, format: nil, reason: limits.overLimit("line", size: slice.count), raw: Array(slice.prefix(limits.sample)), sampledFrom: slice.count))
                    continue
                }
                // An ASCII line (nearly every log line) is valid UTF-8: its text is made only
                // when asked for (`RawBody.utf8`). Others are checked by making it.
                let raw: RawBody
                if slice.isASCII {
                    raw = .utf8(valid: bytes[(bytes.startIndex + lineStart)..<(bytes.startIndex + stop)])
                } else if let text = String(validating: slice, as: UTF8.self) {
                    raw = RawBody(text)
                } else {
                    rejected.append(Rejected(origin: origin, format: nil, reason: "invalid UTF-8", raw: Array(slice)))
                    continue
                }
                if slice.first(where: { $0 > 32 }) == UInt8(ascii: "{") {
                    if windowsEvents, let event = WindowsEvent(eventJSON: slice, reader: reader, scratch: &scratch) {
                        try body(Record(payload: .windowsEvent(WindowsEventLine(event)), rawBody: raw, name: name, line: lineNumber))
                        continue
                    }
                    let json: JSONValue
                    do throws(JSONParseError) {
                        json = try reader.parse(slice)
                    } catch {
                        rejected.append(Rejected(origin: origin, format: nil, reason: error.description, raw: Array(slice)))
                        continue
                    }
                    try body(Record(payload: .json(json), rawBody: raw, name: name, line: lineNumber))
                } else if let auditKey {
                    if audit == nil { audit = (auditKey, [], lineNumber, 0) }
                    audit?.lines.append(raw.text)
                    audit?.size += slice.count + 1
                    if AuditGrouping.isEnd(slice) { try flushAudit() }
                } else {
                    let text = raw.text
                    try body(Record(payload: .line(text), raw: text, name: name, line: lineNumber))
                }
            }
        }
        try flushAudit()
        return rejected
    }

    /// Headers first, as RFC 5322 messages begin; an mbox starts with a `From ` line.
    static func looksLikeEmail(_ bytes: [UInt8]) -> Bool {
        // The head is cut at a block boundary: a character split there decodes as U+FFFD.
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if head.hasPrefix("From ") && head.contains("\nSubject:") { return true }
        let headerNames = ["Received:", "Return-Path:", "Delivered-To:", "Message-ID:", "MIME-Version:", "From:", "Subject:", "Date:", "To:"]
        guard let first = head.split(separator: "\n").first, headerNames.contains(where: { first.hasPrefix($0) }) else { return false }
        let headers = head.components(separatedBy: "\n\n").first ?? head
        return headers.contains("From:") && (headers.contains("Subject:") || headers.contains("Date:"))
    }
}

/// A lenient RFC 4180 reader: quoted fields may hold commas, quotes and line breaks.
enum CSVReader {
    struct Row { var fields: [String]; var text: String; var line: Int }

    static func rows(_ text: String) -> [Row] {
        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var raw = ""
        var quoted = false
        var line = 1
        var rowLine = 1
        var chars = text.makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let ch = next() {
            if quoted {
                raw.append(ch)
                if ch == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\""); raw.append(n) } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else {
                    if ch == "\n" || ch == "\r\n" { line += 1 }
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"" where field.isEmpty:
                quoted = true
                raw.append(ch)
            case ",":
                fields.append(field)
                field = ""
                raw.append(ch)
            case "\n", "\r\n", "\r":
                fields.append(field)
                rows.append(Row(fields: fields, text: raw, line: rowLine))
                fields = []
                field = ""
                raw = ""
                line += 1
                rowLine = line
            default:
                field.append(ch)
                raw.append(ch)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append(Row(fields: fields, text: raw, line: rowLine))
        }
        return rows
    }
}
