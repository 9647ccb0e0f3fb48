import Foundation
import Testing

/// Runs a command full screen in a private, detached tmux server, for end-to-end tests of the
/// console: keys in, the screen as text out. Every wait has a timeout, and the server is
/// killed when the session goes away, so a stuck console fails a test instead of hanging it.
final class Tmux {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let socket = "taser-test-\(UUID().uuidString.prefix(8))"
    let target = "console"
    private let config: String
    /// Where the wrapper writes the command's exit status.
    private let statusFile: String
    private var serverPid: Int32?

    /// Starts `command` (argv) in a `width`x`height` window with TERM=xterm-256color and
    /// LANG=C.UTF-8 (plus `env`). The pane stays after the command exits, so its exit status
    /// and the screen it left can be read.
    init(_ command: [String], width: Int = 120, height: Int = 40, env: [String: String] = [:]) throws {
        config = NSTemporaryDirectory() + socket + ".conf"
        statusFile = NSTemporaryDirectory() + socket + ".status"
        // No status line (the pane is the whole window), and a dead pane is kept to inspect.
        // set-clipboard: an OSC 52 copy from the console lands in tmux's paste buffer, to read.
        try "set -g remain-on-exit on\nset -g status off\nset -g default-terminal xterm-256color\nset -g set-clipboard on\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        // NO_COLOR empty counts as unset (no-color.org): the runner's own must not leak in.
        var environment = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "", "NO_COLOR": ""]
        for (k, v) in env { environment[k] = v }
        let assignments = environment.sorted { $0.key < $1.key }.map { Tmux.quote("\($0.key)=\($0.value)") }
        // A shell runs the command, writes its exit status and keeps the pane as the command
        // left it. tmux's own record of a dead pane (#{pane_dead_status}) is not enough: under
        // load it sometimes never gets the status, and its "Pane is dead" line scrolls the screen.
        // The trap keeps the shell alive through a Ctrl-C meant for the command (the whole
        // foreground group gets it); the command itself still starts with the default action.
        let wrapper = "trap : INT QUIT; \"$@\"; echo $? > \(Tmux.quote(statusFile)); exec sleep 600"
        let shell = (["exec", "sh", "-c", Tmux.quote(wrapper), "sh", "env"] + assignments + command.map(Tmux.quote)).joined(separator: " ")
        let r = try tmux(["-f", config, "new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)", shell])
        guard r.status == 0 else { throw Failure(description: "tmux new-session failed: \(r.output)") }
        serverPid = Int32(try format("pid"))
    }

    deinit { kill() }

    /// Keys by tmux's names: `j`, `Enter`, `Escape`, `Up`, `NPage`, `C-l`.
    func send(keys: [String]) throws {
        let r = try tmux(["send-keys", "-t", target] + keys)
        guard r.status == 0 else { throw Failure(description: "tmux send-keys \(keys) failed: \(r.output)") }
    }

    /// Text typed as is (no key names).
    func type(_ text: String) throws {
        let r = try tmux(["send-keys", "-t", target, "-l", text])
        guard r.status == 0 else { throw Failure(description: "tmux send-keys -l failed: \(r.output)") }
    }

    /// What the pane shows, one line per row; with `history`, the lines scrolled off the top
    /// too (tmux's "Pane is dead" line scrolls the screen up by one).
    /// With `escapes`, the colours and attributes as SGR escape sequences (capture-pane -e).
    func screen(history: Bool = false, escapes: Bool = false) throws -> String {
        var text = try tmux(["capture-pane", "-p", "-t", target] + (history ? ["-S", "-"] : []) + (escapes ? ["-e"] : [])).output
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The pane's lines, without trailing blank lines.
    func lines(history: Bool = false) throws -> [String] {
        var lines = try screen(history: history).components(separatedBy: "\n")
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines
    }

    /// tmux's newest paste buffer (what an OSC 52 copy set), or nil when there is none.
    func pasteBuffer() throws -> String? {
        let r = try tmux(["show-buffer"])
        return r.status == 0 ? r.output : nil
    }

    func resize(width: Int, height: Int) throws {
        let r = try tmux(["resize-window", "-t", target, "-x", "\(width)", "-y", "\(height)"])
        guard r.status == 0 else { throw Failure(description: "tmux resize-window failed: \(r.output)") }
    }

    /// A pane variable (`pane_pid`, `pane_dead`, `alternate_on`, ...).
    func format(_ name: String) throws -> String {
        try tmux(["display-message", "-p", "-t", target, "#{\(name)}"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The pid of the command in the pane (the wrapper shell's child).
    func pid(timeout: TimeInterval = 5) throws -> Int32 {
        let shell = try format("pane_pid")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
            if let pid = children.split(separator: " ").first.flatMap({ Int32($0) }) { return pid }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "no command running in the pane (shell \(shell))")
    }

    /// The command's exit status once it has exited (128+n for signal n).
    var exitStatus: Int32? {
        (try? String(contentsOfFile: statusFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    var exited: Bool { exitStatus != nil || (try? format("pane_dead")) == "1" }

    /// After exit: the alternate screen was left (the console's frame is gone) and the terminal
    /// is back to the shell's normal screen.
    var restored: Bool { (try? format("alternate_on")) == "0" }

    /// Polls the screen every 50 ms until it contains `text`; fails with the last screen.
    @discardableResult
    func waitFor(text: String, timeout: TimeInterval = 10) throws -> String {
        try waitFor("\"\(text)\" on screen", timeout: timeout) { $0.contains(text) }
    }

    /// Polls the screen every 50 ms until `condition` holds on a settled screen (the same on
    /// two captures in a row: a frame caught half drawn has its first lines and not the rest);
    /// fails with the last screen.
    @discardableResult
    func waitFor(_ what: String, timeout: TimeInterval = 10, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            let now = try screen()
            if condition(now) && now == last { return now }
            last = now
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "timed out after \(timeout) s waiting for \(what); the screen was:\n\(last)")
    }

    /// Waits for the command to exit and returns its exit status (128+n for a signal).
    func waitForExit(timeout: TimeInterval = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = exitStatus { return status }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Failure(description: "timed out after \(timeout) s waiting for the command to exit; the screen was:\n\((try? screen()) ?? "")")
    }

    /// Ends the command (tmux sends it SIGHUP) and the server; the server is killed outright
    /// if it does not go.
    func kill() {
        _ = try? tmux(["kill-server"])
        if let pid = serverPid, Glibc.kill(pid, 0) == 0 { _ = Glibc.kill(pid, SIGKILL) }
        serverPid = nil
        let sockets = "/tmp/tmux-\(getuid())/" + socket
        for file in [config, statusFile, sockets] { try? FileManager.default.removeItem(atPath: file) }
    }

    struct Output {
        var status: Int32
        var output: String
    }

    /// One tmux client call on this test's own server, with a deadline (see `Spawn`).
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        let r = try Spawn.run([Tmux.executable, "-L", socket] + arguments, environment: environment)
        return Output(status: r.status, output: r.output)
    }

    static let executable: String = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/tmux"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/tmux"
    }()

    static var available: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
