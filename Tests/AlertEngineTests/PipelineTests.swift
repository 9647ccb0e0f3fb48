import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-ae-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "t.db") -> String { path + "/" + name }
}

func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let dir = TempDir()
    let file = dir.file("x")
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-n", file]
    try p.run()
    p.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: file + ".gz")))
}

@Suite struct PipelineTests {
    func ingester(_ dir: TempDir) throws -> Ingester { Ingester(store: try Store.open(path: dir.file())) }

    @Test func theSameEventTwiceIsStoredOnce() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        let okta = try Fixture.bytes("okta.json")
        let first = try ingest.ingest(okta, source: "okta.json")
        #expect(first.stored == 3 && first.duplicates == 0 && first.quarantined == 0)
        let again = try ingest.ingest(okta, source: "okta.json")
        #expect(again.stored == 0 && again.duplicates == 3)
        // Without a vendor id, identity is the content: the same line from elsewhere is the same.
        let line = Array(#"{"eventType":"user.session.start","actor":{"alternateId":"a@b.c"},"published":"2026-11-02T10:00:00Z","outcome":{"result":"SUCCESS"}}"#.utf8)
        #expect(try ingest.ingest(line, source: "a").stored == 1)
        #expect(try ingest.ingest(line, source: "b").duplicates == 1)
        #expect(try ingest.store.read { try $0.signalCount() } == 4)
    }

    /// A line's raw text is the line as it arrived (without its CR), whether it is ASCII (its
    /// text made only when asked for) or not (checked by making it), offset into a slice or
    /// not; a line that is not UTF-8 is refused.
    @Test func aLinesRawTextIsTheLine() throws {
        let lines = [#"{"a":"plain","n":1}"#, #"{"a":"Zürich → 東京"}"#, "a text line", #"{"evtx":"C:\\x"}"#]
        var bytes = Array("skipped\n".utf8)
        for (n, line) in lines.enumerated() { bytes += Array(line.utf8) + (n == 1 ? [13, 10] : [10]) }
        bytes += [0x7B, 0x22, 0xC3, 0x22, 0x7D, 0x0A]  // a cut two-byte character
        let slice = bytes[8...]  // a slice whose indices do not start at 0
        var raws: [String] = []
        let rejected = Framer.frameLines(slice, name: "t", firstLine: 2, limits: .standard, windowsEvents: true) { raws.append($0.raw) }
        #expect(raws == lines)
        #expect(rejected.count == 1 && rejected.first?.reason == "invalid UTF-8" && rejected.first?.origin == "t:6")
    }

    @Test func gzipIsReadTransparently() throws {
        let dir = TempDir()
        let summary = try ingester(dir).ingest(try gzip(try Fixture.bytes("duo.ndjson")), source: "duo.ndjson.gz")
        #expect(summary.stored == 4 && summary.quarantined == 0)
    }

    @Test func brokenInputGoesToQuarantineWithTheReason() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        let good = try Fixture.bytes("duo.ndjson")
        var truncated = try gzip(good)
        truncated.removeLast(40)
        var input = Array("{\"result\":\"success\",\"factor\":\"duo_push\",\"txid\":\"t1\",\"isotimestamp\":\"2026-11-02T10:00:00Z\",\"user\":{\"name\":\"a\"}}\n".utf8)
        input += Array("{\"not\": json}\n".utf8)
        input += [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A]  // invalid UTF-8
        input += Array("just some text no format knows\n".utf8)
        input += Array("{\"eventType\":\"x\",\"actor\":{},\"published\":\"not a time\"}\n".utf8)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
        input += Array("{\"big\":\"".utf8) + big + Array("\"}\n".utf8)
        let summary = try ingest.ingest(input, source: "mixed.ndjson")
        #expect(summary.stored == 1)
        #expect(summary.quarantined == 5)
        let gz = try ingest.ingest(truncated, source: "cut.ndjson.gz")
        #expect(gz.stored == 0 && gz.quarantined == 1)

        // In input order (framing rejects are written before normalizing ones, so not by id).
        let items = try ingest.store.read { try $0.quarantined(limit: 10) }.sorted { a, b in
            (a.source, Int(a.origin.split(separator: ":").last ?? "") ?? 0) < (b.source, Int(b.origin.split(separator: ":").last ?? "") ?? 0)
        }
        #expect(items.count == 6)
        #expect(items.map(\.origin) == ["cut.ndjson.gz", "mixed.ndjson:2", "mixed.ndjson:3", "mixed.ndjson:4", "mixed.ndjson:5", "mixed.ndjson:6"])
        #expect(items[0].reason.contains("truncated"))
        #expect(items[1].reason.contains("invalid JSON"))
        #expect(items[2].reason.contains("UTF-8"))
        #expect(items[3].reason.contains("no format recognizes"))
        #expect(items[4].reason.contains("not a time") && items[4].format == "okta")
        #expect(items[5].reason.contains("MiB limit"))
        // The raw bytes are kept exactly, even when they are not text.
        let utf8 = try ingest.store.read { try $0.quarantineItem(items[2].id) }
        #expect(utf8?.raw == [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D])
        // An oversize line is kept as its first 64 KiB, with its whole size.
        let huge = try ingest.store.read { try $0.quarantineItem(items[5].id) }
        #expect(huge?.raw.count == IngestLimits.standard.sample && huge?.size == big.count + 10)
        // Ingesting the same input again stores and quarantines nothing new.
        let again = try ingest.ingest(input, source: "mixed.ndjson")
        #expect(again.stored == 0 && again.duplicates == 1)
        #expect(try ingest.store.read { try $0.quarantineCount() } == 6)
    }

    @Test func aQuarantinedCSVRowIsKeptWithItsHeaderAndReplaysAlone() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let ingester = Ingester(store: store)
        let csv = "time,user,message\n2026-10-30T08:00:00Z,ana,login from 203.0.113.9\n2026-10-30T09:00:00Z,bo,\"two, fields\",extra\n"
        // Forced to the wrong format, every row is refused: one by the format, one by its shape.
        let first = try ingester.ingest(Array(csv.utf8), source: "alerts.csv", format: "okta")
        #expect(first.stored == 0 && first.quarantined == 2)
        let items = try store.read { try $0.quarantined() }
        #expect(items.count == 2)
        for item in items { #expect(String(decoding: item.raw, as: UTF8.self).hasPrefix("time,user,message\n")) }
        // Each row replays alone as CSV (the fix: the right format): the good one is stored,
        // the broken one is refused again for its own fault, not for a missing header.
        let replays = try items.map { try ingester.ingest($0.raw, source: "stdin", format: "csv") }
        #expect(replays.map(\.stored).sorted() == [0, 1])
        #expect(replays.contains { $0.reasons.first?.contains("4 fields for a header of 3") == true })
        let signal = try #require(try store.read { try $0.signals(SignalFilter()).first })
        #expect(signal.raw == "2026-10-30T08:00:00Z,ana,login from 203.0.113.9")
    }

    @Test func replayAfterAFix() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let acme = Array(#"{"detection_id":"d-1","product":"Acme EDR","detected_at":1793606400000,"endpoint":{"hostname":"LT-9"},"rule":{"name":"Mimikatz"},"actor":"Jane.Doe@example.com","sev":"3"}"#.utf8)
        let plain = Ingester(store: store)
        #expect(try plain.ingest(acme, source: "acme.json").quarantined == 1)
        let mapping = try MappingFormat(yaml: """
            name: acme-edr
            match: { has: [detection_id, endpoint], equals: { product: Acme EDR } }
            kind: { name: acme.detection, display: Acme EDR detection }
            time: { field: detected_at, format: epoch_ms }
            id: detection_id
            title: "{rule.name} on {endpoint.hostname}"
            severity: { field: sev, map: { "3": high } }
            fields: { user: actor, host.name: endpoint.hostname, rule.name: rule.name }
            """)
        let fixed = Ingester(store: store, formats: .builtIn(mappings: [mapping]))
        let item = try #require(try store.read { try $0.quarantined().first })
        let summary = try fixed.ingest(item.raw, source: item.source)
        #expect(summary.stored == 1 && summary.kinds == ["acme.detection": 1])
        let signal = try #require(try store.read { try $0.signals(SignalFilter()).first })
        #expect(signal.title == "Mimikatz on LT-9")
        #expect(signal.severity == .high)
        #expect(signal.fields["user.name"] == "Jane.Doe@example.com" && signal.fields["host.name"] == "LT-9")
        #expect(signal.time == Timestamp(ms: 1_793_606_400_000))
        let artifacts = try store.read { try $0.artifacts(ofSignal: signal.id) }.map { "\($0.role) \($0.artifact.type.rawValue) \($0.artifact.value)" }
        #expect(artifacts.contains("host host lt-9") && artifacts.contains("user user jane.doe@example.com"))
    }

    @Test(arguments: [
        ("name: x\nmatch: {has: [a]}\nkind: k\ntime: t\n", "needs `fields"),
        ("name: x\nkind: k\ntime: t\nfields: {user: a}\n", "needs `match`"),
        ("name: x\nmatch: {has: [a]}\nkind: k\nfields: {user: a}\n", "needs `time`"),
        ("name: x\nmatch: {has: [a]}\nkind: k\ntime: t\nfields: {user: a}\nseverity: {map: {a: huge}}\n", "severity map value"),
        ("name: x\nmatch: {has: [a]}\nkind: k\ntime: t\nfields: {user: a}\ncolour: red\n", "unknown key 'colour'"),
        ("- just\n- a list\n", "expected a mapping"),
    ])
    func badMappingFilesSayWhatIsWrong(_ yaml: String, _ message: String) {
        let error = #expect(throws: MappingFormat.Invalid.self) { try MappingFormat(yaml: yaml, file: "m.yaml") }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
        #expect(error?.description.hasPrefix("mapping m.yaml:") == true)
    }

    @Test func jsonDocumentsKeepEachElementVerbatim() throws {
        let text = "{\"Records\": [ {\"eventVersion\":\"1.08\", \"x\" : 1},\n  {\"eventVersion\":\"1.08\",\"y\":[1, 2]} ]}"
        let framed = Framer.frame(Array(text.utf8), name: "ct.json")
        #expect(framed.records.map(\.raw) == ["{\"eventVersion\":\"1.08\", \"x\" : 1}", "{\"eventVersion\":\"1.08\",\"y\":[1, 2]}"])
        #expect(framed.records.map(\.origin) == ["ct.json[0]", "ct.json[1]"])
        // A broken array keeps the events before the break; the rest is one refusal.
        let broken = Framer.frame(Array("[{\"a\":1},{\"b\":".utf8), name: "b.json")
        #expect(broken.records.count == 1 && broken.rejected.count == 1)
    }
}

@Suite struct DropFolderTests {
    @Test func eachFileOnceAcrossARestart() throws {
        let dir = TempDir()
        let drop = dir.path + "/drop"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let store = try Store.open(path: dir.file())
        try Data(try Fixture.bytes("okta.json")).write(to: URL(fileURLWithPath: drop + "/okta.json"))
        try Data("not an event\n".utf8).write(to: URL(fileURLWithPath: drop + "/junk.log"))
        try Data("partial".utf8).write(to: URL(fileURLWithPath: drop + "/.incoming"))

        var folder = try DropFolder(path: drop, ingester: Ingester(store: store))
        folder.settleSeconds = 0
        let first = try folder.sweep()
        #expect(first.map(\.file) == ["junk.log", "okta.json"])
        #expect(first.map(\.status) == [.failed, .done])
        #expect(FileManager.default.fileExists(atPath: drop + "/done/okta.json"))
        #expect(FileManager.default.fileExists(atPath: drop + "/failed/junk.log"))
        #expect(FileManager.default.fileExists(atPath: drop + "/.incoming"))

        // A crash after the database recorded the file but before it was moved: the restarted
        // folder moves it without ingesting it again.
        try FileManager.default.copyItem(atPath: drop + "/done/okta.json", toPath: drop + "/okta-again.json")
        // A crash in the middle of an ingest: the file is `started`; it is ingested again and
        // stores exactly what is missing.
        let duo = try Fixture.bytes("duo.ndjson")
        try Data(duo).write(to: URL(fileURLWithPath: drop + "/duo.ndjson"))
        try store.write { tx in
            try tx.markFile(folder: folder.path, name: "duo.ndjson", size: duo.count, digest: Store.sha256Hex(bytes: duo), status: .started, summary: nil, at: .now)
        }
        _ = try Ingester(store: store).ingest(Array(duo.prefix(duo.firstIndex(of: 10)! + 1)), source: drop + "/duo.ndjson")

        folder = try DropFolder(path: drop, ingester: Ingester(store: store))
        folder.settleSeconds = 0
        let second = try folder.sweep()
        #expect(second.map(\.file) == ["duo.ndjson", "okta-again.json"])
        #expect(second[0].summary.stored == 3 && second[0].summary.duplicates == 1 && !second[0].alreadyIngested)
        #expect(second[1].alreadyIngested && second[1].summary.stored == 0)
        #expect(FileManager.default.fileExists(atPath: drop + "/done/okta-again.json"))
        #expect(try store.read { try $0.signalCount() } == 7)
        #expect(try folder.sweep().isEmpty)
    }
}

@Suite struct HostileValuesTests {
    /// Times far outside any real range must be refused, not overflow (a trap is a crash).
    @Test(arguments: [
        #"{"eventType":"x","actor":{},"published":9223372036854775807}"#,
        #"{"eventType":"x","actor":{},"published":-9223372036854775808}"#,
        #"{"eventType":"x","actor":{},"published":1e300}"#,
        #"{"eventType":"x","actor":{},"published":"99999999999999999999"}"#,
        // The last day taser takes is 9999-12-31 UTC; this one is past it once its offset applies.
        #"{"eventType":"x","actor":{},"published":"9999-12-31T23:59:59-01:00"}"#,
        #"{"eventType":"x","actor":{},"published":"1969-12-31T23:59:59Z"}"#,
        #"{"eventType":"x","actor":{},"published":"2026-02-30T10:00:00Z"}"#,
        #"{"eventType":"x","actor":{},"published":"2026-02-03T10:00:00+99:00"}"#,
        #"{"eventType":"x","actor":{},"published":-1}"#,
    ])
    func absurdTimesAreQuarantined(_ line: String) throws {
        let dir = TempDir()
        let summary = try Ingester(store: try Store.open(path: dir.file())).ingest(Array(line.utf8), source: "x")
        #expect(summary.stored == 0 && summary.quarantined == 1)
    }
}
