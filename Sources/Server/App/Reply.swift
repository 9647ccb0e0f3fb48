import Crypto
import Foundation
import Hummingbird
import Model

/// A refusal said the way API clients read it: an HTTP status and `{"error", "message"}`, the
/// error a stable word for programs and the message a sentence for people (what, where, what to do).
public struct Refusal: Error, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var error: String
    public var message: String
    /// Extra members of the body (the quarantine count, the reasons).
    var extra: [String: JSONValue] = [:]

    init(_ status: HTTPResponse.Status, _ error: String, _ message: String, extra: [String: JSONValue] = [:]) {
        self.status = status
        self.error = error
        self.message = message
        self.extra = extra
    }

    public var description: String { "\(status.code) \(error): \(message)" }

    static let bodyCutShort = Refusal(.badRequest, "body_incomplete", "the body ended before all of it arrived (the connection closed or timed out); nothing of it was kept")

    var response: Response {
        var body = extra
        body["error"] = .string(error)
        body["message"] = .string(message)
        var r = Reply.json(.object(body), status: status)
        if status == .unauthorized { r.headers[.wwwAuthenticate] = "Bearer" }
        return r
    }
}

enum Reply {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        value.encode(into: &bytes)
        bytes.append(10)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Blocking work (SQLite, Positron's plugins over libcurl) runs on its own threads, so the
/// server's event loops and Swift's cooperative pool stay free for other requests.
enum Blocking {
    private static let queue = DispatchQueue(label: "taser.serve.blocking", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension Request {
    /// The body, up to `limit` bytes: past it, 413 (before reading on when Content-Length says
    /// so). A body cut short (the connection closed or timed out, serve stopping) is an error,
    /// never a shorter body: half an NDJSON upload must not be ingested as if it were whole.
    func bytes(limit: Int) async throws -> [UInt8] {
        let declared = headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limit {
            throw Refusal(.contentTooLarge, "body_too_large", "the body is \(declared) bytes; this server takes at most \(limit) (max_body in serve.yaml)")
        }
        var buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw Refusal(.contentTooLarge, "body_too_large", "the body is over \(limit) bytes, the most this server takes (max_body in serve.yaml)")
        } catch {
            throw Refusal.bodyCutShort
        }
        if let declared, buffer.readableBytes != declared { throw Refusal.bodyCutShort }
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    /// The token of `Authorization: Bearer TOKEN`.
    var bearerToken: String? {
        guard let value = headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The media type without parameters, lowercased (`application/json`).
    var mediaType: String? {
        headers[.contentType].map { String($0.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased() }
    }
}

/// Compares secrets in time that depends on neither where they differ nor how long either is:
/// both are hashed to 32 bytes first, and every byte is compared.
func sameSecret(_ a: String, _ b: String) -> Bool {
    let x = Array(SHA256.hash(data: Array(a.utf8))), y = Array(SHA256.hash(data: Array(b.utf8)))
    var diff: UInt8 = 0
    for i in 0..<x.count { diff |= x[i] ^ y[i] }
    return diff == 0
}

/// Text from a request made safe for one log line: control characters (a decoded `%0A` could
/// forge a line) become `?`, and it is cut short.
enum Loggable {
    static func text(_ s: String, max: Int = 100) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.prefix(max).map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }
}

typealias HTTPRouter = Router<BasicRequestContext>
