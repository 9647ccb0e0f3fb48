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

                Search: adds M synthetic signals (default 1,000,000) and times the Search pane's query (`:search`, as `taser signals --where`) for a field filter and a free-text filter, p50 and p99 of several runs, each against the same query as plain SQL in the sqlite3 CLI (its mean), and the `:search` keystroke to the drawn pane.

                --daemon: team mode. A daemon serves the same database on a Unix socket, and the same drive runs through it: its first frame and keystrokes against this run's embedded figures (goal: as embedded, under 200 ms and 10 ms), and `case list`, `alert list`, `case show` as processes both ways (goal: within 20 ms of embedded).
                """)
        @Option(help: "How many alerts.", transform: count(1...20_000_000)) var alerts = 1_000_000
        @Option(help: "How many signals to search.", transform: count(1...20_000_000)) var signals = 1_000_000
        @Option(help: "How many runs of each search.", transform: count(3...1000)) var runs = 9
        @Option(help: "Where to put the scratch database (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "Also drive the console and the CLI through a daemon (team mode) on the same database, against the embedded figures of this run. (Not --server: that is every command's option naming a running daemon's socket.)") var daemon = false
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

            let engine = try Engine.open(path: path, create: false)
            let embedded = try ConsoleDrive(opening: { engine })
            let rss = BenchConsoleMemory.residentMB()
            let (app, median) = (embedded.app, ConsoleDrive.median)
            let (firstFrame, worst) = (embedded.firstFrame, embedded.worst)
            let (moves, pages, filters, move, width, height) = (embedded.moves, embedded.pages, embedded.filters, embedded.moveBytes, ConsoleDrive.width, ConsoleDrive.height)
            func keystroke(_ key: Key) -> (seconds: Double, bytes: Int) { embedded.keystroke(key) }
            Output.line(String(format: "alerts         %d (added by sqlite3 in %.1f s)", alerts, fillSeconds))
            Output.line(String(format: "first frame    %.1f ms (the same first page as SQL in the sqlite3 CLI: %.1f ms; goal: under 200 ms)", firstFrame * 1000, sqlSeconds * 1000))
            Output.line(String(format: "keystroke      move %.2f ms, page %.2f ms, filter character %.2f ms (median); worst %.2f ms (goal: under 10 ms)",
                               median(moves) * 1000, median(pages) * 1000, median(filters) * 1000, worst * 1000))
            Output.line(String(format: "memory         %.0f MB resident (goal: under 150 MB)", rss))
            Output.line("one-row move   \(move) bytes to the terminal (goal: a few hundred, not a screenful of \(width * height))")
            var teamFigures: [String: JSONValue] = [:]
            if daemon { teamFigures = try throughTheDaemon(engine: engine, directory: dir, embedded: embedded) }

            // Search: the signals, then each query as the pane runs it and as plain SQL.
            let signalFill = try SQLiteCLI.run(database: path, script: ConsoleBench.signalsScript(signals))
            var searchFigures: [String: JSONValue] = ["signals": .int(Int64(signals)), "signals_fill_s": .double(signalFill)]
            Output.line(String(format: "signals        %d (added by sqlite3, free-text index built, in %.1f s)", signals, signalFill))
            let searches = [
                ("field", #"host.name = "LT-42""#,
                 #"SELECT id, time FROM signals WHERE lower(fields ->> '$."host.name"') = 'lt-42' ORDER BY time DESC, id DESC;"#),
                ("free text", #""proc42.exe""#,
                 #"SELECT s.id, s.time FROM signals s WHERE s.id IN (SELECT rowid FROM signal_text WHERE signal_text MATCH '"proc42.exe"') ORDER BY s.time DESC, s.id DESC;"#),
            ]
            for (name, query, sql) in searches {
                var times: [Double] = []
                var matches = 0
                for _ in 0..<runs {
                    let start = Date()
                    matches = try engine.searchSignals(query, limit: ConsoleSearch.mostShown, buckets: ConsoleSearch.buckets).total
                    times.append(Date().timeIntervalSince(start))
                }
                times.sort()
                let p50 = times[times.count / 2], p99 = times[min(times.count - 1, Int((Double(times.count) * 0.99).rounded(.up)) - 1)]
                let sqlMean = try SQLiteCLI.run(database: path, script: String(repeating: sql + "\n", count: 3)) / 3
                Output.line(String(format: "search %@ %@: %d matches, p50 %.1f ms, p99 %.1f ms; the same as SQL in the sqlite3 CLI %.1f ms (ratio %.2fx)",
                                   name as NSString, query as NSString, matches, p50 * 1000, p99 * 1000, sqlMean * 1000, p50 / max(sqlMean, 1e-6)))
                let key = name == "field" ? "search_field" : "search_text"
                searchFigures[key + "_p50_ms"] = .double(p50 * 1000)
                searchFigures[key + "_p99_ms"] = .double(p99 * 1000)
                searchFigures[key + "_sql_ms"] = .double(sqlMean * 1000)
                searchFigures[key + "_ratio"] = .double(p50 / max(sqlMean, 1e-6))
                searchFigures[key + "_matches"] = .int(Int64(matches))
            }
            // The keystroke that runs a search, to the drawn pane (the search runs on a worker
            // thread: the console stays live), then to the results drawn.
            _ = keystroke(Key(":"))
            for c in "search " + searches[0].1 { _ = keystroke(.char(c)) }
            let searchStart = Date()
            let searchKey = keystroke(.enter).seconds
            while app.isBusy {
                if app.tick() { _ = keystroke(.resize) }
                usleep(1000)
            }
            let searchDrawn = Date().timeIntervalSince(searchStart)
            searchFigures["search_keystroke_ms"] = .double(searchKey * 1000)
            searchFigures["search_results_ms"] = .double(searchDrawn * 1000)
            Output.line(String(format: "search key     Enter on :search %@: the pane drawn in %.1f ms (the console stays live), the results in %.1f ms",
                               searches[0].1 as NSString, searchKey * 1000, searchDrawn * 1000))
            if json {
                var object: [String: JSONValue] = [
                    "bench": "console", "alerts": .int(Int64(alerts)), "first_frame_ms": .double(firstFrame * 1000),
                    "keystroke_ms": .double(worst * 1000), "move_ms": .double(median(moves) * 1000), "page_ms": .double(median(pages) * 1000),
                    "filter_ms": .double(median(filters) * 1000), "rss_mb": .double(rss), "move_bytes": .int(Int64(move)),
                    "sql_first_page_ms": .double(sqlSeconds * 1000),
                ]
                object.merge(searchFigures) { a, _ in a }
                object.merge(teamFigures) { a, _ in a }
                Output.jsonLines([.object(object)])
            }
        }
    }
}

extension BenchCommand.ConsoleBench {
    /// Synthetic Carbon Black signals: 900 hosts, 5,000 users and processes, one every ten
    /// minutes; then the free-text index built over them, as the writer would have kept it.
    static func signalsScript(_ n: Int) -> String {
        """
        PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;
        BEGIN;
        WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(n))
        INSERT INTO signals (time, source, source_ref, kind, severity, title, fields, raw, ingested_at, identity, artifacts)
          SELECT 1790000000000 + i * 600000, 'carbonblack', 'bench-' || i, 'cbc.alert', i % 5, 'Synthetic signal ' || i || ' on LT-' || (i % 900),
                 json_object('host.name', 'LT-' || (i % 900), 'user.name', 'user' || (i % 5000), 'process.name', 'proc' || (i % 5000) || '.exe',
                             'event.action', 'action' || (i % 40), 'cbc.severity', i % 10),
                 json_object('id', 'bench-' || i, 'type', 'CB_ANALYTICS', 'device_name', 'LT-' || (i % 900), 'device_username', 'user' || (i % 5000),
                             'process_name', 'proc' || (i % 5000) || '.exe', 'reason', 'A synthetic reason, number ' || (i % 300), 'severity', i % 10),
                 1790000000000 + i * 600000, random(), '[]'
          FROM c;
        COMMIT;
        INSERT INTO signal_text (signal_text) VALUES ('rebuild');
        """
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
