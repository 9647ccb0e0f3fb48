import AlertEngine
import Foundation
import Hummingbird
import Model

/// TheHive-compatible alert input: `POST /api/v1/alert` (TheHive 5) and `POST /api/alert`
/// (TheHive 4), so a tool that sends alerts to TheHive sends them to taser by changing only the
/// URL and key. Each alert becomes a signal of the `thehive` format (its observables or
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
        do {
            return try await create(request, version)
        } catch let error as HiveError {
            return error.response
        } catch let refusal as Refusal {
            let type = refusal.status == .contentTooLarge ? "RequestEntityTooLarge" : refusal.status.code >= 500 ? "InternalError" : "BadRequest"
            return HiveError(status: refusal.status, type: type, message: refusal.message).response
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
            let id = try server.engine.store.read({ tx in try tx.signalID(source: first.source, sourceRef: first.ref) })
        {
            throw HiveError(
                status: .badRequest, type: "ConflictError",
                message: "Alert already exists: type \(alert.type), source \(alert.source), sourceRef \(alert.sourceRef)",
                object: TheHiveAnswer.alert(alert, id: id, by: who, version: version))
        }
        let outcome = try await server.queue.submit(prepared)
        if let id = outcome.stored.first {
            return Reply.json(TheHiveAnswer.alert(alert, id: id, by: who, version: version), status: .created)
        }
        if let id = outcome.duplicates.first {
            throw HiveError(
                status: .badRequest, type: "ConflictError",
                message: "Alert already exists: type \(alert.type), source \(alert.source), sourceRef \(alert.sourceRef)",
                object: TheHiveAnswer.alert(alert, id: id, by: who, version: version))
        }
        throw HiveError(status: .badRequest, type: "AttributeCheckError", message: outcome.summary.reasons.first ?? "the alert could not be read")
    }

    /// Who is sending: a TheHive key (thehive.api_keys) or an analyst's API key.
    func caller(_ request: Request) throws -> String {
        guard let token = request.bearerToken else {
            throw HiveError(status: .unauthorized, type: "AuthenticationError", message: "Authentication header not found")
        }
        // Every key is compared, so the time taken says nothing about the keys.
        var who: String?
        for key in server.config.theHiveKeys where sameSecret(key, token) { who = "thehive-api" }
        for key in server.config.apiKeys where sameSecret(key.key, token) { who = who ?? key.analyst }
        guard let who else { throw HiveError(status: .unauthorized, type: "AuthenticationError", message: "Authentication failure") }
        return who
    }
}
