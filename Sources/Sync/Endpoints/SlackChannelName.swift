import Foundation

/// Slack's rules for a channel name: lower-case letters, digits, `-` and `_`, at most 80
/// characters. A case's channel is named from its number and title (`case-12-phishing-invoice`);
/// when Slack says the name is taken, the next try adds `-2`, `-3`, ...
public enum SlackChannelName {
    public static let longest = 80
    /// How many names are tried before the delivery gives up (a dead letter that says so).
    public static let attempts = 20

    /// `case-12-` and the title: accents dropped, every other character outside Slack's set
    /// becomes `-`, runs of `-` become one, cut to fit.
    public static func base(caseID: Int64, title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: Locale(identifier: "en_US_POSIX"))
        var slug = ""
        for scalar in folded.unicodeScalars {
            let allowed = scalar.isASCII && (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_")
            if allowed {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        return fit("case-\(caseID)" + (slug.isEmpty ? "" : "-" + slug), room: longest)
    }

    /// The name for try `n` (1: the base itself; then base-2, base-3, ...), at most 80 characters.
    public static func candidate(_ base: String, attempt n: Int) -> String {
        guard n > 1 else { return fit(base, room: longest) }
        let suffix = "-\(n)"
        return fit(base, room: longest - suffix.count) + suffix
    }

    /// Cut to `room` characters (all ASCII by now), without a trailing `-`.
    static func fit(_ name: String, room: Int) -> String {
        var cut = String(name.prefix(max(1, room)))
        while cut.hasSuffix("-") { cut.removeLast() }
        return cut
    }
}
