import AlertEngine
import Engine
import Foundation
import Hummingbird
import Model

/// TheHive-compatible alert input: `POST /api/v1/alert` (TheHive 5) and `POST /api/alert`
/// (TheHive 4), so a tool that sends alerts to TheHive sends them to taser by changing only the
/// URL and key; the answer's `_id` is the alert's (`~12`: `GET /api/v1/alert/~12` reads it back,
/// `TheHiveAPIRoutes` takes the rest of TheHive's alert API). Each alert becomes a signal of the `thehive` format (its observables or
/// artifacts its artifacts), runs through the rules like any other signal, and is answered in
/// TheHive's own shapes: 201 with the alert, 400 `ConflictError` for a (type, source,
/// sourceRef) already stored, 400 `AttributeCheckError` for a missing or wrong attribute, 401
/// `AuthenticationError`. Refused bodies are quarantined with the reason.
struct TheHiveRoutes {
    let server: TaserServer

    enum Version: Sendable { case v4, v5 }

    func add(to router: HTTPRouter) {
        router.post("/api/v1/alert") { request, _ in await answer(request, .v5) }
        router.post("/api/alert") { request, _ in await answer(request, .v4) }
        TheHiveAPIRoutes(server: server).add(to: router)
    }

    /// The first parts under `/api/` of TheHive 4's and 5's own endpoints (5 has almost all of
    /// them under `v1`). taser implements only alert creation; a TheHive client calling any
    /// other gets TheHive's error shape saying so (`Unmatched`), not an empty 404.
    static let theHiveParts: Set<String> = [
        "v0", "v1", "alert", "case", "observable", "task", "log", "user", "organisation", "profile", "permission", "status", "login",
        "logout", "ssologin", "describe", "list", "stream", "datastore", "datastorezip", "attachment", "dashboard", "audit", "flow",
        "customfield", "casetemplate", "connector", "maintenance", "page", "tag", "taxonomy", "pattern", "procedure", "share", "config",
    ]

    /// Whether the (raw) path is under one of TheHive's prefixes: `/api/v1/...`, `/api/alert/...`, `/api/case/...`, ...
    static func isTheHivePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, parts[1] == "api" else { return false }
        return theHiveParts.contains(parts[2].lowercased())
    }

    /// TheHive's error body: `{"type": "...", "message": "..."}`.
    struct HiveError: Error {
        var status: HTTPResponse.Status
        var type: String
        var message: String
        var object: JSONValue?

        var response: Response {
            var body: [String: JSONValue] = ["type": .string(type), "message": .string(message)]
            if let object { body["object"] = object }
            return Reply.json(.object(body), status: status)
        }
    }

    func answer(_ request: Request, _ version: Version) async -> Response {
        await TheHiveRoutes.answering(server) { try await create(request, version) }
    }

    /// Runs a handler, answering whatever it throws in TheHive's error shape: the Engine's
    /// refusals with TheHive's types (a case or alert the key may not see is `NotFound`, as a
    /// missing one), the rest as the REST API would, and no detail of a 500 but in the log.
    static func answering(_ server: TaserServer, _ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as HiveError {
            return error.response
        } catch let refusal as Refusal {
            let type = refusal.status == .contentTooLarge ? "RequestEntityTooLarge" : refusal.status.code >= 500 ? "InternalError" : "BadRequest"
            return HiveError(status: refusal.status, type: type, message: refusal.message).response
        } catch let refused as EngineError {
            switch refused {
            case .caseNotFound, .alertNotFound: return HiveError(status: .notFound, type: "NotFound", message: refused.description).response
            case .readOnlyCase, .notAdmin, .notTeamMember:
                return HiveError(status: .forbidden, type: "AuthorizationError", message: refused.description).response
            default: return HiveError(status: .badRequest, type: "BadRequest", message: refused.description).response
            }
        } catch {
            let refusal = Refusals.from(error)
            if refusal.status.code >= 500 { server.logger.error("thehive: \(server.redact(String(describing: error)))") }
            return HiveError(status: refusal.status, type: "InternalError", message: refusal.message).response
        }
    }

    func create(_ request: Request, _ version: Version) async throws -> Response {
        let who = try caller(request)
        let body = try await request.bytes(limit: server.config.maxBody)
        let source = "thehive"
        guard request.mediaType == "application/json" else {
            let reason = "TheHive alerts are JSON: send Content-Type: application/json"
            try await server.quarantine(body, source: source, origin: "thehive", reason: reason)
            throw HiveError(status: .unsupportedMediaType, type: "BadRequest", message: reason)
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            let reason = "Invalid Json: \(error.description)"
            try await server.quarantine(body, source: source, origin: "thehive", reason: reason)
            throw HiveError(status: .badRequest, type: "BadRequest", message: reason)
        }
        let alert: TheHiveAlert
        do throws(NormalizeError) {
            guard case .object = json else { throw NormalizeError("thehive: the alert must be a JSON object") }
            alert = try TheHiveAlert(json)
        } catch {
            try await server.quarantine(body, source: source, origin: "thehive", reason: error.reason)
            throw HiveError(status: .badRequest, type: "AttributeCheckError", message: error.reason)
        }
        let prepared = try server.ingester.prepareInput(body, source: source, name: "thehive", format: "thehive")
        // TheHive refuses an alert it holds (same type, source and sourceRef) whatever else
        // differs; a vendor's update through the webhooks is a revision, but not here.
        if let first = prepared.identities.first,
            let signal = try server.engine.store.read({ tx in try tx.signalID(source: first.source, sourceRef: first.ref) })
        {
            throw HiveError(
                status: .badRequest, type: "ConflictError",
                message: "Alert already exists: type \(alert.type), source \(alert.source), sourceRef \(alert.sourceRef)",
                object: TheHiveAnswer.alert(alert, id: try alertID(ofSignal: signal), by: who, version: version))
        }
        let outcome = try await server.queue.submit(prepared)
        if let signal = outcome.stored.first {
            return Reply.json(TheHiveAnswer.alert(alert, id: try alertID(ofSignal: signal), by: who, version: version), status: .created)
        }
        if let signal = outcome.duplicates.first {
            throw HiveError(
                status: .badRequest, type: "ConflictError",
                message: "Alert already exists: type \(alert.type), source \(alert.source), sourceRef \(alert.sourceRef)",
                object: TheHiveAnswer.alert(alert, id: try alertID(ofSignal: signal), by: who, version: version))
        }
        throw HiveError(status: .badRequest, type: "AttributeCheckError", message: outcome.summary.reasons.first ?? "the alert could not be read")
    }

    /// The alert a TheHive alert's signal raised (in the same transaction as the signal): its id
    /// is the `_id` TheHive clients read back, as `GET /api/v1/alert/{_id}` and queries show it.
    func alertID(ofSignal signal: Int64) throws -> Int64 {
        guard let id = try server.engine.store.read({ tx in try tx.alertID(ofSignal: signal) }) else {
            throw HiveError(status: .internalServerError, type: "InternalError", message: "the alert of signal \(signal) is missing; see the server's log")
        }
        return id
    }

    /// Who is asking and the engine acting for them: a TheHive key acts as `thehive-api`, an
    /// analyst's key as that analyst (never as admin).
    func engine(_ request: Request) throws -> (who: String, engine: Engine) {
        let who = try caller(request)
        if let analyst = server.analysts.first(where: { $0.engine.actor.name == who && who != TaserServer.theHiveActor }) {
            return (who, analyst.engine)
        }
        return (who, server.theHiveEngine)
    }

    /// Who is sending: a TheHive key (thehive.api_keys) or an analyst's API key.
    func caller(_ request: Request) throws -> String {
        guard let token = request.bearerToken else {
            throw HiveError(status: .unauthorized, type: "AuthenticationError", message: "Authentication header not found")
        }
        // Every key is compared, so the time taken says nothing about the keys.
        var who: String?
        for key in server.config.theHiveKeys where sameSecret(key, token) { who = TaserServer.theHiveActor }
        for key in server.config.apiKeys where sameSecret(key.key, token) { who = who ?? key.analyst }
        guard let who else { throw HiveError(status: .unauthorized, type: "AuthenticationError", message: "Authentication failure") }
        return who
    }
}
