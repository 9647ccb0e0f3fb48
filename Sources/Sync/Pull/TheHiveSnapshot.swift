import Model

/// What taser last sent to or saw of one remote case or alert. A pull counts as TheHive's
/// change only what differs from it, so taser's own change coming back (TheHive shows what
/// taser PATCHed) is no change at all; a field never recorded (an object made before pulls
/// existed) is taken as it stands the first time it is seen.
struct TheHiveSnapshot: Equatable {
    var status: String?
    var severity: Int64?
    var tags: [String]?
    /// `.some(nil)`: known to be unassigned; nil: not known yet.
    var assignee: String??
    /// Ids of the task logs and observables already seen (the most recent, bounded).
    var logs: [String] = []
    var observables: [String] = []
    /// TheHive's `_createdAt` from which children (task logs, observables) are listed; nil:
    /// never listed, so the first listing is taken as it stands.
    var childrenSince: Int64?

    /// How many child ids are kept: enough to tell apart those that share the boundary time.
    static let keptIDs = 500

    init() {}

    init(_ json: JSONValue?) {
        guard let json else { return }
        status = json.string("status")
        severity = json.int("severity")
        tags = json["tags"]?.arrayValue?.compactMap(\.stringValue)
        if let a = json["assignee"] { assignee = .some(a.stringValue) }
        logs = json["logs"]?.arrayValue?.compactMap(\.stringValue) ?? []
        observables = json["observables"]?.arrayValue?.compactMap(\.stringValue) ?? []
        childrenSince = json.int("children_since")
    }

    var json: JSONValue {
        var o: JSONObject = [:]
        if let status { o["status"] = .string(status) }
        if let severity { o["severity"] = .int(severity) }
        if let tags { o["tags"] = .array(tags.map { .string($0) }) }
        if let assignee { o["assignee"] = JSONValue(assignee) }
        o["logs"] = .array(logs.suffix(TheHiveSnapshot.keptIDs).map { .string($0) })
        o["observables"] = .array(observables.suffix(TheHiveSnapshot.keptIDs).map { .string($0) })
        if let childrenSince { o["children_since"] = .int(childrenSince) }
        return .object(o)
    }

    /// Tags taser puts on what it sends (`taser`, `rule:NAME`): its markers, not the analyst's.
    static func isMarker(_ tag: String) -> Bool {
        let t = tag.lowercased()
        return t == "taser" || t.hasPrefix("rule:")
    }

    /// TheHive's changes to the object's fields since this snapshot, and the snapshot updated to
    /// the object as it now stands. Changes by `me` (the endpoint's own API user) are taser's own:
    /// none is returned for them.
    func changes(in remote: JSONValue, me: String?) -> (changes: [TheHiveChange.What], updated: TheHiveSnapshot) {
        var out: [TheHiveChange.What] = []
        var next = self
        if let now = remote.string("status") {
            if let before = status, before != now { out.append(.status(now)) }
            next.status = now
        }
        if let now = remote.int("severity") {
            if let before = severity, before != now, (1...4).contains(now) { out.append(.severity(Int(now))) }
            next.severity = now
        }
        let nowTags = remote["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let before = tags {
            let added = nowTags.filter { t in !TheHiveSnapshot.isMarker(t) && !before.contains { $0.lowercased() == t.lowercased() } }
            let removed = before.filter { t in !TheHiveSnapshot.isMarker(t) && !nowTags.contains { $0.lowercased() == t.lowercased() } }
            if !added.isEmpty || !removed.isEmpty { out.append(.tags(added: added, removed: removed)) }
        }
        next.tags = nowTags
        let nowAssignee = remote.string("assignee")
        if let before = assignee, before != nowAssignee { out.append(.assignee(nowAssignee)) }
        next.assignee = .some(nowAssignee)
        let author = remote.string("_updatedBy") ?? remote.string("_createdBy")
        if let me, author == me { out = [] }
        return (out, next)
    }
}
