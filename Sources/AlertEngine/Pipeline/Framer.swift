import Foundation
import Model

/// Input that could not become a record or a signal: kept whole, with the reason.
public struct Rejected: Sendable {
    public var origin: String
    public var format: String?
    public var reason: String
    public var raw: [UInt8]
}

/// Splits an input into records by the format's own framing: NDJSON lines, a JSON array, a
/// JSON document (or the array inside a known wrapper such as CloudTrail's `Records`), syslog
/// lines, CSV rows under a header, email messages (.eml, mbox). gzip is read transparently.
public enum Framer {
    /// The largest record taser keeps as a signal; larger ones go to quarantine whole.
    public static let maxRecordBytes = 16 << 20

    /// Arrays inside vendor envelopes, tried in order on a single JSON document.
    static let wrappers: [[String]] = [
        ["Records"], ["response", "authlogs"], ["response"], ["Findings"], ["findings"], ["detail", "findings"], ["events"],
        ["alerts"], ["results"],
    ]

    public enum Hint: Sendable { case auto, csv, email }

    /// What an input is once opened: records already framed (documents, CSV, mail), or lines
    /// to be framed chunk by chunk on several threads.
    enum Plan {
        case framed(records: [Record], rejected: [Rejected])
        case lines([UInt8])
    }

    public static func frame(_ input: [UInt8], name: String, hint: Hint = .auto) -> (records: [Record], rejected: [Rejected]) {
        switch plan(input, name: name, hint: hint) {
        case .framed(let records, let rejected): return (records, rejected)
        case .lines(let bytes): return frameLines(bytes[...], name: name, firstLine: 1)
        }
    }

    static func plan(_ input: [UInt8], name: String, hint: Hint) -> Plan {
        var bytes = input
        if Gzip.isGzip(bytes) {
            do {
                bytes = try Gzip.decompress(bytes)
            } catch {
                return .framed(records: [], rejected: [Rejected(origin: name, format: nil, reason: error.reason, raw: input)])
            }
        }
        let base = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
        let lower = base.lowercased()
        if hint == .email || lower.hasSuffix(".eml") || lower.hasSuffix(".mbox") || looksLikeEmail(bytes) {
            let (records, rejected) = frameEmail(bytes, name: name)
            return .framed(records: records, rejected: rejected)
        }
        if hint == .csv || lower.hasSuffix(".csv") {
            let (records, rejected) = frameCSV(bytes, name: name)
            return .framed(records: records, rejected: rejected)
        }
        let first = bytes.first { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{"), let document = frameDocument(bytes, name: name) {
            return .framed(records: document.records, rejected: document.rejected)
        }
        return .lines(bytes)
    }

    /// Cuts line-framed input into chunks of about `lines` lines, each with the number of its
    /// first line, for `frameLines` to frame in parallel.
    static func chunks(_ bytes: [UInt8], lines: Int) -> [(range: Range<Int>, firstLine: Int)] {
        var out: [(range: Range<Int>, firstLine: Int)] = []
        var start = 0, line = 1, count = 0
        // memchr jumps line to line with vector compares: this scan is serial, before any
        // worker starts, so a byte-at-a-time loop here held up every ingest.
        bytes.withUnsafeBytes { buf in
            guard let base = buf.baseAddress else { return }
            var i = 0
            while i < buf.count, let hit = memchr(base + i, 10, buf.count - i) {
                i = base.distance(to: UnsafeRawPointer(hit)) + 1
                count += 1
                if count == lines {
                    out.append((start..<i, line))
                    line += count
                    count = 0
                    start = i
                }
            }
        }
        if start < bytes.count { out.append((start..<bytes.count, line)) }
        return out
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

    /// One record per line: NDJSON events, syslog lines carrying CEF or LEEF.
    static func frameLines(_ bytes: ArraySlice<UInt8>, name: String, firstLine: Int) -> (records: [Record], rejected: [Rejected]) {
        var records: [Record] = []
        let rejected = frameLines(bytes, name: name, firstLine: firstLine) { records.append($0) }
        return (records, rejected)
    }

    /// Hands each line's record to `body` as soon as it is framed, so a worker normalizes an
    /// event while its parsed JSON is still in cache, and frees it before parsing the next
    /// (rather than holding a whole chunk's trees and freeing them at once). Returns the lines
    /// that could not be records.
    static func frameLines(
        _ bytes: ArraySlice<UInt8>, name: String, firstLine: Int, each body: (Record) -> Void
    ) -> [Rejected] {
        var rejected: [Rejected] = []
        var lineNumber = firstLine - 1
        var start = 0
        bytes.withUnsafeBufferPointer { buf in
            while start < buf.count {
                lineNumber += 1
                var end = start
                while end < buf.count, buf[end] != 10 { end += 1 }
                var stop = end
                if stop > start, buf[stop - 1] == 13 { stop -= 1 }
                // Read in place: a line is copied only into its record's text (or a rejection).
                let slice = UnsafeBufferPointer(rebasing: buf[start..<stop])
                start = end + 1
                if slice.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                var origin: String { "\(name):\(lineNumber)" }
                guard slice.count <= maxRecordBytes else {
                    rejected.append(Rejected(origin: origin, format: nil, reason: "line of \(slice.count) bytes is over the \(maxRecordBytes >> 20) MiB limit", raw: Array(slice)))
                    continue
                }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    rejected.append(Rejected(origin: origin, format: nil, reason: "invalid UTF-8", raw: Array(slice)))
                    continue
                }
                if slice.first(where: { $0 > 32 }) == UInt8(ascii: "{") {
                    do {
                        body(Record(payload: .json(try JSONValue.parse(slice)), raw: text, name: name, line: lineNumber))
                    } catch let error as JSONParseError {
                        rejected.append(Rejected(origin: origin, format: nil, reason: error.description, raw: Array(slice)))
                    } catch {
                        rejected.append(Rejected(origin: origin, format: nil, reason: "\(error)", raw: Array(slice)))
                    }
                } else {
                    body(Record(payload: .line(text), raw: text, name: name, line: lineNumber))
                }
            }
        }
        return rejected
    }

    /// RFC 4180 rows under the first row as header.
    static func frameCSV(_ bytes: [UInt8], name: String) -> (records: [Record], rejected: [Rejected]) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return ([], [Rejected(origin: name, format: "csv", reason: "invalid UTF-8", raw: bytes)])
        }
        let rows = CSVReader.rows(text)
        guard let header = rows.first?.fields, let headerLine = rows.first?.text else { return ([], []) }
        var records: [Record] = []
        var rejected: [Rejected] = []
        for row in rows.dropFirst() where !(row.fields.count == 1 && row.fields[0].isEmpty) {
            let origin = "\(name):\(row.line)"
            guard row.fields.count == header.count else {
                rejected.append(Rejected(
                    origin: origin, format: "csv", reason: "row has \(row.fields.count) fields for a header of \(header.count)",
                    // With its header line, so that the row can be replayed alone.
                    raw: Array((headerLine + "\n" + row.text).utf8)))
                continue
            }
            records.append(Record(payload: .csv(header: header, values: row.fields), raw: row.text, origin: origin))
        }
        return (records, rejected)
    }

    /// Headers first, as RFC 5322 messages begin; an mbox starts with a `From ` line.
    static func looksLikeEmail(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if head.hasPrefix("From ") && head.contains("\nSubject:") { return true }
        let headerNames = ["Received:", "Return-Path:", "Delivered-To:", "Message-ID:", "MIME-Version:", "From:", "Subject:", "Date:", "To:"]
        guard let first = head.split(separator: "\n").first, headerNames.contains(where: { first.hasPrefix($0) }) else { return false }
        let headers = head.components(separatedBy: "\n\n").first ?? head
        return headers.contains("From:") && (headers.contains("Subject:") || headers.contains("Date:"))
    }

    /// One record per message: a single .eml, or each message of an mbox (split on `From ` lines).
    static func frameEmail(_ bytes: [UInt8], name: String) -> (records: [Record], rejected: [Rejected]) {
        // Mail is often Latin-1 or carries 8-bit bodies: decode leniently and keep the original
        // bytes in quarantine only if a message cannot be parsed at all (the email format decides).
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        guard text.hasPrefix("From ") else {
            return ([Record(payload: .email(text), raw: text, origin: name)], [])
        }
        var records: [Record] = []
        var current: [Substring] = []
        var n = 0
        func flush() {
            guard !current.isEmpty else { return }
            n += 1
            // Drop the mbox separator line and undo >From quoting.
            let body = current.dropFirst().map { $0.hasPrefix(">From ") ? $0.dropFirst() : $0 }.joined(separator: "\n")
            records.append(Record(payload: .email(body), raw: body, origin: "\(name)#\(n)"))
            current = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("From ") && (current.isEmpty || current.last?.isEmpty == true) { flush() }
            current.append(line)
        }
        flush()
        return (records, [])
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
