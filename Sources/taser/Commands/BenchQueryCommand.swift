import ArgumentParser
import Model
import Credentials
import Foundation
import Positron

extension BenchCommand {
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time Positron's router: its own overhead on top of the slowest plugin.",
            discussion: """
                Builds local plugins (an HR table of 10,000 rows, an SQLite lease database of 100,000 rows, and a program), then asks many queries from several threads at once, without the cache, and reports for each query the router's time minus its slowest plugin's: the cost of fanning out, waiting, ranking and merging. Goal: under 5 ms at p99.
                """)
        @Option(help: "How many queries.", transform: count(1...10_000_000)) var queries = 2_000
        @Option(help: "How many asking at once.", transform: count(1...1_000)) var concurrency = 8
        @Option(help: "Where to put the scratch files (default: the system's temporary directory).") var scratch: String?
        @Flag(help: "End with one JSON object on the last line.") var json = false

        func run() throws {
            let dir = try BenchCommand.scratchDirectory(under: scratch)
            defer { BenchCommand.remove(dir) }
            var csv = "login,manager_login\n"
            for n in 0..<10_000 { csv += "user\(n),boss\(n % 50)\n" }
            try csv.write(toFile: dir + "/hr.csv", atomically: true, encoding: .utf8)
            _ = try SQLiteCLI.run(database: dir + "/leases.db", script: """
                CREATE TABLE leases (ip TEXT, hostname TEXT, start INTEGER); CREATE INDEX leases_ip ON leases(ip);
                WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 99999)
                INSERT INTO leases SELECT '10.' || (i / 65536) || '.' || ((i / 256) % 256) || '.' || (i % 256), 'host-' || i, 1790000000 + i FROM c;
                """)
            try "#!/bin/sh\necho manager=boss-from-directory\n".write(toFile: dir + "/dir.sh", atomically: true, encoding: .utf8)
            chmod(dir + "/dir.sh", 0o755)
            let yaml = """
                plugins:
                  - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
                  - { name: directory, type: command, command: [dir.sh, "{value}"], queries: [USER_MANAGER] }
                  - { name: dhcp, type: sqlite, file: leases.db, queries: { IP_TO_HOSTNAME: "SELECT hostname, start AS seen FROM leases WHERE ip = :value" } }
                """
            try yaml.write(toFile: dir + "/positron.yaml", atomically: true, encoding: .utf8)
            let router = try PositronConfig.load(path: dir + "/positron.yaml", secrets: Secrets()).router

            let overheads = Overheads()
            let t0 = Date()
            DispatchQueue.concurrentPerform(iterations: concurrency) { worker in
                for n in stride(from: worker, to: queries, by: concurrency) {
                    let (name, value) = n % 2 == 0 ? ("USER_MANAGER", "user\(n % 10_000)") : ("IP_TO_HOSTNAME", "10.0.\((n / 256) % 256).\(n % 256)")
                    let start = Date()
                    guard let result = try? router.ask(name, value, useCache: false) else { continue }
                    let total = Date().timeIntervalSince(start)
                    overheads.add(total - (result.outcomes.map(\.seconds).max() ?? 0), answered: !result.answers.isEmpty)
                }
            }
            let seconds = Date().timeIntervalSince(t0)
            let sorted = overheads.values.sorted()
            func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000 }
            Output.line(String(format: "queries        %d from %d threads in %.2f s (%.0f queries/s), %d answered", sorted.count, concurrency, seconds,
                               Double(sorted.count) / seconds, overheads.answered))
            Output.line(String(format: "router overhead on top of the slowest plugin: p50 %.2f ms, p99 %.2f ms, max %.2f ms (goal: p99 under 5 ms)",
                               percentile(0.5), percentile(0.99), (sorted.last ?? 0) * 1000))
            if json {
                Output.jsonLines([[
                    "bench": "query", "queries": .int(Int64(sorted.count)), "concurrency": .int(Int64(concurrency)),
                    "overhead_p50_ms": .double(percentile(0.5)), "overhead_p99_ms": .double(percentile(0.99)),
                    "queries_per_s": .double(Double(sorted.count) / seconds),
                ]])
            }
        }
    }
}

private final class Overheads: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Double] = []
    private(set) var answered = 0
    func add(_ v: Double, answered a: Bool) {
        lock.withLock {
            values.append(max(0, v))
            if a { answered += 1 }
        }
    }
}
