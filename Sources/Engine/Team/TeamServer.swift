import Foundation
import AlertEngine
import Model
import Positron
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's side of team mode: a Unix socket whose permissions (or its directory's) decide
/// who may connect, and the kernel's word (SO_PEERCRED) for who did. Each connection gets the
/// Engine acting as that login; the Engine checks access as it does embedded, so a case the
/// caller may not read is "no case N" here too. One thread per connection, at most
/// `mostConnections` at once.
public final class TeamServer: @unchecked Sendable {
    let engine: Engine
    public let socketPath: String
    let mode: mode_t
    let admins: Set<uid_t>
    /// Members of this group (by gid; primary or supplementary) are admins too.
    let adminGroup: gid_t?
    private var listener: Int32 = -1
    private var changes: ChangeFeed?
    private let lock = NSLock()
    private var open = 0
    public static let mostConnections = 256
    /// Positron as the daemon asks it (its service account's config, with taser's own data):
    /// analysts' questions through the daemon go through this, audited as theirs.
    public var positron: PositronConfig?
    /// Makes the ingester for a streamed `taser ingest` (the daemon's formats and mapping files,
    /// the client's lateness); nil refuses ingest.
    public var ingester: (@Sendable (Int64) throws -> Ingester)?
    /// How long a new connection has to say hello.
    public var helloSeconds = 10

    /// `admins`: uids that may use `--as` besides root and the daemon's own account;
    /// `adminGroup`: a group whose members may as well (`serve --admin-group`).
    public init(engine: Engine, socketPath: String, mode: mode_t = 0o660, admins: Set<uid_t> = [], adminGroup: gid_t? = nil) {
        self.adminGroup = adminGroup
        self.engine = engine
        self.socketPath = socketPath
        self.mode = mode
        self.admins = admins.union([0, geteuid()])
    }

    /// Binds and listens; a stale socket file (nobody listening) is replaced, a live one refused.
    public func start() throws {
        guard var address = TeamClientSocket.address(socketPath) else {
            throw TeamWire.Problem("the socket path \(socketPath) is too long for a Unix socket; choose a shorter one")
        }
        if FileManager.default.fileExists(atPath: socketPath) {
            if TeamServer.someoneListens(socketPath) {
                throw TeamWire.Problem("a daemon already listens on \(socketPath); stop it first")
            }
            unlink(socketPath)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TeamWire.Problem("cannot make a socket (\(String(cString: strerror(errno))))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw TeamWire.Problem("cannot listen on \(socketPath) (\(reason)); check the directory exists and the service account may write it")
        }
        chmod(socketPath, mode)
        guard listen(fd, 64) == 0 else {
            Glibc.close(fd)
            throw TeamWire.Problem("cannot listen on \(socketPath) (\(String(cString: strerror(errno))))")
        }
        listener = fd
        changes = ChangeFeed(store: engine.store)
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "taser-team-accept"
        thread.start()
    }

    public func stop() {
        changes?.stop()
        if listener >= 0 {
            shutdown(listener, Int32(SHUT_RDWR))
            Glibc.close(listener)
            listener = -1
        }
        unlink(socketPath)
    }

    static func someoneListens(_ path: String) -> Bool {
        guard let fd = try? TeamClientSocket.connect(path) else { return false }
        Glibc.close(fd)
        return true
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // closed by stop()
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let admitted = lock.withLock { () -> Bool in
                guard open < TeamServer.mostConnections else { return false }
                open += 1
                return true
            }
            guard admitted else {
                try? TeamWire.send(TeamFailure(message: "the daemon has \(TeamServer.mostConnections) connections open; try again shortly", exitCode: 1), on: client)
                Glibc.close(client)
                continue
            }
            let thread = Thread { [self] in
                serve(client)
                Glibc.close(client)
                lock.withLock { open -= 1 }
            }
            thread.name = "taser-team-client"
            thread.start()
        }
    }

    /// Who is on the other end, as the kernel says.
    static func peer(_ fd: Int32) -> (uid: uid_t, login: String?)? {
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, PeerCredentials.option, &credentials, &length) == 0,
            length == socklen_t(MemoryLayout<PeerCredentials>.size)
        else { return nil }
        return (credentials.uid, TeamServer.login(of: credentials.uid))
    }

    static func login(of uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// Whether `login` is in group `gid`, as its primary group or a supplementary one: the
    /// group database as it stands now, so adding someone to the group needs no restart.
    static func login(_ login: String, isIn gid: gid_t) -> Bool {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(login, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return false }
        if entry.pw_gid == gid { return true }
        var count: Int32 = 256
        var groups = [gid_t](repeating: 0, count: Int(count))
        guard getgrouplist(login, entry.pw_gid, &groups, &count) >= 0 else { return false }
        return groups.prefix(Int(max(0, count))).contains(gid)
    }

    /// A group's gid by name; nil when there is none.
    public static func group(named name: String) -> gid_t? {
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connections per uid: one user's scripts or idle consoles cannot fill the daemon for
    /// everyone else.
    public var mostPerUser = 32
    private var perUser: [uid_t: Int] = [:]

    private func serve(_ fd: Int32) {
        guard let peer = TeamServer.peer(fd) else { return }
        let admitted = lock.withLock { () -> Bool in
            guard perUser[peer.uid, default: 0] < mostPerUser else { return false }
            perUser[peer.uid, default: 0] += 1
            return true
        }
        guard admitted else {
            try? TeamWire.send(TeamFailure(message: "you have \(mostPerUser) connections to the daemon open already; close some (other consoles, scripts) and try again", exitCode: 1), on: fd)
            return
        }
        defer { lock.withLock { perUser[peer.uid, default: 1] -= 1 } }
        // A uid with no login is nobody taser can name in a log.
        guard let login = peer.login else {
            try? TeamWire.send(TeamFailure(message: "uid \(peer.uid) has no login on this host; taser acts only for named users", exitCode: 1), on: fd)
            return
        }
        // The hello comes at once or not at all: a connection that says nothing does not hold a
        // thread for long. After it, a console may stay quiet as long as it likes.
        TeamServer.setReceiveTimeout(fd, seconds: helloSeconds)
        let hello: TeamHello
        do {
            guard let first = try TeamWire.receive(TeamHello.self, on: fd, largest: TeamWire.largestRequest) else { return }
            hello = first
        } catch {
            try? TeamWire.send(TeamFailure(message: "not a taser client: \(error)", exitCode: 1), on: fd)
            return
        }
        TeamServer.setReceiveTimeout(fd, seconds: 0)
        guard hello.protocolVersion == TeamWire.protocolVersion else {
            try? TeamWire.send(TeamFailure(
                message: "this taser (\(hello.version), protocol \(hello.protocolVersion)) cannot talk to the daemon (\(TaserVersion.current), protocol \(TeamWire.protocolVersion)); use the daemon's version of taser",
                exitCode: 1), on: fd)
            return
        }
        let isAdmin = admins.contains(peer.uid) || adminGroup.map { TeamServer.login(login, isIn: $0) } == true
        var actor = Actor(name: login, isAdmin: isAdmin)
        if let other = hello.actingAs, other != login {
            guard isAdmin else {
                try? TeamWire.send(TeamFailure(message: EngineError.notAdmin(action: "act as another analyst (--as)").description, exitCode: 1), on: fd)
                return
            }
            guard (try? engine.read({ tx in try tx.analyst(other) })) ?? nil != nil else {
                try? TeamWire.send(TeamFailure(message: EngineError.unknownAnalyst(other).description, exitCode: 1), on: fd)
                return
            }
            actor = Actor(name: other, isAdmin: false)
        }
        let engine = self.engine.acting(as: actor)
        do {
            try TeamWire.send(TeamWelcome(protocolVersion: TeamWire.protocolVersion, version: TaserVersion.current, user: actor.name, admin: actor.isAdmin), on: fd)
            while let request = try TeamWire.receive(TeamRequest.self, on: fd, largest: TeamWire.largestRequest) {
                if request.op == "ingest" {
                    try TeamIngest.serve(fd, request, engine: engine, ingester: ingester)
                    continue
                }
                if request.op == "changes", let changes {
                    // The connection is the console's feed from here on.
                    return changes.serve(fd, id: request.id)
                }
                let response: TeamResponse
                do {
                    let result = try TeamOperations.run(request, on: engine, positron: positron, ingester: ingester)
                    // An answer over the frame limit is refused as a failure the client reads,
                    // not a connection dropped mid-answer.
                    guard result.utf8.count < TeamWire.largestFrame - 4096 else {
                        throw TeamFailure(message: "the answer to \(request.op) is over the protocol's \(TeamWire.largestFrame >> 20) MiB; ask for fewer rows (--limit)", exitCode: 1)
                    }
                    response = TeamResponse(id: request.id, result: result, failure: nil)
                } catch {
                    response = TeamResponse(id: request.id, result: nil, failure: TeamOperations.failure(error))
                }
                try TeamWire.send(response, on: fd)
            }
        } catch {
            // A client that went away or sent garbage: its connection ends; nothing it did not
            // see acknowledged was promised.
            try? TeamWire.send(TeamFailure(message: "\(error)", exitCode: 1), on: fd)
        }
    }
}

/// Linux's `struct ucred` (pid, uid, gid), which Swift's Glibc module leaves out without
/// _GNU_SOURCE; SO_PEERCRED is 17 on every Linux architecture taser builds for.
struct PeerCredentials {
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
    static let option: Int32 = 17
}
