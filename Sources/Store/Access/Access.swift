internal import GRDB
import Model

/// The access policy, written once as SQL so that single reads, listings, pivots and exports all
/// filter with the same expression. Engine is its only caller: it turns "none" into "not found".
///
/// A case is writable by the admin, its owner, its creator and its team's members; a team it is
/// shared with gets the share's level. An alert is visible to the admin, to everyone when it has
/// no team, to its team's members, and to whoever may read the case it belongs to; the case it
/// belongs to is named only to those who may read that case (Engine's `shown`).
enum Access {
    static func caseLevel(_ c: String, _ actor: Actor) -> SQL {
        let alias = SQL(sql: c)
        return """
            (CASE
               WHEN \(actor.isAdmin) THEN 2
               WHEN \(alias).owner = \(actor.name) OR \(alias).created_by = \(actor.name) THEN 2
               WHEN EXISTS (SELECT 1 FROM team_members m WHERE m.team = \(alias).team AND m.analyst = \(actor.name)) THEN 2
               ELSE COALESCE((SELECT max(CASE s.level WHEN 'write' THEN 2 ELSE 1 END)
                                FROM case_shares s JOIN team_members m ON m.team = s.team
                               WHERE s.case_id = \(alias).id AND m.analyst = \(actor.name)), 0)
             END)
            """
    }

    static func alertVisible(_ a: String, _ actor: Actor) -> SQL {
        let alias = SQL(sql: a)
        return """
            (\(actor.isAdmin) OR \(alias).team IS NULL
             OR EXISTS (SELECT 1 FROM team_members m WHERE m.team = \(alias).team AND m.analyst = \(actor.name))
             OR EXISTS (SELECT 1 FROM cases c2 WHERE c2.id = \(alias).case_id AND \(caseLevel("c2", actor)) > 0))
            """
    }

    /// Whether `actor` may read the case whose id `id` names (a column such as `a.case_id`, or
    /// a number): what a filter on a case must add, so that asking about a case one may not
    /// read finds what asking about a missing case finds (nothing).
    static func caseReadable(_ id: SQL, _ actor: Actor) -> SQL {
        "EXISTS (SELECT 1 FROM cases cr WHERE cr.id = \(id) AND \(caseLevel("cr", actor)) > 0)"
    }

    /// An artifact `actor` may know of: one some signal mentions (signals are every analyst's),
    /// or one a case they may read holds by hand. An artifact only a hidden case holds is, to
    /// them, not there at all: not listed, not found by a pivot, not enriched.
    static func artifactVisible(_ ar: String, _ actor: Actor) -> SQL {
        let alias = SQL(sql: ar)
        return """
            (\(actor.isAdmin)
             OR EXISTS (SELECT 1 FROM artifact_signals av WHERE av.artifact_id = \(alias).id)
             OR EXISTS (SELECT 1 FROM case_artifacts cav JOIN cases c4 ON c4.id = cav.case_id
                         WHERE cav.artifact_id = \(alias).id AND \(caseLevel("c4", actor)) > 0))
            """
    }

    /// An outbox row or delivery (`entity_type`, `entity_id`) `actor` may know of: one about a
    /// case they may read or an alert they may see. Anything else (other entities) is the
    /// admin's alone.
    static func entityVisible(_ d: String, _ actor: Actor) -> SQL {
        let alias = SQL(sql: d)
        return """
            (\(actor.isAdmin)
             OR (\(alias).entity_type = 'case' AND \(caseReadable("\(alias).entity_id", actor)))
             OR (\(alias).entity_type = 'alert'
                 AND EXISTS (SELECT 1 FROM alerts ae WHERE ae.id = \(alias).entity_id AND \(alertVisible("ae", actor)))))
            """
    }
}

extension Tx {
    /// What `actor` may do with case `id`; `.none` also for a case that does not exist.
    public func caseAccess(_ id: Int64, for actor: Actor) throws -> AccessLevel {
        let level = try Int.fetchOne(db, literal: SQL("SELECT \(Access.caseLevel("c", actor)) FROM cases c WHERE c.id = \(id)"))
        return AccessLevel(rawValue: level ?? 0) ?? .none
    }

    public func alertVisible(_ id: Int64, to actor: Actor) throws -> Bool {
        try Bool.fetchOne(db, literal: SQL("SELECT \(Access.alertVisible("a", actor)) FROM alerts a WHERE a.id = \(id)")) ?? false
    }

    /// Whether `actor` may know of the artifact (see `Access.artifactVisible`).
    public func artifactVisible(_ id: Int64, to actor: Actor) throws -> Bool {
        try Bool.fetchOne(db, literal: SQL("SELECT \(Access.artifactVisible("ar", actor)) FROM artifacts ar WHERE ar.id = \(id)")) ?? false
    }
}
