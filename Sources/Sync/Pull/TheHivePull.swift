import Foundation
import Model
import Store

/// One pull of a TheHive endpoint (`pull: 5m`): what TheHive users changed on the cases and
/// alerts taser made there (status, assignee, tags, severity; new task logs and observables),
/// handed to the Engine to apply as `thehive:<login>`.
///
/// TheHive 5's query API: `listCase`/`listAlert` filtered on `_updatedAt` from the cursor (its
/// clock, kept in the database) for the fields; `getCase` → `tasks` → `logs` and `getCase` /
/// `getAlert` → `observables` for the children of the open objects, a bounded batch per pull,
/// those checked longest ago first. Loop safety: a field counts as changed only when it differs
/// from what taser last sent or saw (`TheHiveSnapshot`), and nothing done by the endpoint's own
/// API user (`GET /api/v1/user/current`) is taken as TheHive's.
struct TheHivePull {
    let config: EndpointConfig
    let transport: Transport
    let store: Store
    let sink: any TheHiveChangeSink
    let clock: @Sendable () -> Timestamp

    /// Objects of each kind checked for new children per pull.
    static let childrenChecked = 50
    static let pageSize = 100
    /// Pages of updated objects per kind and pull; the rest waits for the next pull.
    static let pages = 20
    static let childPage = 200
    /// Each pull lists again the last minute before its cursor: TheHive stamps `_updatedAt` when
    /// a change starts, so one that commits after a pull may carry an earlier time. Seeing an
    /// object again is harmless (nothing differs from its snapshot).
    static let overlapMS: Int64 = 60_000

    struct Outcome: Sendable, Equatable {
        /// Remote objects looked at.
        var objects = 0
        /// Changes handed to the Engine.
        var changes = 0
        /// What could not be applied as such (recorded as notes instead).
        var notes: [String] = []
        /// The cursor for the next pull (TheHive's clock).
        var since: Int64 = 0
    }

    private var endpoint: String { config.name }

    func run(since: Int64) throws -> Outcome {
        var used: [String] = []
        let key = try transport.resolve(config.string("api_key") ?? "", into: &used)
        let base = trimmedURL(try transport.resolve(config.string("url") ?? "", into: &used))
        var headers = [("Authorization", "Bearer \(key)")]
        if let org = config.string("organisation") { headers.append(("X-Organisation", org)) }
        let http = PullHTTP(base: base, headers: headers, used: used, transport: transport)

        let me = try http.call("GET", "/api/v1/user/current", nil).string("login")
        var outcome = Outcome(since: since)
        var found: [String: Found] = [:]
        var order: [String] = []
        func entry(_ ref: String, _ remoteID: String) throws -> Found {
            if let known = found[ref] { return known }
            let seen = try store.read { tx in try tx.theHiveSeen(endpoint: endpoint, ref: ref) }
            order.append(ref)
            return Found(remoteID: remoteID, snapshot: TheHiveSnapshot(seen))
        }

        // Fields: what was updated since the cursor.
        var cursors: [Int64] = []
        var truncatedAt: [Int64] = []
        for kind in ["case", "alert"] {
            let listed = try listUpdated(kind, since: max(0, since - TheHivePull.overlapMS), http)
            outcome.objects += listed.objects.count
            if let newest = listed.newest {
                if listed.truncated { truncatedAt.append(newest) } else { cursors.append(newest) }
            }
            for object in listed.objects {
                guard let remoteID = object.string("_id"),
                    let ref = try store.read({ tx in try tx.localRef(endpoint: endpoint, remoteID: remoteID) }),
                    ref.hasPrefix(kind + ":"), ref.split(separator: ":").count == 2
                else { continue }
                var f = try entry(ref, remoteID)
                let (whats, next) = f.snapshot.changes(in: object, me: me)
                let login = object.string("_updatedBy") ?? object.string("_createdBy") ?? "unknown"
                f.changes += whats.map { TheHiveChange(login: login, what: $0) }
                f.snapshot = next
                found[ref] = f
            }
        }
        // A kind cut short by the page bound holds the cursor back to where it stopped.
        outcome.since = truncatedAt.min() ?? max(since, cursors.max() ?? since)

        // Children: new task logs and observables of open objects (and of those just listed).
        var tracked = try store.read { tx in
            try tx.theHiveTracked(endpoint: endpoint, kind: "case", limit: TheHivePull.childrenChecked)
                + tx.theHiveTracked(endpoint: endpoint, kind: "alert", limit: TheHivePull.childrenChecked)
        }.map { ($0.ref, $0.remoteID) }
        for ref in order where !tracked.contains(where: { $0.0 == ref }) { tracked.append((ref, found[ref]?.remoteID ?? "")) }
        for (ref, remoteID) in tracked where !remoteID.isEmpty {
            var f = try entry(ref, remoteID)
            let isCase = ref.hasPrefix("case:")
            let get: JSONValue = isCase ? ["_name": "getCase", "idOrName": .string(remoteID)] : ["_name": "getAlert", "idOrName": .string(remoteID)]
            let first = f.snapshot.childrenSince == nil
            var newest = f.snapshot.childrenSince ?? 0
            let logs: [JSONValue], observables: [JSONValue]
            do {
                logs = isCase ? try children([get, ["_name": "tasks"], ["_name": "logs"]], since: f.snapshot.childrenSince, http) : []
                observables = try children([get, ["_name": "observables"]], since: f.snapshot.childrenSince, http)
            } catch let failure as DeliveryFailure {
                // One object TheHive refuses (deleted there, or no longer shared with the
                // endpoint's user) must not stop the pull for all the others; a TheHive that is
                // down stops it, and the next pull tries again.
                guard case .dead(let why) = failure.outcome else { throw failure }
                outcome.notes.append("\(ref) (\(remoteID)): its task logs and observables could not be read: \(why)")
                found[ref] = f
                continue
            }
            if isCase {
                for log in logs {
                    guard let id = log.string("_id"), !f.snapshot.logs.contains(id) else { continue }
                    f.snapshot.logs.append(id)
                    newest = max(newest, log.int("_createdAt") ?? 0)
                    let by = log.string("_createdBy") ?? "unknown"
                    guard !first, by != me, let message = log.string("message") else { continue }
                    f.changes.append(TheHiveChange(login: by, what: .taskLog(id: id, task: log.string("taskTitle"), message: message)))
                }
            }
            for observable in observables {
                guard let id = observable.string("_id"), !f.snapshot.observables.contains(id) else { continue }
                f.snapshot.observables.append(id)
                newest = max(newest, observable.int("_createdAt") ?? 0)
                let by = observable.string("_createdBy") ?? "unknown"
                guard !first, by != me, let dataType = observable.string("dataType"), let data = observable.string("data") else { continue }
                f.changes.append(TheHiveChange(
                    login: by, what: .observable(id: id, dataType: dataType, data: data, message: observable.string("message"))))
            }
            f.snapshot.childrenSince = newest
            found[ref] = f
        }

        for ref in order {
            guard let f = found[ref] else { continue }
            let object = TheHiveObjectChanges(endpoint: endpoint, ref: ref, remoteID: f.remoteID, changes: f.changes, seen: f.snapshot.json)
            if f.changes.isEmpty {
                // Saved even when unchanged: the time checked is what rotates the batch.
                let now = clock()
                try store.write { tx in try tx.saveTheHiveSeen(endpoint: endpoint, ref: ref, remoteID: f.remoteID, state: object.seen, at: now) }
            } else {
                outcome.changes += f.changes.count
                outcome.notes += try sink.applyTheHiveChanges(object)
            }
        }
        return outcome
    }

    /// One remote object as this pull found it.
    struct Found {
        var remoteID: String
        var snapshot: TheHiveSnapshot
        var changes: [TheHiveChange] = []
    }

    /// Cases or alerts updated since `since`, oldest change first, at most `pages` pages.
    func listUpdated(_ kind: String, since: Int64, _ http: PullHTTP) throws -> (objects: [JSONValue], newest: Int64?, truncated: Bool) {
        var objects: [JSONValue] = []
        var newest: Int64?
        for page in 0..<TheHivePull.pages {
            let query: JSONValue = ["query": [
                ["_name": .string(kind == "case" ? "listCase" : "listAlert")],
                ["_name": "filter", "_gte": ["_field": "_updatedAt", "_value": .int(since)]],
                ["_name": "sort", "_fields": [["_updatedAt": "asc"]]],
                ["_name": "page", "from": .int(Int64(page * TheHivePull.pageSize)), "to": .int(Int64((page + 1) * TheHivePull.pageSize))],
            ]]
            let items = try http.list("POST", "/api/v1/query?name=taser-pull-\(kind)s", query)
            objects += items
            for item in items { if let t = item.int("_updatedAt") { newest = max(newest ?? t, t) } }
            if items.count < TheHivePull.pageSize { return (objects, newest, false) }
        }
        return (objects, newest, true)
    }

    /// Task logs or observables below `path`, created since `since` (all when nil), oldest first.
    func children(_ path: [JSONValue], since: Int64?, _ http: PullHTTP) throws -> [JSONValue] {
        var query = path
        if let since { query.append(["_name": "filter", "_gte": ["_field": "_createdAt", "_value": .int(since)]]) }
        query.append(["_name": "sort", "_fields": [["_createdAt": "asc"]]])
        query.append(["_name": "page", "from": 0, "to": .int(Int64(TheHivePull.childPage))])
        return try http.list("POST", "/api/v1/query?name=taser-pull-children", ["query": .array(query)])
    }
}

/// HTTP for a pull: the endpoint's credentials, TheHive's answers as JSON.
struct PullHTTP {
    let base: String
    let headers: [(String, String)]
    let used: [String]
    let transport: Transport

    func call(_ method: String, _ path: String, _ body: JSONValue?) throws -> JSONValue {
        let what = "\(method) \(path.split(separator: "?").first.map(String.init) ?? path)"
        // Reads have no idempotency to keep; the header is there because every request has one.
        let response = try transport.send(method, base + path, what: what, headers: headers, json: body, key: "taser-pull", secretsUsed: used)
        return try Transport.json(response, what: what)
    }

    func list(_ method: String, _ path: String, _ body: JSONValue?) throws -> [JSONValue] {
        let answer = try call(method, path, body)
        guard let items = answer.arrayValue else {
            throw DeliveryFailure(outcome: .retry("\(method) \(path): TheHive answered \(answer.text.prefix(100)), not a list", after: nil))
        }
        return items
    }
}
