import Model
import Store

/// From one artifact: every alert and case that shares it, that the asker may see.
public struct Pivot: Sendable {
    public var artifact: Artifact
    public var alerts: [PivotHit]
    public var cases: [PivotHit]
}

extension Engine {
    /// Pivots on a value; without a type, on every artifact with that value (an IP is rarely
    /// anything else, but `admin` can be a user and a host).
    public func pivot(_ value: String, type: ArtifactType? = nil) throws -> [Pivot] {
        try read { tx in
            let artifacts: [Artifact]
            if let type {
                artifacts = try tx.artifact(type: type, value: value).map { [$0] } ?? []
            } else {
                artifacts = try tx.artifacts(value: value)
            }
            let pivots = try artifacts.map { artifact in
                Pivot(
                    artifact: artifact, alerts: try tx.alertsSharing(artifact: artifact.id, visibleTo: actor),
                    cases: try tx.casesSharing(artifact: artifact.id, visibleTo: actor))
            }
            // An artifact seen only where the asker may not look is, to them, not there at all.
            let seen = pivots.filter { !$0.alerts.isEmpty || !$0.cases.isEmpty }
            guard !seen.isEmpty else { throw EngineError.artifactNotFound(value) }
            return seen
        }
    }

    public func caseArtifacts(_ id: Int64) throws -> [CaseArtifact] {
        try read { tx in
            _ = try readableCase(id, tx)
            return try tx.artifacts(ofCase: id)
        }
    }
}
