import AlertEngine
import Foundation
import Hummingbird
import Model

/// `POST /ingest/{source}`: a webhook's body through the same pipeline as `taser ingest`
/// (format detected per event, or `?format=`), committed before the answer: 202 with the new
/// signals' ids. What the server refuses after the sender proved who it is (a content type no
/// format reads, malformed JSON, events no format can use) is quarantined whole with the reason,
/// so nothing sent is lost; `taser quarantine list` shows it.
struct IngestRoutes {
    let server: TaserServer

    func add(to router: Router<BasicRequestContext>) {
        router.post("/ingest/:source") { request, context in
            await server.answer { try await ingest(request, source: try context.parameter("source")) }
        }
    }

    /// What the sender declared the body to be.
    enum BodyKind {
        case json, text, csv, email

        init?(mediaType: String) {
            switch mediaType {
            case "application/json", "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
                "application/jsonlines":
                self = .json
            case _ where mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"): self = .json
            case "text/plain", "application/gzip", "application/x-gzip": self = .text
            case "text/csv": self = .csv
            case "message/rfc822", "application/mbox": self = .email
            default: return nil
            }
        }

        var hint: Framer.Hint {
            switch self {
            case .csv: .csv
            case .email: .email
            case .json, .text: .auto
            }
        }

        static let accepted = "application/json, application/x-ndjson, text/plain (syslog lines), text/csv or message/rfc822"
    }

    func ingest(_ request: Request, source name: String) async throws -> Response {
        // The body first, for every request: an HMAC source needs it, and reading it for all
        // keeps a known source and an unknown one from answering differently.
        let body = try await request.bytes(limit: server.config.maxBody)
        let proof = WebhookAuth.check(server.config.sources[name], request, body)
        guard let source = server.config.sources[name], proof.ok else {
            server.logger.notice("ingest: refused a request for source '\(Loggable.text(name))': \(proof.why)")
            throw WebhookAuth.refusal
        }
        let quarantineSource = "webhook:\(name)"
        guard !body.isEmpty else { throw Refusal(.badRequest, "empty_body", "the request has no body; send the events as the body") }

        guard let mediaType = request.mediaType, let kind = BodyKind(mediaType: mediaType) else {
            let said = request.mediaType.map { "Content-Type \($0)" } ?? "no Content-Type"
            let reason = "\(said) is not one taser reads; send \(BodyKind.accepted)"
            try await server.quarantine(body, source: quarantineSource, origin: name, reason: reason)
            throw Refusal(.unsupportedMediaType, "unsupported_media_type", reason, extra: ["quarantined": 1])
        }
        let format = request.uri.queryParameters.get("format") ?? source.format
        let prepared: PreparedInput
        do {
            prepared = try server.ingester.prepareInput(body, source: quarantineSource, name: name, format: format, hint: kind.hint)
        } catch let error as IngestError {
            throw Refusal(.badRequest, "unknown_format", error.description)
        }
        // Only a body with rejected records can be malformed: parsing every body twice would
        // cost the common case what only the broken one needs.
        if kind == .json, prepared.rejected > 0, let reason = IngestRoutes.malformedJSON(body) {
            let message = "the body is not JSON or NDJSON: \(reason)"
            try await server.quarantine(body, source: quarantineSource, origin: name, reason: message)
            throw Refusal(.badRequest, "malformed_json", message, extra: ["quarantined": 1])
        }
        let outcome = try await server.queue.submit(prepared)
        let s = outcome.summary
        if s.signals == 0 && s.quarantined > 0 {
            server.logger.notice("ingest \(name): \(s.quarantined) record(s) quarantined: \(s.reasons.first ?? "")")
            throw Refusal(
                .unprocessableContent, "unreadable_events",
                "no event could be read (\(s.quarantined) quarantined; see `taser quarantine list`): \(s.reasons.first ?? "")",
                extra: ["quarantined": .int(Int64(s.quarantined)), "reasons": .array(s.reasons.map { .string($0) })])
        }
        var answer: [String: JSONValue] = [
            "signals": .array(outcome.stored.map { .int($0) }),
            "duplicates": .array(outcome.duplicates.map { .int($0) }),
            "updated": .array(outcome.updated.map { .int($0) }),
            "quarantined": .int(Int64(s.quarantined)),
        ]
        if !s.reasons.isEmpty { answer["reasons"] = .array(s.reasons.map { .string($0) }) }
        return Reply.json(.object(answer), status: .accepted)
    }

    /// Nil when the body is one JSON document or JSON lines; else the parser's reason.
    static func malformedJSON(_ body: [UInt8]) -> String? {
        let whole: String
        do {
            _ = try JSONValue.parse(body)
            return nil
        } catch {
            whole = error.description
        }
        var sawLine = false
        for line in body.split(separator: 10) where line.contains(where: { $0 > 32 }) {
            guard (try? JSONValue.parse(Array(line))) != nil else { return whole }
            sawLine = true
        }
        return sawLine ? nil : whole
    }
}
