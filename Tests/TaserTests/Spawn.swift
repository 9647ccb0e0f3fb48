import Foundation

/// Runs a short-lived helper (tmux's client) with a clean signal mask, output to a file and a
/// deadline. Foundation's Process spawns from the test's worker threads, whose blocked signals
/// the child inherits: a tmux server started that way ignores SIGCHLD and its console ignores
/// SIGHUP, and a pipe to the child can be held open by the server it forks. So: posix_spawn
/// with the mask reset, no pipes, and a kill when the deadline passes.
enum Spawn {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+), which Swift does not import.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    static func run(_ argv: [String], environment: [String: String], timeout: TimeInterval = 10) throws -> (status: Int32, output: String) {
        let outPath = NSTemporaryDirectory() + "taser-spawn-\(UUID().uuidString)"
        defer { unlink(outPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the test runner's: a tmux server holding its output pipe would keep
        // `swift test` waiting after the tests end.
        if let closeFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(rc)))") }

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw Failure(description: "\(argv.joined(separator: " ")) did not finish in \(timeout) s")
            }
            usleep(5_000)
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        // Exited normally: the exit code; killed: 128 + the signal, as a shell reports it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, output)
    }
}
