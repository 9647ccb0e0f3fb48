import Crypto
import Foundation
import Hummingbird

/// How a webhook source proves a request is its own: a bearer token, or an HMAC-SHA256 of the
/// raw body under a shared secret (GitHub's `X-Hub-Signature-256: sha256=...`, and most
/// vendors' equivalents). A refusal never says which part was wrong beyond what the sender
/// needs, and never echoes a secret.
enum WebhookAuth {
    /// Checks what can be checked before the body is read (a token).
    static func checkBeforeBody(_ source: ServeConfig.Source, _ request: Request) throws {
        guard case .token(let token) = source.auth else { return }
        guard let given = request.bearerToken else {
            throw Refusal(.unauthorized, "unauthorized", "source '\(source.name)' needs `Authorization: Bearer TOKEN`")
        }
        guard sameSecret(given, token) else {
            throw Refusal(.unauthorized, "unauthorized", "the bearer token is not the one configured for source '\(source.name)'")
        }
    }

    /// Checks a body signature.
    static func checkBody(_ source: ServeConfig.Source, _ request: Request, _ body: [UInt8]) throws {
        guard case .hmac(let header, let secret, let prefix) = source.auth else { return }
        guard let given = request.headers.first(where: { $0.name.canonicalName == header.lowercased() })?.value else {
            throw Refusal(.unauthorized, "unauthorized", "source '\(source.name)' needs a \(header) header with the body's HMAC-SHA256")
        }
        let expected = prefix + signature(body, secret: secret)
        guard sameSecret(given.trimmingCharacters(in: .whitespaces).lowercased(), expected.lowercased()) else {
            throw Refusal(.unauthorized, "unauthorized", "the \(header) signature does not match the body for source '\(source.name)'")
        }
    }

    /// The lowercase hex HMAC-SHA256 of the body: what a sender puts after the prefix.
    static func signature(_ body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
