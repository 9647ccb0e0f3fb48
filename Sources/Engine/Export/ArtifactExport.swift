import Foundation
import Model
import Store

/// `taser export artifacts`: artifacts across every alert and case the asker may see, filtered
/// by type and by the alerts' signal kind, rule and time.
public struct ArtifactExport: Codable, Sendable {
    public static let formatName = "taser.artifact-export"
    public static let formatVersion = 1
    public static let csvColumns = [
        "type", "value", "roles", "kinds", "rules", "alerts", "cases", "signals", "first_seen", "last_seen",
    ]

    public var rows: [ArtifactExportRow]

    /// One JSON object per artifact (JSON Lines), each carrying the format and version.
    public var jsonLines: String {
        rows.map { row in
            JSONValue.object([
                "format": .string(ArtifactExport.formatName), "format_version": .int(Int64(ArtifactExport.formatVersion)),
                "type": .string(row.artifact.type.rawValue), "value": .string(row.artifact.value),
                "roles": .array(row.roles.map { .string($0) }), "kinds": .array(row.kinds.map { .string($0) }),
                "rules": .array(row.rules.map { .string($0) }), "alerts": .array(row.alerts.map { .int($0) }),
                "cases": .array(row.cases.map { .int($0) }), "signals": .int(Int64(row.signals)),
                "first_seen": .string(row.firstSeen.iso8601), "last_seen": .string(row.lastSeen.iso8601),
            ]).text + "\n"
        }.joined()
    }

    public var csv: String {
        var out = CSVWriter(columns: ArtifactExport.csvColumns)
        for row in rows {
            out.append([
                row.artifact.type.rawValue, row.artifact.value, row.roles.joined(separator: " "), row.kinds.joined(separator: " "),
                row.rules.joined(separator: " "), row.alerts.map(String.init).joined(separator: " "),
                row.cases.map(String.init).joined(separator: " "), String(row.signals), row.firstSeen.iso8601, row.lastSeen.iso8601,
            ])
        }
        return out.text
    }
}

extension Engine {
    /// `kinds` may be names, display names or aliases ("SSO login from a new location").
    public func exportArtifacts(
        types: [ArtifactType] = [], kinds: [String] = [], rules: [String] = [], since: Timestamp? = nil, until: Timestamp? = nil,
        mappingKinds: [SignalKind] = []
    ) throws -> ArtifactExport {
        let resolved = try kinds.map { try SignalKind.resolve($0, among: mappingKinds) }
        let filter = ArtifactExportFilter(types: types, kinds: resolved.map(\.name), rules: rules, since: since, until: until)
        return ArtifactExport(rows: try read { tx in try tx.exportArtifacts(filter, visibleTo: actor) })
    }
}

extension SignalKind {
    /// Finds a kind by name, display name or alias (see `find`), or says which kinds exist.
    public static func resolve(_ text: String, among extra: [SignalKind] = []) throws -> SignalKind {
        if let kind = find(text, among: extra) { return kind }
        let names = (extra + catalog).map { "\($0.name) (\"\($0.displayName)\")" }.joined(separator: ", ")
        throw EngineError.invalid("no signal kind '\(text)'; kinds are: \(names)")
    }
}
