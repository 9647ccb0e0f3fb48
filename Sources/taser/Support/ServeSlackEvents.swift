import Credentials
import Engine
import Logging
import Sync

extension SlackEvents {
    /// `/slack/events` as serve runs it: authors' names through the sync config's slack
    /// endpoints (`users.info`, the channel's own endpoint); without a sync config the names
    /// are Slack's user ids, as the log says once.
    static func forServe(engine: Engine, signingSecret: String, sync: SyncConfig?, secrets: Secrets, logger: Logger) throws -> SlackEvents {
        let directory = sync.map { SlackDirectory(config: $0, secrets: secrets) }
        if directory?.endpoints.isEmpty ?? true {
            logger.info("slack events: no slack endpoint with a bot token in the sync config; messages are logged by Slack user id")
        }
        var lookUp: (@Sendable (String, String) throws -> String?)?
        if let directory {
            lookUp = { user, endpoint in try directory.userName(user, endpoint: endpoint) }
        }
        return try SlackEvents(
            engine: engine, signingSecret: signingSecret, lookUpName: lookUp, onProblem: { problem in logger.warning("\(problem)") })
    }
}
