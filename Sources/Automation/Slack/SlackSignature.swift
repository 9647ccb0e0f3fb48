import Crypto
import Foundation

/// Slack's request signing: `X-Slack-Signature: v0=HEX(HMAC-SHA256(secret, "v0:TIMESTAMP:BODY"))`
/// with `X-Slack-Request-Timestamp` in epoch seconds. A request older than five minutes is
/// refused (a captured request cannot be replayed later); replays inside the window are the
/// caller's to refuse, by remembering signatures.
public enum SlackSignature {
    /// The name of the signing secret in the secrets file (`${secret:slack_signing_secret}`).
    public static let secretName = "slack_signing_secret"
    public static let maximumAge: Int64 = 5 * 60

    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case missingHeaders
        case badTimestamp(String)
        case tooOld(seconds: Int64)
        case badSignature

        public var description: String {
            switch self {
            case .missingHeaders: "missing X-Slack-Signature or X-Slack-Request-Timestamp"
            case .badTimestamp(let t): "X-Slack-Request-Timestamp '\(t.prefix(20))' is not epoch seconds"
            case .tooOld(let s) where s < 0: "the request is stamped \(-s) s in the future (more than \(SlackSignature.maximumAge) s off): refused"
            case .tooOld(let s): "the request is \(s) s old (more than \(SlackSignature.maximumAge) s): refused as a possible replay"
            case .badSignature: "X-Slack-Signature does not match the body signed with the signing secret"
            }
        }
    }

    public static func sign(body: [UInt8], timestamp: String, secret: String) -> String {
        let base = Array("v0:\(timestamp):".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: base, using: SymmetricKey(data: Array(secret.utf8)))
        return "v0=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks the headers (names in any case) against the body; `now` in epoch seconds.
    public static func verify(body: [UInt8], headers: [String: String], secret: String, now: Int64) throws(Problem) {
        let lower = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        guard let signature = lower["x-slack-signature"], let stamp = lower["x-slack-request-timestamp"] else { throw .missingHeaders }
        guard let time = Int64(stamp.trimmingCharacters(in: .whitespaces)) else { throw .badTimestamp(stamp) }
        // Also refuses stamps far in the future: a clock that far off is not Slack's. Checked
        // arithmetic: the stamp comes from the request, and `now - Int64.min` would trap.
        let (age, overflow) = now.subtractingReportingOverflow(time)
        guard !overflow else { throw .badTimestamp(stamp) }
        guard age.magnitude <= UInt64(maximumAge) else { throw .tooOld(seconds: age) }
        let expected = sign(body: body, timestamp: stamp.trimmingCharacters(in: .whitespaces), secret: secret)
        guard constantTimeEqual(Array(expected.utf8), Array(signature.trimmingCharacters(in: .whitespaces).utf8)) else { throw .badSignature }
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
