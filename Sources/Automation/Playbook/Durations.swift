import Foundation

/// Spans as analysts write them in playbooks: `240m`, `4h`, `90s`, `2d`, `240 minutes`.
public enum PlaybookDuration {
    /// Milliseconds, or nil when the text is not a span.
    public static func milliseconds(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber }
        guard let n = Int64(digits), n > 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let seconds: Int64
        switch unit {
        case "s", "sec", "secs", "second", "seconds": seconds = 1
        case "m", "min", "mins", "minute", "minutes": seconds = 60
        case "h", "hr", "hrs", "hour", "hours": seconds = 3_600
        case "d", "day", "days": seconds = 86_400
        default: return nil
        }
        return n * seconds * 1000
    }

    /// `240m` back from milliseconds, for listings.
    public static func text(_ ms: Int64) -> String {
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        return "\(ms / 1000)s"
    }
}
