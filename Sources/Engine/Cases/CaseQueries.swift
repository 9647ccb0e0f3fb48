import Model
import Store

/// Everything a case view shows.
public struct CaseDetail: Sendable, Codable {
    public var `case`: Case
    public var access: AccessLevel
    public var shares: [CaseShare]
    public var alerts: [Alert]
    public var artifacts: [CaseArtifact]
    public var log: [LogEntry]
    /// Cases merged into this one.
    public var mergedFrom: [Int64]
    /// Its Slack channels, in the order asked for (those not created yet included).
    public var channels: [CaseChannel]
}

extension Engine {
    public func cases(_ filter: CaseFilter = CaseFilter()) throws -> [CaseSummary] {
        try read { tx in
            try tx.cases(filter, visibleTo: actor).map { summary in
                var s = summary
                s.case = try shown(summary.case, tx)
                return s
            }
        }
    }

    public func caseDetail(_ id: Int64) throws -> CaseDetail {
        try read { tx in
            let (c, access) = try readableCase(id, tx)
            return try detail(of: c, access: access, tx)
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
            return try tx.relatedCases(to: id, visibleTo: actor, limit: limit).map { related in
                var r = related
                r.case = try shown(related.case, tx)
                return r
            }
        }
    }

    /// A case the asker may read, with what it holds: other cases (merged into it, or the one it
    /// went into) and the cases its alerts are in only where the asker may read those too.
    func detail(of c: Case, access: AccessLevel, _ tx: Tx) throws -> CaseDetail {
        CaseDetail(
            case: try shown(c, tx), access: access, shares: try tx.shares(ofCase: c.id), alerts: try shown(try tx.alerts(ofCase: c.id), tx),
            artifacts: try tx.artifacts(ofCase: c.id), log: try tx.log(ofCase: c.id), mergedFrom: try readable(try tx.casesMerged(into: c.id), tx),
            channels: try tx.channels(ofCase: c.id))
    }
}
