import Engine
import Model
import Positron

/// What Positron said about an artifact, under it wherever a pane lists it: one compact line per
/// query, `IP_TO_HOSTNAME: web-01 (edr, dhcp); web-02 (dhcp)`. Read once per artifact per page.
struct EnrichmentLines {
    let engine: any TaserAPI
    private var known: [Int64: [LinesPane.Line]] = [:]

    init(engine: any TaserAPI) { self.engine = engine }

    mutating func lines(for artifact: Artifact, indent: String) -> [LinesPane.Line] {
        if let lines = known[artifact.id] { return lines }
        // A page still shows when the enrichments cannot be read; they are an extra.
        let lines = EnrichmentLines.format((try? engine.enrichments(of: artifact.id)) ?? []).map {
            LinesPane.Line(text: indent + $0, role: .dim)
        }
        known[artifact.id] = lines
        return lines
    }

    static func format(_ enrichments: [Enrichment]) -> [String] {
        var order: [String] = []
        var answers: [String: [String]] = [:]
        for e in enrichments {
            if answers[e.query] == nil { order.append(e.query) }
            answers[e.query, default: []].append("\(summary(e)) (\(e.plugins.joined(separator: ", ")))")
        }
        return order.map { "\($0): " + (answers[$0] ?? []).joined(separator: "; ") }
    }

    /// The answer's values in the order the catalog lists the query's fields (`Jane Doe ·
    /// jdoe@example.com · Engineer`); a query the built-in catalog lacks, by field name.
    static func summary(_ e: Enrichment) -> String {
        guard let fields = (try? JSONValue.parse(e.answer))?.objectValue else { return e.answer }
        let known = QueryCatalog.builtIn.query(e.query)?.output ?? []
        let names = known.filter { fields[$0] != nil } + fields.keys.filter { !known.contains($0) }.sorted()
        return names.compactMap { fields[$0].map { $0.stringValue ?? $0.text } }.joined(separator: " · ")
    }
}
