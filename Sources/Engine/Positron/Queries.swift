import Model
import Positron
import Store

extension Engine {
    /// Asks Positron, as the analyst: the ACL first (a denied query is audited and refused with
    /// "not allowed"), then the router; every query is audited with what each plugin did.
    public func query(_ name: String, _ value: String, with positron: PositronConfig) throws -> QueryResult {
        let (query, checked) = try positron.router.prepare(name, value)
        let teams = try read { tx in try tx.teams(of: actor.name) }
        guard positron.acl.allows(query.name, teams: teams, isAdmin: actor.isAdmin) else {
            try change { tx, now in
                try tx.audit(QueryAuditEntry(time: now, analyst: actor.name, query: query.name, input: checked, allowed: false, plugins: "", answers: 0))
            }
            throw PositronError.notAllowed(query: query.name, analyst: actor.name)
        }
        let result = try positron.router.ask(query.name, checked)
        let plugins = result.outcomes.map { o -> String in
            switch o.result {
            case .answered(let n): "\(o.plugin):answered(\(n))"
            case .failed: "\(o.plugin):failed"
            case .timedOut: "\(o.plugin):timed-out"
            }
        }.joined(separator: " ")
        try change { tx, now in
            try tx.audit(QueryAuditEntry(
                time: now, analyst: actor.name, query: query.name, input: checked, allowed: true,
                plugins: result.cached ? "cache" : plugins, answers: result.answers.count))
        }
        return result
    }

    public func queryAudit(limit: Int = 100) throws -> [QueryAuditEntry] {
        try requireAdmin("read the query audit")
        return try read { tx in try tx.queryAudit(limit: limit) }
    }
}
