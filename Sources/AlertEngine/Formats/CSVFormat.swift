import Model

/// Rows of a CSV file with a header (a SIEM export, a spreadsheet of alerts).
///
/// - Time: the first column (case-insensitive) of `@timestamp`, `timestamp`, `time`, `_time`,
///   `date`, `datetime`, `event_time`, `eventtime`, `created`, read as ISO 8601 or epoch seconds
///   or milliseconds. No such column, or a value that is not a time, is an error naming it.
/// - Kind: the `kind` column when it names a known kind (`okta.sso.login`), else `csv.row`.
/// - Well-known columns map to ECS (`src_ip` -> `source.ip`, `user` -> `user.name`, `sha256` ->
///   `file.hash.sha256`...); `title`, `signature` or `message` make the title, `severity` the
///   severity (info without one). Every column stays under `csv.<column>`.
/// - `sourceRef` is the `id` or `event_id` column; without it identity is the row's text.
struct CSVFormat: Format {
    let name = "csv"

    static let timeColumns = ["@timestamp", "timestamp", "time", "_time", "date", "datetime", "event_time", "eventtime", "created"]

    /// Column (lowercased) -> ECS field, for the plain string ones.
    static let stringColumns: [String: String] = [
        "src": "source.ip", "src_ip": "source.ip", "source_ip": "source.ip",
        "dst": "destination.ip", "dest": "destination.ip", "dest_ip": "destination.ip", "dst_ip": "destination.ip",
        "destination_ip": "destination.ip",
        "host": "host.name", "hostname": "host.name",
        "url": "url.original", "domain": "destination.domain",
        "md5": "file.hash.md5", "sha1": "file.hash.sha1", "sha256": "file.hash.sha256",
        "message": "message", "signature": "rule.name",
    ]
    static let portColumns: [String: String] = [
        "src_port": "source.port", "source_port": "source.port",
        "dst_port": "destination.port", "dest_port": "destination.port", "destination_port": "destination.port",
    ]
    static let userColumns: Set<String> = ["user", "username", "user_name"]

    func accepts(_ record: Record) -> Bool {
        if case .csv = record.payload { return true }
        return false
    }

    func normalize(_ record: Record) throws(NormalizeError) -> [Normalized] {
        guard case .csv(let rawHeader, let values) = record.payload else { throw NormalizeError("csv: expected a CSV row") }
        guard rawHeader.count == values.count else {
            throw NormalizeError("csv: row has \(values.count) fields for a header of \(rawHeader.count)")
        }
        // A spreadsheet's byte order mark sticks to the first column's name.
        let header = rawHeader.map { $0.replacingOccurrences(of: "\u{FEFF}", with: "").trimmingCharacters(in: .whitespaces) }
        var row: [String: String] = [:]  // lowercased column -> value (first one wins)
        for (column, value) in zip(header, values) where row[column.lowercased()] == nil { row[column.lowercased()] = value }

        guard let timeColumn = CSVFormat.timeColumns.first(where: { row[$0] != nil }), let timeValue = row[timeColumn] else {
            throw NormalizeError("csv: no time column (one of \(CSVFormat.timeColumns.joined(separator: ", ")))")
        }
        let timeText = timeValue.trimmingCharacters(in: .whitespaces)
        let originalName = header.first { $0.lowercased() == timeColumn } ?? timeColumn
        guard let time = LogTime.epoch(timeText) ?? Timestamp(parsing: timeText) else {
            throw NormalizeError("csv: column '\(originalName)' is not a time: '\(timeText.prefix(60))'")
        }

        var f: JSONObject = [:]
        for (column, value) in zip(header, values) { f["csv.\(column)"] = .string(value) }
        for (column, value) in row {
            if let key = CSVFormat.stringColumns[column] {
                TextECS.set(value, key, into: &f)
            } else if let key = CSVFormat.portColumns[column] {
                TextECS.int(value, key, into: &f)
            }
        }
        if let user = CSVFormat.userColumns.lazy.compactMap({ TextECS.clean(row[$0]) }).first { TextECS.user(user, into: &f) }
        if let hash = TextECS.hashField(row["hash"]), f[hash.key] == nil { f[hash.key] = .string(hash.value) }

        var kind = SignalKind.csvRow
        if let name = TextECS.clean(row["kind"])?.lowercased(), let known = SignalKind.catalog.first(where: { $0.name == name }) {
            kind = known
        }
        var severity = Severity.info
        if let text = TextECS.clean(row["severity"]) {
            if let s = Severity(parsing: text) {
                severity = s
            } else if let n = Int(text), (5...10).contains(n) {
                severity = TextECS.severity(tenScale: n)  // a 0-10 scale (CEF, LEEF) past TheHive's 1-4
            } else if text.lowercased() == "very-high" {
                severity = .critical
            }
            f["event.severity"] = Int64(text).map { .int($0) } ?? .string(text)
        }
        let title = [row["title"], row["signature"], row["message"]].lazy.compactMap { TextECS.clean($0) }.first ?? "CSV row"
        let sourceRef = TextECS.clean(row["id"]) ?? TextECS.clean(row["event_id"])
        return [Normalized(
            time: time, source: "csv", sourceRef: sourceRef, kind: kind, severity: severity, title: String(title.prefix(200)),
            fields: f, raw: record.raw, texts: [row["message"]].compactMap { TextECS.clean($0) })]
    }
}
