import AlertEngine
import Model
import SignalServer
import Store

/// From one artifact: every alert and case that shares it, that the asker may see. Both lists
/// may be empty: an artifact only signals mention (signals are every analyst's).
public struct Pivot: Codable, Sendable {
    public var artifact: Artifact
    public var alerts: [PivotHit]
    public var cases: [PivotHit]
}

extension Engine {
    /// Pivots on a value; without a type, on every artifact with that value (an IP is rarely
    /// anything else, but `admin` can be a user and a host). An artifact only a case the asker
    /// may not read holds is, to them, not there at all (`Access.artifactVisible`, as
    /// `taser artifacts` lists them). A user or email pivots on every identifier of the
    /// person's identity too.
    public func pivot(_ value: String, type: ArtifactType? = nil) throws -> [Pivot] {
        try read { tx in
            var artifacts = try tx.artifacts(value: value, type: type, visibleTo: actor)
            // A person's other names (their identity's identifiers) reach the same signals.
            if type == nil || type == .user || type == .email {
                for other in try tx.identifiers(sameAs: value) where other != Identifier.fold(value) {
                    for a in try tx.artifacts(value: other, visibleTo: actor) where [.user, .email].contains(a.type) && !artifacts.contains(a) {
                        artifacts.append(a)
                    }
                }
            }
            // A machine's other names (FQDN, short name, DOMAIN\HOST) are the same machine.
            if type == nil || type == .host, IPAddress(value) == nil {
                for a in try tx.hostArtifacts(named: GroupKeys.host(value), visibleTo: actor) where !artifacts.contains(a) { artifacts.append(a) }
            }
            guard !artifacts.isEmpty else { throw EngineError.artifactNotFound(value) }
            return try artifacts.map { artifact in
                Pivot(
                    artifact: artifact, alerts: try tx.alertsSharing(artifact: artifact.id, visibleTo: actor),
                    cases: try tx.casesSharing(artifact: artifact.id, visibleTo: actor))
            }
        }
    }

    public func caseArtifacts(_ id: Int64) throws -> [CaseArtifact] {
        try read { tx in
            _ = try readableCase(id, tx)
            return try tx.artifacts(ofCase: id)
        }
    }
}
