import Foundation
import Model
import Testing
@testable import Engine
@testable import Store

@Suite struct ExportTests {
    @Test func aCaseExportHoldsEverything() throws {
        let soc = try SOC()
        let a1 = try soc.alert(user: "jane.doe", count: 3), a2 = try soc.alert(user: "john.roe", ip: "198.51.100.7", count: 2)
        let c = try soc.ana.openCase(NewCase(title: "Export me", alertIDs: [a1.id, a2.id]))
        try soc.ana.addArtifact(c.id, ArtifactMention(.domain, "evil.example", role: "c2"))
        let note = try soc.ana.addNote(c.id, "line one,\nline \"two\"")
        try soc.ana.correct(c.id, entry: note.seq, "fixed")
        let detail = try soc.ana.caseDetail(c.id)
        let json = try soc.ana.exportCase(c.id).json

        // Round-trips through text, as a file would.
        let doc = try JSONValue.parse(json.pretty())
        #expect(doc["format"] == "taser.case-export")
        #expect(doc["format_version"] == 1)
        let log = try #require(doc["log"]?.arrayValue)
        #expect(log.count == detail.log.count)
        for (entry, stored) in zip(log, detail.log) {
            #expect(entry["hash"]?.stringValue == stored.hash)
            #expect(entry["prev_hash"]?.stringValue == stored.prevHash)
            #expect(entry["body"]?.stringValue == stored.body)
        }
        let alerts = try #require(doc["alerts"]?.arrayValue)
        #expect(alerts.compactMap { $0["id"]?.stringValue } == [String(a1.id), String(a2.id)])
        let signals = alerts.flatMap { $0["signals"]?.arrayValue ?? [] }
        #expect(signals.count == 5)
        #expect(signals.allSatisfy { $0["raw"]?.stringValue?.hasPrefix("{\"raw\":") == true && $0["fields"]?["user.name"] != nil })
        #expect(signals.allSatisfy { ($0["artifacts"]?.arrayValue?.count ?? 0) == 3 })
        let artifacts = try #require(doc["artifacts"]?.arrayValue)
        let values = Set(artifacts.compactMap { $0["value"]?.stringValue })
        #expect(values == ["jane.doe", "john.roe", "203.0.113.9", "198.51.100.7", "LT-JANE", "evil.example"])
        let janeLinks = artifacts.first { $0["value"] == "jane.doe" }?["links"]?.arrayValue
        #expect(janeLinks?.count == 3)

        // A log entry's seal can be recomputed from the export and the log key alone.
        let first = log[0]
        #expect(first["seal"] == "hmac")
        let recomputed = LogEntry.canonicalForm(
            id: Int64(first["id"]!.stringValue!)!, caseID: c.id, seq: 1, time: Timestamp(ms: Int64(first["time_ms"]!.stringValue!)!),
            author: first["author"]!.stringValue!, kind: LogKind(rawValue: first["kind"]!.stringValue!)!, body: first["body"]!.stringValue!,
            data: first["data_text"]?.stringValue, corrects: nil, seal: .hmac, prevHash: first["prev_hash"]!.stringValue!)
        let key = Array(try Data(contentsOf: URL(fileURLWithPath: soc.admin.store.path + ".key")))
        #expect(Store.hmacSHA256Hex(recomputed, key: key) == first["hash"]?.stringValue)
    }

    @Test func aCaseExportAsCSV() throws {
        let soc = try SOC()
        let alert = try soc.alert(count: 2)
        let c = try soc.ana.openCase(NewCase(title: "CSV, \"quoted\"", alertIDs: [alert.id]))
        try soc.ana.addNote(c.id, "multi\nline")
        let csv = try soc.ana.exportCase(c.id).csv
        let records = parseCSV(csv)
        #expect(records.first == CaseExport.csvColumns)
        #expect(records.dropFirst().allSatisfy { $0.count == CaseExport.csvColumns.count })
        let kinds = records.dropFirst().map { $0[0] }
        #expect(kinds.filter { $0 == "case" }.count == 1)
        #expect(kinds.filter { $0 == "log" }.count == 2)
        #expect(kinds.filter { $0 == "alert" }.count == 1)
        #expect(kinds.filter { $0 == "signal" }.count == 2)
        #expect(kinds.filter { $0 == "link" }.count == 6)
        #expect(kinds.filter { $0 == "artifact" }.count == 3)
        #expect(records.contains { $0[0] == "log" && $0[16] == "multi\nline" })
        #expect(records.contains { $0[0] == "case" && $0[13] == "CSV, \"quoted\"" })
    }

    @Test func artifactsAcrossAlertsByKindAndType() throws {
        let soc = try SOC()
        _ = try soc.alert(user: "jane.doe")
        _ = try soc.alert(user: "john.roe", ip: "198.51.100.7")
        let export = try soc.ana.exportArtifacts(types: [.user], kinds: ["SSO logins from a new location"])
        #expect(export.rows.map(\.artifact.value) == ["jane.doe", "john.roe"])
        #expect(export.rows.allSatisfy { $0.kinds == [SignalKind.oktaNewLocation.name] && $0.signals == 2 })
        #expect(try soc.ana.exportArtifacts(types: [.user], kinds: ["CarbonBlack alert"]).rows.isEmpty)
        #expect(try soc.ana.exportArtifacts(types: [.ip], rules: ["new-location"]).rows.count == 2)
        #expect(throws: EngineError.self) { try soc.ana.exportArtifacts(kinds: ["no such kind"]) }
        let lines = export.jsonLines.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try JSONValue.parse(String(lines[0]))["format_version"] == 1)
    }

    /// A strict RFC 4180 reader, to prove the writer's output parses back.
    func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                row.append(field); field = ""
            } else if ch == "\r\n" || ch == "\n" {
                row.append(field); field = ""; rows.append(row); row = []
            } else {
                field.append(ch)
            }
        }
        return rows
    }
}
