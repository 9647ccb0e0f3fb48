import Foundation
import Model
import Testing
@testable import AlertEngine

/// Reads a fidelity sample the way ingest does, record by record: frame, detect, normalize, tidy
/// (`"null"` addresses, `ip:port`), extract artifacts; an empty API page or a format's skip is
/// skipped, anything else unreadable is rejected. Store-side steps (revisions, identities) are not
/// here: this corpus checks what the formats make of each vendor's record.
enum Fidelity {
    enum Outcome {
        case stored(Normalized, [ArtifactMention])
        case skipped(String)
        case rejected(String)
    }

    static func run(_ name: String) throws -> [Outcome] {
        let path = "fidelity/\(name)"
        let framed = Framer.frame(try Fixture.bytes(path), name: name)
        let registry = FormatRegistry.builtIn()
        var out: [Outcome] = framed.rejected.map { .rejected($0.reason) }
        for record in framed.records {
            guard let format = registry.detect(record) else {
                if let json = record.json, Framer.emptyEnvelope(json) != nil {
                    out.append(.skipped("empty batch"))
                } else {
                    out.append(.rejected("unrecognized"))
                }
                continue
            }
            do {
                for var n in try format.normalize(record) {
                    ECS.tidy(&n.fields)
                    out.append(.stored(n, ArtifactExtractor().artifacts(of: n)))
                }
            } catch where error.isSkip {
                out.append(.skipped(error.reason))
            } catch {
                out.append(.rejected(error.reason))
            }
        }
        return out
    }

    /// The signal a sample names, or a test failure saying what the record became instead.
    static func signal(_ name: String, _ index: Int) throws -> (Normalized, [ArtifactMention]) {
        let outcomes = try run(name)
        try #require(outcomes.indices.contains(index), "\(name) has \(outcomes.count) records")
        guard case .stored(let n, let artifacts) = outcomes[index] else {
            Issue.record("\(name)#\(index) was not stored: \(outcomes[index])")
            throw CancellationError()
        }
        return (n, artifacts)
    }

    /// A field's value as text, for comparing: strings as they are, numbers and booleans
    /// written out, arrays joined with commas.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b ? "true" : "false"
        case .array(let a)?: return a.compactMap { text($0) }.joined(separator: ",")
        case let v?: return v.stringValue ?? v.text
        }
    }
}
