import CCurl
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a stream of bytes goes: a TCP listener, plain or behind TLS (a syslog collector).
public struct StreamTarget: Sendable {
    public var host: String
    public var port: Int
    public var tls: Bool
    /// The PEM file of the CAs that may sign the server's certificate; nil: the system's.
    public var caFile: String?
    /// For the whole exchange: connecting, the handshake, sending and (plain TCP) the close.
    public var timeout: Double

    public init(host: String, port: Int, tls: Bool, caFile: String? = nil, timeout: Double = 10) {
        self.host = host
        self.port = port
        self.tls = tls
        self.caFile = caFile
        self.timeout = timeout
    }

    /// `host:port`, an IPv6 literal in brackets: what URLs and errors name.
    public var address: String { (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }
}

public struct StreamError: Error, Sendable, CustomStringConvertible {
    public var address: String
    public var reason: String
    public var isTimeout: Bool
    public var description: String { "\(address): \(reason)" }
}

/// Bytes to a TCP listener, one connection per call: plain TCP over POSIX sockets, TLS over
/// libcurl's CONNECT_ONLY mode (curl does the handshake and certificate checks as it does for
/// HTTPS, with the same CA bundles; `curl_easy_send` writes through it). Calls block the
/// calling thread, never longer than the target's timeout.
public struct StreamClient: Sendable {
    public init() {}

    public func send(_ bytes: [UInt8], to target: StreamTarget) throws(StreamError) {
        let deadline = Deadline(seconds: target.timeout)
        if target.tls {
            try sendTLS(bytes, to: target, deadline)
        } else {
            try sendPlain(bytes, to: target, deadline)
        }
    }

    /// Plain TCP. After the bytes, the write side is shut and the call waits for the server to
    /// close its side: a collector that reads to the end and closes has the message (a syslog
    /// server does exactly that on EOF), while one that dropped the connection unread answers
    /// with a reset, which is an error here, so the message is sent again.
    func sendPlain(_ bytes: [UInt8], to target: StreamTarget, _ deadline: Deadline) throws(StreamError) {
        let fd = try connect(target, deadline)
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { Glibc.send(fd, $0 + offset, raw.count - offset, Int32(MSG_NOSIGNAL)) } ?? 0
            }
            if n > 0 {
                offset += n
            } else if n < 0, [EAGAIN, EWOULDBLOCK, EINTR].contains(errno) {
                guard try wait(fd, for: POLLOUT, until: deadline, target) else {
                    throw failure(target, "sent \(offset) of \(bytes.count) bytes within \(seconds(target.timeout))", timeout: true)
                }
            } else {
                throw failure(target, "the connection broke after \(offset) of \(bytes.count) bytes: \(errorText())")
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &sink, sink.count, 0)
            if n == 0 { return }
            if n < 0, ![EAGAIN, EWOULDBLOCK, EINTR].contains(errno) {
                throw failure(target, "the server dropped the connection before closing it (\(errorText())); the message may be unread")
            }
            // Collectors send nothing; whatever one sends is read and ignored, but not for ever.
            guard !deadline.passed else {
                throw failure(target, "the server did not close the connection within \(seconds(target.timeout)) of the message", timeout: true)
            }
            if n < 0, try !wait(fd, for: POLLIN, until: deadline, target) {
                throw failure(target, "the server did not close the connection within \(seconds(target.timeout)) of the message", timeout: true)
            }
        }
    }

    /// A connected non-blocking socket to the first address of `target` that takes one.
    func connect(_ target: StreamTarget, _ deadline: Deadline) throws(StreamError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard rc == 0, list != nil else { throw failure(target, "cannot resolve \(target.host): \(String(cString: gai_strerror(rc)))") }
        defer { freeaddrinfo(list) }
        // Connecting gets at most 10 s of the timeout, as HTTP does.
        let connectBy = Deadline(seconds: min(target.timeout, 10)).earlier(than: deadline)
        var why = "no address for \(target.host)"
        var node = list
        while let ai = node?.pointee {
            node = ai.ai_next
            let fd = socket(ai.ai_family, ai.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), ai.ai_protocol)
            guard fd >= 0 else {
                why = "socket: \(errorText())"
                continue
            }
            if Glibc.connect(fd, ai.ai_addr, ai.ai_addrlen) != 0, errno != EINPROGRESS {
                why = "connect: \(errorText())"
                close(fd)
                continue
            }
            let ready: Bool
            do { ready = try wait(fd, for: POLLOUT, until: connectBy, target) } catch {
                close(fd)
                throw error
            }
            guard ready else {
                close(fd)
                throw failure(target, "no connection within \(seconds(min(target.timeout, 10)))", timeout: true)
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            guard err == 0 else {
                why = "connect: \(String(cString: strerror(err)))"
                close(fd)
                continue
            }
            return fd
        }
        throw failure(target, why)
    }

    /// TLS through libcurl: CONNECT_ONLY connects and does the handshake (certificate and host
    /// name checked against `caFile` or the system's CAs), then `curl_easy_send` writes.
    /// libcurl cannot shut only its write side, so the close cannot confirm that the server
    /// read the message, as it does on plain TCP: RFC 5425 has no acknowledgement; a refused
    /// connection or a failed handshake is seen, and the message is sent again.
    func sendTLS(_ bytes: [UInt8], to target: StreamTarget, _ deadline: Deadline) throws(StreamError) {
        _ = HTTPClient.globalInit
        guard let curl = curl_easy_init() else { throw failure(target, "libcurl failed to start") }
        let detail = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        detail.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { detail.deallocate() }
        defer { curl_easy_cleanup(curl) }  // runs first: curl writes into `detail` until then
        let timeout = min(max(target.timeout, 0.001), 86_400)
        taser_curl_set_string(curl, CURLOPT_URL, "https://\(target.address)")
        taser_curl_set_long(curl, CURLOPT_CONNECT_ONLY, 1)
        taser_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        // https_proxy in the environment is for web traffic, not for a syslog collector.
        taser_curl_set_string(curl, CURLOPT_NOPROXY, "*")
        taser_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        taser_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        taser_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(detail))
        if let ca = target.caFile { taser_curl_set_string(curl, CURLOPT_CAINFO, ca) }
        let code = curl_easy_perform(curl)
        guard code == CURLE_OK else {
            let reason = detail.pointee != 0 ? String(cString: detail) : String(cString: curl_easy_strerror(code))
            throw failure(target, reason, timeout: code == CURLE_OPERATION_TIMEDOUT)
        }
        var socket: curl_socket_t = -1
        taser_curl_get_socket(curl, CURLINFO_ACTIVESOCKET, &socket)
        var offset = 0
        while offset < bytes.count {
            var n = 0
            let rc = bytes.withUnsafeBytes { raw in curl_easy_send(curl, raw.baseAddress.map { $0 + offset }, raw.count - offset, &n) }
            if rc == CURLE_OK {
                offset += n
            } else if rc == CURLE_AGAIN, socket >= 0 {
                guard try wait(socket, for: POLLOUT, until: deadline, target) else {
                    throw failure(target, "sent \(offset) of \(bytes.count) bytes within \(seconds(target.timeout))", timeout: true)
                }
            } else {
                let reason = detail.pointee != 0 ? String(cString: detail) : String(cString: curl_easy_strerror(rc))
                throw failure(target, "the connection broke after \(offset) of \(bytes.count) bytes: \(reason)")
            }
        }
        // Read what the server sent meanwhile (TLS 1.3 session tickets): a socket closed with
        // unread input is reset rather than closed, which a collector may log as an error.
        var sink = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 {
            var n = 0
            guard curl_easy_recv(curl, &sink, sink.count, &n) == CURLE_OK, n > 0 else { break }
        }
    }

    /// Waits until `fd` is ready for `event` (POLLIN, POLLOUT) or the deadline; false when the
    /// deadline came first. An error or hang-up counts as ready: the next call reports it.
    func wait(_ fd: Int32, for event: Int32, until deadline: Deadline, _ target: StreamTarget) throws(StreamError) -> Bool {
        while true {
            let ms = deadline.remainingMilliseconds
            if ms == 0 { return false }
            var p = pollfd(fd: fd, events: Int16(truncatingIfNeeded: event), revents: 0)
            let n = poll(&p, 1, ms)
            if n > 0 { return true }
            if n < 0, errno != EINTR { throw failure(target, "poll: \(errorText())") }
        }
    }

    func failure(_ target: StreamTarget, _ reason: String, timeout: Bool = false) -> StreamError {
        StreamError(address: target.address, reason: reason, isTimeout: timeout)
    }

    func errorText() -> String { String(cString: strerror(errno)) }

    func seconds(_ s: Double) -> String { s == s.rounded() && s < 1e9 ? "\(Int(s)) s" : String(format: "%.1f s", s) }
}

/// A point on the monotonic clock, a timeout from now.
struct Deadline {
    let end: UInt64

    /// Within a millisecond and a day, whatever the caller computed (NaN included).
    init(seconds: Double) {
        let s = seconds.isFinite ? min(max(seconds, 0.001), 86_400) : 30
        end = DispatchTime.now().uptimeNanoseconds + UInt64(s * 1e9)
    }

    private init(end: UInt64) { self.end = end }

    func earlier(than other: Deadline) -> Deadline { Deadline(end: min(end, other.end)) }

    var passed: Bool { DispatchTime.now().uptimeNanoseconds >= end }

    /// What is left, rounded up, as poll(2) takes it; 0 once passed.
    var remainingMilliseconds: Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < end else { return 0 }
        return Int32(min((end - now) / 1_000_000 + 1, UInt64(Int32.max)))
    }
}
