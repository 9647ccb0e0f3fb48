import AlertEngine
import Foundation
import Model
import Testing
@testable import Engine
@testable import SignalServer

/// `taser hunt --threads N`: a file is read and matched in pieces on several threads, and the
/// timeline must be what one thread gives: the same detections in the same order, the same
/// counts and the same first reasons for what could not be read.
@Suite struct HuntThreadsTests {
    static let rules: [SigmaImport.Imported] = SigmaImport.read(paths: [
        SigmaRegressionTests.folder + "/rules", SigmaOverEvtxTests.folder + "/../../../SignalServerTests/Fixtures/sigma/sigmahq",
    ]).rules

    /// A detection as the timeline shows it, with the event's record number.
    static func line(_ d: HuntDetection) -> String {
        "\(d.time.ms) \(d.rule) \(d.file) \(d.fields["winlog.record_id"]?.text ?? "-") \(d.event)"
    }

    static func hunt(_ hunt: SigmaHunt, _ input: () throws -> ByteInput, file: String, workers: Int) throws -> (EventReader.Outcome, [String]) {
        var lines: [String] = []
        let outcome = try hunt.scan(try input(), file: file, workers: workers) { lines.append(line($0)) }
        return (outcome, lines)
    }

    @Test func anEvtxFileHuntedOnSeveralThreadsGivesWhatOneThreadGives() throws {
        let hunt = try SigmaHunt(rules: Self.rules)
        // 26 chunks: four pieces of eight chunks; Sysmon's in one piece.
        for file in ["security.evtx.gz", "sysmon.evtx.gz"] {
            let path = SigmaOverEvtxTests.folder + "/" + file
            let (one, alone) = try Self.hunt(hunt, { try FileInput(path: path) }, file: file, workers: 1)
            #expect(one.signals > 300 && one.refused == 0)
            for workers in [2, 4] {
                let (many, together) = try Self.hunt(hunt, { try FileInput(path: path) }, file: file, workers: workers)
                #expect(together == alone, "\(file) on \(workers) threads")
                #expect((many.records, many.signals, many.refused) == (one.records, one.signals, one.refused))
            }
            if file == "security.evtx.gz" { #expect(alone.count > 50, "\(alone.count) detections") }
        }
    }

    /// evtx_dump JSON lines in several 5,000-line pieces, with lines no format reads among
    /// them in different pieces: the same detections and the same first five reasons.
    @Test func linesHuntedOnSeveralThreadsGiveWhatOneThreadGives() throws {
        let events = try SigmaOverEvtxTests.reference("sysmon.expected.jsonl.gz")
        var text = ""
        for n in 0..<13_000 {
            if n % 1_700 == 3 {
                text += "not an event \(n)\n"
            } else {
                text += JSONValue.object(["Event": events[n % events.count]]).text + "\n"
            }
        }
        let bytes = Array(text.utf8)
        let hunt = try SigmaHunt(rules: Self.rules)
        let (one, alone) = try Self.hunt(hunt, { BytesInput(bytes) }, file: "sysmon.json", workers: 1)
        #expect(one.records == 13_000 && one.refused == 8 && one.reasons.count == 5)
        #expect(alone.count > 100, "\(alone.count) detections")
        let (many, together) = try Self.hunt(hunt, { BytesInput(bytes) }, file: "sysmon.json", workers: 3)
        #expect(together == alone)
        #expect((many.records, many.signals, many.refused, many.reasons) == (one.records, one.signals, one.refused, one.reasons))
    }

    /// Several files on several threads (a large one in pieces, small ones a piece each): what
    /// each file alone on one thread gives, file after file; a file that cannot be opened ends
    /// the scan with its reason.
    @Test func filesHuntedTogetherGiveWhatEachGivesAlone() throws {
        let hunt = try SigmaHunt(rules: Self.rules)
        let paths = ["security.evtx.gz", "new-user-security.evtx", "sysmon.evtx.gz", "Security_short_selected.evtx"].map {
            SigmaOverEvtxTests.folder + "/" + $0
        }
        var alone: [String] = []
        var outcomes: [EventReader.Outcome] = []
        for path in paths {
            let (outcome, lines) = try Self.hunt(hunt, { try FileInput(path: path) }, file: path, workers: 1)
            alone += lines
            outcomes.append(outcome)
        }
        #expect(alone.count > 50)
        var together: [String] = []
        let files = paths.map { path in (path, { () throws(InputFailure) -> ByteInput in try FileInput(path: path) }) }
        let many = try hunt.scan(files, workers: 3) { together.append(Self.line($0)) }
        #expect(together == alone)
        #expect(many.map(\.records) == outcomes.map(\.records) && many.map(\.signals) == outcomes.map(\.signals))

        var before = 0
        let missing = files.prefix(2) + [("/nonexistent/Security.evtx", { () throws(InputFailure) -> ByteInput in try FileInput(path: "/nonexistent/Security.evtx") })]
        let failure = #expect(throws: InputFailure.self) { _ = try hunt.scan(Array(missing), workers: 3) { _ in before += 1 } }
        #expect(failure?.reason == "cannot read /nonexistent/Security.evtx: no such file")
        #expect(before == alone.filter { $0.contains("security.evtx.gz") || $0.contains("new-user-security.evtx") }.count)
    }

    /// A detection's row is made with only the ECS names a row shows, and its fields are
    /// completed when asked for: both must be the event as `ingest` reads it.
    @Test func aDetectionShowsTheEventAsIngestReadsIt() throws {
        let hunt = try SigmaHunt(rules: Self.rules)
        var detections = 0
        for file in ["security.evtx.gz", "sysmon.evtx.gz"] {
            let path = SigmaOverEvtxTests.folder + "/" + file
            var whole: [String: Normalized] = [:]
            _ = try EventReader.read(try FileInput(path: path), name: file, formats: .builtIn()) { s in
                if let record = s.fields["winlog.record_id"]?.stringValue { whole[record] = s }
            }
            let before = detections
            _ = try hunt.scan(try FileInput(path: path), file: file) { d in
                detections += 1
                let record = d.fields["winlog.record_id"]?.stringValue ?? "-"
                guard let full = whole[record] else {
                    Issue.record("\(file): no event \(record) for \(d.rule)")
                    return
                }
                #expect(d.fields == full.fields && d.fields == d.fields, "\(file) \(record)")
                #expect(d.event == full.title && d.host == full.fields["host.name"]?.stringValue, "\(file) \(record)")
                #expect(d.user == SigmaHunt.user(full.fields) && d.kind == full.kind.name, "\(file) \(record)")
            }
            #expect(detections > before, "\(file): no detections")
        }
        #expect(detections > 50, "\(detections) detections")
    }

}
