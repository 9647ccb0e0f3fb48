import AlertEngine
import Engine
import Foundation
import Hummingbird
import Model

/// TheHive 5's API for tools that read and change alerts in TheHive (thehive4py and the like):
///
/// - `GET /api/v1/alert/{id}`: the alert as TheHive shows it (`_id` `~N`, as `POST /api/v1/alert` answers);
/// - `POST /api/v1/query`: `listAlert` with `filter`, `sort`, `page`, `count` (`alert.find`, `alert.count`);
/// - `PATCH /api/v1/alert/{id}`: tags, severity and status through the alert workflow (204);
/// - `POST /api/v1/alert/{id}/observable`: observables become the alert's artifacts (201, a list);
/// - `POST /api/v1/alert/{id}/case`: promote the alert to a case (201, the case);
/// - `POST /api/v1/case` and `GET /api/v1/case/{id}`.
///
/// Keys and access as for alert input: a `thehive` key acts as `thehive-api` (in no team: it sees
/// the alerts of no team, which TheHive input raises, and the cases it opens), an analyst's key
/// as that analyst; the Engine checks every read and write, and an alert or case the key may not
/// see is TheHive's 404, as a missing one is. Everything else under TheHive's paths is TheHive's
/// error shape (`Unmatched`).
struct TheHiveAPIRoutes {
    typealias HiveError = TheHiveRoutes.HiveError
    let server: TaserServer

    func add(to router: HTTPRouter) {
        router.get("/api/v1/alert/:id") { request, context in
            await respond(request) { who, engine in
                let id = try alertID(context)
                return Reply.json(TheHiveViews.alert(try await Blocking.run { try engine.theHiveAlertFacts(id) }))
            }
        }
        router.patch("/api/v1/alert/:id") { request, context in
            await respond(request) { who, engine in
                let id = try alertID(context)
                let update = try AlertPatch.parse(try await body(request))
                if !update.isEmpty { _ = try await Blocking.run { try engine.updateAlert(id, update) } }
                return Response(status: .noContent)
            }
        }
        router.post("/api/v1/alert/:id/observable") { request, context in
            await respond(request) { who, engine in
                let id = try alertID(context)
                let input = try ObservableInput.parse(try await body(request))
                let mentions = try input.data.map { value in
                    guard let m = TheHiveFormat.artifact(dataType: input.dataType, data: value) else {
                        throw TheHiveInput.refuse("a \(input.dataType.prefix(40)) observable of \(value.prefix(60)) has no value taser can keep")
                    }
                    return m
                }
                let added = try await Blocking.run { try engine.addArtifacts(toAlert: id, mentions) }
                let now = Timestamp.now
                let list = zip(added, input.data).map { result, value in
                    TheHiveViews.observable(artifact: result.artifact, dataType: input.dataType, data: value, input: input, by: who, at: now)
                }
                return Reply.json(.array(list), status: .created)
            }
        }
        router.post("/api/v1/alert/:id/case") { request, context in
            await respond(request) { who, engine in
                let id = try alertID(context)
                let raw = try await request.bytes(limit: server.config.maxBody)
                // thehive4py sends {} when nothing is overridden; an empty body means the same.
                let input = try CaseInput.parse(raw.isEmpty ? .object([:]) : try TheHiveAPIRoutes.json(raw), promoting: true)
                let c = try await Blocking.run {
                    let alert = try engine.theHiveAlertFacts(id).alert
                    return try open(input, title: alert.title, severity: alert.severity, alerts: [id], engine)
                }
                return Reply.json(TheHiveViews.theCase(c), status: .created)
            }
        }
        router.post("/api/v1/case") { request, _ in
            await respond(request) { who, engine in
                let input = try CaseInput.parse(try await body(request), promoting: false)
                let c = try await Blocking.run { try open(input, title: nil, severity: nil, alerts: [], engine) }
                return Reply.json(TheHiveViews.theCase(c), status: .created)
            }
        }
        router.get("/api/v1/case/:id") { request, context in
            await respond(request) { who, engine in
                guard let id = TheHiveViews.number(try context.parameter("id")) else {
                    throw HiveError(status: .notFound, type: "NotFound", message: "no case \(try context.parameter("id").prefix(40))")
                }
                return Reply.json(TheHiveViews.theCase(try await Blocking.run { try engine.caseDetail(id).case }))
            }
        }
        router.post("/api/v1/query") { request, _ in
            await respond(request) { who, engine in
                // A query is a few steps: a small body, whatever max_body allows uploads.
                let query = try AlertQuery.parse(try await body(request, limit: min(server.config.maxBody, 64 << 10)))
                return try await Blocking.run { try run(query, engine) }
            }
        }
    }

    /// Opens a case (`POST /api/v1/case`) or promotes alerts (`alerts` not empty) as the key's
    /// actor, then moves it on as asked (InProgress, an assignee): each its own log entry.
    func open(_ input: CaseInput, title: String?, severity: Severity?, alerts: [Int64], _ engine: Engine) throws -> Case {
        let owner = try input.assignee.map { login in
            do { return try engine.analystName(forTheHiveLogin: login) } catch {
                throw TheHiveInput.refuse("assignee \(login.prefix(80)) is no analyst here (none has that email or name)")
            }
        }
        let c = try engine.openCase(NewCase(
            title: input.title ?? title ?? "", description: input.description ?? "", severity: input.severity ?? severity ?? .medium,
            tlp: input.tlp ?? .amber, pap: input.pap ?? .amber, owner: owner, tags: input.tags, alertIDs: alerts))
        if input.inProgress { try engine.setStatus(c.id, to: .inProgress) }
        return try engine.caseDetail(c.id).case
    }

    func run(_ query: AlertQuery, _ engine: Engine) throws -> Response {
        let full = query.needsFull
        let facts = try engine.theHiveAlertFacts(newest: Engine.theHiveQueryWindow, full: full)
        let rows = facts.map { (id: $0.alert.id, fields: TheHiveViews.alert($0, full: full).objectValue ?? [:]) }
        switch query.run(rows) {
        case .count(let n): return Reply.json(.int(Int64(n)))
        case .alerts(let ids):
            let byID = full ? Dictionary(facts.map { ($0.alert.id, $0) }, uniquingKeysWith: { a, _ in a }) : [:]
            let shown = full ? ids.compactMap { byID[$0] } : try engine.theHiveAlertFacts(ids)
            return Reply.json(.array(shown.map { f in
                var o = TheHiveViews.alert(f).objectValue ?? [:]
                for field in query.excluded where field != "_id" { o[field] = nil }
                return JSONValue.object(o)
            }))
        }
    }

    func alertID(_ context: BasicRequestContext) throws -> Int64 {
        let text = try context.parameter("id")
        guard let id = TheHiveViews.number(text) else {
            throw HiveError(status: .notFound, type: "NotFound", message: "no alert \(text.prefix(40)); an alert's _id is ~ and its number (~12)")
        }
        return id
    }

    func body(_ request: Request, limit: Int? = nil) async throws -> JSONValue {
        guard request.mediaType == "application/json" else {
            throw HiveError(status: .unsupportedMediaType, type: "BadRequest", message: "TheHive's API takes JSON: send Content-Type: application/json")
        }
        return try TheHiveAPIRoutes.json(try await request.bytes(limit: limit ?? server.config.maxBody))
    }

    static func json(_ bytes: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(bytes) } catch {
            throw HiveError(status: .badRequest, type: "BadRequest", message: "Invalid Json: \(error.description)")
        }
    }

    /// Runs a handler as the key's actor, answering every failure in TheHive's error shape.
    func respond(_ request: Request, _ handler: (String, Engine) async throws -> Response) async -> Response {
        await TheHiveRoutes.answering(server) {
            let (who, engine) = try TheHiveRoutes(server: server).engine(request)
            return try await handler(who, engine)
        }
    }
}
