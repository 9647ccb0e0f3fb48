import Engine
import Foundation
import Hummingbird
import Model

/// `POST /slack/interactions`: GLaDOS' buttons. The engine checks Slack's signature (and its
/// age, and replays) over the raw body before reading anything, then hands the click to the
/// handler of its namespace, which writes the reply to the case log; playbooks take it from
/// there. Without `slack:` in serve.yaml the endpoint does not exist (404).
struct SlackRoutes {
    let server: TaserServer

    func add(to router: HTTPRouter) {
        router.post("/slack/interactions") { request, _ in
            await server.answer {
                guard let slack = server.slack else {
                    throw Refusal(.notFound, "not_configured", "Slack interactions are off: add slack: {signing_secret: \"${secret:slack_signing_secret}\"} to serve.yaml")
                }
                let body = try await request.bytes(limit: server.config.maxBody)
                var fields: [String: String] = [:]
                for field in request.headers { fields[field.name.canonicalName] = field.value }
                let headers = fields
                let answer = try await Blocking.run { slack.handle(body: body, headers: headers, now: .now) }
                if answer.status >= 400 { server.logger.notice("slack interaction refused (\(answer.status)): \(server.redact(answer.body.text))") }
                return Reply.json(answer.body, status: HTTPResponse.Status(code: answer.status))
            }
        }
    }
}
