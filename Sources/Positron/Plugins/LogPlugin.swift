import Foundation
import Model

/// Searches log files for the lines that answer a query, such as DHCP logs for the host that
/// had an IP:
///
///     - name: dhcp
///       type: log
///       files: [/var/log/dnsmasq.log*]      # globs; .gz files are read through gzip -dc
///       format: dnsmasq                     # dnsmasq or isc-dhcp: their DHCPACK lines
///       within: 7d                          # older lines are not answers
///       queries:                            # or patterns of your own (they win over format's)
///         IP_TO_HOSTNAME: 'DHCPACK\(\S+\) {value} \S+ (?<hostname>\S+)'
///
/// A pattern is a regular expression with `{value}` where the (escaped) value goes and named
/// groups for the query's output fields. The line's time comes from its start (syslog's
/// `Nov 29 08:01:02`, read in `timezone`, or ISO 8601); a line without one cannot be shown to
/// be recent, so it is no answer. The newest line of each distinct answer wins.
public struct LogPlugin: Plugin {
    public let name: String
    public let priority: Int
    public let timeout: Double
    let files: [String]
    let patterns: [String: String]
    let within: Double
    let timezone: TimeZone
    let now: @Sendable () -> Date

    /// The DHCPACK lines of dnsmasq and ISC dhcpd, the logs most teams have for IP to host.
    public static let formats: [String: [String: String]] = [
        "dnsmasq": [
            "IP_TO_HOSTNAME": #"DHCPACK\([^)]*\) {value} [0-9a-fA-F:]+ (?<hostname>[^\s*]+)"#,
            "HOSTNAME_TO_IP": #"DHCPACK\([^)]*\) (?<ip>[0-9a-fA-F:.]+) [0-9a-fA-F:]+ {value}(\s|$)"#,
        ],
        "isc-dhcp": [
            "IP_TO_HOSTNAME": #"DHCPACK on {value} to [0-9a-fA-F:]+ \((?<hostname>[^)]+)\)"#,
            "HOSTNAME_TO_IP": #"DHCPACK on (?<ip>[0-9a-fA-F:.]+) to [0-9a-fA-F:]+ \({value}\)"#,
        ],
    ]

    public init(
        name: String, files: [String], patterns: [String: String], within: Double = 7 * 86_400, timezone: TimeZone = .current,
        priority: Int = 50, timeout: Double = 5, now: @escaping @Sendable () -> Date = { Date() }
    ) throws(PositronError) {
        for (query, pattern) in patterns {
            guard pattern.contains("{value}") else { throw .config("log plugin \(name), \(query): the pattern needs {value} where the value goes") }
            do { _ = try NSRegularExpression(pattern: pattern.replacingOccurrences(of: "{value}", with: "x")) } catch {
                throw .config("log plugin \(name), \(query): not a regular expression: \(pattern)")
            }
        }
        self.name = name
        self.files = files
        self.patterns = patterns
        self.within = within
        self.timezone = timezone
        self.priority = priority
        self.timeout = timeout
        self.now = now
    }

    public func answers(_ query: String) -> Bool { patterns[query] != nil }

    public func ask(_ query: QueryDefinition, _ value: String) throws -> [Answer] {
        guard let pattern = patterns[query.name] else { return [] }
        // Checked when the plugin was made; the value goes in escaped, as a literal.
        guard let regex = try? NSRegularExpression(
            pattern: pattern.replacingOccurrences(of: "{value}", with: NSRegularExpression.escapedPattern(for: value)), options: [.caseInsensitive])
        else { throw PluginFailure("plugin \(name): the \(query.name) pattern does not compile with this value") }
        let groups = query.output.filter { pattern.contains("(?<\($0)>") }
        let end = now()
        let since = end.addingTimeInterval(-within)
        let paths = files.flatMap(LogPlugin.expand)
        guard !paths.isEmpty else { throw PluginFailure("plugin \(name): no log file matches \(files.joined(separator: ", "))") }
        var newest: [[String: String]: Timestamp] = [:]
        let needle = Array(value.lowercased().utf8)
        for path in paths {
            let lines = try LogPlugin.lines(of: path, plugin: name)
            let clock = LogTimes(timezone: timezone, now: end)
            for line in lines where LogPlugin.contains(line, needle) {
                guard let time = clock.time(atStartOf: line), time >= since, time <= end.addingTimeInterval(86_400) else { continue }
                let text = String(decoding: line, as: UTF8.self)
                guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { continue }
                var fields: [String: String] = [:]
                for g in groups {
                    if let r = Range(match.range(withName: g), in: text) { fields[g] = String(text[r]) }
                }
                guard !fields.isEmpty else { continue }
                let seen = Timestamp(ms: Int64(time.timeIntervalSince1970 * 1000))
                if newest[fields].map({ $0 < seen }) ?? true { newest[fields] = seen }
            }
        }
        return newest.sorted { $0.value > $1.value }.prefix(10).map { Answer(fields: $0.key, seen: $0.value) }
    }

    static func expand(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// The file's lines as bytes; rotated `.gz` files through `gzip -dc` (no shell).
    static func lines(of path: String, plugin: String) throws -> [ArraySlice<UInt8>] {
        let data: Data
        if path.hasSuffix(".gz") {
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-dc", path]
            let out = Pipe()
            gzip.standardOutput = out
            gzip.standardError = FileHandle.nullDevice
            gzip.standardInput = FileHandle.nullDevice
            do { try gzip.run() } catch { throw PluginFailure("plugin \(plugin): cannot run gzip for \(path)") }
            data = out.fileHandleForReading.readDataToEndOfFile()
            gzip.waitUntilExit()
            guard gzip.terminationStatus == 0 else { throw PluginFailure("plugin \(plugin): \(path) is not gzip") }
        } else {
            guard let d = FileManager.default.contents(atPath: path) else { throw PluginFailure("plugin \(plugin): cannot read \(path)") }
            data = d
        }
        return Array(data).split(separator: 10)
    }

    /// ASCII case-insensitive search, before any regular expression runs on the line.
    static func contains(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, line.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        var i = line.startIndex
        let last = line.endIndex - needle.count
        while i <= last {
            if lower(line[i]) == first {
                var j = 1
                while j < needle.count, lower(line[i + j]) == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
}

/// When a log line was written, from its start: syslog (`Nov 29 08:01:02`, no year: the latest
/// such time not after tomorrow) or ISO 8601 (`2026-11-29T08:01:02Z`, `2026-11-29 08:01:02`).
struct LogTimes {
    let timezone: TimeZone
    let now: Date
    private let calendar: Calendar
    private let year: Int

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    init(timezone: TimeZone, now: Date) {
        self.timezone = timezone
        self.now = now
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timezone
        calendar = c
        year = c.component(.year, from: now)
    }

    func time(atStartOf line: ArraySlice<UInt8>) -> Date? {
        let head = String(decoding: line.prefix(32), as: UTF8.self)
        if let first = head.first, first.isNumber { return iso(head) }
        return syslog(head)
    }

    private func syslog(_ head: String) -> Date? {
        let parts = head.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 3, let month = LogTimes.months.firstIndex(of: parts[0].lowercased()), let day = Int(parts[1]) else { return nil }
        let hms = parts[2].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3 else { return nil }
        var c = DateComponents(year: year, month: month + 1, day: day, hour: hms[0], minute: hms[1], second: hms[2])
        guard var date = calendar.date(from: c) else { return nil }
        if date > now.addingTimeInterval(86_400) {
            c.year = year - 1
            date = calendar.date(from: c) ?? date
        }
        return date
    }

    private func iso(_ head: String) -> Date? {
        let token = head.split(separator: " ", maxSplits: 2).prefix(2)
        var text = String(token.first ?? "")
        if !text.contains("T"), token.count == 2 { text += "T" + token[1] }
        guard let t = Timestamp(parsing: text) else { return nil }
        let date = Date(timeIntervalSince1970: Double(t.ms) / 1000)
        // Without a zone, the time is the log's own zone.
        let zone = text.dropFirst(19)
        let zoned = zone.hasSuffix("Z") || zone.hasSuffix("z") || zone.contains("+") || zone.contains("-")
        return zoned ? date : date.addingTimeInterval(-Double(timezone.secondsFromGMT(for: date)))
    }
}
