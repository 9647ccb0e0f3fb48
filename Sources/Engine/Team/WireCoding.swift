import Model
import Store

// Codable for the Engine's results that hold tuples (Swift cannot encode a tuple): on the wire
// an (artifact, role) pair is `{"artifact", "role"}`, a signal with its artifacts
// `{"signal", "artifacts"}`, a person `{"identity", "seen"}`. Only team mode's protocol encodes
// these; the JSON that commands print has its own forms (`json` properties).

public struct WireLink: Codable, Sendable {
    public var artifact: Artifact
    public var role: String
    init(_ pair: (artifact: Artifact, role: String)) { (artifact, role) = pair }
    var pair: (artifact: Artifact, role: String) { (artifact, role) }
    static func wire(_ pairs: [(artifact: Artifact, role: String)]) -> [WireLink] { pairs.map(WireLink.init) }
    static func pairs(_ links: [WireLink]) -> [(artifact: Artifact, role: String)] { links.map(\.pair) }
}

struct WireSignal: Codable {
    var signal: Signal
    var artifacts: [WireLink]
    init(_ item: (signal: Signal, artifacts: [(artifact: Artifact, role: String)])) {
        signal = item.signal
        artifacts = WireLink.wire(item.artifacts)
    }
    var item: (signal: Signal, artifacts: [(artifact: Artifact, role: String)]) { (signal, WireLink.pairs(artifacts)) }
}

struct WirePerson: Codable {
    var identity: String
    var seen: [String]
}

extension AlertDetail {
    enum CodingKeys: String, CodingKey { case alert, signals, earlierRevisions, people, tags, addedArtifacts, log }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alert = try c.decode(Alert.self, forKey: .alert)
        signals = try c.decode([WireSignal].self, forKey: .signals).map(\.item)
        earlierRevisions = try c.decode([Int64: [SignalRevision]].self, forKey: .earlierRevisions)
        people = try c.decode([WirePerson].self, forKey: .people).map { ($0.identity, $0.seen) }
        // A daemon older than the alert log sends none of these.
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        addedArtifacts = try c.decodeIfPresent([ArtifactMention].self, forKey: .addedArtifacts) ?? []
        log = try c.decodeIfPresent([AlertLogEntry].self, forKey: .log) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(alert, forKey: .alert)
        try c.encode(signals.map(WireSignal.init), forKey: .signals)
        try c.encode(earlierRevisions, forKey: .earlierRevisions)
        try c.encode(people.map { WirePerson(identity: $0.identity, seen: $0.seen) }, forKey: .people)
        try c.encode(tags, forKey: .tags)
        try c.encode(addedArtifacts, forKey: .addedArtifacts)
        try c.encode(log, forKey: .log)
    }
}

extension SearchResult {
    enum CodingKeys: String, CodingKey { case signals, total, histogram, text }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        signals = try c.decode([WireSignal].self, forKey: .signals).map(\.item)
        total = try c.decode(Int.self, forKey: .total)
        histogram = try c.decode(SearchHistogram.self, forKey: .histogram)
        text = try c.decode(String.self, forKey: .text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(signals.map(WireSignal.init), forKey: .signals)
        try c.encode(total, forKey: .total)
        try c.encode(histogram, forKey: .histogram)
        try c.encode(text, forKey: .text)
    }
}

extension CaseExport {
    enum CodingKeys: String, CodingKey { case detail, signals, signalArtifacts, earlierRevisions, merged, enrichments, exportedAt, exportedBy }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        detail = try c.decode(CaseDetail.self, forKey: .detail)
        signals = try c.decode([Int64: [Signal]].self, forKey: .signals)
        signalArtifacts = try c.decode([Int64: [WireLink]].self, forKey: .signalArtifacts).mapValues(WireLink.pairs)
        earlierRevisions = try c.decode([Int64: [SignalRevision]].self, forKey: .earlierRevisions)
        merged = try c.decode([CaseDetail].self, forKey: .merged)
        enrichments = try c.decode([Int64: [Enrichment]].self, forKey: .enrichments)
        exportedAt = try c.decode(Timestamp.self, forKey: .exportedAt)
        exportedBy = try c.decode(String.self, forKey: .exportedBy)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(detail, forKey: .detail)
        try c.encode(signals, forKey: .signals)
        try c.encode(signalArtifacts.mapValues(WireLink.wire), forKey: .signalArtifacts)
        try c.encode(earlierRevisions, forKey: .earlierRevisions)
        try c.encode(merged, forKey: .merged)
        try c.encode(enrichments, forKey: .enrichments)
        try c.encode(exportedAt, forKey: .exportedAt)
        try c.encode(exportedBy, forKey: .exportedBy)
    }
}
