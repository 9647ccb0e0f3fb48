import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

/// Ingest reads every input a block at a time and holds at most one record's worth of any one
/// record: these pin what that means at the edges (records over the limit in every framing,
/// gzip that will not stop inflating, documents larger than a record, broken inputs).
@Suite struct StreamingTests {
    let small = IngestLimits(maxRecord: 4096, sample: 256)

    func ingester(_ dir: TempDir, limits: IngestLimits = .standard) throws -> Ingester {
        let ingester = Ingester(store: try Store.open(path: dir.file()))
        ingester.limits = limits
        return ingester
    }

    func duoLine(_ n: Int, padding: Int = 0) -> String {
        #"{"result":"success","factor":"duo_push","txid":"t\#(n)","isotimestamp":"2026-11-02T10:00:00Z","user":{"name":"u\#(n)"},"reason":"\#(String(repeating: "x", count: padding))"}"#
    }

    @Test func everyFixtureFramesTheSameWhateverTheRecordLimitAllowsOfTheDocument() throws {
        // With a 4 KiB limit, documents larger than that are streamed event by event instead of
        // being held whole; the events must come out the same.
        for name in ["cloudtrail.json", "carbonblack.json", "guardduty-cli.json", "okta.json", "splunk-webhook.json", "suricata.ndjson", "alerts.csv", "reported.mbox"] {
            let bytes = try Fixture.bytes(name)
            let whole = Framer.frame(bytes, name: name)
            let streamed = Framer.frame(bytes, name: name, limits: IngestLimits(maxRecord: 4096))
            let over = streamed.rejected.filter { $0.reason.contains("over the") }
            #expect(whole.rejected.count == streamed.rejected.count - over.count, "\(name)")
            let kept = whole.records.filter { $0.raw.utf8.count <= 4096 }
            #expect(streamed.records.map(\.raw) == kept.map(\.raw), "\(name)")
        }
    }

    @Test func blockBoundariesAnywhereChangeNothing() throws {
        // Every fixture read 1 to 13 bytes at a time frames exactly as read whole, with the record
        // limit small enough that documents are streamed (so the streamed path sees every cut).
        for name in try Fixture.files() {
            let bytes = try Fixture.bytes(name)
            let limits = IngestLimits(maxRecord: 2048)
            let whole = Framer.frame(bytes, name: name, limits: limits)
            for blockSize in [1, 2, 3, 7, 13] {
                let cut = Framer.frame(bytes, name: name, limits: limits, blockSize: blockSize)
                #expect(cut.records.map(\.raw) == whole.records.map(\.raw), "\(name) in blocks of \(blockSize)")
                #expect(cut.rejected.map(\.reason) == whole.rejected.map(\.reason), "\(name) in blocks of \(blockSize)")
            }
        }
        // Numbers end at the delimiter after them, which may start the next block.
        let numbers = "[" + (0..<3000).map { "\($0 * 7919)" }.joined(separator: ",") + "]"
        for blockSize in [1, 2, 5] {
            let framed = Framer.frame(Array(numbers.utf8), name: "n.json", limits: IngestLimits(maxRecord: 1024), blockSize: blockSize)
            #expect(framed.records.count == 3000 && framed.records.last?.raw == "\(2999 * 7919)")
        }
    }

    @Test func aFileOrPipeReadStraightIntoTheChunkFramesAsItsBytesDo() throws {
        // A regular file is read into the line framer's chunk itself (room zeroed at its end,
        // then filled by read(2)); a pipe, a block at a time. Both must frame as the bytes do,
        // whatever the block size.
        for name in try Fixture.files() {
            let bytes = try Fixture.bytes(name)
            let whole = Framer.frame(bytes, name: name)
            for blockSize in [13, 4096, 1 << 20] {
                let file = try FileInput(path: Fixture.directory + "/" + name)
                #expect(file.regular)
                let read = Framer.frame(file, name: name, blockSize: blockSize)
                #expect(read.records.map(\.raw) == whole.records.map(\.raw), "\(name) in blocks of \(blockSize)")
                #expect(read.rejected.map(\.reason) == whole.rejected.map(\.reason), "\(name) in blocks of \(blockSize)")
            }
        }
        // More than a pipe holds (64 KiB), written while it is read.
        let lines = Array((0..<3000).map { duoLine($0, padding: $0 % 50) + "\n" }.joined().utf8)
        let whole = Framer.frame(lines, name: "duo.ndjson")
        #expect(whole.records.count == 3000)
        for blockSize in [7, 4096, 1 << 20] {
            let pipe = Pipe()
            let writer = Thread { pipe.fileHandleForWriting.write(Data(lines)); try? pipe.fileHandleForWriting.close() }
            writer.start()
            let input = try FileInput(path: "/proc/self/fd/\(pipe.fileHandleForReading.fileDescriptor)")
            #expect(!input.regular)
            let read = Framer.frame(input, name: "duo.ndjson", blockSize: blockSize)
            #expect(read.records.map(\.raw) == whole.records.map(\.raw), "a pipe in blocks of \(blockSize)")
            #expect(read.rejected.isEmpty)
        }
    }

    @Test func aHugeDocumentIsStreamedEventByEvent() throws {
        let events = (0..<300).map { duoLine($0, padding: 100) }
        let document = "{\"response\": {\"authlogs\": [\n" + events.joined(separator: ",\n") + "\n], \"metadata\": {\"next_offset\": null}}, \"stat\": \"OK\"}"
        #expect(document.utf8.count > small.maxRecord * 10)
        let framed = Framer.frame(Array(document.utf8), name: "duo.json", limits: small)
        #expect(framed.rejected.isEmpty)
        #expect(framed.records.map(\.raw) == events)
        #expect(framed.records.last?.origin == "duo.json[299]")
        // The same document within the limit is framed whole, with the same events.
        #expect(Framer.frame(Array(document.utf8), name: "duo.json").records.map(\.raw) == events)
    }

    @Test func anOversizeRecordIsQuarantinedAsASampleWithItsSizeInEveryFraming() throws {
        let long = String(repeating: "y", count: 10_000)
        let cases: [(name: String, text: String, origin: String)] = [
            ("a.ndjson", duoLine(1) + "\n" + duoLine(2, padding: 10_000) + "\n" + duoLine(3) + "\n", "a.ndjson:2"),
            ("b.json", "[" + duoLine(1) + "," + duoLine(2, padding: 10_000) + "," + duoLine(3) + "]", "b.json[1]"),
            ("c.csv", "time,user,message\n2026-10-30T08:00:00Z,ana,a\n2026-10-30T08:00:00Z,bo,\(long)\n2026-10-30T09:00:00Z,cy,c\n", "c.csv:3"),
            (
                "d.mbox",
                "From a@b Mon Nov  2 10:00:00 2026\nFrom: a@b.example\nSubject: one\n\nx\n\nFrom a@b Mon Nov  2 10:00:00 2026\nFrom: a@b.example\nSubject: two\n\n\(long)\n\nFrom a@b Mon Nov  2 10:00:00 2026\nFrom: a@b.example\nSubject: three\n\nz\n",
                "d.mbox#2"
            ),
        ]
        for c in cases {
            let framed = Framer.frame(Array(c.text.utf8), name: c.name, limits: small)
            #expect(framed.records.count == 2, "\(c.name)")
            #expect(framed.rejected.count == 1, "\(c.name)")
            let refused = try #require(framed.rejected.first)
            #expect(refused.origin == c.origin)
            #expect(refused.reason.contains("over the 4 KiB limit"), "\(refused.reason)")
            #expect(refused.raw.count == 256)
            #expect((refused.sampledFrom ?? 0) > 10_000)
        }
    }

    @Test func aLineLongerThanTheLimitNeverLandsWholeInQuarantine() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
        let input = Array((duoLine(1) + "\n").utf8) + Array("{\"big\":\"".utf8) + big + Array("\"}\n".utf8) + Array((duoLine(2) + "\n").utf8)
        let summary = try ingest.ingest(input, source: "big.ndjson")
        #expect(summary.stored == 2 && summary.quarantined == 1 && summary.isAccountedFor)
        let item = try #require(try ingest.store.read { try $0.quarantined(limit: 1) }.first)
        let whole = try #require(try ingest.store.read { try $0.quarantineItem(item.id) })
        #expect(whole.raw.count == IngestLimits.standard.sample)
        #expect(whole.size == big.count + 10)
        #expect(whole.origin == "big.ndjson:2")
    }

    @Test func aGzipBombStopsAtTheInflationCapAndKeepsWhatCameBefore() throws {
        let dir = TempDir()
        var limits = IngestLimits.standard
        limits.maxInflated = 1 << 20
        let ingest = try ingester(dir, limits: limits)
        let lines = (0..<20_000).map { duoLine($0) }.joined(separator: "\n") + "\n"
        #expect(lines.utf8.count > 2 << 20)
        let summary = try ingest.ingest(try gzip(Array(lines.utf8)), source: "bomb.ndjson.gz")
        #expect(summary.stored > 1000 && summary.stored < 20_000)
        #expect(summary.quarantined == 1 && summary.isAccountedFor)
        #expect(summary.reasons.first?.contains("inflates past the 1 MiB limit") == true)
    }

    @Test func oneGiantGzippedLineCostsASampleNotTheProcess() throws {
        // The issue's reproducer at a test's scale: a small gzip holding one very long line.
        let dir = TempDir()
        let ingest = try ingester(dir)
        let line = [UInt8](repeating: UInt8(ascii: "A"), count: 24 << 20) + [10] + Array((duoLine(1) + "\n").utf8)
        let packed = try gzip(line)
        #expect(packed.count < 1 << 20)
        let summary = try ingest.ingest(packed, source: "one-line.gz")
        #expect(summary.stored == 1 && summary.quarantined == 1 && summary.isAccountedFor)
    }

    @Test func aTruncatedGzipKeepsTheLinesBeforeTheCut() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        let lines = (0..<2000).map { duoLine($0, padding: 50) }.joined(separator: "\n") + "\n"
        var packed = try gzip(Array(lines.utf8))
        packed.removeLast(packed.count / 3)
        let summary = try ingest.ingest(packed, source: "cut.ndjson.gz")
        #expect(summary.stored > 100 && summary.stored < 2000)
        #expect(summary.quarantined == 1 && summary.isAccountedFor)
        #expect(summary.reasons.first?.contains("truncated") == true)
    }

    @Test func theSameBadBytesAreHeldOnceAndTheSummarySaysSo() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        let input = Array("not an event\n{\"broken\": \nnot an event\n".utf8)
        let first = try ingest.ingest(input, source: "bad.log")
        #expect(first.quarantined == 3 && first.quarantinedNew == 2 && first.quarantinedHeld == 1 && first.isAccountedFor)
        let again = try ingest.ingest(input, source: "bad.log")
        #expect(again.quarantined == 3 && again.quarantinedNew == 0 && again.quarantinedHeld == 3 && again.isAccountedFor)
        #expect(try ingest.store.read { try $0.quarantineCount() } == 2)
    }

    @Test func aRecordTheDatabaseRefusesIsQuarantinedAndTheBatchGoesOn() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        // A hook that fails on one signal stands for any per-record store failure.
        ingest.afterBatch = { _, signals, _ in
            if signals.contains(where: { $0.raw.contains("\"t13\"") }) { throw NormalizeError("refused by the hook") }
            return BatchOutcome()
        }
        let input = (0..<50).map { duoLine($0) }.joined(separator: "\n") + "\n"
        let summary = try ingest.ingest(Array(input.utf8), source: "fifty.ndjson")
        #expect(summary.stored == 49 && summary.quarantined == 1 && summary.isAccountedFor)
        #expect(summary.reasons.first?.contains("fifty.ndjson:14: could not be stored: refused by the hook") == true)
    }

    @Test func documentsLinesAndBreaksAreToldApartWithoutReadingTheWhole() throws {
        // NDJSON: a complete object, then another.
        let ndjson = Framer.frame(Array((duoLine(1) + "\n" + duoLine(2) + "\n").utf8), name: "x")
        #expect(ndjson.records.map(\.origin) == ["x:1", "x:2"])
        // One pretty-printed object is one record.
        let pretty = Framer.frame(Array("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n".utf8), name: "p.json")
        #expect(pretty.records.count == 1 && pretty.rejected.isEmpty)
        // NDJSON whose first line is broken: the lines are tried one by one.
        let brokenFirst = Framer.frame(Array(("{\"a\": \n" + duoLine(1) + "\n").utf8), name: "y")
        #expect(brokenFirst.records.map(\.origin) == ["y:2"] && brokenFirst.rejected.map(\.origin) == ["y:1"])
        // A broken array keeps the events before the break.
        let broken = Framer.frame(Array("[{\"a\":1},{\"b\":".utf8), name: "b.json")
        #expect(broken.records.map(\.raw) == ["{\"a\":1}"])
        #expect(broken.rejected.count == 1 && broken.rejected[0].reason.contains("ends inside a JSON value"))
        // Deep nesting is refused, not recursed into.
        let deep = Framer.frame(Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8), name: "deep.json")
        #expect(deep.records.isEmpty && deep.rejected.count == 1 && deep.rejected[0].reason.contains("nested deeper"))
    }

    @Test func anEmptyPageIsAnEmptyBatch() throws {
        let dir = TempDir()
        let ingest = try ingester(dir)
        for page in [#"{"findings":[]}"#, #"{"Findings": []}"#, #"{"response": {"authlogs": [], "metadata": {}}, "stat": "OK"}"#] {
            let summary = try ingest.ingest(Array(page.utf8), source: "page.json")
            #expect(summary.stored == 0 && summary.quarantined == 0 && summary.skipped == 1 && summary.isAccountedFor, "\(page)")
            #expect(summary.skipReasons.first?.contains("an empty batch") == true)
        }
    }

    @Test func anUnclosedQuoteInCSVCostsOnlyTheRowsFromIt() throws {
        let text = "time,user,message\n2026-10-30T08:00:00Z,ana,a\n2026-10-30T08:00:00Z,bo,\"never closed\n2026-10-30T09:00:00Z,cy,c\n"
        let framed = Framer.frame(Array(text.utf8), name: "q.csv")
        #expect(framed.records.count == 1)
        #expect(framed.rejected.count == 1 && framed.rejected[0].reason.contains("never closed"))
    }
}

@Suite struct DropFolderFailureTests {
    @Test func aFileThatCannotBeIngestedGoesToFailedWithItsReasonAndTheSweepGoesOn() throws {
        let dir = TempDir()
        let drop = dir.path + "/drop"
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let store = try Store.open(path: dir.file())
        try Data(try Fixture.bytes("duo.ndjson")).write(to: URL(fileURLWithPath: drop + "/a.ndjson"))
        try Data("vanishes".utf8).write(to: URL(fileURLWithPath: drop + "/b.ndjson"))
        try Data([0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]).write(to: URL(fileURLWithPath: drop + "/c.ndjson.gz"))
        try Data(try Fixture.bytes("okta.json")).write(to: URL(fileURLWithPath: drop + "/d.json"))
        let folder = try DropFolder(path: drop, ingester: Ingester(store: store))
        folder.settleSeconds = 0
        // b.ndjson disappears between the listing and its turn: it cannot be read.
        let outcomes = try folder.sweep { outcome in
            if outcome.file == "a.ndjson" { try? FileManager.default.removeItem(atPath: drop + "/b.ndjson") }
        }
        #expect(outcomes.map(\.file) == ["a.ndjson", "b.ndjson", "c.ndjson.gz", "d.json"])
        #expect(outcomes.map(\.status) == [.done, .failed, .failed, .done])
        #expect(outcomes[1].summary.reasons.first?.contains("no such file") == true)
        let reason = try String(contentsOfFile: drop + "/failed/c.ndjson.gz.reason", encoding: .utf8)
        #expect(reason.contains("gzip"))
        #expect(FileManager.default.fileExists(atPath: drop + "/done/d.json"))
    }
}

/// Issue 13 (part): words for "none" are absent, and an address with a port is two fields.
@Suite struct AddressFieldTests {
    @Test(arguments: [
        ("203.0.113.5:51234", "203.0.113.5", 51234), ("[2001:db8::1]:443", "2001:db8::1", 443),
    ])
    func anAddressWithAPortBecomesTheAddressAndThePort(_ text: String, _ ip: String, _ port: Int) {
        var fields: JSONObject = ["source.ip": .string(text)]
        ECS.tidy(&fields)
        #expect(fields["source.ip"] == .string(ip) && fields["source.port"] == .int(Int64(port)))
    }

    @Test(arguments: ["null", "N/A", "", " ", "(null)"])
    func aWordForNoneIsAbsent(_ text: String) {
        var fields: JSONObject = ["source.ip": .string(text), "destination.ip": .string("2001:db8::1")]
        ECS.tidy(&fields)
        #expect(fields["source.ip"] == nil && fields["destination.ip"] == .string("2001:db8::1"))
    }

    @Test func notAddressesAreLeftAlone() {
        var fields: JSONObject = ["source.ip": .string("2001:db8::1"), "host.ip": .string("10.0.0.1:99999"), "client.ip": .string("a:1")]
        ECS.tidy(&fields)
        #expect(fields["source.ip"] == .string("2001:db8::1") && fields["host.ip"] == .string("10.0.0.1:99999") && fields["client.ip"] == .string("a:1"))
    }

    @Test func oktaWritesNullForNoAddressAndNoArtifactComesOfIt() throws {
        let dir = TempDir()
        let ingester = Ingester(store: try Store.open(path: dir.file()))
        let line = #"{"uuid":"u-null-1","eventType":"user.session.start","published":"2026-11-02T10:00:00Z","actor":{"alternateId":"a@b.example"},"client":{"ipAddress":"null","zone":"null"},"outcome":{"result":"SUCCESS"}}"#
        let summary = try ingester.ingest(Array(line.utf8), source: "okta.json")
        #expect(summary.stored == 1)
        let signal = try #require(try ingester.store.read { try $0.signals(SignalFilter()).first })
        #expect(signal.fields["source.ip"] == nil)
        #expect(try ingester.store.read { try $0.artifactCounts(types: [.ip], value: nil, limit: 10, visibleTo: Actor(name: "admin", isAdmin: true)) }.isEmpty)
    }
}
