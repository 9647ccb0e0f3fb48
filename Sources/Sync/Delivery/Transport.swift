import Credentials
import Foundation
import HTTPClient
import Model

/// What one attempt came to.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again later; `after` is what the remote asked for (Retry-After), in seconds.
    case retry(String, after: Double?)
    /// Retrying cannot help (a 4xx that is not 408 or 429, an endpoint that does not exist).
    case dead(String)
}

/// A failed step of a delivery, already free of secrets.
struct DeliveryFailure: Error {
    var outcome: DeliveryOutcome
}

/// HTTP for the endpoints: credentials filled in at request time, the idempotency key on every
/// request, a response turned into an outcome, and every secret taken out of what is recorded.
struct Transport: Sendable {
    let endpoint: String
    let client: HTTPClient
    let secrets: Secrets
    let timeout: Double

    /// A setting with its references filled in. The resolved values are remembered for redaction.
    func resolve(_ template: String, into used: inout [String]) throws -> String {
        let value: String
        do { value = try secrets.resolve(template, for: "endpoint \(endpoint)") } catch {
            throw DeliveryFailure(outcome: .dead("\(error)"))
        }
        if value != template { used.append(value) }
        return value
    }

    /// Sends one request. 2xx returns the response; anything else throws the outcome: 429
    /// (honouring Retry-After), 408, 5xx and network failures retry; other statuses are dead.
    /// `what` names the request in errors (`POST /api/v1/alert`), never the full URL, which
    /// may carry a secret (a Slack webhook).
    func send(
        _ method: String, _ url: String, what: String, headers: [(String, String)] = [], json: JSONValue?, key: String,
        secretsUsed: [String], accept: (HTTPResponse) -> Bool = { (200..<300).contains($0.status) }
    ) throws -> HTTPResponse {
        var all: [(name: String, value: String)] = [("Idempotency-Key", key)]
        if json != nil { all.append(("Content-Type", "application/json")) }
        all.append(contentsOf: headers.map { (name: $0.0, value: $0.1) })
        let body = json.map { Array($0.text.utf8) }
        return try send(HTTPRequest(method: method, url: url, headers: all, body: body, timeout: timeout), what: what, secretsUsed: secretsUsed, accept: accept)
    }

    func send(_ request: HTTPRequest, what: String, secretsUsed: [String], accept: (HTTPResponse) -> Bool = { (200..<300).contains($0.status) }) throws -> HTTPResponse {
        let clean = { (text: String) in secrets.redact(text, also: secretsUsed) }
        let response: HTTPResponse
        do { response = try client.send(request) } catch {
            let why = error.isTimeout ? "no answer within \(Transport.seconds(timeout))" : error.reason
            throw DeliveryFailure(outcome: .retry(clean("\(what): \(why)"), after: nil))
        }
        if accept(response) { return response }
        let detail = Transport.snippet(response.body)
        let message = clean("\(what): HTTP \(response.status)" + (detail.isEmpty ? "" : ": \(detail)"))
        switch response.status {
        case 429: throw DeliveryFailure(outcome: .retry(message, after: Transport.retryAfter(response.header("Retry-After"))))
        case 408, 500...599: throw DeliveryFailure(outcome: .retry(message, after: nil))
        default: throw DeliveryFailure(outcome: .dead(message))
        }
    }

    /// Sends bytes on a connection of their own (syslog). Every failure retries: a stream has
    /// no status that says retrying cannot help, and a collector that is down comes back.
    func stream(_ bytes: [UInt8], to target: StreamTarget, what: String) throws {
        do { try StreamClient().send(bytes, to: target) } catch {
            throw DeliveryFailure(outcome: .retry(secrets.redact("\(what): \(error.reason)"), after: nil))
        }
    }

    /// The longest a remote may ask us to wait: a day. Retry-After is the remote's input, and
    /// `1e300` or `nan` must neither trap the conversion to milliseconds nor park a message for ever.
    static let longestRetryAfter: Double = 86_400

    /// Retry-After as seconds or an HTTP date, within 0...longestRetryAfter.
    static func retryAfter(_ value: String?, now: Date = Date()) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value) { return seconds.isFinite ? min(max(0, seconds), longestRetryAfter) : nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: value).map { min(max(0, $0.timeIntervalSince(now)), longestRetryAfter) }
    }

    /// The start of an error body, on one line.
    static func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }

    static func json(_ response: HTTPResponse, what: String) throws -> JSONValue {
        do { return try JSONValue.parse(response.body) } catch {
            throw DeliveryFailure(outcome: .retry("\(what): HTTP \(response.status) but the answer is not JSON: \(snippet(response.body))", after: nil))
        }
    }
}
