import ArgumentParser
import Engine
import Foundation
import Model

extension BenchCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Webhook ingest over loopback into a real `taser serve`, against `taser ingest` of the same events.",
            discussion: """
                Starts `taser serve` on 127.0.0.1 (a free port) with a fresh database, and posts N demo events (Okta, Duo, Carbon Black Cloud, Suricata, CloudTrail, GuardDuty), one per request, from --connections keep-alive connections that each send the next request as soon as the last is answered. Reports requests per second, latency percentiles, and lost signals: ids the server acknowledged with 202 that are not in the database after it was stopped with SIGTERM. The baseline, in the same run, is `taser ingest` of the same events from one NDJSON file into another fresh database; the ratio is requests per second over its signals per second. Goal: at least 5,000 requests/s with p99 under 50 ms and nothing lost.

                The load stays on 127.0.0.1 and stops after N requests or --time-limit seconds.

                  taser bench serve
                  taser bench serve --requests 50000 --connections 64 --json
                """)
        @Option(help: "How many requests (one event each).", transform: count(1...10_000_000)) var requests = 20_000
        @Option(help: "Concurrent keep-alive connections.", transform: count(1...1_000)) var connections = 32
        @Option(help: "Stop sending after this long, whatever is left (120s, 10m).", transform: spanOption(limit: .seconds(86_400))) var timeLimit: Span = .seconds(120)
        @Option(help: "Where to put the scratch files (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "Keep the scratch files and print where they are.") var keep = false
        @Flag(help: "End with one JSON object on the last line.") var json = false

        func run() throws {
            guard requests > 0, connections > 0 else { throw CLIError("--requests and --connections must be at least 1") }
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { if !keep { BenchCommand.remove(dir) } }
            let input = Engine.demoEvents(count: requests)
            let events = input.split(separator: 10).map { Array($0) }
            try Data(input).write(to: URL(fileURLWithPath: dir + "/events.ndjson"))

            // The server: a real child process, configured by file like any deployment.
            let token = UUID().uuidString
            try """
                max_body: 1MiB
                sources:
                  bench: { token: "${env:TASER_BENCH_TOKEN}" }
                """.write(toFile: dir + "/serve.yaml", atomically: true, encoding: .utf8)
            let server = try ServeChild.start(
                arguments: ["serve", "--db", dir + "/serve.db", "--config", dir + "/serve.yaml", "--listen", "127.0.0.1:0", "--log-level", "warning"],
                environment: ["TASER_BENCH_TOKEN": token, "TASER_DB": ""], log: dir + "/serve.log")
            var stopped = false
            defer { if !stopped { server.kill() } }

            let load = LoopbackLoad(
                port: server.port, path: "/ingest/bench",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                connections: connections, timeLimit: timeLimit.seconds)
            // A short warm-up on the same kind of events (they are stored too, and counted in `lost`).
            let warm = Engine.demoEvents(count: 200, seed: 99).split(separator: 10).map { Array($0) }
            let warmOutcome = load.run(warm)
            let (serverCPU0, loadCPU0) = (server.cpuSeconds, ServeChild.ownCPUSeconds)
            let outcome = load.run(events)
            let (serverCPU, loadCPU) = (server.cpuSeconds - serverCPU0, ServeChild.ownCPUSeconds - loadCPU0)
            let status = server.terminate()
            stopped = true
            guard status == 0 else { throw CLIError("taser serve exited with \(status) after SIGTERM; see \(dir)/serve.log (--keep keeps it)") }

            let engine = try Engine.open(path: dir + "/serve.db", create: false)
            let acknowledged = warmOutcome.acknowledged + outcome.acknowledged
            let lost = try engine.store.read { tx in try acknowledged.filter { try tx.signal($0) == nil }.count }
            let sorted = outcome.latenciesMS.sorted()
            let answered = sorted.count
            let perSecond = Double(answered) / outcome.seconds
            let p50 = LoopbackLoad.percentile(sorted, 0.50), p99 = LoopbackLoad.percentile(sorted, 0.99)
            let refused = outcome.statuses.filter { $0.key != 202 }.values.reduce(0, +)

            // The baseline: the same events through `taser ingest` from a file.
            let t0 = Date()
            let ingest = try ServeChild.runToEnd(
                arguments: ["ingest", "--db", dir + "/ingest.db", "--json", dir + "/events.ndjson"], environment: ["TASER_DB": ""])
            let ingestSeconds = Date().timeIntervalSince(t0)
            guard ingest.status == 0, let summary = try? JSONValue.parse(Array(ingest.output.utf8)), case .int(let stored)? = summary["stored"] else {
                throw CLIError("the baseline `taser ingest` failed (\(ingest.status)): \(ingest.output.prefix(300))")
            }
            let baseline = Double(stored) / ingestSeconds
            let ratio = perSecond / baseline
            let met = perSecond >= 5000 && p99 < 50 && lost == 0

            Output.line(String(format: "taser serve    %d requests over %d connections in %.2f s: %.0f requests/s", answered, connections, outcome.seconds, perSecond))
            Output.line(String(format: "latency        p50 %.1f ms, p99 %.1f ms, max %.1f ms", p50, p99, sorted.last ?? 0))
            Output.line("answers        " + outcome.statuses.sorted { $0.key < $1.key }.map { "\($0.value) × \($0.key)" }.joined(separator: ", ")
                        + (outcome.errors > 0 ? ", \(outcome.errors) connection errors" : ""))
            Output.line(String(format: "cpu            %.0f µs of the server's and %.0f µs of the load generator's per request (%.1f of 2 cores busy)",
                               serverCPU * 1e6 / Double(max(answered, 1)), loadCPU * 1e6 / Double(max(answered, 1)), (serverCPU + loadCPU) / outcome.seconds))
            Output.line("lost           \(lost) of \(acknowledged.count) acknowledged signals missing after SIGTERM")
            Output.line(String(format: "taser ingest   the same %d events from one file in %.2f s: %.0f signals/s (baseline)", stored, ingestSeconds, baseline))
            Output.line(String(format: "ratio          %.2f (serve requests/s over ingest signals/s)", ratio))
            Output.line("goal           at least 5000 requests/s, p99 under 50 ms, nothing lost: \(met ? "met" : "NOT met")")
            if keep { Output.line("kept           \(dir)") }
            if json {
                Output.jsonLines([[
                    "bench": "serve", "requests": .int(Int64(answered)), "connections": .int(Int64(connections)),
                    "seconds": .double(outcome.seconds), "requests_per_s": .double(perSecond), "p50_ms": .double(p50), "p99_ms": .double(p99),
                    "max_ms": .double(sorted.last ?? 0), "refused": .int(Int64(refused)), "errors": .int(Int64(outcome.errors)),
                    "acknowledged": .int(Int64(acknowledged.count)), "lost": .int(Int64(lost)),
                    "server_cpu_us_per_request": .double(serverCPU * 1e6 / Double(max(answered, 1))),
                    "load_cpu_us_per_request": .double(loadCPU * 1e6 / Double(max(answered, 1))),
                    "baseline_signals_per_s": .double(baseline), "ratio": .double(ratio), "goal_met": .bool(met),
                ]])
            }
            if refused > 0 || outcome.errors > 0 {
                throw CLIError("\(refused) requests refused and \(outcome.errors) connection errors; see \(dir)/serve.log (--keep keeps it)")
            }
        }
    }
}

/// `taser` itself as a child process, for benchmarks: the same binary as this one.
struct ServeChild {
    let pid: pid_t
    let port: Int

    static var binary: String { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path }

    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v.isEmpty ? nil : v }
        return env
    }

    /// Starts `taser serve` and waits for its "listening on" line (its output goes to `log` and
    /// `log`.out). Spawned with a clean signal mask: a bench started by a program that blocks
    /// signals (a test runner) would otherwise hand that on, and SIGTERM would never arrive.
    static func start(arguments: [String], environment extra: [String: String], log: String) throws -> ServeChild {
        let outPath = log + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = [binary] + arguments
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment(extra).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw CLIError("cannot start taser serve: \(String(cString: strerror(rc)))") }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
            if let line = out.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                return ServeChild(pid: pid, port: port)
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { break }
            usleep(20_000)
        }
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let why = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw CLIError("taser serve did not start: \(why.split(separator: "\n").last ?? "no output")")
    }

    /// CPU seconds the server has used so far (user and system, from /proc).
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds this process (the load generator) has used so far.
    static var ownCPUSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// SIGTERM, then the exit status once it has stopped.
    func terminate() -> Int32 {
        Glibc.kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    func kill() {
        Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Runs `taser` with arguments to the end; its standard output.
    static func runToEnd(arguments: [String], environment extra: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment(extra)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
