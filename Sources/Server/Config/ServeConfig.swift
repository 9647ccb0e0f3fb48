import Credentials
import Foundation
import Model
import Yams

/// `taser serve`'s configuration (default `~/.config/taser/serve.yaml`): who may call the API,
/// which webhook sources exist and how each proves itself, and limits. Every key and token is
/// named as a secret (`${secret:NAME}` from the secrets file, `${env:NAME}`), never written in
/// the file, and never logged.
///
///     listen: 127.0.0.1:8080          # --listen wins
///     max_body: 1MiB                  # larger requests get 413
///     max_record: 16MiB               # one event in a body; larger ones are quarantined as a sample
///     timeouts: { head: 10s, body: 10s, body_rate: 1KiB/s, idle: 60s }
///     shutdown_grace: 10s             # --grace wins
///     api_keys:                       # REST API: each key acts as one analyst
///       - { key: "${secret:ana_api_key}", analyst: ana }
///     sources:                        # POST /ingest/NAME
///       okta: { token: "${secret:okta_hook}" }
///       github:
///         hmac: { header: X-Hub-Signature-256, secret: "${secret:gh}", prefix: "sha256=" }
///         format: mapping-name        # optional: force a format
///     thehive:                        # POST /api/v1/alert and /api/alert
///       api_keys: ["${secret:hive_key}"]
///     slack:                          # POST /slack/interactions (GLaDOS' buttons)
///       signing_secret: "${secret:slack_signing_secret}"
///     log_heads_every: 1h             # the case log heads to the outbox for a witness; off: never
public struct ServeConfig: Sendable {
    public struct APIKey: Sendable {
        public var key: String
        public var analyst: String
    }

    public enum SourceAuth: Sendable {
        /// `Authorization: Bearer TOKEN`.
        case token(String)
        /// An HMAC-SHA256 of the raw body, in hex, in `header` after `prefix`.
        case hmac(header: String, secret: String, prefix: String)
    }

    public struct Source: Sendable {
        public var name: String
        public var auth: SourceAuth
        public var format: String?
    }

    public var listen: String?
    public var maxBody: Int
    /// The largest record (one event) taser keeps; see `IngestLimits.maxRecord`.
    public var maxRecord = 16 << 20
    /// The bounds of `max_record` (as `--max-record`'s).
    public static let recordRange = 1024...(1 << 30)
    public var timeouts = Timeouts()
    /// How long SIGTERM waits for the requests in flight before closing them.
    public var shutdownGrace = ServeConfig.defaultShutdownGrace
    public var apiKeys: [APIKey]
    public var sources: [String: Source]
    public var theHiveKeys: [String]
    /// Slack's signing secret; no `slack:` section, no interactions endpoint.
    public var slackSigningSecret: String?
    /// How often every case log's head goes to the outbox (event `log.heads`) for a remote
    /// witness; nil: never.
    public var logHeadsEvery: Span? = ServeConfig.defaultLogHeadsEvery
    /// Every secret value the file resolved, for redacting any text before it is printed.
    public var secretValues: [String] {
        apiKeys.map(\.key) + theHiveKeys + (slackSigningSecret.map { [$0] } ?? []) + sources.values.map { s in
            switch s.auth {
            case .token(let t): t
            case .hmac(_, let secret, _): secret
            }
        }
    }

    public static let defaultMaxBody = 1 << 20
    public static let defaultLogHeadsEvery = Span(ms: 3_600_000)
    /// A witness wants the heads often enough to matter and not so often that the outbox fills
    /// with them: a second (tests, drills) to a month.
    static let logHeadsRange = Span(ms: 1_000)...Span(ms: 31 * 86_400_000)
    /// The most `max_body` may be: a body is held whole in memory before it is ingested.
    public static let largestMaxBody = 1 << 30
    public static let defaultShutdownGrace = Span.seconds(10)
    /// Timeouts and the grace are bounded by an hour: a longer one only lets a slow client hold
    /// a connection (or a stop) that much longer.
    public static let longestWait = Span.seconds(3600)

    public init(listen: String? = nil, maxBody: Int = ServeConfig.defaultMaxBody, apiKeys: [APIKey] = [], sources: [String: Source] = [:], theHiveKeys: [String] = []) {
        self.listen = listen
        self.maxBody = maxBody
        self.apiKeys = apiKeys
        self.sources = sources
        self.theHiveKeys = theHiveKeys
    }

    /// What is wrong with the file, where, and what to do.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public static func load(path: String, secrets: Secrets) throws(Problem) -> ServeConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Problem("cannot read \(path); write one as README's \"taser serve\" shows, or pass --config FILE")
        }
        return try parse(yaml: text, file: path, secrets: secrets)
    }

    public static func parse(yaml text: String, file: String, secrets: Secrets) throws(Problem) -> ServeConfig {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw Problem("\(file): not YAML: \(error)") }
        guard let map = (root ?? [String: Any]()) as? [String: Any] else {
            throw Problem("\(file): expected a mapping with listen, max_body, timeouts, shutdown_grace, api_keys, sources, thehive and slack")
        }
        let known = ["listen", "max_body", "max_record", "timeouts", "shutdown_grace", "api_keys", "sources", "thehive", "slack", "log_heads_every"]
        for key in map.keys where !known.contains(key) {
            throw Problem("\(file): unknown key '\(key)'; the keys are \(known.joined(separator: ", "))")
        }
        var config = ServeConfig()
        if let listen = map["listen"] {
            guard let s = listen as? String else { throw Problem("\(file): listen must be HOST:PORT, such as 127.0.0.1:8080") }
            config.listen = s
        }
        if let size = map["max_body"] {
            do { config.maxBody = try ByteCount.parse("\(size)", limit: largestMaxBody) } catch { throw Problem("\(file): max_body \(error)") }
        }
        if let size = map["max_record"] {
            do { config.maxRecord = try ByteCount.parse("\(size)", limit: recordRange.upperBound) } catch { throw Problem("\(file): max_record \(error)") }
            guard config.maxRecord >= recordRange.lowerBound else {
                throw Problem("\(file): max_record '\(size)' is less than \(ByteCount.text(recordRange.lowerBound)), the least taser accepts")
            }
        }
        if let timeouts = map["timeouts"] {
            config.timeouts = try Timeouts.parse(timeouts, file: file)
        }
        if let grace = map["shutdown_grace"] {
            do { config.shutdownGrace = try Span.parse("\(grace)", limit: longestWait) } catch { throw Problem("\(file): shutdown_grace \(error)") }
        }
        if let every = map["log_heads_every"] {
            let text = "\(every)"
            if text == "off" || (every as? Bool) == false {
                config.logHeadsEvery = nil
            } else {
                let span: Span
                do { span = try Span.parse(text, limit: logHeadsRange.upperBound) } catch {
                    throw Problem("\(file): log_heads_every: \(error.description), or off")
                }
                guard logHeadsRange.contains(span) else {
                    throw Problem("\(file): log_heads_every '\(text)' is shorter than 1s; write 1h, 15m, or off")
                }
                config.logHeadsEvery = span
            }
        }
        func secret(_ value: Any?, at place: String) throws(Problem) -> String {
            guard let template = value as? String, !template.isEmpty else { throw Problem("\(file): \(place) is missing") }
            guard template.contains("${") else {
                throw Problem("\(file): \(place) must name a secret (\"${secret:NAME}\" or \"${env:NAME}\"), not hold it")
            }
            do { return try secrets.resolve(template, for: "\(file): \(place)") } catch { throw Problem((error as? Secrets.Problem)?.description ?? "\(error)") }
        }
        if let keys = map["api_keys"] {
            guard let list = keys as? [Any] else { throw Problem("\(file): api_keys must be a list of {key, analyst}") }
            for (n, item) in list.enumerated() {
                guard let entry = item as? [String: Any], let analyst = entry["analyst"] as? String, !analyst.isEmpty else {
                    throw Problem("\(file): api_keys[\(n)] must be {key: \"${secret:NAME}\", analyst: NAME}")
                }
                config.apiKeys.append(APIKey(key: try secret(entry["key"], at: "api_keys[\(n)].key"), analyst: analyst))
            }
        }
        if let sources = map["sources"] {
            guard let entries = sources as? [String: Any] else { throw Problem("\(file): sources must map names to {token} or {hmac}") }
            for (name, value) in entries {
                guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                    throw Problem("\(file): source name '\(name)' may hold letters, digits and - _ . only (it is a URL path part)")
                }
                guard let entry = value as? [String: Any] else { throw Problem("\(file): sources.\(name) must be {token: ...} or {hmac: ...}") }
                let auth: SourceAuth
                if let token = entry["token"] {
                    auth = .token(try secret(token, at: "sources.\(name).token"))
                } else if let hmac = entry["hmac"] as? [String: Any] {
                    guard let header = hmac["header"] as? String, !header.isEmpty else {
                        throw Problem("\(file): sources.\(name).hmac.header is missing (the header carrying the signature, such as X-Hub-Signature-256)")
                    }
                    auth = .hmac(
                        header: header, secret: try secret(hmac["secret"], at: "sources.\(name).hmac.secret"),
                        prefix: hmac["prefix"] as? String ?? "")
                } else {
                    throw Problem("\(file): sources.\(name) needs token or hmac: a webhook nobody authenticates would let anyone write signals")
                }
                config.sources[name] = Source(name: name, auth: auth, format: entry["format"] as? String)
            }
        }
        if let hive = map["thehive"] {
            guard let entry = hive as? [String: Any], let keys = entry["api_keys"] as? [Any] else {
                throw Problem("\(file): thehive must be {api_keys: [\"${secret:NAME}\", ...]}")
            }
            for (n, key) in keys.enumerated() { config.theHiveKeys.append(try secret(key, at: "thehive.api_keys[\(n)]")) }
        }
        if let slack = map["slack"] {
            guard let entry = slack as? [String: Any] else { throw Problem("\(file): slack must be {signing_secret: \"${secret:slack_signing_secret}\"}") }
            config.slackSigningSecret = try secret(entry["signing_secret"], at: "slack.signing_secret")
        }
        return config
    }
}

/// Where to listen: `127.0.0.1:8080`, `[::1]:8080`; port 0 asks the system for a free one.
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init?(_ text: String) {
        var host = ""
        var portText = ""
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = String(rest.dropFirst())
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }
}
