import Foundation

/// RFC 4180 CSV: a header row, CRLF line ends, a field quoted when it holds a comma, quote, CR or
/// LF, quotes doubled inside. Values are written verbatim (an export is evidence, not a report).
public struct CSVWriter: Sendable {
    public private(set) var text = ""
    public let columns: [String]

    public init(columns: [String]) {
        self.columns = columns
        append(columns)
    }

    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "CSV row has \(row.count) fields for \(columns.count) columns")
        for (n, field) in row.enumerated() {
            if n > 0 { text += "," }
            text += CSVWriter.escape(field)
        }
        text += "\r\n"
    }

    /// A row given by column name; columns not named are empty.
    public mutating func append(_ values: [String: String]) {
        append(columns.map { values[$0] ?? "" })
    }

    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// RFC 4180 CSV: quoted fields with commas, quotes and line breaks.
public enum CSVTable {
    /// The rows of a small CSV file (a lookup table, an HR export), each field trimmed; blank
    /// lines skipped.
    public static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                row.append(field)
                if row != [""] { rows.append(row) }
                row = []
                field = ""
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows.map { $0.map { $0.trimmed } }
    }
}
