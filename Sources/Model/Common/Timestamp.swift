import Foundation

/// A point in time as the store keeps it: UTC milliseconds since the Unix epoch.
/// Shown in the analyst's zone; written to exports as ISO 8601 UTC.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }

    public init(_ date: Date) { self.ms = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    public static var now: Timestamp { Timestamp(Date()) }

    /// The range of times taser accepts from input (years 1900 to 2999): anything outside is a
    /// vendor's garbage, and arithmetic on it must not overflow.
    public static let plausible: ClosedRange<Int64> = -2_208_988_800_000...32_503_680_000_000

    /// Epoch seconds or milliseconds from a number (more than 10^11 means milliseconds), or nil
    /// when the number is not a plausible time.
    public init?(epoch value: Double) {
        guard value.isFinite, abs(value) < 1e14 else { return nil }
        let ms = abs(value) > 100_000_000_000 ? value : value * 1000
        guard Timestamp.plausible.contains(Int64(ms.rounded())) else { return nil }
        self.ms = Int64(ms.rounded())
    }

    public var date: Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.ms < b.ms }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(ms: ms + seconds * 1000) }

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

    public var startOfDay: Timestamp { Timestamp(ms: floorDiv(ms, 86_400_000) * 86_400_000) }

    public var description: String { iso8601 }

    /// Reads what an analyst types or a tool writes: `2026-11-29`, `2026-11-29T03:48:06Z`,
    /// `2026-11-29 03:48:06`, fractional seconds, `+02:00` offsets, or epoch milliseconds.
    /// A time without a zone is UTC.
    public init?(parsing text: String) {
        let s = text.trimmed
        if let n = Int64(s), s.utf8.count >= 10 {
            guard let t = Timestamp(epoch: s.utf8.count <= 10 ? Double(n) : Double(n) / 1000) else { return nil }
            self = t
            return
        }
        guard let parsed = Timestamp.parseISO(s) else { return nil }
        self = parsed
    }

    private static func parseISO(_ s: String) -> Timestamp? {
        let u = Array(s.utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= u.count else { return nil }
            var v = 0
            for k in 0..<width {
                let d = Int(u[i + k]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
            }
            i += width
            return v
        }
        func expect(_ ch: UInt8) -> Bool {
            guard i < u.count, u[i] == ch else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        if i < u.count, u[i] == 84 || u[i] == 116 || u[i] == 32 {  // T, t or space
            i += 1
            guard let h = number(2), expect(58), let m = number(2) else { return nil }
            hour = h; minute = m
            if expect(58) { guard let sec = number(2) else { return nil }; second = sec }
            if expect(46) || expect(44) {
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
            if expect(90) || expect(122) {  // Z
            } else if i < u.count, u[i] == 43 || u[i] == 45 {
                let sign = u[i] == 43 ? 1 : -1
                i += 1
                guard let oh = number(2) else { return nil }
                _ = expect(58)
                let om = number(2) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            }
            guard hour < 24, minute < 60, second < 61 else { return nil }
        }
        guard i == u.count else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return Timestamp(ms: seconds * 1000 + Int64(millis))
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
