import AlertEngine
import Engine
import Foundation
import Model

/// How much memory this process has used at most (the kernel's high-water mark), in bytes.
enum PeakMemory {
    static var bytes: Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// `taser bench ingest --large`: a file far larger than memory should need, ingested by the real
/// `taser ingest` in a child process, against a file a tenth its size in the same run. Streaming
/// holds a few batches at a time, so the two peaks should be about the same; the ratio says so.
struct LargeIngest {
    let size: Int
    let scratch: String?
    let keep: Bool
    let json: Bool

    struct Run {
        var bytes: Int
        var seconds: Double
        var records: Int
        var stored: Int
        var peak: Int
    }

    func run() throws {
        let dir = try BenchCommand.scratchDirectory(under: scratch)
        defer { if !keep { BenchCommand.remove(dir) } }
        let small = try measure(dir: dir, name: "small", bytes: max(1 << 20, size / 10))
        let big = try measure(dir: dir, name: "large", bytes: size)
        let ratio = Double(big.peak) / Double(max(small.peak, 1))
        func line(_ label: String, _ r: Run) -> String {
            String(format: "%@ %@ NDJSON: %d records, %d stored in %.1f s (%.0f MB/s), peak RSS %@", label, ByteCount.text(r.bytes), r.records, r.stored,
                   r.seconds, Double(r.bytes) / r.seconds / 1e6, ByteCount.text(r.peak))
        }
        Output.line(line("baseline      ", small))
        Output.line(line("large         ", big))
        Output.line(String(format: "memory ratio   %.2fx the baseline's peak for %.0fx the input (goal: about 1x, and under 200 MB)", ratio, Double(big.bytes) / Double(small.bytes)))
        if keep { Output.line("kept           \(dir)") }
        if json {
            Output.jsonLines([[
                "bench": "ingest-large", "bytes": .int(Int64(big.bytes)), "records": .int(Int64(big.records)), "stored": .int(Int64(big.stored)),
                "seconds": .double(big.seconds), "peak_rss_bytes": .int(Int64(big.peak)), "baseline_bytes": .int(Int64(small.bytes)),
                "baseline_peak_rss_bytes": .int(Int64(small.peak)), "memory_ratio": .double(ratio),
            ]])
        }
    }

    /// Writes about `bytes` of demo NDJSON (a chunk at a time, never held whole) and ingests it.
    func measure(dir: String, name: String, bytes: Int) throws -> Run {
        let file = dir + "/\(name).ndjson"
        guard FileManager.default.createFile(atPath: file, contents: nil), let out = FileHandle(forWritingAtPath: file) else {
            throw CLIError("cannot write \(file); pass --scratch DIR")
        }
        var written = 0
        var seed: UInt64 = 1
        while written < bytes {
            let chunk = Engine.demoEvents(count: 20_000, seed: seed, end: Timestamp(ms: 1_795_910_400_000 + Int64(seed) * 86_400_000), days: 1)
            let part = chunk.prefix(bytes - written)
            let cut = part.count < chunk.count ? (part.lastIndex(of: 10).map { $0 + 1 } ?? 0) : part.count
            if cut == 0 { break }
            out.write(Data(chunk[..<cut]))
            written += cut
            seed += 1
        }
        try out.close()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["ingest", "--db", dir + "/\(name).db", "--json", file]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = FileHandle.nullDevice
        let t0 = Date()
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let seconds = Date().timeIntervalSince(t0)
        guard child.terminationStatus == 0,
            let last = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
            case .object(let summary)? = try? JSONValue.parse(String(last))
        else {
            throw CLIError("taser ingest of \(file) failed (exit \(child.terminationStatus)); run it by hand to see why")
        }
        func number(_ key: String) -> Int { if case .int(let n)? = summary[key] { return Int(n) } else { return 0 } }
        return Run(bytes: written, seconds: seconds, records: number("records"), stored: number("stored"), peak: number("peak_rss_bytes"))
    }
}
