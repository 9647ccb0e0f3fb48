import Credentials
import Engine
import Logging
import Sync

extension SlackEvents {
    /// `/slack/events` as serve runs it: authors' names through the sync config's slack
    /// endpoints (`users.info`, the channel's own endpoint); without one the names are Slack's
    /// user ids, which `note` says for the log (written once the server's config is known good,
    /// so a bad serve.yaml still fails with one line).
    static func forServe(engine: Engine, signingSecret: String, sync: SyncConfig?, secrets: Secrets, logger: Logger) throws -> (events: SlackEvents, note: String?) {
        let directory = sync.map { SlackDirectory(config: $0, secrets: secrets) }
        let note = directory?.endpoints.isEmpty ?? true
            ? "slack events: no slack endpoint with a bot token in the sync config; messages are logged by Slack user id" : nil
        var lookUp: (@Sendable (String, String) throws -> String?)?
        if let directory {
            lookUp = { user, endpoint in try directory.userName(user, endpoint: endpoint) }
        }
        let events = try SlackEvents(
            engine: engine, signingSecret: signingSecret, lookUpName: lookUp, onProblem: { problem in logger.warning("\(problem)") })
        return (events, note)
    }
}
