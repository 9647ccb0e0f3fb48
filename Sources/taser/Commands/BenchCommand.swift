import AlertEngine
import ArgumentParser
import Engine
import Foundation
import Model
import Store  // works on the database file itself (embedded, setup, bench)

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that compare taser against a baseline measured in the same run.",
        discussion: "Each prints its figures and a ratio; with --json the last line is one JSON object.",
        subcommands: [Demo.self, Ingest.self, Simulate.self, ConsoleBench.self, Query.self, Serve.self, HuntBench.self])

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest mixed-format NDJSON against the sqlite3 CLI importing the same lines.",
            discussion: """
                Generates N events as Okta, Duo, Carbon Black Cloud, Suricata, CloudTrail and GuardDuty send them, one per line, and ingests them (detection, normalization, artifact extraction, storage) into a fresh database. The floor is the sqlite3 command importing the same raw lines into a one-column table in the same run. Goal: at least 100,000 signals/s and at most 3 times the floor's time.
                """)
        @Option(help: "How many events.", transform: count(1...50_000_000)) var events = 200_000
        @Option(help: "Where to put the scratch files (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "Keep the scratch files (the events as NDJSON and both databases) and print where they are.") var keep = false
        @Flag(help: "End with one JSON object on the last line.") var json = false
        @Flag(help: "Instead: stream a large file (--size) through `taser ingest` in a process of its own and compare its peak memory with a file a tenth the size (goal: memory does not grow with the input).")
        var large = false
        @Option(help: "With --large: the file's size (300MB, 2GiB).", transform: sizeOption(1 << 20...(1 << 40))) var size = 300_000_000

        func run() throws {
            if large { return try LargeIngest(size: size, scratch: scratch, keep: keep, json: json).run() }
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { if !keep { BenchCommand.remove(dir) } }
            let input = Engine.demoEvents(count: events)
            if keep { try Data(input).write(to: URL(fileURLWithPath: dir + "/events.ndjson")) }
            // The floor reads ASCII-separated rows, so a line's commas and quotes are just bytes.
            let floorInput = dir + "/events.ascii"
            try Data(input.map { $0 == 10 ? 0x1E : $0 }).write(to: URL(fileURLWithPath: floorInput))

            let engine = try Engine.open(path: dir + "/ingest.db")
            let ingester = try engine.ingester()
            let bar = ProgressBar(label: "events")
            let t0 = Date()
            let summary = try ingester.ingest(BytesInput(input), source: "bench.ndjson", progress: { bar.update($0, events) })
            bar.finish()
            let seconds = Date().timeIntervalSince(t0)

            let floorSeconds = try SQLiteCLI.run(database: dir + "/floor.db", script: """
                PRAGMA page_size = \(Store.pageSize); PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
                CREATE TABLE raw (line TEXT);
                .import --ascii \(floorInput) raw
                """)
            let ceilingSeconds = try BenchCommand.storageCeiling(dir: dir, signals: summary.stored, batch: ingester.batchSize)
            let perSecond = Double(summary.stored) / seconds
            let ratio = seconds / floorSeconds
            Output.line(String(format: "taser ingest   %d events -> %d signals, %d quarantined in %.2f s (%.0f signals/s)", events, summary.stored, summary.quarantined, seconds, perSecond))
            let links = try engine.store.read { tx in try tx.signalVolume() }.links
            let perSignal = { (cpu: Double) in cpu * 1e6 / Double(max(summary.records, 1)) }
            Output.line(String(format: "stored         %d artifact links (%.1f per signal)", links, Double(links) / Double(max(summary.stored, 1))))
            Output.line(String(format: "cpu per event  %.1f µs framing, normalizing, extracting (workers) + %.1f µs storing (writer)",
                               perSignal(summary.prepareCPU), perSignal(summary.storeCPU)))
            Output.line(String(format: "sqlite3 floor  the same %d lines into a one-column table in %.2f s", events, floorSeconds))
            Output.line(String(format: "floor ratio    %.2fx (goal: at most 3x, and at least 100000 signals/s)", ratio))
            Output.line(String(format: "sqlite3 store  the finished signals, artifacts and links copied into the same schema in %.2f s (%.0f signals/s)",
                               ceilingSeconds, Double(summary.stored) / ceilingSeconds))
            Output.line(String(format: "store ratio    %.2fx (taser's time over storing alone)", seconds / ceilingSeconds))
            if keep { Output.line("kept           \(dir)") }
            if json {
                Output.jsonLines([[
                    "bench": "ingest", "events": .int(Int64(events)), "signals": .int(Int64(summary.stored)),
                    "quarantined": .int(Int64(summary.quarantined)), "seconds": .double(seconds), "floor_seconds": .double(floorSeconds),
                    "signals_per_s": .double(perSecond), "floor_ratio": .double(ratio),
                    "store_seconds": .double(ceilingSeconds), "store_ratio": .double(seconds / ceilingSeconds),
                    "links": .int(Int64(links)), "prepare_us_per_event": .double(perSignal(summary.prepareCPU)), "store_us_per_event": .double(perSignal(summary.storeCPU)),
                ]])
            }
        }
    }

    /// SQLite's cost for storing what the ingest produced, with nothing else: the same rows
    /// copied by INSERT ... SELECT into a fresh database with taser's schema (indexes and page
    /// size included), in transactions of the same size. No parsing, no binding, no Swift.
    /// Taser can approach this time but never beat it, so it shows what the 100,000 signals/s
    /// goal asks of this machine's SQLite.
    static func storageCeiling(dir: String, signals: Int, batch: Int) throws -> Double {
        let path = dir + "/store.db"
        _ = try Engine.open(path: path)  // taser's schema and page size, nothing in it
        // Untimed: the links keyed by signal, so each batch reads its own links by range (the
        // stored ones are keyed by artifact, and a scan per batch would time the reading).
        // Each batch inserts them in artifact order, as the writer does.
        _ = try SQLiteCLI.run(database: dir + "/links.db", script: """
            ATTACH '\(dir)/ingest.db' AS done;
            CREATE TABLE links (signal_id INTEGER, artifact_id INTEGER, role TEXT, PRIMARY KEY (signal_id, artifact_id, role)) WITHOUT ROWID;
            INSERT INTO links SELECT signal_id, artifact_id, role FROM done.artifact_signals;
            """)
        var script = """
            PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;
            ATTACH '\(dir)/ingest.db' AS done;
            ATTACH '\(dir)/links.db' AS staged;
            INSERT INTO artifacts SELECT * FROM done.artifacts;

            """
        // A fresh ingest numbers its signals 1...n in input order.
        for low in stride(from: 0, to: signals, by: batch) {
            let high = low + batch
            script += """
                BEGIN;
                INSERT INTO signals SELECT * FROM done.signals WHERE id > \(low) AND id <= \(high);
                INSERT INTO signal_text (rowid, raw) SELECT id, raw FROM signals WHERE id > \(low) AND id <= \(high);
                INSERT INTO artifact_signals SELECT artifact_id, signal_id, role FROM staged.links WHERE signal_id > \(low) AND signal_id <= \(high)
                  ORDER BY artifact_id, signal_id;
                COMMIT;

                """
        }
        return try SQLiteCLI.run(database: path, script: script)
    }

    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time `taser demo` against the sqlite3 CLI writing the same volume.",
            discussion: """
                The baseline is SQLite alone: the sqlite3 command inserting the same number of rows of the same average size into the same signal and link tables and indexes, in WAL mode, in one transaction, with no generation, parsing or artifacts. The ratio is taser's time over the baseline's; the target is 1,000,000 signals in under a minute.
                """)
        @Option(help: "How many signals.", transform: count(1...DemoOptions.mostSignals)) var signals = 1_000_000
        @Option(help: "Where to put the scratch databases (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "End with one JSON object on the last line.") var json = false

        func run() throws {
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { BenchCommand.remove(dir) }

            let demoPath = dir + "/demo.db"
            let engine = try Engine.open(path: demoPath)
            let bar = ProgressBar(label: "signals")
            let t0 = Date()
            let summary = try engine.buildDemo(DemoOptions(signals: signals, seed: 1), progress: bar.update)
            bar.finish()
            let taserSeconds = Date().timeIntervalSince(t0)
            let (rawBytes, fieldBytes, links) = try engine.store.read { tx in try tx.signalVolume() }

            let baselineSeconds = try sqliteBaseline(dir: dir, rows: summary.signals, rawBytes: rawBytes, fieldBytes: fieldBytes, links: links)
            let ratio = taserSeconds / baselineSeconds
            let perMillion = taserSeconds * 1_000_000 / Double(max(summary.signals, 1))
            Output.line(String(format: "taser demo      %d signals (%d artifact links) in %.2f s (%.0f signals/s)",
                               summary.signals, links, taserSeconds, Double(summary.signals) / taserSeconds))
            Output.line(String(format: "sqlite3 baseline %d rows of the same size and links in %.2f s", summary.signals, baselineSeconds))
            Output.line(String(format: "ratio           %.2fx the baseline; %.1f s per million signals (target: under 60 s)", ratio, perMillion))
            if json {
                Output.jsonLines([[
                    "bench": "demo", "signals": .int(Int64(summary.signals)), "links": .int(Int64(links)),
                    "taser_seconds": .double(taserSeconds), "baseline_seconds": .double(baselineSeconds), "ratio": .double(ratio),
                    "seconds_per_million": .double(perMillion), "target_seconds_per_million": 60,
                ]])
            }
        }

        /// SQLite's own floor for this volume, through the sqlite3 CLI.
        func sqliteBaseline(dir: String, rows: Int, rawBytes: Int, fieldBytes: Int, links: Int) throws -> Double {
            let linksPerRow = max(1, Int((Double(links) / Double(max(rows, 1))).rounded()))
            let fanout = (1...linksPerRow).map { "SELECT \($0) AS k" }.joined(separator: " UNION ALL ")
            let script = """
                PRAGMA page_size = \(Store.pageSize); PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -131072;
                CREATE TABLE signals (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, source TEXT NOT NULL, source_ref TEXT NOT NULL,
                  kind TEXT NOT NULL, severity INTEGER NOT NULL, title TEXT NOT NULL, fields TEXT NOT NULL, raw TEXT NOT NULL,
                  ingested_at INTEGER NOT NULL, identity INTEGER NOT NULL, artifacts TEXT NOT NULL);
                CREATE INDEX signals_by_identity ON signals(identity);
                CREATE INDEX signals_by_time ON signals(time); CREATE INDEX signals_by_kind ON signals(kind, time);
                CREATE TABLE artifact_signals (artifact_id INTEGER NOT NULL, signal_id INTEGER NOT NULL, role TEXT NOT NULL,
                  PRIMARY KEY (artifact_id, signal_id, role)) WITHOUT ROWID;
                BEGIN;
                WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < \(rows))
                INSERT INTO signals (time, source, source_ref, kind, severity, title, fields, raw, ingested_at, identity, artifacts)
                  SELECT i * 2592, 'okta', lower(hex(randomblob(16))), 'okta.sso.login', 0, 'SSO login by someone',
                         hex(randomblob(\(max(fieldBytes / 2, 1)))), hex(randomblob(\(max(rawBytes / 2, 1)))), i * 2592, random(),
                         '[' || rtrim(replace(hex(zeroblob(\(linksPerRow))), '00', '[123456,"role"],'), ',') || ']' FROM c;
                INSERT INTO artifact_signals SELECT abs(random()) % 200000, s.id, 'r' || f.k FROM signals s, (\(fanout)) f;
                COMMIT;
                """
            return try SQLiteCLI.run(database: dir + "/baseline.db", script: script)
        }
    }
}

extension BenchCommand {
    /// A fresh directory for one run's databases and files, under `--scratch` or the system's
    /// temporary directory.
    static func scratchDirectory(under parent: String?) throws -> String {
        let dir = (parent ?? NSTemporaryDirectory()) + "/taser-bench-\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot make the scratch directory \(dir): \(error.localizedDescription); pass --scratch DIR")
        }
        return dir
    }

    static func remove(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }
}

/// The sqlite3 command, timed: the baseline benchmarks compare against.
enum SQLiteCLI {
    /// Seconds the script took; its standard output is thrown away.
    static func run(database: String, script: String) throws -> Double {
        try query(database: database, script: script).seconds
    }

    /// Seconds the script took, and what it printed.
    static func query(database: String, script: String) throws -> (seconds: Double, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", database]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let t0 = Date()
        do { try process.run() } catch { throw CLIError("the baseline needs the sqlite3 command: apt-get install sqlite3") }
        // Both pipes drain at once, so a chatty query cannot block on a full pipe.
        nonisolated(unsafe) var printed = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            printed = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        group.wait()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(t0)
        guard process.terminationStatus == 0, message.isEmpty else {
            throw CLIError("the sqlite3 baseline failed (is the sqlite3 command installed?): \(message.split(separator: "\n").first ?? "")")
        }
        return (seconds, String(decoding: printed, as: UTF8.self))
    }
}
