import Credentials
import Crypto
import Foundation
import HTTPClient
import Model
import Store
import Yams

/// Polling vendors' log APIs on a schedule, with the position kept in the database so a
/// restart neither repeats nor skips (and a repeated page is harmless: ingest is idempotent).
///
///     pollers:
///       - name: okta
///         style: okta                       # the /api/v1/logs since/after pattern
///         url: https://acme.okta.com/api/v1/logs
///         token: ${secret:okta_token}       # or ${env:OKTA_TOKEN}
///         every: 60s
///         lookback: 24h                     # how far back the first poll reaches
///       - name: duo
///         style: duo                        # /admin/v2/logs/authentication, mintime/maxtime
///         url: https://api-1234.duosecurity.com
///         ikey: ${env:DUO_IKEY}
///         skey: ${secret:duo_skey}
///         every: 5m
public struct PollerConfig: Sendable {
    public enum Style: String, Sendable { case okta, duo }

    public var name: String
    public var style: Style
    public var url: String
    public var every: TimeInterval
    public var lookback: TimeInterval
    public var timeout: Double
    public var proxy: String?
    public var caBundle: String?
    /// Credentials, resolved from the environment or secrets file at load time.
    var token: String?
    var ikey: String?
    var skey: String?

    public var secretValues: [String] { [token, skey].compactMap { $0 } }

    public static func load(path: String, secrets: Secrets) throws -> [PollerConfig] {
        func bad(_ problem: String) -> Secrets.Problem { Secrets.Problem(description: "poll config \(path): \(problem)") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw bad("cannot read it") }
        guard let doc = (try? Yams.load(yaml: text)) as? [String: Any], let list = doc["pollers"] as? [[String: Any]], !list.isEmpty else {
            throw bad("expected `pollers:` with a list of pollers (name, style, url, every)")
        }
        return try list.enumerated().map { n, p in
            guard let name = p["name"] as? String else { throw bad("poller \(n + 1) needs a `name`") }
            guard let styleText = p["style"] as? String, let style = Style(rawValue: styleText) else {
                throw bad("poller \(name) needs `style: okta` or `style: duo`")
            }
            guard let url = p["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw bad("poller \(name) needs an http(s) `url`")
            }
            func span(_ key: String, _ fallback: Span, limit: Span = .longest) throws -> TimeInterval {
                guard let value = p[key] else { return fallback.seconds }
                do { return try Span.parse(value: value, limit: limit).seconds } catch { throw bad("poller \(name): `\(key)`: \(error)") }
            }
            let every = try span("every", .seconds(60), limit: .seconds(86_400))
            let lookback = try span("lookback", .seconds(86_400))
            let timeout = try span("timeout", .seconds(30), limit: .seconds(3600))
            var config = PollerConfig(
                name: name, style: style, url: url, every: every, lookback: lookback,
                timeout: timeout, proxy: p["proxy"] as? String,
                caBundle: p["ca_bundle"] as? String)
            let what = "poller \(name)"
            switch style {
            case .okta:
                guard let token = p["token"] as? String else { throw bad("poller \(name) (okta) needs `token: ${secret:NAME}` or `${env:NAME}`") }
                config.token = try secrets.resolve(token, for: what)
            case .duo:
                guard let ikey = p["ikey"] as? String, let skey = p["skey"] as? String else { throw bad("poller \(name) (duo) needs `ikey` and `skey`") }
                config.ikey = try secrets.resolve(ikey, for: what)
                config.skey = try secrets.resolve(skey, for: what)
            }
            return config
        }
    }
}

/// One poller at work.
public final class Poller: @unchecked Sendable {
    public let config: PollerConfig
    let ingester: Ingester
    let http: HTTPClient
    public let secrets: Secrets
    /// Attempts per request before the cycle gives up (the cursor stays where it was).
    public var attempts = 5
    /// The first retry's wait; it doubles, with jitter, up to `maxBackoff`.
    public var backoff: TimeInterval = 1
    public var maxBackoff: TimeInterval = 300
    /// How long a rate limit may make us wait within one cycle.
    public var maxRateLimitWait: TimeInterval = 120
    let sleep: @Sendable (TimeInterval) -> Void
    let now: @Sendable () -> Date

    public init(
        config: PollerConfig, ingester: Ingester, secrets: Secrets, sleep: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.config = config
        self.ingester = ingester
        self.secrets = secrets
        self.sleep = sleep
        self.now = now
        var http = HTTPClient(proxy: config.proxy, caBundle: config.caBundle)
        http.userAgent = "taser-poller/0.1"
        self.http = http
    }

    public struct PollError: Error, CustomStringConvertible {
        public var description: String
    }

    var cursorKey: String { "poll:\(config.name)" }

    /// One cycle: every page since the stored cursor, ingested; the cursor saved after each page.
    public func poll() throws -> IngestSummary {
        switch config.style {
        case .okta: return try pollOkta()
        case .duo: return try pollDuo()
        }
    }

    // MARK: Okta: follow rel="next" links; the last one is where the next cycle starts.

    func pollOkta() throws -> IngestSummary {
        let store = ingester.store
        var url = try store.read { tx in try tx.pollCursor(cursorKey) } ?? {
            let since = Timestamp(now().addingTimeInterval(-config.lookback)).iso8601
            return config.url + (config.url.contains("?") ? "&" : "?") + "since=\(since)&limit=1000&sortOrder=ASCENDING"
        }()
        var summary = IngestSummary()
        for _ in 0..<10_000 {
            let response = try fetch(HTTPRequest(
                url: url, headers: [("Authorization", "SSWS \(config.token ?? "")"), ("Accept", "application/json")],
                timeout: config.timeout))
            let page = try ingester.ingest(response.body, source: cursorKey, format: "okta")
            summary.add(page)
            let next = response.headers("Link").compactMap(Poller.nextLink).first
            if let next { try store.write { tx in try tx.setPollCursor(cursorKey, next, at: .now) } }
            // An empty page means we are at the end; the next link is where new events will appear.
            guard page.records > 0, let next, next != url else { break }
            url = next
            if let remaining = response.header("X-Rate-Limit-Remaining").flatMap(Int.init), remaining <= 0 {
                waitForReset(response)
            }
        }
        return summary
    }

    /// `<https://...>; rel="next"` from a Link header (which may list several links).
    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }

    // MARK: Duo: mintime/maxtime windows paged by next_offset, signed with the integration's key.

    func pollDuo() throws -> IngestSummary {
        let store = ingester.store
        let nowMS = Int64(now().timeIntervalSince1970 * 1000)
        let mintime = try store.read { tx in try tx.pollCursor(cursorKey) }.flatMap { Int64($0) }
            ?? nowMS - Int64(config.lookback * 1000)
        // Duo asks clients to stay two minutes behind real time, as logs arrive late.
        let maxtime = nowMS - 120_000
        guard maxtime > mintime else { return IngestSummary() }
        var summary = IngestSummary()
        var offset: String? = nil
        for _ in 0..<10_000 {
            var params = ["limit": "1000", "mintime": String(mintime), "maxtime": String(maxtime)]
            if let offset { params["next_offset"] = offset }
            let response = try fetch(duoRequest(path: "/admin/v2/logs/authentication", params: params))
            guard let doc = try? JSONValue.parse(response.body), doc.string("stat") == "OK" else {
                throw PollError(description: "\(config.name): Duo answered something other than stat OK: \(Poller.snippet(response.body))")
            }
            let logs = doc.at("response.authlogs")?.arrayValue ?? []
            if !logs.isEmpty {
                let page = try ingester.ingest(Array(JSONValue.array(logs).text.utf8), source: cursorKey, format: "duo")
                summary.add(page)
            }
            let next = doc.at("response.metadata.next_offset")?.arrayValue?.compactMap(\.stringValue)
            guard let next, !next.isEmpty, !logs.isEmpty else { break }
            offset = next.joined(separator: ",")
        }
        try store.write { tx in try tx.setPollCursor(cursorKey, String(maxtime + 1), at: .now) }
        return summary
    }

    /// Duo's request signature: HMAC-SHA1 over date, method, host, path and sorted parameters.
    func duoRequest(path: String, params: [String: String]) -> HTTPRequest {
        let base = URL(string: config.url)
        let host = (base?.host ?? "").lowercased() + (base?.port.map { ":\($0)" } ?? "")
        let query = params.sorted(by: { $0.key < $1.key }).map { "\(Poller.encode($0.key))=\(Poller.encode($0.value))" }.joined(separator: "&")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let date = formatter.string(from: now())
        let canonical = [date, "GET", host, path, query].joined(separator: "\n")
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Array(canonical.utf8), using: SymmetricKey(data: Array((config.skey ?? "").utf8)))
        let signature = mac.map { String(format: "%02x", $0) }.joined()
        let auth = Data("\(config.ikey ?? ""):\(signature)".utf8).base64EncodedString()
        let root = config.url.hasSuffix("/") ? String(config.url.dropLast()) : config.url
        return HTTPRequest(
            url: root + path + "?" + query, headers: [("Date", date), ("Authorization", "Basic \(auth)"), ("Accept", "application/json")],
            timeout: config.timeout)
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    // MARK: Retries, rate limits, and keeping secrets out of errors

    /// One request with retries: transport errors and 5xx back off exponentially with jitter;
    /// 429 waits for the rate limit's reset; other 4xx fail at once (retrying cannot fix them).
    func fetch(_ request: HTTPRequest) throws -> HTTPResponse {
        var wait = backoff
        var lastProblem = ""
        for attempt in 1...attempts {
            do {
                let response = try http.send(request)
                switch response.status {
                case 200..<300:
                    return response
                case 429:
                    lastProblem = "429 rate limited"
                    waitForReset(response)
                    continue
                case 500..<600:
                    lastProblem = "HTTP \(response.status)"
                case 401, 403:
                    throw PollError(description: "\(config.name): HTTP \(response.status) from \(redacted(request.url)); check the poller's credentials")
                default:
                    throw PollError(description: "\(config.name): HTTP \(response.status) from \(redacted(request.url)): \(Poller.snippet(response.body))")
                }
            } catch let error as HTTPError {
                lastProblem = error.reason
            }
            if attempt < attempts {
                sleep(min(wait, maxBackoff) * Double.random(in: 0.8...1.2))
                wait *= 2
            }
        }
        throw PollError(description: "\(config.name): gave up after \(attempts) attempts (\(lastProblem)) on \(redacted(request.url)); the cursor is kept, the next cycle resumes there")
    }

    /// Waits for `X-Rate-Limit-Reset` (epoch seconds, Okta) or `Retry-After` (seconds), bounded.
    func waitForReset(_ response: HTTPResponse) {
        var seconds: TimeInterval = 5
        if let reset = response.header("X-Rate-Limit-Reset").flatMap(Double.init) {
            seconds = reset - now().timeIntervalSince1970
        } else if let after = response.header("Retry-After").flatMap(Double.init) {
            seconds = after
        }
        // The headers are the remote's input: `nan` or `1e300` waits the bounded default.
        sleep(seconds.isFinite ? min(max(seconds, 0.5), maxRateLimitWait) : 5)
    }

    func redacted(_ text: String) -> String { secrets.redact(text, also: config.secretValues) }

    static func snippet(_ body: [UInt8]) -> String {
        String(decoding: body.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
    }
}
