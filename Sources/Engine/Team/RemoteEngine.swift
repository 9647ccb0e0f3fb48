import Foundation
import Model
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The client's side of team mode: the `TaserAPI` over the daemon's socket. Requests go one at a
/// time on one connection; a failure comes back as the daemon's `TeamFailure` (the message the
/// embedded CLI would print), a connection lost mid-request as "may not have been applied".
public final class RemoteEngine: TaserAPI, @unchecked Sendable {
    public let socketPath: String
    public let welcome: TeamWelcome
    private let fd: Int32
    private let lock = NSLock()
    private var nextID: Int64 = 1

    public var callerName: String { welcome.user }
    public var callerIsAdmin: Bool { welcome.admin }
    public var location: String { "the daemon at \(socketPath)" }

    public init(socket path: String, actingAs: String? = nil) throws {
        socketPath = path
        fd = try TeamClientSocket.connect(path)
        do {
            do {
                try TeamWire.send(TeamHello(protocolVersion: TeamWire.protocolVersion, version: TaserVersion.current, actingAs: actingAs), on: fd)
            } catch {
                // The daemon may have refused before reading the hello (too many connections)
                // and closed: its reason is waiting to be read, and says more than the broken pipe.
            }
            welcome = try TeamClientSocket.welcome(fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit { Glibc.close(fd) }

    func call<T: Decodable>(_ op: String, _ args: some Encodable, as type: T.Type) throws -> T {
        try lock.withLock {
            let id = nextID
            nextID += 1
            let text = String(decoding: try JSONEncoder().encode(args), as: UTF8.self)
            do {
                try TeamWire.send(TeamRequest(id: id, op: op, args: text), on: fd)
            } catch {
                throw TeamFailure(message: "the daemon on \(socketPath) went away before the request was sent (\(error)); nothing was applied", exitCode: 1)
            }
            let response: TeamResponse?
            do {
                response = try TeamWire.receive(TeamResponse.self, on: fd)
            } catch {
                response = nil
            }
            guard let response, response.id == id else {
                throw TeamFailure(message: "the daemon on \(socketPath) went away during the request: it may or may not have been applied; check, then run it again", exitCode: 1)
            }
            if let failure = response.failure { throw failure }
            guard let result = response.result else { throw TeamWire.Problem("the daemon answered neither a result nor a failure") }
            do {
                return try JSONDecoder().decode(T.self, from: Data(result.utf8))
            } catch {
                throw TeamWire.Problem("the daemon's answer to \(op) is malformed (\(error))")
            }
        }
    }

    public func cases(_ filter: CaseFilter) throws -> [CaseSummary] { try call("cases", filter, as: [CaseSummary].self) }
    public func caseDetail(_ id: Int64) throws -> CaseDetail { try call("case.detail", TeamOperations.ID(id: id), as: CaseDetail.self) }
    public func caseDocument(_ id: Int64) throws -> JSONValue { try call("case.document", TeamOperations.ID(id: id), as: JSONValue.self) }
    public func enrichments(of artifact: Int64) throws -> [Enrichment] { try call("enrichments", TeamOperations.ID(id: artifact), as: [Enrichment].self) }
    public func analysts() throws -> [Analyst] { try call("analysts", TeamOperations.Done(), as: [Analyst].self) }
    public func alerts(_ filter: AlertFilter) throws -> [Alert] { try call("alerts", filter, as: [Alert].self) }
    public func setStatus(ofAlerts ids: [Int64], to status: AlertStatus, reason: AlertCloseReason?) throws {
        _ = try call("alerts.status", TeamOperations.AlertStatusChange(ids: ids, status: status, reason: reason), as: TeamOperations.Done.self)
    }
    @discardableResult public func correct(_ caseID: Int64, entry seq: Int64, _ text: String) throws -> LogEntry {
        try call("case.correct", TeamOperations.Correction(id: caseID, entry: seq, text: text), as: LogEntry.self)
    }
    public func assign(_ caseID: Int64, to owner: String?) throws {
        _ = try call("case.assign", TeamOperations.Assignment(id: caseID, owner: owner), as: TeamOperations.Done.self)
    }
    @discardableResult public func tag(_ caseID: Int64, add: [String], remove: [String]) throws -> [String] {
        try call("case.tag", TeamOperations.Tags(id: caseID, add: add, remove: remove), as: [String].self)
    }
    public func setStatus(_ caseID: Int64, to status: CaseStatus, resolution: Resolution?, comment: String?) throws {
        _ = try call("case.status", TeamOperations.StatusChange(id: caseID, status: status, resolution: resolution, comment: comment), as: TeamOperations.Done.self)
    }
    public func share(_ caseID: Int64, with team: String, level: ShareLevel?) throws {
        _ = try call("case.share", TeamOperations.Sharing(id: caseID, team: team, level: level), as: TeamOperations.Done.self)
    }
    public func openCase(_ new: NewCase) throws -> Case { try call("case.open", new, as: Case.self) }
    public func alert(_ id: Int64) throws -> Alert { try call("alert", TeamOperations.ID(id: id), as: Alert.self) }
    @discardableResult public func addNote(_ caseID: Int64, _ text: String) throws -> LogEntry {
        try call("case.note", TeamOperations.Note(id: caseID, text: text), as: LogEntry.self)
    }
}

enum TeamClientSocket {
    /// Connects, or says which socket and how to start the daemon.
    /// A Unix socket address for `path`; nil when the path is longer than one can hold.
    static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return address
    }

    static func connect(_ path: String) throws -> Int32 {
        guard var address = address(path) else {
            throw TeamFailure(message: "the socket path \(path) is too long for a Unix socket; choose a shorter one", exitCode: 1)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TeamFailure(message: "cannot make a socket (\(String(cString: strerror(errno))))", exitCode: 1) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            let why: String
            switch code {
            case ENOENT, ECONNREFUSED: why = "no taser daemon is running there; start it as the service account: taser serve --socket \(path)"
            case EACCES: why = "you may not connect to it (its permissions or its directory's group decide who may; ask the admin to add you)"
            default: why = String(cString: strerror(code))
            }
            throw TeamFailure(message: "cannot reach the taser daemon at \(path): \(why)", exitCode: 1)
        }
        return fd
    }

    static func welcome(_ fd: Int32) throws -> TeamWelcome {
        // The daemon answers a welcome, or a failure (another version, --as refused) and closes.
        struct Either: Decodable {
            var protocolVersion: Int?, version: String?, user: String?, admin: Bool?
            var message: String?, exitCode: Int32?
        }
        guard let answer = try TeamWire.receive(Either.self, on: fd) else {
            throw TeamFailure(message: "the taser daemon closed the connection at once", exitCode: 1)
        }
        if let message = answer.message { throw TeamFailure(message: message, exitCode: answer.exitCode ?? 1) }
        guard let p = answer.protocolVersion, let v = answer.version, let user = answer.user, let admin = answer.admin else {
            throw TeamFailure(message: "the daemon's welcome is malformed", exitCode: 1)
        }
        return TeamWelcome(protocolVersion: p, version: v, user: user, admin: admin)
    }
}
