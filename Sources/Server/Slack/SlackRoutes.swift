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
        router.post("/slack/interactions") { request, _ in
            await server.answer {
                let body = try await request.bytes(limit: server.config.maxBody)
                var fields: [String: String] = [:]
                for field in request.headers { fields[field.name.canonicalName] = field.value }
                let headers = fields
                let slack = server.slack
                let answer = try await Blocking.run {
                    slack?.handle(body: body, headers: headers, now: .now) ?? SlackInteractions.refusedWithoutSecret(body: body, headers: headers, now: .now)
                }
                if server.slack == nil {
                    server.logger.notice("slack interaction refused: serve.yaml has no slack: {signing_secret: ...} section")
                } else if answer.status >= 400 {
                    server.logger.notice("slack interaction refused (\(answer.status)): \(server.redact(answer.body.text))")
                }
                return Reply.json(answer.body, status: HTTPResponse.Status(code: answer.status))
            }
        }
        router.post("/slack/events") { request, _ in
            await server.answer {
                let body = try await request.bytes(limit: server.config.maxBody)
                var fields: [String: String] = [:]
                for field in request.headers { fields[field.name.canonicalName] = field.value }
                let headers = fields
                let events = server.slackEvents
                let answer = try await Blocking.run {
                    events?.handle(body: body, headers: headers, now: .now) ?? SlackInteractions.refusedWithoutSecret(body: body, headers: headers, now: .now)
                }
                // Slack retries what it thinks failed; the event id keeps a retry from logging twice.
                if let retry = headers.first(where: { $0.key.lowercased() == "x-slack-retry-num" })?.value {
                    server.logger.info("slack event retry \(retry.prefix(8)) (\(headers.first { $0.key.lowercased() == "x-slack-retry-reason" }?.value.prefix(40) ?? "no reason")): \(answer.status)")
                }
                if events == nil {
                    server.logger.notice("slack event refused: serve.yaml has no slack: {signing_secret: ...} section")
                } else if answer.status >= 400 {
                    server.logger.notice("slack event refused (\(answer.status)): \(server.redact(answer.body.text))")
                }
                return Reply.json(answer.body, status: HTTPResponse.Status(code: answer.status))
            }
        }
    }
}
