import Model
import Store

/// A change to an alert as TheHive's alert update carries it (`PATCH /api/v1/alert/{id}`, or a
/// TheHive user's change pulled back): its tags, its severity, its status through the alert
/// workflow. Nil or empty: unchanged.
public struct AlertUpdate: Sendable, Equatable {
    /// All the tags (TheHive's `tags`), before `addTags` and `removeTags` apply.
    public var tags: [String]?
    public var addTags: [String]
    public var removeTags: [String]
    public var severity: Severity?
    public var status: AlertStatus?
    /// Needed to close.
    public var closeReason: AlertCloseReason?

    public init(
        tags: [String]? = nil, addTags: [String] = [], removeTags: [String] = [], severity: Severity? = nil, status: AlertStatus? = nil,
        closeReason: AlertCloseReason? = nil
    ) {
        self.tags = tags
        self.addTags = addTags
        self.removeTags = removeTags
        self.severity = severity
        self.status = status
        self.closeReason = closeReason
    }

    public var isEmpty: Bool { tags == nil && addTags.isEmpty && removeTags.isEmpty && severity == nil && status == nil }
}

/// Alerts changed after they were raised: each change checks access, changes the alert, appends
/// to its log and tells the outbox, in one transaction.
extension Engine {
    /// Applies an update; what is already so is left alone (no entry, no message). Returns the
    /// alert as it now stands.
    @discardableResult
    public func updateAlert(_ id: Int64, _ update: AlertUpdate) throws -> Alert {
        let tags = try update.tags.map { try $0.map(Engine.checkTag) }
        let add = try update.addTags.map(Engine.checkTag), remove = try update.removeTags.map(Engine.checkTag)
        return try change { tx, now in
            var checked = update
            checked.tags = tags
            checked.addTags = add
            checked.removeTags = remove
            _ = try updateAlert(id, checked, tx, at: now)
            return try shown(try readBack(try tx.alert(id), "alert \(id)"), tx)
        }
    }

    /// `updateAlert` within a transaction; returns the log entries it wrote (none: nothing changed).
    func updateAlert(_ id: Int64, _ update: AlertUpdate, data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws -> [AlertLogEntry] {
        let alert = try visibleAlert(id, tx)
        var entries: [AlertLogEntry] = []
        func data(_ o: JSONObject) -> JSONValue {
            var o = o
            for (k, v) in extra.sorted(by: { $0.key < $1.key }) where o[k] == nil { o[k] = v }
            return .object(o)
        }
        // Checked before anything is written, so a refused status leaves the tags as they were.
        if let status = update.status, status != alert.status {
            guard status == .acknowledged || status == .closed || status == .new else {
                throw EngineError.invalid("alerts become '\(status.rawValue)' through a case; promote or merge them instead")
            }
            guard alert.status != .promoted else { throw EngineError.alertInCase(alert: id, caseID: try shown(alert, tx).caseID) }
            if status == .closed, update.closeReason == nil {
                throw EngineError.invalid("closing an alert needs a reason: \(AlertCloseReason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let before = try tx.alertTags(id)
        var tags = update.tags ?? before
        tags = tags.filter { t in !update.removeTags.contains { $0.lowercased() == t.lowercased() } }
        for t in update.addTags where !tags.contains(where: { $0.lowercased() == t.lowercased() }) { tags.append(t) }
        var unique: [String] = []
        for t in tags where !unique.contains(where: { $0.lowercased() == t.lowercased() }) { unique.append(t) }
        guard unique.count <= Engine.mostTags else { throw EngineError.invalid("an alert has at most \(Engine.mostTags) tags") }
        let added = unique.filter { t in !before.contains { $0.lowercased() == t.lowercased() } }
        let removed = before.filter { t in !unique.contains { $0.lowercased() == t.lowercased() } }
        if !added.isEmpty || !removed.isEmpty {
            try tx.setAlertTags(id, unique, at: now)
            entries.append(try tx.appendAlertLog(
                NewLogEntry(
                    kind: .tags, body: "Tags: " + (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " "),
                    data: data([
                        "added": .array(added.map { .string($0) }), "removed": .array(removed.map { .string($0) }),
                        "tags": .array(unique.map { .string($0) }),
                    ])),
                toAlert: id, author: actor.name, at: now))
        }
        if let severity = update.severity, severity != alert.severity {
            try tx.setAlertSeverity(id, severity, at: now)
            entries.append(try tx.appendAlertLog(
                NewLogEntry(
                    kind: .severity, body: "Severity \(alert.severity.name) → \(severity.name)",
                    data: data(["from": .string(alert.severity.name), "to": .string(severity.name)])),
                toAlert: id, author: actor.name, at: now))
        }
        if let status = update.status, status != alert.status {
            entries.append(try moveAlert(alert, to: status, reason: update.closeReason, data: extra, tx, at: now))
        }
        if let last = entries.last, let changed = try tx.alert(id) {
            try Engine.notify(tx, alert: changed, event: "alert.updated", key: "alert:\(id):log:\(last.id)", origin: originJSON, at: now)
        }
        return entries
    }

    /// An alert's status change with its log entry; the caller checked the move and tells the outbox.
    func moveAlert(_ alert: Alert, to status: AlertStatus, reason: AlertCloseReason?, data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws -> AlertLogEntry {
        if status == .closed, let reason { try tx.setAlertClosing(alert.id, AlertClosing(reason: reason, by: actor.name, at: now)) }
        try tx.setAlertStatus(alert.id, status, caseID: nil, at: now)
        var data: JSONObject = ["from": .string(alert.status.rawValue), "to": .string(status.rawValue)]
        if status == .closed, let reason { data["reason"] = .string(reason.rawValue) }
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let why = status == .closed ? reason.map { " (\($0.rawValue))" } ?? "" : ""
        return try tx.appendAlertLog(
            NewLogEntry(kind: .status, body: "Status \(alert.status.rawValue) → \(status.rawValue)\(why)", data: .object(data)),
            toAlert: alert.id, author: actor.name, at: now)
    }

    /// Adds observables to an alert after it was raised (TheHive's `POST /api/v1/alert/{id}/observable`).
    /// Returns, per mention, its artifact's id and whether it was new to the alert.
    @discardableResult
    public func addArtifacts(toAlert id: Int64, _ mentions: [ArtifactMention]) throws -> [(artifact: Int64, added: Bool)] {
        guard !mentions.isEmpty else { throw EngineError.invalid("name at least one artifact to add") }
        guard mentions.count <= Engine.mostArtifactsAtOnce else {
            throw EngineError.invalid("at most \(Engine.mostArtifactsAtOnce) artifacts at once (\(mentions.count) were sent)")
        }
        return try change { tx, now in try addArtifacts(toAlert: id, mentions, tx, at: now) }
    }

    static let mostArtifactsAtOnce = 1000

    func addArtifacts(
        toAlert id: Int64, _ mentions: [ArtifactMention], data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp
    ) throws -> [(artifact: Int64, added: Bool)] {
        _ = try visibleAlert(id, tx)
        var added: [(artifact: Int64, added: Bool)] = []
        var last: AlertLogEntry?
        for m in mentions {
            let result = try tx.addArtifact(m, toAlert: id, by: actor.name, at: now)
            added.append(result)
            guard result.added else { continue }
            var data: JSONObject = ["type": .string(m.type.rawValue), "value": .string(m.value), "role": .string(m.role)]
            for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
            last = try tx.appendAlertLog(
                NewLogEntry(kind: .link, body: "Artifact added: \(m.type.rawValue) \(m.value) (\(m.role))", data: .object(data)),
                toAlert: id, author: actor.name, at: now)
        }
        if let last, let changed = try tx.alert(id) {
            try Engine.notify(tx, alert: changed, event: "alert.updated", key: "alert:\(id):log:\(last.id)", origin: originJSON, at: now)
        }
        return added
    }

    /// The alert's log: who changed it since it was raised.
    public func alertLog(_ id: Int64) throws -> [AlertLogEntry] {
        try read { tx in
            _ = try visibleAlert(id, tx)
            return try tx.alertLog(id)
        }
    }

    /// Artifacts added to an alert after it was raised go with it into the case it is promoted
    /// or merged into (its signals' artifacts reach the case through the signals).
    static func carryAddedArtifacts(of alertID: Int64, toCase caseID: Int64, _ tx: Tx, at now: Timestamp) throws {
        for added in try tx.addedArtifacts(ofAlert: alertID) {
            _ = try tx.addArtifact(added.mention, toCase: caseID, by: added.by, at: now)
        }
    }
}
