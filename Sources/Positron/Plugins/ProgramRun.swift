import Foundation

/// Runs a command plugin's program: no shell, nothing of ours inherited but the environment,
/// and in a process group of its own, so that at the timeout the program and whatever it
/// started (a script's `sleep`, a `curl`) are killed together and release the pipes. With
/// Foundation's Process only the program itself was stopped, and a grandchild holding stdout
/// kept the plugin's thread reading past its deadline.
enum ProgramRun {
    struct Result {
        var status: Int32
        var timedOut: Bool
        var output: Data
        var errors: Data
    }

    /// Enough for any answer; a program printing more is broken, not informative.
    static let outputLimit = 4 << 20

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift does not import.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    static func run(_ argv: [String], timeout: Double) throws(PluginFailure) -> Result {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw PluginFailure("cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw PluginFailure("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let closeFrom {
            _ = closeFrom(&actions, 3)
        } else {
            for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw PluginFailure("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }

        let deadline = Date().addingTimeInterval(timeout)
        var output = Data(), errors = Data()
        var open: [Int32] = [outPipe[0], errPipe[0]]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000) + 1)
            if ready < 0 && errno != EINTR { break }
            for p in fds where p.revents != 0 {
                let n = read(p.fd, &buffer, buffer.count)
                if n <= 0 {
                    close(p.fd)
                    open.removeAll { $0 == p.fd }
                } else if p.fd == outPipe[0] {
                    output.append(contentsOf: buffer[0..<n])
                } else {
                    errors.append(contentsOf: buffer[0..<min(n, max(0, 65_536 - errors.count))])
                }
            }
            if output.count > outputLimit {
                kill(-pid, SIGKILL)
                open.forEach { close($0) }
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                throw PluginFailure("\(argv[0]) printed more than \(outputLimit >> 20) MiB")
            }
        }
        var status: Int32 = 0
        while !timedOut && waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { timedOut = true; break }
            usleep(2_000)
        }
        // Whatever the program left in its group goes with it.
        kill(-pid, SIGKILL)
        open.forEach { close($0) }
        if timedOut { waitpid(pid, &status, 0) }
        // Exited normally: the exit code; killed: 128 + the signal, as a shell reports it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, timedOut: timedOut, output: output, errors: errors)
    }
}
