import ArgumentParser
import Console
import Engine
import Foundation
import Model

extension BenchCommand {
    struct ConsoleBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "console",
            abstract: "Time the console on a database of many alerts: first frame, keystrokes, memory, bytes per move.",
            discussion: """
                Builds a small demo, adds N synthetic alerts (default 1,000,000) with the sqlite3 CLI, then drives the console model as the terminal would: the first frame, keystrokes (move, page, a filter character) to the updated frame, the process's resident memory, and the bytes the terminal driver would write for a one-row move. The baseline is the same first page as one SQL query in the sqlite3 CLI. Goal: first frame under 200 ms, a keystroke under 10 ms, RSS under 150 MB, a one-row move a few hundred bytes.
                """)
        @Option(help: "How many alerts.", transform: count(1...20_000_000)) var alerts = 1_000_000
        @Option(help: "Where to put the scratch database (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "End with one JSON object on the last line.") var json = false

        func run() throws {
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { BenchCommand.remove(dir) }
            let path = dir + "/console.db"
            _ = try Engine.open(path: path).buildDemo(DemoOptions(signals: 5_000, seed: 1, days: 5))
            let fillSeconds = try SQLiteCLI.run(database: path, script: """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                BEGIN;
                WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(alerts))
                INSERT INTO alerts (rule, group_key, first_signal_at, last_signal_at, status, severity, title, team, created_at, updated_at, signal_count, fired_at)
                  SELECT 'bench-rule-' || (i % 7), 'user.name=user' || (i % 5000), 1790000000000 + i * 1000, 1790000000000 + i * 1000 + 500,
                         CASE i % 4 WHEN 0 THEN 'acknowledged' ELSE 'new' END, i % 5,
                         'Synthetic alert ' || i || ' for user' || (i % 5000) || ' on host LT-' || (i % 900), 'soc',
                         1790000000000 + i * 1000, 1790000000000 + i * 1000, 1 + i % 9, 1790000000000 + i * 1000
                  FROM c;
                COMMIT;
                """)
            let sqlSeconds = try SQLiteCLI.run(database: path, script: """
                SELECT id, severity, status, last_signal_at, signal_count, title FROM alerts ORDER BY last_signal_at DESC, id DESC LIMIT 40;
                """)

            let width = 160, height = 48
            let t0 = Date()
            let engine = try Engine.open(path: path, create: false)
            let app = try App(engine: engine, bindings: try Keymap.load(named: "default"))
            var frame = Grid(width: width, height: height)
            app.render(into: &frame)
            let firstFrame = Date().timeIntervalSince(t0)

            func keystroke(_ key: Key) -> (seconds: Double, bytes: Int) {
                let start = Date()
                _ = app.handle(key)
                var next = Grid(width: width, height: height)
                app.render(into: &next)
                let seconds = Date().timeIntervalSince(start)
                let bytes = FrameDiff.bytes(from: frame, to: next)
                frame = next
                return (seconds, bytes)
            }
            var moves: [Double] = [], pages: [Double] = [], filters: [Double] = [], moveBytes: [Int] = []
            for _ in 0..<50 {
                let m = keystroke(Key("j"))
                moves.append(m.seconds)
                moveBytes.append(m.bytes)
            }
            for _ in 0..<10 { pages.append(keystroke(Key("ctrl-d")).seconds) }
            _ = keystroke(Key("/"))
            for c in "user42" { filters.append(keystroke(.char(c)).seconds) }
            _ = keystroke(.escape)
            let worst = (moves + pages + filters).max() ?? 0
            let median = { (xs: [Double]) in xs.sorted()[xs.count / 2] }
            let rss = BenchConsoleMemory.residentMB()
            let move = moveBytes.sorted()[moveBytes.count / 2]
            Output.line(String(format: "alerts         %d (added by sqlite3 in %.1f s)", alerts, fillSeconds))
            Output.line(String(format: "first frame    %.1f ms (the same first page as SQL in the sqlite3 CLI: %.1f ms; goal: under 200 ms)", firstFrame * 1000, sqlSeconds * 1000))
            Output.line(String(format: "keystroke      move %.2f ms, page %.2f ms, filter character %.2f ms (median); worst %.2f ms (goal: under 10 ms)",
                               median(moves) * 1000, median(pages) * 1000, median(filters) * 1000, worst * 1000))
            Output.line(String(format: "memory         %.0f MB resident (goal: under 150 MB)", rss))
            Output.line("one-row move   \(move) bytes to the terminal (goal: a few hundred, not a screenful of \(width * height))")
            if json {
                Output.jsonLines([[
                    "bench": "console", "alerts": .int(Int64(alerts)), "first_frame_ms": .double(firstFrame * 1000),
                    "keystroke_ms": .double(worst * 1000), "move_ms": .double(median(moves) * 1000), "page_ms": .double(median(pages) * 1000),
                    "filter_ms": .double(median(filters) * 1000), "rss_mb": .double(rss), "move_bytes": .int(Int64(move)),
                    "sql_first_page_ms": .double(sqlSeconds * 1000),
                ]])
            }
        }
    }
}

enum BenchConsoleMemory {
    /// Resident set size from /proc/self/status, in MB.
    static func residentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        return kb / 1024
    }
}
