import Foundation
import Model

/// A closed-loop HTTP/1.1 load generator for `taser bench serve`: several keep-alive connections
/// to a server on this machine, each sending its next request as soon as the last is answered,
/// timing each request from its first byte sent to its last byte read. Plain sockets, so it needs
/// nothing installed and costs the server's cores as little as a generator can. Loopback only:
/// it refuses any other address, and stops after its request count or its time limit.
struct LoopbackLoad {
    struct Outcome {
        var latenciesMS: [Double] = []
        var statuses: [Int: Int] = [:]
        /// Signal ids the server acknowledged (its 202 answers' `signals`).
        var acknowledged: [Int64] = []
        var errors = 0
        var seconds = 0.0
    }

    var port: Int
    var path: String
    var headers: [(String, String)]
    var connections: Int
    var timeLimit: TimeInterval = 300

    func run(_ bodies: [[UInt8]]) -> Outcome {
        // Requests are built before the clock starts and answers parsed after it stops, so the
        // generator spends as little of the shared cores as it can while the server is measured.
        let requests = bodies.map(request)
        let state = Shared(count: bodies.count)
        let deadline = Date().addingTimeInterval(timeLimit)
        let start = Date()
        let group = DispatchGroup()
        let threads = max(1, min(connections, bodies.count))
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                var local = Outcome()
                var answers: [[UInt8]] = []
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var connection: Int32 = -1
                while let index = state.next(), Date() < deadline {
                    if connection < 0 { connection = LoopbackLoad.connect(port: port) }
                    guard connection >= 0 else {
                        local.errors += 1
                        continue
                    }
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    guard let (status, body) = exchange(connection, requests[index], &buffer) else {
                        close(connection)
                        connection = -1
                        local.errors += 1
                        continue
                    }
                    local.latenciesMS.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    local.statuses[status, default: 0] += 1
                    if status == 202 { answers.append(body) }
                }
                if connection >= 0 { close(connection) }
                state.finished()
                for body in answers {
                    guard let json = try? JSONValue.parse(body), let ids = json["signals"]?.arrayValue else { continue }
                    for id in ids { if case .int(let n) = id { local.acknowledged.append(n) } }
                }
                state.merge(local)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        var outcome = state.total
        outcome.seconds = state.lastAnswer.timeIntervalSince(start)
        return outcome
    }

    private final class Shared: @unchecked Sendable {
        let lock = NSLock()
        var nextIndex = 0
        let count: Int
        var total = Outcome()
        /// When the last connection got its last answer: the end of the measured span.
        var lastAnswer = Date.distantPast
        init(count: Int) { self.count = count }

        func finished() {
            lock.withLock { lastAnswer = max(lastAnswer, Date()) }
        }

        func next() -> Int? {
            lock.withLock {
                guard nextIndex < count else { return nil }
                defer { nextIndex += 1 }
                return nextIndex
            }
        }

        func merge(_ o: Outcome) {
            lock.withLock {
                total.latenciesMS += o.latenciesMS
                total.acknowledged += o.acknowledged
                total.errors += o.errors
                for (k, v) in o.statuses { total.statuses[k, default: 0] += v }
            }
        }
    }

    /// A TCP connection to 127.0.0.1:port, Nagle off (small requests must not wait).
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            return -1
        }
        return fd
    }

    /// One request's bytes: head and body.
    func request(_ body: [UInt8]) -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    /// Sends one request and reads its answer (status and body, by Content-Length).
    func exchange(_ fd: Int32, _ request: [UInt8], _ chunk: inout [UInt8]) -> (Int, [UInt8])? {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return nil }
            sent += n
        }
        var filled = 0
        var headerEnd: Int? = nil
        var contentLength = 0
        var status = 0
        while true {
            if filled == chunk.count { chunk += [UInt8](repeating: 0, count: chunk.count) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, $0.count - filled, 0) }
            guard n > 0 else { return nil }
            filled += n
            if headerEnd == nil, let end = LoopbackLoad.find([13, 10, 13, 10], in: chunk[0..<filled]) {
                headerEnd = end + 4
                let text = String(decoding: chunk[0..<end], as: UTF8.self)
                let lines = text.split(separator: "\r\n")
                status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                for line in lines.dropFirst() where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
            if let start = headerEnd, filled >= start + contentLength {
                return (status, Array(chunk[start..<(start + contentLength)]))
            }
        }
    }

    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The value at or below which `p` of the sorted values fall (nearest rank).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
