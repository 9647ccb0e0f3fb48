/// A length of time as people write it, in rules, options and config files: `90s`, `4h`,
/// `4 Hours`, `1d12h`, `500ms`, `2 weeks`, `1.5h`. Read with checked arithmetic into
/// `0...Span.longest`, so no text can overflow a window, a timer or a `--since`: every duration
/// taser reads from input goes through `Span.parse`, and there is no second parser to disagree.
public struct Span: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }

    public static func seconds(_ s: Int64) -> Span { Span(ms: s * 1000) }

    /// The longest span taser takes from input: 100 years. Windows and suppression periods of
    /// years are real (a yearly report rule); centuries are a typo. Any time within
    /// `Timestamp.plausible` plus or minus this stays far from Int64's limits.
    public static let longest = Span(ms: 100 * 366 * 86_400_000)

    public static func < (a: Span, b: Span) -> Bool { a.ms < b.ms }

    public var seconds: Double { Double(ms) / 1000 }

    /// Milliseconds in one of `word`'s unit, or nil when it is not a unit.
    public static func unit(_ word: some StringProtocol) -> Int64? {
        switch word.lowercased() {
        case "ms", "msec", "msecs", "millisecond", "milliseconds": 1
        case "s", "sec", "secs", "second", "seconds": 1_000
        case "m", "min", "mins", "minute", "minutes": 60_000
        case "h", "hr", "hrs", "hour", "hours": 3_600_000
        case "d", "day", "days": 86_400_000
        case "w", "wk", "wks", "week", "weeks": 604_800_000
        default: nil
        }
    }

    /// Why a text is not a span taser accepts.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// Not a number and a unit (`4 fortnights`, `h4`, empty).
        case notASpan(String)
        /// A span, but longer than allowed.
        case tooLong(String, limit: Span)
        /// Zero where a positive span is needed.
        case zero(String)

        public var description: String {
            switch self {
            case .notASpan(let t): "'\(t)' is not a span; write a number and a unit (500ms, 90s, 15m, 4h, 7d, 2w)"
            case .tooLong(let t, let limit):
                "'\(t)' is longer than \(limit == .longest ? "100 years" : limit.text), the longest taser accepts here"
            case .zero(let t): "'\(t)' is zero; write a span longer than that (90s, 15m, 4h)"
            }
        }
    }

    /// `4h`, `4 hours`, `1d12h`, `1.5h`; a bare number is `bareUnit` (seconds unless said
    /// otherwise, nil: a bare number is not a span). Each part and the sum are checked against
    /// `limit`, so `99999999999999999d` is an error, never an overflow.
    public static func parse(
        _ text: String, limit: Span = .longest, allowZero: Bool = false, bareUnit: Int64? = nil
    ) throws(Problem) -> Span {
        let u = Array(text.utf8)
        var i = 0
        var total: Int64 = 0
        var parts = 0
        func isSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 }
        while true {
            while i < u.count, isSpace(u[i]) { i += 1 }
            if i == u.count { break }
            // The number: digits with at most one '.', at most 20 significant characters (more
            // cannot fit any limit anyway, and Double would round them silently).
            let numberStart = i
            var sawDot = false
            while i < u.count, (u[i] >= 48 && u[i] <= 57) || (u[i] == 46 && !sawDot) {
                if u[i] == 46 { sawDot = true }
                i += 1
            }
            let numberText = String(decoding: u[numberStart..<i], as: UTF8.self)
            guard !numberText.isEmpty, numberText != "." else { throw .notASpan(text) }
            while i < u.count, isSpace(u[i]) { i += 1 }
            let unitStart = i
            while i < u.count, (u[i] | 0x20) >= 97, (u[i] | 0x20) <= 122 { i += 1 }
            let unitText = String(decoding: u[unitStart..<i], as: UTF8.self)
            let scale: Int64
            if unitText.isEmpty {
                // A bare number only alone: `1d 12` is a mistake, not 1 day and 12 seconds.
                guard let bareUnit, parts == 0 else { throw .notASpan(text) }
                scale = bareUnit
            } else {
                guard let s = unit(unitText) else { throw .notASpan(text) }
                scale = s
            }
            let part = try value(numberText, scale: scale, limit: limit, text: text)
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow, sum <= limit.ms else { throw .tooLong(text, limit: limit) }
            total = sum
            parts += 1
            if unitText.isEmpty { break }
        }
        while i < u.count, isSpace(u[i]) { i += 1 }
        guard parts > 0, i == u.count else { throw .notASpan(text) }
        guard total > 0 || allowZero else { throw .zero(text) }
        return Span(ms: total)
    }

    /// A span from a config file's value: text (`30s`, `5m`), or a bare number of seconds as YAML
    /// gives it (`timeout: 30` is an Int, `timeout: 2.5` a Double).
    public static func parse(value: Any, limit: Span = .longest, allowZero: Bool = false) throws(Problem) -> Span {
        switch value {
        case let n as Int: return try parse(String(n), limit: limit, allowZero: allowZero, bareUnit: 1000)
        case let d as Double:
            guard d.isFinite, d >= 0 else { throw .notASpan("\(value)") }
            guard d * 1000 <= Double(limit.ms) else { throw .tooLong("\(value)", limit: limit) }
            let ms = Int64((d * 1000).rounded())
            guard ms > 0 || allowZero else { throw .zero("\(value)") }
            return Span(ms: ms)
        case let s as String: return try parse(s, limit: limit, allowZero: allowZero, bareUnit: 1000)
        default: throw .notASpan("\(value)")
        }
    }

    /// Whether `text` has the form of a span, whatever its length (`99999999999999999d` has),
    /// for parsers that gather a span's tokens before reading it.
    public static func isSpanText(_ text: String) -> Bool {
        do {
            _ = try parse(text, allowZero: true)
            return true
        } catch .tooLong {
            return true
        } catch {
            return false
        }
    }

    /// `number × scale` milliseconds, or `tooLong` when it passes `limit`.
    private static func value(_ number: String, scale: Int64, limit: Span, text: String) throws(Problem) -> Int64 {
        if !number.contains(".") {
            // Whole numbers exactly: Int64 with overflow checks, no rounding through Double.
            var n: Int64 = 0
            for c in number.utf8 {
                let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(c - 48))
                guard !o1, !o2 else { throw .tooLong(text, limit: limit) }
                n = next
            }
            let (ms, overflow) = n.multipliedReportingOverflow(by: scale)
            guard !overflow, ms <= limit.ms else { throw .tooLong(text, limit: limit) }
            return ms
        }
        guard let d = Double(number), d.isFinite else { throw .notASpan(text) }
        let ms = (d * Double(scale)).rounded()
        // Compared as Double before converting: Int64(ms) traps when ms is out of its range.
        guard ms <= Double(limit.ms) else { throw .tooLong(text, limit: limit) }
        return Int64(ms)
    }

    /// `4h`, `36h`, `90m`, `1d12h`: the shortest exact text.
    public var text: String {
        if ms == 0 { return "0s" }
        var left = ms == Int64.min ? Int64.max : Swift.abs(ms)
        var out = ms < 0 ? "-" : ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] where left >= size {
            out += "\(left / size)\(unit)"
            left %= size
        }
        return out
    }

    public var description: String { text }
}

/// A size as people write it: `16MiB`, `512 KiB`, `2MB`, `1048576`. Checked into `1...limit`.
public enum ByteCount {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case notASize(String)
        case tooLarge(String, limit: Int)

        public var description: String {
            switch self {
            case .notASize(let t): "'\(t)' is not a size; write a number of bytes or one with a unit (512KiB, 16MiB, 1GiB)"
            case .tooLarge(let t, let limit): "'\(t)' is more than \(ByteCount.text(limit)), the most taser accepts here"
            }
        }
    }

    static let units: [(String, Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40), ("KB", 1000), ("MB", 1_000_000),
        ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1),
    ]

    public static func parse(_ text: String, limit: Int = 1 << 50) throws(Problem) -> Int {
        let t = text.trimmed
        var number = Substring(t), factor = 1
        for (suffix, f) in units where t.hasSuffix(suffix) {
            number = t.dropLast(suffix.count)
            factor = f
            break
        }
        let n = number.trimmed
        guard !n.isEmpty, n.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }), let d = Double(n), d.isFinite, d > 0 else {
            throw .notASize(text)
        }
        let bytes = (d * Double(factor)).rounded()
        guard bytes <= Double(limit) else { throw .tooLarge(text, limit: limit) }
        guard bytes >= 1 else { throw .notASize(text) }
        return Int(bytes)
    }

    /// `16 MiB`, `1.5 GiB`, `900 B`.
    public static func text(_ bytes: Int) -> String {
        for (unit, size) in [("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= size {
            let v = Double(bytes) / Double(size)
            return v == v.rounded() ? "\(Int(v)) \(unit)" : "\((v * 10).rounded() / 10) \(unit)"
        }
        return "\(bytes) B"
    }
}

/// A whole number from input (an option, a config value, a vendor's field), read with checked
/// arithmetic into the range the caller allows.
public enum WholeNumber {
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var text: String
        public var range: ClosedRange<Int64>
        public var description: String {
            "'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
    }

    public static func parse(_ text: some StringProtocol, in range: ClosedRange<Int64>) throws(Problem) -> Int64 {
        let u = Array(text.utf8)
        var i = 0
        var negative = false
        if i < u.count, u[i] == 45 || u[i] == 43 { negative = u[i] == 45; i += 1 }
        guard i < u.count else { throw Problem(text: String(text), range: range) }
        var n: Int64 = 0
        while i < u.count {
            guard u[i] >= 48, u[i] <= 57 else { throw Problem(text: String(text), range: range) }
            let (t, o1) = n.multipliedReportingOverflow(by: 10)
            let (v, o2) = negative ? t.subtractingReportingOverflow(Int64(u[i] - 48)) : t.addingReportingOverflow(Int64(u[i] - 48))
            guard !o1, !o2 else { throw Problem(text: String(text), range: range) }
            n = v
            i += 1
        }
        guard range.contains(n) else { throw Problem(text: String(text), range: range) }
        return n
    }
}

extension Timestamp {
    /// Why a text is not a time taser takes.
    public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String {
            "'\(text)' \(reason); use a date (2026-11-29), a time (2026-11-29T10:00:00Z) or an age (24h, 7d)"
        }
    }

    /// What an analyst types for a point in time, on the command line or in an API parameter:
    /// ISO 8601 (`2026-11-29`, `2026-11-29T10:00:00Z`), epoch seconds or milliseconds, or an age
    /// (`90m`, `24h`, `7d`) meaning that long before `now`. Within `plausible`, else a problem.
    public static func reading(_ text: String, now: Timestamp = .now) throws(Problem) -> Timestamp {
        if Span.isSpanText(text) {
            // An age reaches back to 1970 at most.
            guard let age = try? Span.parse(text, limit: Span(ms: max(0, now.ms)), allowZero: true) else {
                throw Problem(text: text, reason: "reaches back before 1970")
            }
            return now.subtracting(age)
        }
        guard let t = Timestamp(parsing: text) else { throw Problem(text: text, reason: "is not a real date or time between 1970 and 9999") }
        return t
    }
}
