import Foundation
import Model
import SignalServer
#if canImport(Glibc)
import Glibc
#endif

/// Team mode's protocol: one daemon (`taser serve --socket PATH`) owns the database, and the
/// analysts' CLI and console talk to it over a Unix socket that tells it who they are (the
/// kernel's peer credentials). Version 1, documented in docs/team-mode.md:
///
/// - Frames: a 4-byte big-endian length, then that many bytes of JSON; at most `largestFrame`.
/// - First the client's `TeamHello` (its protocol and taser version, and `as` for an admin acting
///   for an analyst); the daemon answers `TeamWelcome` or a `TeamFailure` and closes.
/// - Then requests (`TeamRequest`: an id, an operation, its arguments as JSON text) each answered
///   by a `TeamResponse` with the same id: a result (JSON text) or a failure with the message and
///   exit code the embedded CLI would have given.
public enum TeamWire {
    public static let protocolVersion = 1
    /// Bounds what a client reads for one answer: a case with its whole log fits many times.
    public static let largestFrame = 64 << 20
    /// Bounds what the daemon reads for one request (a note is at most a few hundred KiB), so
    /// a local user cannot make it hold 64 MiB per connection.
    public static let largestRequest = 4 << 20

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    static func send<T: Encodable>(_ value: T, on fd: Int32) throws {
        try sendFrame(try JSONEncoder().encode(value), on: fd, what: "a message")
    }

    /// A raw frame (`TeamIngest`'s bytes): the length, then the bytes as they are.
    static func sendRaw(_ bytes: [UInt8], on fd: Int32) throws {
        try sendFrame(Data(bytes), on: fd, what: "a frame")
    }

    /// The length, then the body, all of it (send(2) may take part at a time).
    private static func sendFrame(_ body: Data, on fd: Int32, what: String) throws {
        guard body.count <= largestFrame else { throw Problem("\(what) of \(body.count) bytes is over the protocol's \(largestFrame >> 20) MiB") }
        var length = UInt32(body.count).bigEndian
        var frame = Data(bytes: &length, count: 4)
        frame.append(body)
        try frame.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, base + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw Problem("the connection closed while sending (\(String(cString: strerror(errno))))") }
                sent += n
            }
        }
    }

    /// The next raw frame; nil when the other side closed between frames.
    static func receiveRaw(on fd: Int32, largest: Int) throws -> Data? {
        guard let head = try read(4, from: fd, endOK: true) else { return nil }
        let length = head.withUnsafeBytes { Int(UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self))) }
        guard length <= largest else { throw Problem("a frame of \(length) bytes is over the \(largest >> 10) KiB this side reads") }
        guard length > 0 else { return Data() }
        guard let body = try read(length, from: fd, endOK: false) else { throw Problem("the connection closed mid-frame") }
        return body
    }

    /// The next message, nil when the other side closed cleanly between messages.
    static func receive<T: Decodable>(_ type: T.Type, on fd: Int32, largest: Int = largestFrame) throws -> T? {
        guard let head = try read(4, from: fd, endOK: true) else { return nil }
        let length = head.withUnsafeBytes { Int(UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self))) }
        guard length <= largest else { throw Problem("a message of \(length) bytes is over the \(largest >> 20) MiB this side reads") }
        guard let body = try read(length, from: fd, endOK: false) else { throw Problem("the connection closed mid-message") }
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw Problem("a malformed message (\(error))")
        }
    }

    private static func read(_ count: Int, from fd: Int32, endOK: Bool) throws -> Data? {
        var out = Data(count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return recv(fd, base + got, count - got, 0)
            }
            if n < 0, errno == EINTR { continue }
            if n == 0 {
                if got == 0 && endOK { return nil }
                throw Problem("the connection closed mid-message")
            }
            guard n > 0 else { throw Problem("cannot read from the connection (\(String(cString: strerror(errno))))") }
            got += n
        }
        return out
    }
}

public struct TeamHello: Codable, Sendable {
    public var taser: String = "hello"
    public var protocolVersion: Int
    public var version: String
    /// `--as`: the daemon's admins only.
    public var actingAs: String?
}

public struct TeamWelcome: Codable, Sendable {
    public var protocolVersion: Int
    public var version: String
    /// Who the daemon acts for: the caller's login (or `--as`).
    public var user: String
    public var admin: Bool
}

public struct TeamRequest: Codable, Sendable {
    public var id: Int64
    public var op: String
    public var args: String
}

public struct TeamFailure: Codable, Sendable, Error, CustomStringConvertible {
    /// The text the embedded CLI prints for the same error.
    public var message: String
    public var exitCode: Int32
    /// The Engine's or the rule compiler's own error, which `RemoteEngine` throws in place of
    /// this one, so a client handles it as it does embedded.
    public var engineError: EngineError?
    public var ruleError: RuleError?
    public var description: String { message }

    public init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    /// The error a client throws for this failure.
    var typed: any Error {
        if let engineError { return engineError }
        if let ruleError { return ruleError }
        return self
    }
}

public struct TeamResponse: Codable, Sendable {
    public var id: Int64
    public var result: String?
    public var failure: TeamFailure?
}

/// The taser version a client and a daemon compare in their hello (another version is refused
/// with both named, so an upgrade that changes the protocol is never half-understood).
public enum TaserVersion {
    public static let current = "0.14.0"
}
