import Console
import Engine
import Foundation
import Model

/// The console model driven as the terminal would: the first frame from opening, then
/// keystrokes (50 moves, 10 pages, a six-character filter) each to the frame drawn. The same
/// drive runs embedded and through the daemon, so the two sets of figures compare.
final class ConsoleDrive {
    static let width = 160, height = 48
    let app: App
    private var frame: Grid
    let firstFrame: Double
    var moves: [Double] = [], pages: [Double] = [], filters: [Double] = []
    var moveBytes = 0
    /// From each key to the frame with everything in it, the side pane's detail included (read
    /// on a worker; the key's own frame does not wait for a slow one).
    var complete: [Double] = []

    init(opening: () throws -> any TaserAPI) throws {
        let t0 = Date()
        app = try App(engine: try opening(), bindings: try Keymap.load(named: "default"))
        frame = Grid(width: ConsoleDrive.width, height: ConsoleDrive.height)
        app.render(into: &frame)
        firstFrame = Date().timeIntervalSince(t0)
        var bytes: [Int] = []
        for _ in 0..<50 {
            let m = keystroke(Key("j"))
            moves.append(m.seconds)
            bytes.append(m.bytes)
        }
        for _ in 0..<10 { pages.append(keystroke(Key("ctrl-d")).seconds) }
        _ = keystroke(Key("/"))
        for c in "user42" { filters.append(keystroke(.char(c)).seconds) }
        _ = keystroke(.escape)
        moveBytes = bytes.sorted()[bytes.count / 2]
    }

    func keystroke(_ key: Key) -> (seconds: Double, bytes: Int) {
        let start = Date()
        _ = app.handle(key)
        var next = Grid(width: ConsoleDrive.width, height: ConsoleDrive.height)
        app.render(into: &next)
        let seconds = Date().timeIntervalSince(start)
        let bytes = FrameDiff.bytes(from: frame, to: next)
        frame = next
        let deadline = Date().addingTimeInterval(5)
        while app.isBusy && Date() < deadline {
            if app.tick() { app.render(into: &frame) }
            usleep(200)
        }
        complete.append(Date().timeIntervalSince(start))
        return (seconds, bytes)
    }

    var worst: Double { (moves + pages + filters).max() ?? 0 }
    /// The 95th percentile of every key: what a run says apart from its one unluckiest key.
    var p95: Double {
        let all = (moves + pages + filters).sorted()
        return all.isEmpty ? 0 : all[min(all.count - 1, Int((Double(all.count) * 0.95).rounded(.up)) - 1)]
    }
    static func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }
}

extension BenchCommand.ConsoleBench {
    /// Team mode: a daemon on the same database (in this process, on a socket in the scratch
    /// directory), the console driven through it, and CLI commands run both ways.
    func throughTheDaemon(engine: Engine, directory: String, embedded: ConsoleDrive) throws -> [String: JSONValue] {
        let socket = directory + "/taser.sock"
        let daemon = TeamServer(engine: engine, socketPath: socket, mode: 0o600)
        try daemon.start()
        defer { daemon.stop() }
        let remote = try ConsoleDrive(opening: { try RemoteEngine(socket: socket) })
        let median = ConsoleDrive.median
        Output.line(String(format: "daemon         first frame %.1f ms (embedded %.1f ms, ratio %.2fx; goal: under 200 ms)",
                           remote.firstFrame * 1000, embedded.firstFrame * 1000, remote.firstFrame / max(embedded.firstFrame, 1e-6)))
        Output.line(String(format: "daemon         keystroke move %.2f ms, page %.2f ms, filter character %.2f ms (median); p95 %.2f ms, worst %.2f ms (embedded p95 %.2f ms, worst %.2f ms; goal: under 10 ms)",
                           median(remote.moves) * 1000, median(remote.pages) * 1000, median(remote.filters) * 1000, remote.p95 * 1000, remote.worst * 1000,
                           embedded.p95 * 1000, embedded.worst * 1000))
        Output.line(String(format: "daemon         to the frame with everything in (the side pane's detail, the count a pause in typing starts): median %.2f ms, worst %.2f ms (embedded %.2f ms, %.2f ms)",
                           median(remote.complete) * 1000, (remote.complete.max() ?? 0) * 1000, median(embedded.complete) * 1000, (embedded.complete.max() ?? 0) * 1000))
        var figures: [String: JSONValue] = [
            "daemon_first_frame_ms": .double(remote.firstFrame * 1000), "daemon_keystroke_ms": .double(remote.worst * 1000),
            "daemon_move_ms": .double(median(remote.moves) * 1000), "daemon_keystroke_p95_ms": .double(remote.p95 * 1000),
            "keystroke_p95_ms": .double(embedded.p95 * 1000),
        ]
        // The CLI: the same command as its own process, embedded and through the daemon, median
        // of five runs each; the goal is within 20 ms of embedded.
        let binary = "/proc/self/exe"
        let path = engine.store.path
        for (name, args) in [("case list", ["case", "list"]), ("alert list", ["alert", "list", "--limit", "50"]), ("case show", ["case", "show", "1"])] {
            func time(_ place: [String]) throws -> Double {
                var runs: [Double] = []
                for _ in 0..<5 {
                    let start = Date()
                    let status = try BenchCommand.runQuietly(binary, place + args)
                    runs.append(Date().timeIntervalSince(start))
                    guard status == 0 else { throw CLIError("bench: `taser \((place + args).joined(separator: " "))` failed (exit \(status))") }
                }
                return median(runs)
            }
            let local = try time(["--db", path]), through = try time(["--server", socket])
            let padded = name.padding(toLength: 10, withPad: " ", startingAt: 0)
            Output.line(String(format: "daemon CLI     %@ %.1f ms through the daemon, %.1f ms embedded (%+.1f ms; goal: within 20 ms)",
                               padded as NSString, through * 1000, local * 1000, (through - local) * 1000))
            let key = "daemon_cli_" + name.replacingOccurrences(of: " ", with: "_")
            figures[key + "_ms"] = .double(through * 1000)
            figures[key + "_embedded_ms"] = .double(local * 1000)
        }
        return figures
    }
}

extension BenchCommand {
    /// Runs a command with its output discarded; its exit status.
    static func runQuietly(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["TASER_SERVER"] = nil
        environment["TASER_DB"] = nil
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
