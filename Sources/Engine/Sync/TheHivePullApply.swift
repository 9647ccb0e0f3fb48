import AlertEngine
import Model
import Store
import Sync

/// What a TheHive pull brings back, applied through the same workflows as an analyst's change,
/// each as `thehive:<login>` (the TheHive user who made it) and marked with its origin, so its
/// outbox messages go to every endpoint but the one it came from. The pull acts on every team's
/// cases, so it needs the admin (the database's owner runs `sync run` or `serve`).
///
/// One transaction per remote object holds its changes and what the pull saw of it: a crash
/// applies either all of them and remembers them, or none and the next pull brings them again.
/// A change taser's workflow refuses (a closed case moved back to New, an assignee who is no
/// analyst here) is not lost: a `sync` entry records it instead.
extension Engine: TheHiveChangeSink {
    public func applyTheHiveChanges(_ object: TheHiveObjectChanges) throws -> [String] {
        try requireAdmin("apply what a TheHive pull brought back (run `taser sync run` or `taser serve` as the database's owner)")
        guard let local = object.local, local.kind == "case" || local.kind == "alert" else {
            throw EngineError.invalid("a TheHive pull named \(object.ref), which is neither a case nor an alert")
        }
        let now = clock()
        return try store.write { tx in
            var notes: [String] = []
            for change in object.changes {
                let remote = Engine(
                    store: store, actor: Actor(name: "thehive:" + Engine.login(change.login), isAdmin: true), clock: clock, origin: object.endpoint)
                var source: JSONObject = ["endpoint": .string(object.endpoint), "id": .string(object.remoteID)]
                switch change.what {
                case .taskLog(let id, _, _): source["log"] = .string(id)
                case .observable(let id, _, _, _): source["observable"] = .string(id)
                default: break
                }
                let data: [String: JSONValue] = ["thehive": .object(source)]
                do {
                    if local.kind == "case" {
                        try remote.apply(change.what, toCase: local.id, data: data, tx, at: now)
                    } else {
                        try remote.apply(change.what, toAlert: local.id, data: data, tx, at: now)
                    }
                } catch let refused as EngineError {
                    // Every workflow checks before it writes: the refused change left nothing behind.
                    let line = "\(Engine.describe(change.what)) not applied: \(refused)"
                    notes.append("\(object.ref) (\(remote.actor.name)): \(line)")
                    switch refused {
                    case .caseNotFound, .alertNotFound: continue
                    default: try remote.recordUnapplied(local, line, data: data, tx, at: now)
                    }
                }
            }
            try tx.saveTheHiveSeen(endpoint: object.endpoint, ref: object.ref, remoteID: object.remoteID, state: object.seen, at: now)
            return notes
        }
    }

    /// A TheHive login as it is shown in an author: bounded, without control characters.
    static func login(_ text: String) -> String {
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).filter { $0.properties.generalCategory != .control }))
        return clean.isEmpty ? "unknown" : clean
    }

    static func describe(_ what: TheHiveChange.What) -> String {
        switch what {
        case .status(let s): "status \(s)"
        case .assignee(let a): a.map { "assignment to \($0)" } ?? "unassignment"
        case .tags(let added, let removed): "tags " + (added.map { "+" + $0 } + removed.map { "-" + $0 }).joined(separator: " ")
        case .severity(let n): "severity \(n)"
        case .taskLog(let id, _, _): "task log \(id)"
        case .observable(_, let type, let data, _): "observable \(type) \(data.prefix(100))"
        }
    }

    func apply(_ what: TheHiveChange.What, toCase id: Int64, data: [String: JSONValue], _ tx: Tx, at now: Timestamp) throws {
        let c = try writableCase(id, tx)
        switch what {
        case .status(let word):
            guard let (status, resolution) = TheHiveWords.caseStatus(word) else {
                throw EngineError.invalid("TheHive's status \(word.prefix(60)) has no counterpart in taser")
            }
            if c.status == status && (resolution == nil || c.resolution == resolution) { return }
            // TheHive has one open status for taser's in progress and on hold.
            if status == .inProgress && c.status == .onHold { return }
            try setStatus(id, to: status, resolution: resolution, comment: nil, data: data, tx, at: now)
        case .assignee(let login):
            let owner = try login.map { try analyst(forTheHiveLogin: $0, tx) }
            if c.owner == owner { return }
            try assign(id, to: owner, data: data, tx, at: now)
        case .tags(let added, let removed):
            let add = added.compactMap { try? Engine.checkTag($0) }.filter { t in !c.tags.contains { $0.lowercased() == t.lowercased() } }
            let remove = removed.filter { t in c.tags.contains { $0.lowercased() == t.lowercased() } }
            if add.isEmpty && remove.isEmpty { return }
            _ = try tag(id, add: add, remove: remove, data: data, tx, at: now)
        case .severity(let n):
            guard let severity = TheHiveWords.severity(Int64(n)) else { return }
            if TheHiveWords.number(c.severity) == Int64(n) { return }
            try setSeverity(id, to: severity, data: data, tx, at: now)
        case .taskLog(_, let task, let message):
            let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return }
            let body = "TheHive task log" + (task.map { " (\($0.prefix(200)))" } ?? "") + ": " + text
            _ = try addNote(id, NewLogEntry(kind: .note, body: Engine.bounded(body, bytes: Engine.longestNote), data: .object(JSONObject(data))), tx, at: now)
        case .observable(_, let dataType, let value, _):
            guard let mention = TheHiveFormat.artifact(dataType: dataType, data: value) else {
                throw EngineError.invalid("a \(dataType.prefix(40)) observable has no value to pivot on")
            }
            let has = try tx.artifacts(ofCase: id).contains { $0.artifact.type == mention.type && $0.artifact.value == mention.value }
            if has { return }
            try addArtifact(id, mention, data: data, tx, at: now)
        }
    }

    func apply(_ what: TheHiveChange.What, toAlert id: Int64, data: [String: JSONValue], _ tx: Tx, at now: Timestamp) throws {
        let alert = try visibleAlert(id, tx)
        switch what {
        case .status(let word):
            guard let (status, reason) = TheHiveWords.alertStatus(word) else {
                throw EngineError.invalid("TheHive's alert status \(word.prefix(60)) has no counterpart in taser's alert workflow")
            }
            if alert.status == status { return }
            _ = try updateAlert(id, AlertUpdate(status: status, closeReason: reason), data: data, tx, at: now)
        case .assignee(let login):
            // taser's alerts have no owner until they are in a case: the assignment is on the record.
            var o = JSONObject(data)
            o["to"] = JSONValue(login)
            try tx.appendAlertLog(
                NewLogEntry(kind: .assignment, body: login.map { "Assigned in TheHive to \($0.prefix(200))" } ?? "Unassigned in TheHive", data: .object(o)),
                toAlert: id, author: actor.name, at: now)
        case .tags(let added, let removed):
            let add = added.compactMap { try? Engine.checkTag($0) }
            _ = try updateAlert(id, AlertUpdate(addTags: add, removeTags: removed.compactMap { try? Engine.checkTag($0) }), data: data, tx, at: now)
        case .severity(let n):
            guard let severity = TheHiveWords.severity(Int64(n)), TheHiveWords.number(alert.severity) != Int64(n) else { return }
            _ = try updateAlert(id, AlertUpdate(severity: severity), data: data, tx, at: now)
        case .taskLog:
            return  // TheHive's alerts have no tasks.
        case .observable(_, let dataType, let value, _):
            guard let mention = TheHiveFormat.artifact(dataType: dataType, data: value) else {
                throw EngineError.invalid("a \(dataType.prefix(40)) observable has no value to pivot on")
            }
            _ = try addArtifacts(toAlert: id, [mention], data: data, tx, at: now)
        }
    }

    /// The analyst a TheHive login names: by email, else by name, else by the part before the @.
    func analyst(forTheHiveLogin login: String, _ tx: Tx) throws -> String {
        let all = try tx.analysts()
        let folded = login.lowercased()
        if let a = all.first(where: { $0.email?.lowercased() == folded }) { return a.name }
        if let a = all.first(where: { $0.name.lowercased() == folded }) { return a.name }
        let local = folded.split(separator: "@").first.map(String.init) ?? folded
        if let a = all.first(where: { $0.name.lowercased() == local }) { return a.name }
        throw EngineError.invalid("TheHive user \(login.prefix(200)) is no analyst here (none has that email or name)")
    }

    /// What could not be applied, on the record of the case or alert it was for.
    func recordUnapplied(_ local: (kind: String, id: Int64), _ line: String, data: [String: JSONValue], _ tx: Tx, at now: Timestamp) throws {
        let entry = NewLogEntry(kind: .sync, body: "From TheHive: " + line, data: .object(JSONObject(data)))
        if local.kind == "case" {
            let written = try tx.appendLog(entry, toCase: local.id, author: actor.name, at: now)
            try announce(local.id, nil, entries: [written], tx, at: now)
        } else {
            try tx.appendAlertLog(entry, toAlert: local.id, author: actor.name, at: now)
        }
    }

    /// Text cut to at most `bytes` of UTF-8, on a character boundary.
    static func bounded(_ text: String, bytes: Int) -> String {
        guard text.utf8.count > bytes else { return text }
        var out = ""
        var used = 0
        for ch in text {
            let n = ch.utf8.count
            if used + n > bytes - 3 { break }
            out.append(ch)
            used += n
        }
        return out + "…"
    }
}
