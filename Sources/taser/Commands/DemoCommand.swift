import ArgumentParser
import Engine
import Foundation
import Model

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an empty database (or migrate an existing one).")
    @OptionGroup var global: GlobalOptions
    func run() throws {
        let engine = try global.engine(create: true)
        Output.line("Database ready at \(engine.store.path)")
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a realistic demo database, the same for the same seed.",
        discussion: """
            Signals as Okta, Duo, Carbon Black Cloud, Suricata, CloudTrail and GuardDuty report them, about one consistent company (employees with managers, laptops, servers, a SOC with teams), with incidents in the noise: logins from a new country followed by failed Duo pushes, hosts with repeated EDR alerts, a scanner hitting one port. Plus alerts, and cases worked through their logs. The data covers --days days up to --end (default: today 00:00 UTC); the same --signals, --seed and --end give the same database.
            """)
    @OptionGroup var global: GlobalOptions
    @Option(help: "How many signals (1000 to 10000000).", transform: count(DemoOptions.fewestSignals...DemoOptions.mostSignals)) var signals = 100_000
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The end of the time range (default: today 00:00 UTC).") var end: String?
    @Option(help: "How many days the data covers (1 to 3650).", transform: count(1...DemoOptions.mostDays)) var days = 30

    func run() throws {
        let path = try global.databasePath()
        if FileManager.default.fileExists(atPath: path) {
            throw CLIError("\(path) exists; the demo writes a new database (remove it or pass another --db)")
        }
        let options = DemoOptions(
            signals: signals, seed: seed, end: try end.map { try parseTime($0, "--end") } ?? Timestamp.now.startOfDay, days: days)
        let engine = try global.engine(create: true)
        let started = Date()
        let bar = ProgressBar(label: "signals")
        let summary: DemoSummary
        do {
            summary = try engine.buildDemo(options, progress: bar.update)
        } catch {
            bar.finish()
            // A half-built demo is worth nothing; do not leave it behind to be mistaken for one.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        Output.line(String(
            format: "Demo database %@: %d signals, %d alerts, %d cases in %.1f s",
            path, summary.signals, summary.alerts, summary.cases, seconds))
        Output.line("Try: taser --db \(path)   (the console; ? lists its keys), or taser --db \(path) case list")
    }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
final class ProgressBar {
    let label: String
    let enabled = isatty(STDERR_FILENO) != 0
    var lastDrawn = Date.distantPast

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        guard enabled, Date().timeIntervalSince(lastDrawn) > 0.1 || done == total else { return }
        lastDrawn = Date()
        guard total > 0 else {
            // A stream of unknown length (ingest reads as it goes): the count so far.
            FileHandle.standardError.write(Data("\r\(done) \(label)".utf8))
            return
        }
        let width = 30
        let filled = total > 0 ? min(width, done * width / total) : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let percent = total > 0 ? done * 100 / total : 100
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% \(done)/\(total) \(label)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
