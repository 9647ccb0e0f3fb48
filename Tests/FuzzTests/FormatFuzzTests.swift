import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

/// Every vendor format's fixtures, mutated (bit flips, cuts, NULs, invalid UTF-8, huge numbers,
/// deep nesting, long lines, corrupt gzip) and ingested through the real pipeline into a real
/// SQLite file: nothing crashes, and every record framed is accounted for (stored, duplicate,
/// quarantined or skipped).
@Suite struct FormatFuzzTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AlertEngineTests/Fixtures")

    /// The reproducers the hardening issue named, as seeds: each must end in quarantine or as a
    /// signal, and their mutants too.
    static let reproducers: [(String, [UInt8])] = [
        ("date.eml", Array("From: a@b.example\nSubject: x\nDate: 3 Nov 999999999 10:00:00 +0000\n\nx\n".utf8)),
        ("leef.log", Array("LEEF:1.0|a|b|1|x|devTime=9999999999999999999\tdevTimeFormat=HHHHHHHHHHHHHHHHHHHm\n".utf8)),
        ("cef.log", Array("CEF:0|a|b|1|x|y|5|rt=99999999999999999999 start=-9223372036854775809\n".utf8)),
    ]

    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        // Every fixture file, also those in subfolders (fidelity/); not the folders, scripts or notes.
        // Files over 100 KB are left out: a mutant that keeps a large gzipped EVTX sample whole
        // ingests thousands of events, and 90 of them took minutes of both cores, starving the
        // console's end-to-end tests. The EVTX reader has its own damage test (EvtxTests), and
        // the smaller EVTX samples stay seeds here.
        let names = try FileManager.default.subpathsOfDirectory(atPath: fixtures.path).filter { name in
            var isFolder: ObjCBool = false
            let path = fixtures.appendingPathComponent(name).path
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return exists && !isFolder.boolValue && !name.hasSuffix(".py") && !name.hasSuffix(".md") && size <= 100_000
        }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: fixtures.appendingPathComponent($0)))) } + reproducers.map { ($0.0, $0.1) }
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let file = NSTemporaryDirectory() + "taser-fuzz-gz-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-n", "-f", file]
        try p.run()
        p.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: file + ".gz") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file + ".gz")))
    }

    @Test func mutatedVendorInputIsStoredOrQuarantinedAndEveryRecordIsAccountedFor() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count > 20)
        let others = seeds.map(\.bytes)
        // In memory where the machine has it (/dev/shm): thousands of small commits are what
        // this test makes, and on a slow disk they cost minutes of waiting on writes that say
        // nothing about the pipeline. It is still a real SQLite file in WAL mode.
        let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let dir = scratch + "taser-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ingester = Ingester(store: try Store.open(path: dir + "/fuzz.db"))
        // A small record limit, so that mutants cross it in every framing.
        ingester.limits = IngestLimits(maxRecord: 64 << 10, sample: 1024)
        var mutator = Mutator(seed: FuzzBudget.seed &+ 7)
        var totals = IngestSummary()
        var inputs = 0
        for seed in seeds {
            let gzipped = try Self.gzip(seed.bytes)
            for n in 0..<FuzzBudget.mutants(90) {
                // One in six mutants is a damaged gzip of the fixture; the rest are the fixture's
                // own bytes, damaged.
                let (name, bytes): (String, [UInt8]) =
                    n % 6 == 5 ? (seed.name + ".gz", mutator.mutate(gzipped)) : (seed.name, mutator.mutate(seed.bytes, with: others))
                FuzzBudget.keep(bytes, test: "formats", name: name)
                let summary = try ingester.ingest(bytes, source: "fuzz/\(n)/\(name)")
                #expect(summary.isAccountedFor, "\(name) mutant \(n): \(summary.records) records, \(summary.normalized) normalized, \(summary.quarantined) quarantined, \(summary.skipped) skipped")
                #expect(summary.signals >= summary.normalized, "\(name) mutant \(n)")
                // The same mutant read in small blocks, so block boundaries fall everywhere: the
                // same records (the ingest above read it in 1 MiB blocks).
                if n % 3 == 0 {
                    let whole = Framer.frame(bytes, name: name, limits: ingester.limits)
                    let cut = Framer.frame(bytes, name: name, limits: ingester.limits, blockSize: 257 + (n % 7) * 613)
                    #expect(cut.records.map(\.raw) == whole.records.map(\.raw), "\(name) mutant \(n) in small blocks")
                }
                totals.add(summary)
                inputs += 1
            }
        }
        // The fuzzer did reach both ends: events stored and events refused, in every framing.
        #expect(inputs >= seeds.count * 90)
        #expect(totals.stored > 0 && totals.quarantined > 0 && totals.isAccountedFor)
        let held = try ingester.store.read { try $0.quarantineCount() }
        #expect(held == totals.quarantinedNew, "quarantine rows \(held), new \(totals.quarantinedNew)")
    }
}
