import Crypto
import Foundation
import Hummingbird

/// How a webhook source proves a request is its own: a bearer token, or an HMAC-SHA256 of the
/// raw body under a shared secret (GitHub's `X-Hub-Signature-256: sha256=...`, and most
/// vendors' equivalents).
///
/// An unauthenticated caller learns nothing of the configuration: an unknown source, a missing
/// credential and a wrong one get the same answer, after the same work (the body read, a token
/// compared and an HMAC computed, with stand-in secrets where the source has none or does not
/// exist). What was wrong goes to the server's log, for the operator.
enum WebhookAuth {
    /// The one refusal: how to prove a request, not which part failed or whether the source exists.
    static var refusal: Refusal {
        Refusal(
            .unauthorized, "unauthorized",
            "the request does not prove it comes from a source configured here: POST /ingest/NAME with the source's token (Authorization: Bearer TOKEN) or its body's HMAC-SHA256 in the source's signature header")
    }

    /// A secret no request can know, compared when the source has no secret of that kind.
    private static let standIn: String = {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }()

    /// Whether the request is the source's own; when not, why (for the log only).
    static func check(_ source: ServeConfig.Source?, _ request: Request, _ body: [UInt8]) -> (ok: Bool, why: String) {
        var token = standIn, secret = standIn, header = "x-taser-stand-in", prefix = ""
        switch source?.auth {
        case .token(let t): token = t
        case .hmac(let h, let s, let p): (header, secret, prefix) = (h.lowercased(), s, p)
        case nil: break
        }
        let bearer = request.bearerToken
        let tokenMatches = sameSecret(bearer ?? "", token)
        let given = request.headers.first(where: { $0.name.canonicalName == header })?.value
        let expected = prefix + signature(body, secret: secret)
        let signatureMatches = sameSecret((given ?? "").trimmingCharacters(in: .whitespaces).lowercased(), expected.lowercased())
        switch source?.auth {
        case nil:
            return (false, "no such source in serve.yaml")
        case .token:
            return tokenMatches ? (true, "") : (false, bearer == nil ? "no Authorization: Bearer token" : "the bearer token is not this source's")
        case .hmac(let h, _, _):
            return signatureMatches ? (true, "") : (false, given == nil ? "no \(h) header" : "the \(h) signature does not match the body")
        }
    }

    /// The lowercase hex HMAC-SHA256 of the body: what a sender puts after the prefix.
    static func signature(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
