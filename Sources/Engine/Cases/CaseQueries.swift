import Model
import Store

/// Everything a case view shows.
public struct CaseDetail: Sendable {
    public var `case`: Case
    public var access: AccessLevel
    public var shares: [CaseShare]
    public var alerts: [Alert]
    public var artifacts: [CaseArtifact]
    public var log: [LogEntry]
    /// Cases merged into this one.
    public var mergedFrom: [Int64]
}

extension Engine {
    public func cases(_ filter: CaseFilter = CaseFilter()) throws -> [CaseSummary] {
        try read { tx in try tx.cases(filter, visibleTo: actor) }
    }

    public func caseDetail(_ id: Int64) throws -> CaseDetail {
        try read { tx in
            let (c, access) = try readableCase(id, tx)
            return CaseDetail(
                case: c, access: access, shares: try tx.shares(ofCase: id), alerts: try tx.alerts(ofCase: id),
                artifacts: try tx.artifacts(ofCase: id), log: try tx.log(ofCase: id), mergedFrom: try tx.casesMerged(into: id))
        }
    }

    public func caseLog(_ id: Int64) throws -> [LogEntry] {
        try read { tx in
            _ = try readableCase(id, tx)
            return try tx.log(ofCase: id)
        }
    }

    /// Other cases ranked by how many artifacts they share with this one.
    public func relatedCases(_ id: Int64, limit: Int = 20) throws -> [RelatedCase] {
        try read { tx in
            _ = try readableCase(id, tx)
            return try tx.relatedCases(to: id, visibleTo: actor, limit: limit)
        }
    }
}
