import Engine
import Foundation
import Hummingbird
import Model

/// `POST /slack/interactions`: GLaDOS' buttons, and `POST /slack/events`: Slack's Events API,
/// which logs the messages of case channels (see `SlackEvents`), signed the same way.
///
/// Interactions: The engine checks Slack's signature (and its
/// age, and replays) over the raw body before reading anything, then hands the click to the
/// handler of its namespace, which writes the reply to the case log; playbooks take it from
/// there. Without `slack:` in serve.yaml every request is refused exactly as one with a bad
/// signature is (checked against a secret nobody has), so a caller cannot tell whether Slack is
/// set up; the log says why.
struct SlackRoutes {
    let server: TaserServer

    func add(to router: HTTPRouter) {
        let slack = server.slack, events = server.slackEvents
        signed(router, "/slack/interactions", what: "slack interaction", configured: slack != nil) { body, headers in
            slack?.handle(body: body, headers: headers, now: .now) ?? SlackInteractions.refusedWithoutSecret(body: body, headers: headers, now: .now)
        }
        signed(router, "/slack/events", what: "slack event", configured: events != nil) { body, headers in
            events?.handle(body: body, headers: headers, now: .now) ?? SlackInteractions.refusedWithoutSecret(body: body, headers: headers, now: .now)
        }
    }

    /// A route Slack signs: the raw body (bounded) and the headers to `handle`, off the event
    /// loop (it writes the database), its answer as JSON; refusals logged, secrets redacted.
    private func signed(
        _ router: HTTPRouter, _ path: String, what: String, configured: Bool,
        handle: @escaping @Sendable ([UInt8], [String: String]) -> SlackInteractionResponse
    ) {
        router.post(RouterPath(path)) { request, _ in
            await server.answer {
                let body = try await request.bytes(limit: server.config.maxBody)
                var fields: [String: String] = [:]
                for field in request.headers { fields[field.name.canonicalName] = field.value }
                let headers = fields
                let answer = try await Blocking.run { handle(body, headers) }
                // Slack retries what it thinks failed; the event id keeps a retry from logging twice.
                if let retry = headers.first(where: { $0.key.lowercased() == "x-slack-retry-num" })?.value {
                    server.logger.info("\(what) retry \(retry.prefix(8)) (\(headers.first { $0.key.lowercased() == "x-slack-retry-reason" }?.value.prefix(40) ?? "no reason")): \(answer.status)")
                }
                if !configured {
                    server.logger.notice("\(what) refused: serve.yaml has no slack: {signing_secret: ...} section")
                } else if answer.status >= 400 {
                    server.logger.notice("\(what) refused (\(answer.status)): \(server.redact(answer.body.text))")
                }
                return Reply.json(answer.body, status: HTTPResponse.Status(code: answer.status))
            }
        }
    }
}
