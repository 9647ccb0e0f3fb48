import Foundation
import Model
import Store

/// Changes to cases. Each one checks access, changes the case and appends its log entry in one
/// transaction: there is no change without its entry, and no entry without its change.
extension Engine {
    /// Opens a case by hand, or from alerts (promote) when `new.alertIDs` is not empty.
    public func openCase(_ new: NewCase) throws -> Case {
        let title = new.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw EngineError.invalid("a case needs a title: --title \"...\"") }
        return try change { tx, now in try openCase(new, title: title, tx, at: now) }
    }

    /// `openCase` within a transaction (`collect` opens a case from an alert it raises in the same one).
    func openCase(_ new: NewCase, title: String, _ tx: Tx, at now: Timestamp) throws -> Case {
        var new = new
        new.title = title
        new.team = try resolveTeam(new.team, tx)
        if let owner = new.owner { try requireAnalyst(owner, tx) }
        let alerts = try new.alertIDs.map { try visibleAlert($0, tx) }
        try requireNotInCase(alerts, tx)
        let id = try tx.insertCase(new, createdBy: actor.name, at: now)
        var data: JSONObject = [
            "title": .string(title), "severity": .string(new.severity.name), "tlp": .string(new.tlp.rawValue),
            "pap": .string(new.pap.rawValue), "team": JSONValue(new.team), "owner": JSONValue(new.owner),
        ]
        if !new.tags.isEmpty { data["tags"] = .array(new.tags.map { .string($0) }) }
        if !alerts.isEmpty { data["alerts"] = .array(alerts.map { .int($0.id) }) }
        let body = alerts.isEmpty
            ? "Case opened: \(title)"
            : "Case opened from alert\(alerts.count == 1 ? "" : "s") \(alerts.map { "#\($0.id)" }.joined(separator: ", ")): \(title)"
        var entries = [try tx.appendLog(NewLogEntry(kind: .created, body: body, data: .object(data)), toCase: id, author: actor.name, at: now)]
        for alert in alerts {
            try tx.linkAlert(alert.id, toCase: id, by: actor.name, at: now)
            try Engine.carryAddedArtifacts(of: alert.id, toCase: id, tx, at: now)
        }
        if let owner = new.owner {
            entries.append(try tx.appendLog(
                NewLogEntry(kind: .assignment, body: "Assigned to \(owner)", data: ["from": nil, "to": .string(owner)]),
                toCase: id, author: actor.name, at: now))
        }
        try announce(id, "case.created", entries: entries, tx, at: now)
        for alert in alerts { try announceAlertMoved(alert.id, into: id, tx, at: now) }
        return try readBack(try tx.storedCase(id), "case \(id)")
    }

    @discardableResult
    public func addNote(_ caseID: Int64, _ text: String) throws -> LogEntry {
        let body = try Engine.noteBody(text)
        return try change { tx, now in try addNote(caseID, NewLogEntry(kind: .note, body: body), tx, at: now) }
    }

    /// `addNote` within a transaction; `entry` may carry data (where a pulled note came from).
    func addNote(_ caseID: Int64, _ entry: NewLogEntry, _ tx: Tx, at now: Timestamp) throws -> LogEntry {
        _ = try writableCase(caseID, tx)
        let written = try tx.appendLog(entry, toCase: caseID, author: actor.name, at: now)
        try announce(caseID, nil, entries: [written], tx, at: now)
        return written
    }

    /// A correction is a new entry pointing at the one it corrects; the original stays as it was.
    @discardableResult
    /// Corrects entry `#seq` of the case (its number within the case, as every view shows it).
    public func correct(_ caseID: Int64, entry seq: Int64, _ text: String) throws -> LogEntry {
        let body = try Engine.noteBody(text)
        return try change { tx, now in
            _ = try writableCase(caseID, tx)
            guard let target = try tx.log(ofCase: caseID).first(where: { $0.seq == seq }) else {
                throw EngineError.invalid("case \(caseID) has no entry #\(seq); its entries are numbered in `taser case show \(caseID)`")
            }
            let correction = try tx.appendLog(
                NewLogEntry(kind: .note, body: body, data: ["corrects_seq": .int(target.seq)], corrects: target.id),
                toCase: caseID, author: actor.name, at: now)
            try announce(caseID, nil, entries: [correction], tx, at: now)
            return correction
        }
    }

    /// Assigns the case to an analyst, or unassigns it with nil.
    /// Adds and removes tags (`taser case tag`, the console's tag picker). A tag is kept as
    /// written and compared ignoring case; each change is a log entry.
    @discardableResult
    public func tag(_ caseID: Int64, add: [String] = [], remove: [String] = []) throws -> [String] {
        let add = try add.map(Engine.checkTag), remove = try remove.map(Engine.checkTag)
        guard !add.isEmpty || !remove.isEmpty else { throw EngineError.invalid("name a tag to add or remove") }
        return try change { tx, now in try tag(caseID, add: add, remove: remove, tx, at: now) }
    }

    /// `tag` within a transaction, the tags already checked.
    func tag(_ caseID: Int64, add: [String], remove: [String], data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws -> [String] {
        var c = try writableCase(caseID, tx)
        let before = c.tags
        var tags = before.filter { t in !remove.contains { $0.lowercased() == t.lowercased() } }
        for t in add where !tags.contains(where: { $0.lowercased() == t.lowercased() }) { tags.append(t) }
        guard tags.count <= Engine.mostTags else {
            throw EngineError.invalid("a case has at most \(Engine.mostTags) tags; remove some first")
        }
        let added = tags.filter { t in !before.contains { $0.lowercased() == t.lowercased() } }
        let removed = before.filter { t in !tags.contains { $0.lowercased() == t.lowercased() } }
        guard !added.isEmpty || !removed.isEmpty else {
            throw EngineError.invalid("case \(caseID) already has \(tags.isEmpty ? "no tags" : "the tags " + tags.joined(separator: ", "))")
        }
        c.tags = tags
        try tx.updateCase(c, at: now)
        let body = "Tags: " + (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " ")
        var data: JSONObject = [
            "added": .array(added.map { .string($0) }), "removed": .array(removed.map { .string($0) }),
            "tags": .array(tags.map { .string($0) }),
        ]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let entry = try tx.appendLog(NewLogEntry(kind: .tags, body: body, data: .object(data)), toCase: caseID, author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
        return tags
    }

    /// The most tags one case carries: labels to find cases by, not a place for notes.
    public static let mostTags = 32

    public static func checkTag(_ text: String) throws -> String {
        let tag = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !tag.isEmpty, tag.count <= 64, !tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw EngineError.invalid("'\(text.prefix(80))' is not a tag: 1 to 64 characters, no control characters")
        }
        return tag
    }

    /// Every tag in the cases the analyst may see, with how many carry it, most used first.
    public func tagsInUse() throws -> [(tag: String, cases: Int)] {
        var counts: [String: (shown: String, n: Int)] = [:]
        for s in try cases(CaseFilter(limit: 100_000)) {
            for t in s.case.tags { counts[t.lowercased(), default: (t, 0)].n += 1 }
        }
        return counts.values.map { ($0.shown, $0.n) }.sorted { ($0.cases, $1.tag) > ($1.cases, $0.tag) }
    }

    public func assign(_ caseID: Int64, to owner: String?) throws {
        try change { tx, now in try assign(caseID, to: owner, tx, at: now) }
    }

    /// `assign` within a transaction.
    func assign(_ caseID: Int64, to owner: String?, data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws {
        var c = try writableCase(caseID, tx)
        if let owner { try requireAnalyst(owner, tx) }
        guard c.owner != owner else {
            throw EngineError.invalid("case \(caseID) is already \(owner.map { "assigned to \($0)" } ?? "unassigned")")
        }
        let from = c.owner
        c.owner = owner
        try tx.updateCase(c, at: now)
        var data: JSONObject = ["from": JSONValue(from), "to": JSONValue(owner)]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let entry = try tx.appendLog(
            NewLogEntry(kind: .assignment, body: owner.map { "Assigned to \($0)" } ?? "Unassigned", data: .object(data)),
            toCase: caseID, author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
    }

    /// Moves the case through the workflow. Closing needs a resolution; reopening clears it.
    public func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution? = nil, comment: String? = nil) throws {
        try change { tx, now in try setStatus(caseID, to: status, resolution: resolution, comment: comment, tx, at: now) }
    }

    /// `setStatus` within a transaction.
    func setStatus(
        _ caseID: Int64, to status: CaseStatus, resolution: Resolution?, comment: String?, data extra: [String: JSONValue] = [:], _ tx: Tx,
        at now: Timestamp
    ) throws {
        var c = try writableCase(caseID, tx)
        guard c.status.canMove(to: status) else { throw EngineError.invalidTransition(caseID: caseID, from: c.status, to: status) }
        if status == .closed && resolution == nil { throw EngineError.resolutionRequired(caseID: caseID) }
        if resolution != nil && !(status == .closed || status == .resolved) {
            throw EngineError.invalid("a resolution goes with resolved or closed, not \(status.rawValue)")
        }
        let from = c.status
        c.status = status
        if status.isOpen {
            c.closedAt = nil
            c.resolution = nil
        } else {
            c.resolution = resolution ?? c.resolution
            if status == .closed { c.closedAt = now }
        }
        try tx.updateCase(c, at: now)
        var body = "Status \(from.rawValue) → \(status.rawValue)"
        if let resolution { body += " (\(resolution.rawValue))" }
        if let comment, !comment.isEmpty { body += ": \(comment)" }
        var data: JSONObject = ["from": .string(from.rawValue), "to": .string(status.rawValue), "resolution": JSONValue(resolution?.rawValue)]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let entry = try tx.appendLog(NewLogEntry(kind: .status, body: body, data: .object(data)), toCase: caseID, author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
    }

    /// Shares the case with a team (read or write), or revokes the share with nil.
    public func share(_ caseID: Int64, with team: String, level: ShareLevel?) throws {
        try change { tx, now in
            let c = try writableCase(caseID, tx)
            guard try tx.team(team) != nil else { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
            guard c.team != team else { throw EngineError.invalid("case \(caseID) belongs to team \(team) already") }
            let current = try tx.shares(ofCase: caseID).first { $0.team == team }?.level
            guard current != level else {
                throw EngineError.invalid("case \(caseID) is already \(level.map { "shared with \(team) (\($0.rawValue))" } ?? "not shared with \(team)")")
            }
            try tx.setShare(caseID: caseID, team: team, level: level)
            try tx.updateCase(c, at: now)
            let entry = try tx.appendLog(
                NewLogEntry(
                    kind: .share, body: level.map { "Shared with team \(team) (\($0.rawValue))" } ?? "Share with team \(team) revoked",
                    data: ["team": .string(team), "level": JSONValue(level?.rawValue)]),
                toCase: caseID, author: actor.name, at: now)
            try announce(caseID, "case.updated", entries: [entry], tx, at: now)
        }
    }

    /// Adds an artifact to the case by hand.
    public func addArtifact(_ caseID: Int64, _ mention: ArtifactMention) throws {
        let value = mention.value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw EngineError.invalid("an artifact needs a value") }
        try change { tx, now in try addArtifact(caseID, ArtifactMention(mention.type, value, role: mention.role), tx, at: now) }
    }

    /// `addArtifact` within a transaction, the value already trimmed.
    func addArtifact(_ caseID: Int64, _ mention: ArtifactMention, data extra: [String: JSONValue] = [:], _ tx: Tx, at now: Timestamp) throws {
        let c = try writableCase(caseID, tx)
        let value = mention.value
        guard try tx.addArtifact(mention, toCase: caseID, by: actor.name, at: now) else {
            throw EngineError.invalid("case \(caseID) already has \(mention.type.rawValue) \(value) as \(mention.role)")
        }
        try tx.updateCase(c, at: now)
        var data: JSONObject = ["type": .string(mention.type.rawValue), "value": .string(value), "role": .string(mention.role)]
        for (k, v) in extra.sorted(by: { $0.key < $1.key }) where data[k] == nil { data[k] = v }
        let entry = try tx.appendLog(
            NewLogEntry(kind: .link, body: "Artifact added: \(mention.type.rawValue) \(value) (\(mention.role))", data: .object(data)),
            toCase: caseID, author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
    }

    /// Moves alerts into a case. Alerts already in another case stay where they are (an error).
    public func mergeAlerts(_ alertIDs: [Int64], into caseID: Int64) throws {
        guard !alertIDs.isEmpty else { throw EngineError.invalid("name at least one alert to merge: --alert ID") }
        try change { tx, now in try mergeAlerts(alertIDs, into: caseID, tx, at: now) }
    }

    /// `mergeAlerts` within a transaction.
    func mergeAlerts(_ alertIDs: [Int64], into caseID: Int64, _ tx: Tx, at now: Timestamp) throws {
        let c = try writableCase(caseID, tx)
        let alerts = try alertIDs.map { try visibleAlert($0, tx) }
        try requireNotInCase(alerts, tx)
        for alert in alerts {
            try tx.linkAlert(alert.id, toCase: caseID, by: actor.name, at: now)
            try Engine.carryAddedArtifacts(of: alert.id, toCase: caseID, tx, at: now)
        }
        try tx.updateCase(c, at: now)
        let entry = try tx.appendLog(
            NewLogEntry(
                kind: .merge, body: "Merged alert\(alerts.count == 1 ? "" : "s") \(alerts.map { "#\($0.id)" }.joined(separator: ", ")) into this case",
                data: ["alerts": .array(alerts.map { .int($0.id) })]),
            toCase: caseID, author: actor.name, at: now)
        try announce(caseID, "case.updated", entries: [entry], tx, at: now)
        for alert in alerts { try announceAlertMoved(alert.id, into: caseID, tx, at: now) }
    }

    /// Merges case `source` into case `target`: the target takes over the source's alerts and
    /// hand-added artifacts; the source is closed as a duplicate pointing at the target. Both logs
    /// record the merge, and nothing is deleted: the source and its log stay readable.
    public func mergeCase(_ source: Int64, into target: Int64) throws {
        guard source != target else { throw EngineError.mergeIntoSelf(source) }
        try change { tx, now in
            var from = try writableCase(source, tx)
            let into = try writableCase(target, tx)
            if from.mergedInto != nil { throw EngineError.alreadyMerged(caseID: source, into: try shown(from, tx).mergedInto) }
            if into.mergedInto != nil { throw EngineError.alreadyMerged(caseID: target, into: try shown(into, tx).mergedInto) }
            let alerts = try tx.alerts(ofCase: source)
            for alert in alerts { try tx.linkAlert(alert.id, toCase: target, by: actor.name, at: now) }
            let byHand = try tx.artifacts(ofCase: source).filter(\.addedByHand)
            for item in byHand {
                for role in item.roles {
                    _ = try tx.addArtifact(ArtifactMention(item.artifact.type, item.artifact.value, role: role), toCase: target, by: actor.name, at: now)
                }
            }
            let previous = from.status
            from.mergedInto = target
            from.status = .closed
            from.resolution = .duplicate
            from.closedAt = now
            try tx.updateCase(from, at: now)
            try tx.updateCase(into, at: now)
            let intoEntry = try tx.appendLog(
                NewLogEntry(
                    kind: .merge, body: "Case #\(source) (\(from.title)) merged into this case: \(alerts.count) alert\(alerts.count == 1 ? "" : "s"), \(byHand.count) artifact\(byHand.count == 1 ? "" : "s") added by hand",
                    data: ["merged_case": .int(source), "alerts": .array(alerts.map { .int($0.id) })]),
                toCase: target, author: actor.name, at: now)
            let fromEntry = try tx.appendLog(
                NewLogEntry(
                    kind: .merge, body: "Merged into case #\(target) (\(into.title)); status \(previous.rawValue) → closed (duplicate)",
                    data: ["merged_into": .int(target), "from": .string(previous.rawValue), "to": "closed", "resolution": "duplicate"]),
                toCase: source, author: actor.name, at: now)
            try announce(target, "case.updated", entries: [intoEntry], tx, at: now)
            try announce(source, "case.updated", entries: [fromEntry], tx, at: now)
            for alert in alerts { try announceAlertMoved(alert.id, into: target, tx, at: now) }
        }
    }

    // MARK: - Checks shared by the changes above

    /// The team a new case goes to: the one named (which must exist, and the asker must be in it
    /// unless admin), else the asker's only team, else none.
    func resolveTeam(_ team: String?, _ tx: Tx) throws -> String? {
        let mine = try tx.teams(of: actor.name)
        guard let team else {
            if mine.count > 1 && !actor.isAdmin { throw EngineError.teamRequired(choices: mine) }
            return mine.count == 1 ? mine[0] : nil
        }
        guard try tx.team(team) != nil else { throw EngineError.unknownTeam(team, known: try tx.teams().map(\.name)) }
        guard actor.isAdmin || mine.contains(team) else { throw EngineError.notTeamMember(team: team, analyst: actor.name) }
        return team
    }

    /// An alert is in one case at a time: one already in a case is refused, and the case is
    /// named only to those who may read it. Promoting it again is refused also to those who may
    /// not: it would take the alert out of that case behind its team's back.
    func requireNotInCase(_ alerts: [Alert], _ tx: Tx) throws {
        for alert in alerts where alert.caseID != nil {
            throw EngineError.alertAlreadyInCase(alert: alert.id, caseID: try shown(alert, tx).caseID)
        }
    }

    func requireAnalyst(_ name: String, _ tx: Tx) throws {
        guard try tx.analyst(name) != nil else { throw EngineError.unknownAnalyst(name) }
    }

    /// The longest note a case log takes: a note is an analyst's words and pasted evidence, and
    /// every entry is kept, hashed and synced for ever.
    public static let longestNote = 1 << 20

    static func noteBody(_ text: String) throws -> String {
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw EngineError.invalid("a note needs text (an argument, or `-` to read standard input)") }
        guard body.utf8.count <= Engine.longestNote else {
            throw EngineError.invalid("a note is at most \(Engine.longestNote >> 20) MiB (this one is \(body.utf8.count) bytes); keep large evidence elsewhere and note where")
        }
        return body
    }
}
