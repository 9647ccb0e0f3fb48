import Model
import Positron
import Store

/// Which queries an artifact gets, by type, when it is enriched: the ones some plugin answers.
public enum EnrichmentPlan {
    public static let byType: [ArtifactType: [String]] = [
        .ip: ["IP_TO_HOSTNAME", "IP_GEO", "IP_REPUTATION"],
        .host: ["HOSTNAME_TO_IP"],
        .user: ["USER_INFO", "USER_MANAGER"],
        .domain: ["DOMAIN_REPUTATION", "DOMAIN_WHOIS"],
        .md5: ["HASH_REPUTATION"], .sha1: ["HASH_REPUTATION"], .sha256: ["HASH_REPUTATION"],
    ]
}

extension Engine {
    /// Asks Positron about artifacts and stores the answers with them (each query through the
    /// ACL and the audit, as the analyst). Returns what was stored, by artifact.
    public func enrich(_ artifacts: [Artifact], with positron: PositronConfig) throws -> [(artifact: Artifact, results: [QueryResult])] {
        var out: [(artifact: Artifact, results: [QueryResult])] = []
        for artifact in artifacts {
            var results: [QueryResult] = []
            for name in EnrichmentPlan.byType[artifact.type] ?? [] where positron.router.plugins.contains(where: { $0.answers(name) }) {
                guard let result = try? query(name, artifact.value, with: positron), !result.answers.isEmpty else { continue }
                try keep(result, for: artifact)
                results.append(result)
            }
            out.append((artifact, results))
        }
        return out
    }

    /// The artifacts with this value (any type), as `taser enrich VALUE` takes them.
    public func artifacts(valued value: String) throws -> [Artifact] {
        let found = try read { tx in try tx.artifacts(value: value, visibleTo: actor) }
        guard !found.isEmpty else { throw EngineError.artifactNotFound(value) }
        return found
    }

    /// Every artifact of an alert's signals.
    public func artifacts(ofAlert id: Int64) throws -> [Artifact] {
        let detail = try alertDetail(id)
        var seen = Set<Int64>()
        return detail.signals.flatMap { $0.artifacts.map(\.artifact) }.filter { seen.insert($0.id).inserted }
    }

    /// What Positron said of an artifact the asker may know of; nothing for one they may not.
    public func enrichments(of artifact: Int64) throws -> [Enrichment] {
        try read { tx in
            guard try tx.artifactVisible(artifact, to: actor) else { return [] }
            return try tx.enrichments(of: artifact)
        }
    }
}
