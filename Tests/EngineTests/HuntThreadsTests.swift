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
}
