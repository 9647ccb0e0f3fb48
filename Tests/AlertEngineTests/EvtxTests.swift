import Foundation
import Model
import Testing
@testable import AlertEngine

/// The EVTX reader against public samples (the Rust `evtx` project's samples folder), record by
/// record against that parser's own JSON of the same files (pip `evtx` 0.14, evtx_dump's form),
/// kept beside them as `*.expected.jsonl`.
@Suite struct EvtxTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        let folder = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/evtx").path
        let path = folder + "/" + name
        guard name.hasSuffix(".gz") else { return Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", path]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        return Array(data)
    }

    /// `(id, event)` per line of the reference parser's output.
    static func expected(_ name: String) throws -> [(id: UInt64, event: JSONValue)] {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            let o = try JSONValue.parse(String(line))
            guard case .int(let id)? = o.objectValue?["id"], let event = o.objectValue?["event"] else { throw EvtxFixtureProblem(line: String(line)) }
            return (UInt64(id), event)
        }
    }

    struct EvtxFixtureProblem: Error { var line: String }

    @Test(arguments: [
        ("Security_short_selected.evtx", "Security_short_selected.expected.jsonl"),
        ("new-user-security.evtx", "new-user-security.expected.jsonl"),
        ("MSExchange_Management_wec.evtx", "MSExchange_Management_wec.expected.jsonl"),
        ("Application_no_crc32.evtx", "Application_no_crc32.expected.jsonl"),
        ("issue_201.evtx", "issue_201.expected.jsonl"),
        ("sysmon.evtx.gz", "sysmon.expected.jsonl.gz"),
        ("security.evtx.gz", "security.expected.jsonl.gz"),
        ("sample_with_a_bad_chunk_magic.evtx.gz", "sample_with_a_bad_chunk_magic.expected.jsonl.gz"),
    ])
    func everyRecordMatchesTheReferenceParser(file: String, reference: String) throws {
        let read = EvtxFile.read(try Self.bytes(file))
        let expected = try Self.expected(reference)
        let mine = Dictionary(read.records.map { ($0.id, $0.event) }, uniquingKeysWith: { a, _ in a })
        #expect(!expected.isEmpty)
        var mismatches = 0
        for (id, event) in expected {
            guard let got = mine[id] else {
                Issue.record("\(file): record \(id) is missing (read \(read.records.count); problems: \(read.problems.prefix(3)))")
                mismatches += 1
                continue
            }
            if got != event {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(file) record \(id):\n  mine     \(got.text.prefix(1500))\n  expected \(event.text.prefix(1500))") }
            }
        }
        #expect(mismatches == 0, "\(file): \(mismatches) of \(expected.count) records differ")
    }

    /// The reader writes each record's JSON straight from its template; the reader it replaced
    /// filled a tree per record (kept as `TreeEvtx`). Both give the same records, times and
    /// problems for every sample, whole, damaged at random and cut anywhere.
    @Test func templatesWrittenDirectlyGiveWhatFilledTreesGave() throws {
        func same(_ bytes: [UInt8], _ what: String) {
            let new = EvtxFile.read(bytes), old = TreeEvtx.read(bytes)
            #expect(new.problems == old.problems, "\(what): problems differ")
            #expect(new.records.count == old.records.count, "\(what): \(new.records.count) records, before \(old.records.count)")
            // In order too: JSON equality ignores the order of members, and normalizers walk them
            // in order.
            for (a, b) in zip(new.records, old.records) where a.id != b.id || a.written != b.written || a.event != b.event
                || Self.ordered(a.event) != Self.ordered(b.event) {
                Issue.record("\(what) record \(a.id):\n  now    \(a.event.text.prefix(1500))\n  before \(b.event.text.prefix(1500))")
                return
            }
        }
        let samples = ["Security_short_selected.evtx", "new-user-security.evtx", "MSExchange_Management_wec.evtx",
                       "Application_no_crc32.evtx", "issue_201.evtx", "sysmon.evtx.gz", "security.evtx.gz",
                       "sample_with_a_bad_chunk_magic.evtx.gz"]
        var generator = SystemRandomNumberGenerator()
        for name in samples {
            let sample = try Self.bytes(name)
            same(sample, name)
            guard sample.count <= 2 * EvtxFile.chunkSize else { continue }
            for _ in 0..<100 {
                same(Self.damaged(sample, using: &generator), "\(name) damaged")
            }
            for length in stride(from: 0, to: sample.count, by: 997) { same(Array(sample.prefix(length)), "\(name) cut at \(length)") }
        }
    }

    /// An element of elements alone (System, EventData) is its last record's JSON with the
    /// changed members replaced (`BinXMLJSON.patched`), in place when nothing else holds that
    /// JSON any more: a reader that drops each record as it is handed over gets that, one that
    /// keeps them gets copies. Both read every record the same, whole and damaged.
    @Test func recordsDroppedAsTheyComeReadAsRecordsKept() throws {
        func same(_ bytes: [UInt8], _ what: String) {
            var dropped: [(UInt64, String, String)] = []
            let problems = EvtxFile.read(bytes) { dropped.append(($0.id, $0.event.text, Self.ordered($0.event))) }
            let kept = EvtxFile.read(bytes)
            #expect(problems == kept.problems, "\(what): problems differ")
            #expect(dropped.count == kept.records.count, "\(what): \(dropped.count) records, kept \(kept.records.count)")
            for (a, b) in zip(dropped, kept.records) where a.0 != b.id || a.1 != b.event.text || a.2 != Self.ordered(b.event) {
                Issue.record("\(what) record \(b.id):\n  dropped \(a.2.prefix(1500))\n  kept    \(Self.ordered(b.event).prefix(1500))")
                return
            }
        }
        var generator = SystemRandomNumberGenerator()
        for name in ["sysmon.evtx.gz", "security.evtx.gz", "Security_short_selected.evtx", "MSExchange_Management_wec.evtx",
                     "Application_no_crc32.evtx"] {
            let sample = try Self.bytes(name)
            #expect(!EvtxFile.read(sample).records.isEmpty, "\(name): no records")
            same(sample, name)
            for _ in 0..<20 {
                same(Self.damaged(sample, using: &generator), "\(name) damaged")
            }
        }
    }

    /// A chunk's templates are taken from an earlier chunk's parse when their bytes (and the
    /// names they point at) are the same (`EvtxTemplateCache`): damage where later chunks define
    /// theirs (their first records) must read as the tree reader reads it, for each chunk alike.
    @Test func templatesSharedAcrossChunksGiveWhatEachChunkGave() throws {
        var generator = SystemRandomNumberGenerator()
        for name in ["security.evtx.gz", "sysmon.evtx.gz"] {
            let sample = Array(try Self.bytes(name).prefix(EvtxFile.headerSize + 5 * EvtxFile.chunkSize))
            for round in 0..<60 {
                var damaged = sample
                for _ in 0..<Int.random(in: 1...12, using: &generator) {
                    let chunk = Int.random(in: 1...4, using: &generator)
                    let start = EvtxFile.headerSize + chunk * EvtxFile.chunkSize + EvtxChunk.recordsStart
                    let at = start + Int.random(in: 0..<(round < 30 ? 600 : 6000), using: &generator)
                    damaged[at] = UInt8.random(in: 0...255, using: &generator)
                }
                let new = EvtxFile.read(damaged), old = TreeEvtx.read(damaged)
                #expect(new.problems == old.problems, "\(name) damaged: problems differ")
                #expect(new.records.count == old.records.count, "\(name) damaged: \(new.records.count) records, before \(old.records.count)")
                for (a, b) in zip(new.records, old.records) where a.id != b.id || a.event != b.event || Self.ordered(a.event) != Self.ordered(b.event) {
                    Issue.record("\(name) damaged, record \(a.id):\n  now    \(a.event.text.prefix(1500))\n  before \(b.event.text.prefix(1500))")
                    break
                }
            }
        }
    }

    /// JSON text with every object's members in their order (`JSONValue.text` sorts them).
    /// `sample` with 1 to 40 bytes past the file header set at random.
    static func damaged(_ sample: [UInt8], using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        var damaged = sample
        for _ in 0..<Int.random(in: 1...40, using: &generator) {
            let at = Int.random(in: EvtxFile.headerSize..<damaged.count, using: &generator)
            damaged[at] = UInt8.random(in: 0...255, using: &generator)
        }
        return damaged
    }

    static func ordered(_ v: JSONValue) -> String {
        switch v {
        case .object(let o):
            var parts: [String] = []
            o.forEachMember { key, value in parts.append(JSONValue.string(key.name).text + ":" + ordered(value)) }
            return "{" + parts.joined(separator: ",") + "}"
        case .array(let a): return "[" + a.map(ordered).joined(separator: ",") + "]"
        default: return v.text
        }
    }

    /// Values are decoded in place and their text written by hand; the reader before decoded
    /// copies and formatted with `String(format:)`. Random bytes of every type (and arrays),
    /// and times across the whole FILETIME range, read the same.
    @Test func valuesReadAsTheyDidBefore() {
        var generator = SystemRandomNumberGenerator()
        var times: [UInt64] = [0, 1, 9_999_999, UInt64.max, 116_444_736_000_000_000, 2_650_467_744_000_000_000]
        for _ in 0..<20_000 { times.append(UInt64.random(in: 0...UInt64.max, using: &generator)) }
        for t in times { #expect(EvtxText.iso(filetime: t) == TreeValues.iso(filetime: t), "FILETIME \(t)") }
        let types: [UInt8] = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10,
                              0x11, 0x12, 0x13, 0x14, 0x15, 0x81, 0x84, 0x88, 0x8F, 0x91, 0x93, 0x95, 0x30]
        for _ in 0..<5_000 {
            var bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count >= 2, Bool.random(using: &generator) { bytes[1] = UInt8.random(in: 0...8, using: &generator) }  // a SID's count
            for type in types {
                let now = bytes.withUnsafeBytes { EvtxValues.decode(type: type, $0) }
                let before = TreeValues.decode(type: type, bytes)
                // Compared as text: a NaN is not equal to itself.
                #expect(EvtxJSON.json(now).text == EvtxJSON.json(before).text && EvtxJSON.plain(now) == EvtxJSON.plain(before),
                        "type 0x\(String(type, radix: 16)) of \(bytes)")
            }
        }
    }

    /// A file still being written ends inside a chunk: what is whole is read, and nothing is
    /// made up.
    @Test func aFileCutShortIsReadToItsLastWholeRecord() throws {
        let whole = try Self.bytes("sysmon.evtx.gz")
        let all = EvtxFile.read(whole).records
        // Inside the second chunk, and inside its header.
        for cut in [EvtxFile.headerSize + EvtxFile.chunkSize + 30_000, EvtxFile.headerSize + EvtxFile.chunkSize + 100] {
            let read = EvtxFile.read(Array(whole.prefix(cut)))
            #expect(!read.records.isEmpty && read.records.count < all.count)
            for r in read.records { #expect(all.first { $0.id == r.id }?.event == r.event, "record \(r.id) differs when cut at \(cut)") }
        }
    }

    /// Damage anywhere never traps: flipped bytes, cut files, another format. What is wrong is
    /// said; what still parses is kept.
    @Test func damageNeverCrashesTheReader() throws {
        let sample = try Self.bytes("Security_short_selected.evtx")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            _ = EvtxFile.read(Self.damaged(sample, using: &generator))
        }
        for length in stride(from: 0, to: sample.count, by: 997) { _ = EvtxFile.read(Array(sample.prefix(length))) }
        let other = EvtxFile.read(Array("{\"not\": \"evtx\"}".utf8))
        #expect(other.records.isEmpty && other.problems == ["not an EVTX file (no ElfFile signature)"])
        var badChunk = sample
        badChunk[EvtxFile.headerSize] = 0x58
        let skipped = EvtxFile.read(badChunk)
        #expect(skipped.records.isEmpty && skipped.problems.contains { $0.contains("chunk 0: no ElfChnk signature; skipped") })
    }
}
