import Engine
import Foundation
import Hummingbird
import Model
import SignalServer
import Store

/// The REST API: what the CLI's listings and `show` commands print with `--json`, over HTTP, as
/// the analyst whose API key the request carries. Every read and write goes through the same
/// Engine calls as the CLI, so the same access checks apply: a case of another team is a 404
/// exactly like a case that does not exist.
struct APIRoutes {
    let server: TaserServer

    func add(to router: HTTPRouter) {
        let api = router.group("api")
        api.get("signals") { request, _ in await asAnalyst(request) { try signals($0, request) } }
        api.get("alerts") { request, _ in await asAnalyst(request) { try alerts($0, request) } }
        api.get("alerts/:id") { request, context in
            await asAnalyst(request) { engine in Reply.json(try engine.alertDetail(try APIRoutes.id(context, "alert")).json) }
        }
        api.get("cases") { request, _ in await asAnalyst(request) { try cases($0, request) } }
        api.get("cases/:id") { request, context in
            await asAnalyst(request) { engine in Reply.json(try engine.exportCase(try APIRoutes.id(context, "case")).json) }
        }
        api.get("cases/:id/log") { request, context in
            await asAnalyst(request) { engine in
                Reply.json(["log": .array(try engine.caseLog(try APIRoutes.id(context, "case")).map(\.json))])
            }
        }
        api.post("cases/:id/log") { request, context in
            await server.answer {
                let engine = try server.analyst(request)
                let id = try APIRoutes.id(context, "case")
                let note = try APIRoutes.noteText(request.mediaType, try await request.bytes(limit: server.config.maxBody))
                let entry = try await Blocking.run { try engine.addNote(id, note) }
                return Reply.json(entry.json, status: .created)
            }
        }
        api.get("artifacts") { request, _ in await asAnalyst(request) { try artifacts($0, request) } }
        api.get("query/:name/:value") { request, context in
            await asAnalyst(request) { engine in
                let result = try engine.query(try context.parameter("name"), try context.parameter("value"), with: server.positron)
                return Reply.json(result.json)
            }
        }
        api.get("rules") { request, _ in
            await asAnalyst(request) { engine in Reply.json(["rules": .array(try engine.rules().map(APIJSON.rule))]) }
        }
        api.post("simulate") { request, _ in
            await server.answer {
                let engine = try server.analyst(request)
                let body = try await request.bytes(limit: server.config.maxBody)
                let ask = try APIRoutes.simulation(request.mediaType, body)
                return try await Blocking.run {
                    let rule = try engine.checkRule(ask.text)
                    return Reply.json(APIJSON.simulation(try engine.simulate(rule, from: ask.since, to: ask.until), top: ask.top))
                }
            }
        }
    }

    /// A read as the request's analyst, on a blocking thread.
    private func asAnalyst(_ request: Request, _ body: @escaping @Sendable (Engine) throws -> Response) async -> Response {
        await server.answer {
            let engine = try server.analyst(request)
            return try await Blocking.run { try body(engine) }
        }
    }

    private func signals(_ engine: Engine, _ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let filter = SignalFilter(
            kinds: q.getAll("kind").map { SignalKind.find($0)?.name ?? $0 }, sources: q.getAll("source"),
            since: try APIRoutes.time(q.get("since"), "since"), until: try APIRoutes.time(q.get("until"), "until"),
            limit: try APIRoutes.limit(q.get("limit"), default: 50))
        return Reply.json(["signals": .array(try engine.signals(filter).map { $0.signal.json(with: $0.artifacts) })])
    }

    private func alerts(_ engine: Engine, _ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let status = try q.get("status").map { text -> AlertStatus in
            guard let s = AlertStatus(parsing: text) else { throw Refusal(.badRequest, "invalid_parameter", "status '\(text)' is not one of: \(AlertStatus.names)") }
            return s
        }
        let filter = AlertFilter(status: status, rule: q.get("rule"), limit: try APIRoutes.limit(q.get("limit"), default: 100))
        return Reply.json(["alerts": .array(try engine.alerts(filter).map(\.json))])
    }

    private func cases(_ engine: Engine, _ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let status = try q.get("status").map { text -> CaseStatus in
            guard let s = CaseStatus(parsing: text) else { throw Refusal(.badRequest, "invalid_parameter", "status '\(text)' is not one of: \(CaseStatus.names)") }
            return s
        }
        let filter = CaseFilter(
            status: status, openOnly: q.get("open") == "true", team: q.get("team"), owner: q.get("owner"),
            limit: try APIRoutes.limit(q.get("limit"), default: 1000))
        let items = try engine.cases(filter).map { s -> JSONValue in
            var o = s.case.json(shares: []).objectValue ?? [:]
            o["shares"] = nil
            o["access"] = .string(s.access == .write ? "write" : "read")
            o["alert_count"] = .int(Int64(s.alertCount))
            return .object(o)
        }
        return Reply.json(["cases": .array(items)])
    }

    private func artifacts(_ engine: Engine, _ request: Request) throws -> Response {
        let q = request.uri.queryParameters
        let types = try q.getAll("type").map { text -> ArtifactType in
            guard let t = ArtifactType(parsing: text) else { throw Refusal(.badRequest, "invalid_parameter", "type '\(text)' is not one of: \(ArtifactType.names)") }
            return t
        }
        let items = try engine.artifacts(types: types, containing: q.get("search"), limit: try APIRoutes.limit(q.get("limit"), default: 100))
        return Reply.json(["artifacts": .array(items.map { item in
            var o = item.artifact.json.objectValue ?? [:]
            o["signals"] = .int(Int64(item.signals))
            return .object(o)
        })])
    }

    // MARK: - Parameters

    static func id(_ context: BasicRequestContext, _ what: String) throws -> Int64 {
        let text = try context.parameter("id")
        guard let id = Int64(text), id > 0 else { throw Refusal(.badRequest, "invalid_id", "'\(text.prefix(40))' is not a \(what) number") }
        return id
    }

    static func limit(_ text: String?, default value: Int) throws -> Int {
        guard let text else { return value }
        guard let n = Int(text), (1...100_000).contains(n) else { throw Refusal(.badRequest, "invalid_parameter", "limit '\(text)' must be a number from 1 to 100000") }
        return n
    }

    /// ISO 8601, epoch seconds or milliseconds, or an age (`24h`, `7d`) meaning that long ago:
    /// `Timestamp.reading`, as the CLI's `--since`.
    static func time(_ text: String?, _ what: String) throws -> Timestamp? {
        guard let text else { return nil }
        do {
            return try Timestamp.reading(text)
        } catch {
            throw Refusal(.badRequest, "invalid_parameter", "\(what): \(error)")
        }
    }

    /// A note: plain text, or JSON `{"body": "..."}` (`{"text": ...}` also).
    static func noteText(_ mediaType: String?, _ body: [UInt8]) throws -> String {
        if mediaType == "application/json" {
            guard let json = try? JSONValue.parse(body), let text = json["body"]?.stringValue ?? json["text"]?.stringValue else {
                throw Refusal(.badRequest, "invalid_note", "send the note as {\"body\": \"...\"} or as text/plain")
            }
            return text
        }
        guard let text = String(validating: body, as: UTF8.self) else { throw Refusal(.badRequest, "invalid_note", "the note is not UTF-8 text") }
        return text
    }

    struct Simulation: Sendable {
        var text: String
        var since: Timestamp?
        var until: Timestamp?
        var top: Int
    }

    /// The rule as text/plain, or JSON `{"rule": "...", "since": "7d", "until": ..., "top": 10}`.
    static func simulation(_ mediaType: String?, _ body: [UInt8]) throws -> Simulation {
        if mediaType == "application/json" {
            guard let json = try? JSONValue.parse(body), let rule = json["rule"]?.stringValue else {
                throw Refusal(.badRequest, "invalid_simulation", "send {\"rule\": \"RULE TEXT\", \"since\": \"7d\"} or the rule as text/plain")
            }
            var top = 10
            if let given = json["top"], given != .null {
                // prefix() traps on a negative count: the range is checked here, not trusted.
                guard case .int(let n) = given, (0...10_000).contains(n) else {
                    throw Refusal(.badRequest, "invalid_simulation", "top must be a whole number from 0 to 10000")
                }
                top = Int(n)
            }
            return Simulation(text: rule, since: try time(json["since"]?.stringValue, "since"), until: try time(json["until"]?.stringValue, "until"), top: top)
        }
        guard let text = String(validating: body, as: UTF8.self), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Refusal(.badRequest, "invalid_simulation", "send the rule text as the body (text/plain)")
        }
        return Simulation(text: text, since: nil, until: nil, top: 10)
    }
}
