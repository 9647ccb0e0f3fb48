import Foundation
import Model
import Testing
@testable import AlertEngine
@testable import Engine
@testable import SignalServer

/// Issue 16's first "done when": public EVTX samples ingested into a real database keep every
/// readable record, and a SigmaHQ-style rule over them finds exactly what a second parser
/// (pip `evtx`, the Rust project's, whose JSON is kept beside the samples) finds.
@Suite struct SigmaOverEvtxTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AlertEngineTests/Fixtures/evtx").path

    /// The reference parser's events of a sample.
    static func reference(_ name: String) throws -> [JSONValue] {
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", folder + "/" + name]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            try #require(try JSONValue.parse(String(line))["event"]?["Event"])
        }
    }

    @Test func ingestKeepsEveryRecordAndSigmaMatchesWhatTheReferenceParserFinds() throws {
        let soc = try SOC()
        let engine = soc.admin
        var kinds: [String: Int] = [:]
        for (file, records) in [("sysmon.evtx.gz", 358), ("security.evtx.gz", 2261)] {
            let summary = try engine.ingester().ingest(try FileInput(path: Self.folder + "/" + file), source: file)
            #expect(summary.records == records && summary.stored == records && summary.quarantined == 0, "\(file): \(summary.line)")
            kinds.merge(summary.kinds) { $0 + $1 }
        }
        #expect(kinds["windows.process_creation"] == 227)
        // Read again: every record is a duplicate of itself (identity by computer, channel, record).
        let again = try engine.ingester().ingest(try FileInput(path: Self.folder + "/sysmon.evtx.gz"), source: "again")
        #expect(again.duplicates == 358 && again.stored == 0)

        // What the second parser finds: Sysmon process starts whose Image ends in \schtasks.exe.
        let expected = Set(try Self.reference("sysmon.expected.jsonl.gz").compactMap { e -> String? in
            guard e["System"]?["EventID"] == .int(1), e["System"]?["Channel"]?.stringValue == "Microsoft-Windows-Sysmon/Operational",
                  let image = e["EventData"]?["Image"]?.stringValue, image.lowercased().hasSuffix("\\schtasks.exe"),
                  let record = e["System"]?["EventRecordID"] else { return nil }
            return record.text
        })
        #expect(expected.count == 7)

        let sigma = """
            title: Scheduled Task Creation Via Schtasks.EXE
            id: 92626ddd-662c-49e3-ac59-f6535f12d189
            status: test
            logsource:
                category: process_creation
                product: windows
            detection:
                selection:
                    Image|endswith: '\\schtasks.exe'
                condition: selection
            level: low
            """
        let imported = SigmaImport.read(yaml: sigma, path: "proc_creation_win_schtasks_creation.yml")
        #expect(imported.problems.isEmpty, "\(imported.problems)")
        let rule = try #require(imported.rules.first?.rule)
        let report = try engine.simulate(rule, from: Timestamp(parsing: "2017-01-01T00:00:00Z"), to: Timestamp(parsing: "2019-01-01T00:00:00Z"))
        #expect(report.signalsMatched == expected.count)
        let ids = Set(report.alerts.flatMap(\.signals))
        let matched = try engine.store.read { tx in try ids.compactMap { try tx.signal($0)?.fields["EventRecordID"]?.text } }
        #expect(Set(matched) == expected)
    }
}
