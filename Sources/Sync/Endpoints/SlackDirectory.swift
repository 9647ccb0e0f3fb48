import Credentials
import Foundation
import HTTPClient
import Model

/// Slack's names for its users (`users.info`), through a slack endpoint's bot token: who wrote a
/// message `/slack/events` logs. Answers fast or not at all, since Slack waits 3 s for the
/// events route's answer; the caller caches names and falls back to the user id.
public struct SlackDirectory: Sendable {
    let config: SyncConfig
    let secrets: Secrets
    let client: HTTPClient
    let timeout: Double

    public init(config: SyncConfig, secrets: Secrets, client: HTTPClient = HTTPClient(), timeout: Double = 2) {
        self.config = config
        self.secrets = secrets
        self.client = client
        self.timeout = timeout
    }

    /// The slack endpoints with a bot token (an incoming webhook looks nothing up).
    public var endpoints: [String] { config.endpoints.filter { $0.type == .slack && $0.string("token") != nil }.map(\.name) }

    /// The user's handle (`user.name`, else the profile's display or real name); nil when Slack
    /// knows no such user. Errors say what failed, without the token.
    public func userName(_ userID: String, endpoint name: String) throws(SyncError) -> String? {
        guard let e = config.endpoint(named: name), e.type == .slack, let tokenRef = e.string("token") else {
            throw .config("no slack endpoint \(name) with a bot token in the sync config (to look up Slack user names)")
        }
        let transport = Transport(endpoint: name, client: client, secrets: secrets, timeout: min(timeout, e.policy.timeout))
        do {
            var used: [String] = []
            let api = SlackEndpoint.Api(
                base: trimmedURL(try transport.resolve(e.string("url") ?? "https://slack.com/api", into: &used)),
                token: try transport.resolve(tokenRef, into: &used), used: used, key: "users.info:\(userID)", transport: transport)
            let id = userID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? userID
            let answer = try api.call("users.info", nil, query: "?user=\(id)", tolerating: ["user_not_found"])
            guard let user = answer["user"] else { return nil }
            let profile = user["profile"]
            let names = [user.string("name"), profile?.string("display_name"), profile?.string("real_name")]
            return names.compactMap { $0 }.first { !$0.isEmpty }
        } catch let failure as DeliveryFailure {
            switch failure.outcome {
            case .retry(let why, _), .dead(let why): throw .remote(why)
            case .delivered: return nil
            }
        } catch {
            throw .remote(secrets.redact("slack users.info: \(error)"))
        }
    }
}
