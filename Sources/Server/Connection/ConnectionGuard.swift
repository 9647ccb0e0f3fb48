import Foundation
import Logging
import Model
import NIOCore
import NIOHTTPTypes

/// The timeouts of one connection (serve.yaml `timeouts`), in its channel pipeline.
///
/// Two handlers share one `RequestClock`: `RequestWatch`, which Hummingbird places after the
/// HTTP decoder (it sees heads, bodies, ends and the answers going out), and `ConnectionGuard`,
/// which `RequestWatch` puts at the very front, where it sees raw bytes (a head's first byte
/// arrives long before the decoder makes a head of it) and can write a 408 past the HTTP
/// encoder, whatever state the encoder is in. Both run on the connection's event loop only.
/// (The front is the socket because serve speaks plain HTTP; TLS, where wanted, ends in front
/// of it. A TLS handler here would have to come before the guard.)
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var clock: RequestClock
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerAt: Int64?
    private var over = false

    init(_ timeouts: ServeConfig.Timeouts, logger: Logger) {
        clock = RequestClock(timeouts, now: ConnectionGuard.now)
        self.logger = logger
    }

    static var now: Int64 { Int64(clamping: NIODeadline.now().uptimeNanoseconds) }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { rearm() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        clock.started(at: Self.now)
        rearm()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        over = true
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if unwrapInboundIn(data).readableBytes > 0 {
            clock.bytesArrived(at: Self.now)
            rearm()
        }
        context.fireChannelRead(data)
    }

    // MARK: - From RequestWatch

    func headRead(_ request: String, theHive: Bool) { clock.headRead(request, theHive: theHive, at: Self.now); rearm() }
    func bodyRead(_ count: Int) { clock.bodyRead(count, at: Self.now) }
    func requestRead() { clock.requestRead(at: Self.now); rearm() }
    func answerBegan(status: Int) { clock.answerBegan(status: status) }
    func answerEnded() { clock.answerEnded(at: Self.now); rearm() }

    // MARK: - The timer

    /// One timer, at the nearest deadline or `checkEvery` from now, whichever is sooner.
    /// Progress only moves a deadline later, so the timer is moved only when a deadline comes
    /// nearer than it; when it fires with time left it is set again.
    private func rearm() {
        guard !over, let context, let deadline = clock.deadline else { return }
        if let timerAt, timerAt <= deadline { return }
        timer?.cancel()
        let at = min(deadline, plus(Self.now, clock.limits.checkEvery))
        timerAt = at
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(UInt64(max(0, at)))) { [self] in
            timer = nil
            timerAt = nil
            fire()
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
        timerAt = nil
    }

    private func fire() {
        guard !over, let context else { return }
        guard let expiry = clock.expiry(at: Self.now) else { return rearm() }
        over = true
        switch expiry {
        case .close:
            logger.debug("closing a connection that sent no request in time")
        case .answer(let why):
            logger.info("408 \(clock.request.isEmpty ? "(no request line yet)" : clock.request): \(why)")
            context.writeAndFlush(wrapInboundOut(Self.timedOut(why, theHive: clock.theHive)), promise: nil)
        case .cut(let why):
            logger.info("closing \(clock.request): \(why), after its answer began")
        }
        context.close(promise: nil)
    }

    /// The 408, written as bytes: the HTTP encoder behind this handler may be mid-answer or
    /// never have started one.
    static func timedOut(_ why: String, theHive: Bool) -> ByteBuffer {
        let message = JSONValue.string(why + "; send the request again, faster")
        var body: [UInt8] = []
        let answer: JSONValue = theHive ? .object(["type": "RequestTimeout", "message": message]) : .object(["error": "request_timeout", "message": message])
        answer.encode(into: &body)
        body.append(10)
        let head =
            "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

/// The HTTP side of `ConnectionGuard`: reports requests and answers as they pass.
final class RequestWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeouts: ServeConfig.Timeouts
    private let logger: Logger
    private var guardian: ConnectionGuard?

    init(_ timeouts: ServeConfig.Timeouts, logger: Logger) {
        self.timeouts = timeouts
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let guardian = ConnectionGuard(timeouts, logger: logger)
        do {
            try context.pipeline.syncOperations.addHandler(guardian, position: .first)
            self.guardian = guardian
        } catch {
            // Only a closing channel refuses a handler; it needs no timeouts.
            logger.debug("no connection guard: \(error)")
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // The path without its query (which may carry a token), and short: it goes to the log.
            let path = (head.path ?? "/").prefix { $0 != "?" }
            let request = "\(head.method) \(path.prefix(200))"
            // From here the request is in flight: a stop gives it the grace (tests wait for this line).
            logger.debug("head read: \(request)")
            guardian?.headRead(request, theHive: TheHiveRoutes.isTheHivePath(String(path)))
        case .body(let bytes): guardian?.bodyRead(bytes.readableBytes)
        case .end: guardian?.requestRead()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head): guardian?.answerBegan(status: head.status.code)
        case .body: break
        case .end: guardian?.answerEnded()
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension RequestWatch: Sendable {}
