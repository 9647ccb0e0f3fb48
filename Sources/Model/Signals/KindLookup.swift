extension SignalKind {
    /// Finds a kind by name, display name or alias, ignoring case and a plural `s`
    /// ("failed Duo pushes", "SSO logins from a new location"). `among` adds the kinds of
    /// mapping files to the built-in catalog.
    public static func find(_ text: String, among extra: [SignalKind] = []) -> SignalKind? {
        let key = fold(text)
        return (extra + catalog).first { kind in
            ([kind.name, kind.displayName] + kind.aliases).contains { fold($0) == key }
        }
    }

    /// The kinds whose names read closest to `text`, nearest first: for "did you mean".
    public static func nearest(_ text: String, among extra: [SignalKind] = [], limit: Int = 3) -> [SignalKind] {
        let key = fold(text)
        let scored = (extra + catalog).map { kind in
            (kind, ([kind.name, kind.displayName] + kind.aliases).map { editDistance(fold($0), key) }.min() ?? .max)
        }
        return scored.sorted { $0.1 < $1.1 }.prefix(limit).map(\.0)
    }

    /// Lowercased, each word without a plural ending.
    static func fold(_ s: String) -> String {
        s.lowercased().split(separator: " ").map { word -> String in
            var w = String(word)
            if w.count > 4, w.hasSuffix("shes") || w.hasSuffix("xes") || w.hasSuffix("ches") {
                w.removeLast(2)
            } else if w.count > 3, w.hasSuffix("s"), !w.hasSuffix("ss") {
                w.removeLast()
            }
            return w
        }.joined(separator: " ")
    }
}

/// Levenshtein distance over characters, for "did you mean" suggestions. Only the first 64
/// characters of each count: a suggestion for a longer word is noise, and the cost is the product
/// of the lengths (a 200 KB word typed into a rule took minutes against every field name).
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.prefix(64)), b = Array(b.prefix(64))
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = Array(repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The names closest to what was typed, for "did you mean": a name the text starts (a prefix
/// typed with a typo) counts as close as the whole name.
public func nearestNames(_ typed: String, in names: [String], limit: Int = 3) -> [String] {
    let t = typed.lowercased()
    func score(_ name: String) -> Int {
        let n = name.lowercased()
        return min(editDistance(t, n), editDistance(t, String(n.prefix(t.count))) + 1)
    }
    return names.map { ($0, score($0)) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
}
