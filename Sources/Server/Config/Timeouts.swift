import Foundation
import Model

extension ServeConfig {
    /// How long serve waits on a client, so a slow or silent one cannot hold a connection (or
    /// keep serve from stopping) for as long as it likes. serve.yaml:
    ///
    ///     timeouts:
    ///       head: 10s          # a connection's start, or a request's first byte, to the end of its head
    ///       body: 10s          # the longest pause inside a body, and the head start of body_rate
    ///       body_rate: 1KiB/s  # the least a body must average once it is `body` old
    ///       idle: 60s          # a kept-alive connection with no request
    ///
    /// A request that runs out of time is answered 408 when no answer to it has begun, and its
    /// connection is closed; an idle or silent connection is closed without a word.
    public struct Timeouts: Sendable, Equatable {
        public var head = Span.seconds(10)
        public var body = Span.seconds(10)
        /// Bytes per second.
        public var bodyRate = 1024
        public var idle = Span.seconds(60)

        public init() {}

        public init(head: Span, body: Span, bodyRate: Int, idle: Span) {
            self.head = head
            self.body = body
            self.bodyRate = bodyRate
            self.idle = idle
        }

        /// The most `body_rate` may ask: more would refuse honest clients on ordinary links.
        public static let highestBodyRate = 1 << 30

        static func parse(_ value: Any, file: String) throws(Problem) -> Timeouts {
            let keys = ["head", "body", "body_rate", "idle"]
            guard let map = value as? [String: Any] else {
                throw Problem("\(file): timeouts must be a mapping such as {head: 10s, body: 10s, body_rate: 1KiB/s, idle: 60s}")
            }
            for key in map.keys where !keys.contains(key) {
                throw Problem("\(file): unknown key 'timeouts.\(key)'; the keys are \(keys.joined(separator: ", "))")
            }
            var t = Timeouts()
            func span(_ key: String) throws(Problem) -> Span? {
                guard let v = map[key] else { return nil }
                do { return try Span.parse("\(v)", limit: ServeConfig.longestWait) } catch { throw Problem("\(file): timeouts.\(key) \(error)") }
            }
            if let s = try span("head") { t.head = s }
            if let s = try span("body") { t.body = s }
            if let s = try span("idle") { t.idle = s }
            if let v = map["body_rate"] {
                // `1KiB/s` says what it is; `1KiB` means the same.
                var text = "\(v)".trimmingCharacters(in: .whitespaces)
                if text.hasSuffix("/s") { text.removeLast(2) }
                do { t.bodyRate = try ByteCount.parse(text, limit: highestBodyRate) } catch {
                    throw Problem("\(file): timeouts.body_rate \(error) (a rate per second, such as 1KiB/s)")
                }
            }
            return t
        }
    }
}
