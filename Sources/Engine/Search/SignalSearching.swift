import Foundation
import Model
import SignalServer
import Store

/// What a search found: the newest matches, how many there are, and when they happened.
public struct SearchResult: Codable, Sendable {
    /// The newest matches, at most the limit asked for, newest first, with their artifacts.
    public var signals: [(signal: Signal, artifacts: [(artifact: Artifact, role: String)])]
    /// Every match, not only those listed.
    public var total: Int
    public var histogram: SearchHistogram
    /// The search as written, for titles.
    public var text: String
}

/// Matches per stretch of time, oldest first: the bar chart above a search's results.
public struct SearchHistogram: Codable, Sendable, Equatable {
    public var from: Timestamp
    public var bucket: Int64
    public var counts: [Int]

    /// `counts.count` equal stretches covering `from...to`, never narrower than a second.
    static func of(_ times: [Int64], from: Int64, to: Int64, buckets: Int) -> SearchHistogram {
        let n = max(1, buckets)
        let span = to.subtractingReportingOverflow(from)
        let width = span.overflow ? Int64.max / Int64(n) : max(1000, span.partialValue / Int64(n) + 1)
        var counts = Array(repeating: 0, count: n)
        for t in times {
            let offset = t.subtractingReportingOverflow(from)
            guard !offset.overflow, offset.partialValue >= 0 else { continue }
            counts[min(n - 1, Int(offset.partialValue / width))] += 1
        }
        return SearchHistogram(from: Timestamp(ms: from), bucket: width, counts: counts)
    }
}

extension Engine {
    /// The most matches a search counts and charts; past it, the count says "at least".
    public static let mostSearchMatches = 5_000_000

    /// Signals matching a search (see `SignalSearch`), newest first. Signals are raw tool output
    /// every analyst may see, as in `signals(_:)`.
    public func searchSignals(_ text: String, limit: Int = 100, buckets: Int = 60, mappingKinds: [SignalKind] = []) throws -> SearchResult {
        let search = try ruleCompiler(mappingKinds: mappingKinds).compileSearch(text, now: clock())
        let matcher = try search.filter.map { f throws(RuleError) in try Matcher(f) }
        let limit = min(max(limit, 0), 100_000)
        return try read { tx in
            var shown: [Int64] = []
            var times: [Int64] = []
            // A filter on one field is decided once per distinct value (values repeat: hosts,
            // users, kinds), as the column simulator does.
            var decided: [String: Bool] = [:]
            let single = search.scan.fields.count == 1 && !(search.filter?.fields.contains { SignalSearch.columnFields.contains($0) } ?? false)
            try tx.scanSignals(search.scan) { row in
                if let matcher {
                    let passes: Bool
                    if single, let text = row.fields[0], let known = decided[text] {
                        passes = known
                    } else {
                        var object = JSONObject()
                        for (n, name) in search.scan.fields.enumerated() {
                            if let text = row.fields[n], let value = try? JSONValue.parse(text) { object[name] = value }
                        }
                        object["kind"] = .string(row.kind)
                        object["source"] = .string(row.source)
                        passes = matcher.matches(object)
                        if single, let text = row.fields[0], decided.count < 100_000 { decided[text] = passes }
                    }
                    guard passes else { return true }
                }
                if shown.count < limit { shown.append(row.id) }
                times.append(row.time)
                return times.count < Engine.mostSearchMatches
            }
            let from = search.scan.since?.ms ?? times.last ?? 0
            let to = search.scan.until?.ms ?? times.first ?? 0
            return SearchResult(
                signals: try tx.signals(ids: shown).map { ($0, try tx.artifacts(ofSignal: $0.id)) }, total: times.count,
                histogram: .of(times, from: from, to: max(from, to), buckets: buckets), text: search.text)
        }
    }
}
