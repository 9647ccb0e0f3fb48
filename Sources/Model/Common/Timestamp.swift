import Foundation

/// A point in time as the store keeps it: UTC milliseconds since the Unix epoch.
/// Shown in the analyst's zone; written to exports as ISO 8601 UTC.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }

    public init(_ date: Date) { self.ms = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static var now: Timestamp { Timestamp(Date()) }

    /// The times taser accepts from input: 1970-01-01 to the end of 9999. Anything outside is a
    /// vendor's garbage or a typo, and keeping every time inside it means arithmetic on times and
    /// spans (`Span.longest`) can never overflow. Every reader of times from input checks it.
    public static let plausible: ClosedRange<Int64> = 0...253_402_300_799_999

    /// Epoch seconds or milliseconds from a number (more than 10^11 means milliseconds), or nil
    /// when the number is not a plausible time.
    public init?(epoch value: Double) {
        guard value.isFinite, abs(value) < 1e15 else { return nil }
        let ms = (abs(value) > 100_000_000_000 ? value : value * 1000).rounded()
        // Compared as Double first: converting an out-of-range Double to Int64 traps.
        guard ms >= 0, ms <= Double(Timestamp.plausible.upperBound) else { return nil }
        self.ms = Int64(ms)
    }

    /// A time from its parts, or nil when they are not a real date and time (February 30th,
    /// minute 60, an offset past ±18:00) or fall outside `plausible`. The one way input's civil
    /// times become timestamps, so every format checks the same things.
    public init?(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millis: Int = 0, offsetSeconds: Int = 0
    ) {
        guard (1969...10_000).contains(year), (1...12).contains(month), day >= 1, day <= CivilTime.daysIn(month: month, year: year),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second), (0...999).contains(millis),
              abs(offsetSeconds) <= 18 * 3600
        else { return nil }
        // Every term is bounded by the guard: years 1969...10000 are about 3 million days.
        let days = Int64(CivilTime.daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        let ms = seconds * 1000 + Int64(millis)
        guard Timestamp.plausible.contains(ms) else { return nil }
        self.ms = ms
    }

    public var date: Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.ms < b.ms }

    /// This time moved by `seconds`, saturating at Int64's ends instead of trapping (times from
    /// input are within `plausible`, spans within `Span.longest`, so it never saturates on them).
    public func adding(seconds: Int64) -> Timestamp {
        let (delta, o1) = seconds.multipliedReportingOverflow(by: 1000)
        return adding(ms: o1 ? (seconds < 0 ? Int64.min : Int64.max) : delta)
    }

    public func adding(ms delta: Int64) -> Timestamp {
        let (sum, overflow) = ms.addingReportingOverflow(delta)
        return Timestamp(ms: overflow ? (delta < 0 ? Int64.min : Int64.max) : sum)
    }

    public func adding(_ span: Span) -> Timestamp { adding(ms: span.ms) }

    public func subtracting(_ span: Span) -> Timestamp { adding(ms: span.ms == Int64.min ? Int64.max : -span.ms) }

    /// `2026-11-29T03:48:06.123Z`: the form every export carries. Built by hand, not with
    /// `String(format:)`, because the demo and exports call it millions of times.
    public var iso8601: String {
        let seconds = floorDiv(ms, 1000)
        let millis = Int(ms - seconds * 1000)
        let c = CivilTime(unixSeconds: seconds)
        var out = ""
        out.reserveCapacity(24)
        pad(&out, c.year, 4); out += "-"; pad(&out, c.month, 2); out += "-"; pad(&out, c.day, 2)
        out += "T"; pad(&out, c.hour, 2); out += ":"; pad(&out, c.minute, 2); out += ":"; pad(&out, c.second, 2)
        out += "."; pad(&out, millis, 3); out += "Z"
        return out
    }

    /// The analyst's wall-clock form, in their zone (`TZ`), to the second.
    public func local(_ zone: TimeZone = .current) -> String {
        let offset = Int64(zone.secondsFromGMT(for: date))
        let c = CivilTime(unixSeconds: floorDiv(ms, 1000) + offset)
        let name = zone.abbreviation(for: date) ?? zone.identifier
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d %@",
            c.year, c.month, c.day, c.hour, c.minute, c.second, name)
    }

    /// The UTC day this instant falls on, as `2026-11-29`.
    public var day: String {
        let c = CivilTime(unixSeconds: floorDiv(ms, 1000))
        return String(format: "%04d-%02d-%02d", c.year, c.month, c.day)
    }

    public var startOfDay: Timestamp {
        let (start, overflow) = floorDiv(ms, 86_400_000).multipliedReportingOverflow(by: 86_400_000)
        return Timestamp(ms: overflow ? Int64.min : start)
    }

    public var description: String { iso8601 }

    /// Reads what an analyst types or a tool writes: `2026-11-29`, `2026-11-29T03:48:06Z`,
    /// `2026-11-29 03:48:06`, fractional seconds, `+02:00` offsets, or epoch milliseconds.
    /// A time without a zone is UTC. Impossible dates (`2026-02-30`), offsets (`+99:00`) and times
    /// outside `plausible` are nil.
    public init?(parsing text: String) {
        // Read in place when nothing surrounds it (every event's time comes through here):
        // trimming and copying it cost more than reading it.
        if case .some(.some(let read)) = text.utf8.withContiguousStorageIfAvailable({ Timestamp.untrimmed($0) }) {
            guard let read else { return nil }
            self = read
            return
        }
        let s = text.trimmed
        if s.utf8.count >= 10, s.utf8.count <= 13, let n = Int64(s) {
            guard let t = Timestamp(epoch: s.utf8.count <= 10 ? Double(n) : Double(n) / 1000) else { return nil }
            self = t
            return
        }
        self.init(iso: s)
    }

    /// `init(parsing:)` of text with no space at either end and not of an epoch's length: its
    /// ISO time read in place (nil inside when it is none); nil for any other text, which
    /// `init(parsing:)` then trims and reads as before.
    private static func untrimmed(_ u: UnsafeBufferPointer<UInt8>) -> Timestamp?? {
        guard let first = u.first, let last = u.last else { return nil }
        func space(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        // Ten to thirteen digits are an epoch: `init(parsing:)` reads those.
        guard !space(first), !space(last), u.count > 13 || u.count < 10 else { return nil }
        return .some(iso(u))
    }

    private init?(iso s: String) {
        // Read in place (every event's time comes through here), not copied into an array.
        var text = s
        guard let t = text.withUTF8(Timestamp.iso) else { return nil }
        self = t
    }

    private static func iso(_ u: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var i = 0
        // Static helpers given `i`, not nested functions capturing it: a captured variable is
        // boxed and checked for exclusive access at each use, some 250 instructions a number.
        guard let year = number(u, &i, 4), expect(u, &i, 45), let month = number(u, &i, 2), expect(u, &i, 45), let day = number(u, &i, 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        if i < u.count, u[i] == 84 || u[i] == 116 || u[i] == 32 {  // T, t or space
            i += 1
            guard let h = number(u, &i, 2), expect(u, &i, 58), let m = number(u, &i, 2) else { return nil }
            hour = h; minute = m
            if expect(u, &i, 58) { guard let sec = number(u, &i, 2) else { return nil }; second = sec }
            if expect(u, &i, 46) || expect(u, &i, 44) {
                var digits = 0
                var frac = 0
                while i < u.count, (48...57).contains(u[i]) {
                    if digits < 3 { frac = frac * 10 + Int(u[i]) - 48 }
                    digits += 1; i += 1
                }
                guard digits > 0 else { return nil }
                var scale = min(digits, 3)
                while scale < 3 { frac *= 10; scale += 1 }
                millis = frac
            }
            if expect(u, &i, 90) || expect(u, &i, 122) {  // Z
            } else if i < u.count, u[i] == 43 || u[i] == 45 {
                let sign = u[i] == 43 ? 1 : -1
                i += 1
                guard let oh = number(u, &i, 2) else { return nil }
                _ = expect(u, &i, 58)
                let om = number(u, &i, 2) ?? 0
                guard oh <= 18, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == u.count else { return nil }
        return Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis, offsetSeconds: offset)
    }

    /// The `width` decimal digits at `i` (then past them), or nil.
    @inline(__always) private static func number(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ width: Int) -> Int? {
        guard i <= u.count &- width else { return nil }
        var v = 0
        for k in i..<(i + width) {
            let d = u[k] &- 48
            guard d <= 9 else { return nil }  // wraps below '0'
            v = v &* 10 &+ Int(d)
        }
        i += width
        return v
    }

    /// Whether the byte at `i` is `ch` (then past it).
    @inline(__always) private static func expect(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ ch: UInt8) -> Bool {
        guard i < u.count, u[i] == ch else { return false }
        i += 1
        return true
    }
}

private func pad(_ out: inout String, _ value: Int, _ width: Int) {
    let text = String(value)
    if text.count < width { out += String(repeating: "0", count: width - text.count) }
    out += text
}

@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms): exact, allocation-free,
/// and the same on every platform, which matters for deterministic demo data and hashed logs.
extension Timestamp {
    /// Year, month, day (proleptic Gregorian) of a day count from 1970-01-01, for writers of
    /// dates in other layouts (the EVTX reader's microsecond times).
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let (y, m, d) = CivilTime.civilFromDays(days)
        return (y, m, d)
    }
}

struct CivilTime {
    var year, month, day, hour, minute, second: Int

    init(unixSeconds: Int64) {
        let days = floorDiv(unixSeconds, 86_400)
        let rest = Int(unixSeconds - days * 86_400)
        (year, month, day) = CivilTime.civilFromDays(Int(days))
        hour = rest / 3600
        minute = rest % 3600 / 60
        second = rest % 60
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
