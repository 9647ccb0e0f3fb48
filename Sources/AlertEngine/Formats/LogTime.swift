import Foundation
import Model

/// The time forms text logs carry that `Timestamp(parsing:)` (ISO 8601, epoch) does not: syslog's
/// `Nov  3 09:12:44`, CEF's `Nov 03 2026 09:12:44.120 UTC`, LEEF's `devTimeFormat` patterns (Java
/// `SimpleDateFormat`), RFC 5322 `Date:` headers.
///
/// A time without a zone is UTC. A time without a year (RFC 3164, CEF's `MMM dd HH:mm:ss`) takes
/// the year that puts it closest before the reference time: the latest of the reference's year,
/// the year before and the year after that is not more than one day after the reference. So a
/// `Dec 31 23:59:59` read on January 1st is last year's, and a device clock a few hours ahead
/// across New Year's Eve still lands in the new year.
enum LogTime {
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Jan`, `january`, `SEPT` -> 1...12.
    static func month(_ name: some StringProtocol) -> Int? {
        let lower = name.lowercased()
        guard lower.count >= 3 else { return nil }
        if lower == "sept" { return 9 }
        guard let n = monthNames.firstIndex(of: String(lower.prefix(3))) else { return nil }
        let full = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"][n]
        return lower.count == 3 || lower == full ? n + 1 : nil
    }

    /// Zone abbreviations seen in device logs and mail (RFC 5322's obsolete zones included),
    /// in seconds east of UTC. Ambiguous ones (IST, CST in China) take their US/European meaning.
    static let zoneAbbreviations: [String: Int] = [
        "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 7200, "MET": 3600,
        "MEST": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800, "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000,
        "MST": -25200, "MDT": -21600, "PST": -28800, "PDT": -25200, "AKST": -32400, "AKDT": -28800, "HST": -36000,
        "JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
    ]

    /// Seconds east of UTC for `Z`, `+01:00`, `+0100`, `-05`, `GMT+2`, `UTC`, `CET`, or an IANA
    /// name (`Europe/Paris`, whose offset depends on the date: `around` is the local time read).
    static func zoneOffset(_ text: String, around local: Int64? = nil) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        for prefix in ["GMT", "UTC", "UT"] where s.count > prefix.count && s.uppercased().hasPrefix(prefix) {
            let rest = s.dropFirst(prefix.count)
            if rest.first == "+" || rest.first == "-" { s = String(rest); break }
        }
        if let sign = s.first, sign == "+" || sign == "-" {
            let digits = s.dropFirst().filter { $0 != ":" }
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), digits.count <= 4 else { return nil }
            // At most four ASCII digits (checked above), so every Int(...) below reads a number.
            let split = digits.count <= 2 ? digits.count : digits.count - 2
            guard let hours = Int(digits.prefix(split)), let minutes = digits.count <= 2 ? 0 : Int(digits.suffix(2)),
                  hours <= 18, minutes < 60
            else { return nil }
            return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        if let known = zoneAbbreviations[s.uppercased()] { return known }
        // RFC 5322 military zones are defined wrongly in RFC 822; RFC 5322 says treat them as -0000.
        if s.count == 1, s.first?.isLetter == true { return 0 }
        if s.contains("/"), let zone = TimeZone(identifier: s) {
            let date = Date(timeIntervalSince1970: Double(local ?? Int64(Date().timeIntervalSince1970)))
            return zone.secondsFromGMT(for: date)
        }
        return nil
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). Callers
    /// pass years near a plausible reference time only.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    /// A civil time with its zone offset, validated (no February 30th, no year 999999999): the
    /// checks live in `Timestamp(year:...)`, which every format shares.
    static func timestamp(
        year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millis: Int = 0, offset: Int = 0
    ) -> Timestamp? {
        Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis, offsetSeconds: offset)
    }

    /// The year of the reference's UTC day.
    static func year(of t: Timestamp) -> Int {
        let ms = min(max(t.ms, Timestamp.plausible.lowerBound), Timestamp.plausible.upperBound)
        let days = Int(ms / 86_400_000)
        var year = 1970 + days / 366
        while LogTime.days(year: year + 1, month: 1, day: 1) <= days { year += 1 }
        while LogTime.days(year: year, month: 1, day: 1) > days { year -= 1 }
        return year
    }

    /// A yearless time: the latest candidate year that is at most one day after `reference`.
    static func inferYear(
        month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int = 0, offset: Int = 0, reference: Timestamp
    ) -> Timestamp? {
        let limit = reference.adding(seconds: 86_400)
        let y = year(of: reference)
        for candidate in [y + 1, y, y - 1, y - 2, y - 3, y - 4] {
            if let t = timestamp(year: candidate, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis, offset: offset),
               t <= limit {
                return t
            }
        }
        return nil
    }

    // MARK: Patterns

    /// The fields a pattern read.
    struct Parts {
        var year: Int?
        var month: Int?
        var day: Int?
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        var pm: Bool?
        var offset: Int?
        var zoneName: String?

        func timestamp(reference: Timestamp) -> Timestamp? {
            guard let month, let day else { return nil }
            var h = hour
            if let pm {
                guard (1...12).contains(h) else { return nil }
                h = h % 12 + (pm ? 12 : 0)
            }
            var offset = self.offset ?? 0
            if let zoneName {
                let localGuess = year.flatMap { LogTime.timestamp(year: $0, month: month, day: day, hour: h, minute: minute, second: second) }
                guard let o = LogTime.zoneOffset(zoneName, around: localGuess.map { $0.ms / 1000 }) else { return nil }
                offset = o
            }
            if let year {
                return LogTime.timestamp(year: year, month: month, day: day, hour: h, minute: minute, second: second, millis: millis, offset: offset)
            }
            return LogTime.inferYear(
                month: month, day: day, hour: h, minute: minute, second: second, millis: millis, offset: offset, reference: reference)
        }
    }

    /// Reads `text` with a Java `SimpleDateFormat` pattern (the form LEEF's `devTimeFormat` and
    /// CEF documentation use): `y M d H h k K m s S a E z Z X` and `'quoted'` literals. A space in
    /// the pattern matches any run of spaces (`Nov  3`). With `prefix`, text may follow the match
    /// and the returned index says where it stops; otherwise the whole text must match.
    static func scan(_ text: [UInt8], from start: Int = 0, pattern: String, prefix: Bool = false) -> (Parts, Int)? {
        let p = Array(pattern.utf8)
        var parts = Parts()
        var i = start
        var k = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 97 && (c | 0x20) <= 122 }
        // No date or time field needs more than 9 digits (nanoseconds); a pattern such as
        // `HHHHHHHHHHHHHHHHHHH` asks for more, and 19 digits overflow Int. Reading stops at 9 and
        // the next pattern letter then fails to match, so the time is refused, not wrapped.
        func number(min: Int, max: Int) -> Int? {
            var v = 0, n = 0
            while n < Swift.min(max, 9), i < text.count, isDigit(text[i]) { v = v * 10 + Int(text[i] - 48); n += 1; i += 1 }
            return n >= min ? v : nil
        }
        func word() -> String {
            let s = i
            while i < text.count, isLetter(text[i]) { i += 1 }
            return String(decoding: text[s..<i], as: UTF8.self)
        }
        while k < p.count {
            let c = p[k]
            if c == 39 {  // quoted literal
                var j = k + 1
                if j < p.count, p[j] == 39 {
                    guard i < text.count, text[i] == 39 else { return nil }
                    i += 1; k += 2; continue
                }
                while j < p.count, p[j] != 39 {
                    guard i < text.count, text[i] == p[j] else { return nil }
                    i += 1; j += 1
                }
                k = j + 1
                continue
            }
            guard isLetter(c) else {
                if c == 32 {
                    guard i < text.count, text[i] == 32 else { return nil }
                    while i < text.count, text[i] == 32 { i += 1 }
                } else {
                    guard i < text.count, text[i] == c else { return nil }
                    i += 1
                }
                k += 1
                continue
            }
            var count = 0
            while k < p.count, p[k] == c { count += 1; k += 1 }
            // A numeric field followed directly by another numeric field reads exactly its width.
            let adjacent = k < p.count && "yMdHhkKmsS".utf8.contains(p[k])
            let width = adjacent ? count : Swift.max(count, 2)
            switch c {
            case UInt8(ascii: "y"):
                if count == 2 {
                    guard let y = number(min: 2, max: 2) else { return nil }
                    parts.year = y < 70 ? 2000 + y : 1900 + y
                } else {
                    guard let y = number(min: 4, max: 4) else { return nil }
                    parts.year = y
                }
            case UInt8(ascii: "M"), UInt8(ascii: "L"):
                if count >= 3 {
                    guard let m = month(word()) else { return nil }
                    parts.month = m
                } else {
                    guard let m = number(min: 1, max: width) else { return nil }
                    parts.month = m
                }
            case UInt8(ascii: "d"): guard let v = number(min: 1, max: width) else { return nil }; parts.day = v
            case UInt8(ascii: "H"): guard let v = number(min: 1, max: width) else { return nil }; parts.hour = v
            case UInt8(ascii: "k"): guard let v = number(min: 1, max: width) else { return nil }; parts.hour = v == 24 ? 0 : v
            case UInt8(ascii: "h"): guard let v = number(min: 1, max: width) else { return nil }; parts.hour = v; parts.pm = parts.pm ?? false
            case UInt8(ascii: "K"): guard let v = number(min: 1, max: width) else { return nil }; parts.hour = v == 0 ? 12 : v; parts.pm = parts.pm ?? false
            case UInt8(ascii: "m"): guard let v = number(min: 1, max: width) else { return nil }; parts.minute = v
            case UInt8(ascii: "s"): guard let v = number(min: 1, max: width) else { return nil }; parts.second = v
            case UInt8(ascii: "S"):
                let s = i
                guard let v = number(min: 1, max: adjacent ? count : 9) else { return nil }
                let digits = i - s
                var ms = v
                if digits > 3 { for _ in 3..<digits { ms /= 10 } } else if count >= 3 { for _ in digits..<3 { ms *= 10 } }
                parts.millis = ms
            case UInt8(ascii: "a"):
                switch word().lowercased() {
                case "am": parts.pm = false
                case "pm": parts.pm = true
                default: return nil
                }
            case UInt8(ascii: "E"):
                guard !word().isEmpty else { return nil }
            case UInt8(ascii: "z"), UInt8(ascii: "Z"), UInt8(ascii: "X"), UInt8(ascii: "x"):
                let s = i
                while i < text.count, text[i] != 32, text[i] != 41, text[i] != 93 { i += 1 }
                let zone = String(decoding: text[s..<i], as: UTF8.self)
                guard !zone.isEmpty else { return nil }
                if zone.first == "+" || zone.first == "-" || zone == "Z" || zone == "z" {
                    guard let o = zoneOffset(zone) else { return nil }
                    parts.offset = o
                } else {
                    guard zoneOffset(zone) != nil || zone.contains("/") else { return nil }
                    parts.zoneName = zone
                }
            default:
                return nil
            }
        }
        if !prefix {
            while i < text.count, text[i] == 32 { i += 1 }
            guard i == text.count else { return nil }
        }
        return (parts, i)
    }

    static func parse(_ text: String, pattern: String, reference: Timestamp) -> Timestamp? {
        scan(Array(text.trimmingCharacters(in: .whitespaces).utf8), pattern: pattern)?.0.timestamp(reference: reference)
    }

    /// The forms ArcSight lists for `rt`, `start`, `end` and LEEF for `devTime` without a format.
    static let devicePatterns = [
        "MMM dd yyyy HH:mm:ss.SSS zzz", "MMM dd yyyy HH:mm:ss.SSS", "MMM dd yyyy HH:mm:ss zzz", "MMM dd yyyy HH:mm:ss",
        "MMM dd HH:mm:ss.SSS zzz", "MMM dd HH:mm:ss.SSS", "MMM dd HH:mm:ss zzz", "MMM dd HH:mm:ss",
    ]

    /// A device's event time: epoch seconds or milliseconds, ISO 8601, or a CEF/LEEF date.
    static func device(_ text: String, reference: Timestamp) -> Timestamp? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if let epoch = epoch(s) { return epoch }
        if let iso = Timestamp(parsing: s) { return iso }
        for pattern in devicePatterns {
            if let t = parse(s, pattern: pattern, reference: reference) { return t }
        }
        return nil
    }

    /// Epoch seconds (10 digits, optionally fractional) or milliseconds (13 digits).
    static func epoch(_ s: String) -> Timestamp? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, whole.count >= 9, whole.count <= 13,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(whole)
        else { return nil }
        if parts.count == 2 {
            guard whole.count <= 10, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let frac = String(parts[1].prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)
            // At most 10 digits of seconds and 3 of milliseconds: no overflow is possible.
            guard let millis = Int64(frac), Timestamp.plausible.contains(n * 1000 + millis) else { return nil }
            return Timestamp(ms: n * 1000 + millis)
        }
        let ms = whole.count >= 12 ? n : n * 1000
        return Timestamp.plausible.contains(ms) ? Timestamp(ms: ms) : nil
    }

    /// An RFC 5322 date-time (`Tue, 03 Nov 2026 09:12:44 +0100 (CET)`), with the obsolete forms
    /// mail still carries: two-digit years, named zones, missing seconds, a missing day name.
    static func rfc5322(_ text: String) -> Timestamp? {
        // Drop comments, then read tokens.
        var clean = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1; continue }
            if ch == ")" { depth = Swift.max(0, depth - 1); continue }
            if depth == 0 { clean.append(ch == "," ? " " : ch) }
        }
        var tokens = clean.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        if let first = tokens.first, first.first?.isLetter == true, month(first) == nil { tokens.removeFirst() }
        guard tokens.count >= 4 else { return Timestamp(parsing: text) }
        var dayToken = tokens[0], monthToken = tokens[1]
        if month(dayToken) != nil { swap(&dayToken, &monthToken) }  // `Nov 3 2026` from careless mailers
        guard let day = Int(dayToken), let mon = month(monthToken), var year = Int(tokens[2]) else { return Timestamp(parsing: text) }
        if tokens[2].count == 2 { year += year < 50 ? 2000 : 1900 } else if tokens[2].count == 3 { year += 1900 }
        let clock = tokens[3].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2, clock.count == tokens[3].split(separator: ":").count else { return nil }
        var offset = 0
        if tokens.count >= 5 {
            guard let o = zoneOffset(tokens[4]) else { return nil }
            offset = o
        }
        return timestamp(
            year: year, month: mon, day: day, hour: clock[0], minute: clock[1], second: clock.count > 2 ? clock[2] : 0, offset: offset)
    }
}
