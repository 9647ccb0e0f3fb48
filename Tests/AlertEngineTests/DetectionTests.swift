import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

/// Detection is by structure: every record of every fixture is claimed by its own format and by
/// no other, whatever the order of the registry.
@Suite struct DetectionTests {
    static let fixtures: [(file: String, format: String)] = [
        ("okta.json", "okta"), ("duo.ndjson", "duo"),
        ("carbonblack.json", "carbonblack"), ("carbonblack-v6.ndjson", "carbonblack"),
        ("suricata.ndjson", "suricata"),
        ("cloudtrail.json", "cloudtrail"), ("cloudtrail-single.json", "cloudtrail"),
        ("guardduty.ndjson", "guardduty"), ("guardduty-cli.json", "guardduty"),
        ("falco.ndjson", "falco"), ("wazuh.ndjson", "wazuh"),
        ("splunk.ndjson", "splunk"), ("splunk-webhook.json", "splunk"),
    ]

    @Test func everyRecordIsDetectedAsItsOwnFormatOnly() throws {
        let registry = FormatRegistry.builtIn()
        // The families of log sources (FormatRegistry+Windows.swift, ...) sit between the vendors'
        // JSON and the text formats that accept the most.
        #expect(registry.names == [
            "okta", "duo", "carbonblack", "suricata", "cloudtrail", "guardduty", "falco", "wazuh", "splunk", "thehive",
            "azure", "m365", "gcp", "kubernetes", "github", "opencanary", "windows",
            "zscaler", "access-json", "access", "squid", "web-error", "auditd", "sysmon-linux", "syslog",
            "cef", "leef", "email", "csv",
        ])
        var checked = 0
        for (file, format) in DetectionTests.fixtures {
            let framed = Framer.frame(try Fixture.bytes(file), name: file)
            #expect(framed.rejected.isEmpty, "\(file) did not frame")
            #expect(!framed.records.isEmpty, "\(file) has no records")
            for record in framed.records {
                #expect(registry.detect(record)?.name == format, "\(record.origin) detected as \(registry.detect(record)?.name ?? "nothing")")
                let claimants = registry.formats.filter { $0.accepts(record) }.map(\.name)
                #expect(claimants == [format], "\(record.origin) is claimed by \(claimants)")
                checked += 1
            }
        }
        #expect(checked == 61)
    }

    /// A format detection passes over for lacking its marks (`Format.jsonMarks`) would have
    /// said no: every JSON record of every fixture that a format accepts holds one of its
    /// mark sets, and detection names the format that asking each in turn names.
    @Test func aFormatPassedOverForItsMarksWouldHaveSaidNo() throws {
        let registry = FormatRegistry.builtIn()
        var accepted = 0, passedOver = 0
        for file in try Fixture.files() where !file.hasPrefix("evtx/") {
            for record in Framer.frame(try Fixture.bytes(file), name: file).records {
                guard case .json(.object(let o)) = record.payload else { continue }
                for format in registry.formats where !format.jsonMarks.isEmpty {
                    let marked = format.jsonMarks.contains { o.mayHold(all: JSONKeyBits($0)) }
                    if format.accepts(record) {
                        #expect(marked, "\(record.origin) is \(format.name)'s but lacks its marks")
                        accepted += 1
                    }
                    if !marked { passedOver += 1 }
                }
                #expect(registry.detect(record)?.name == registry.formats.first { $0.accepts(record) }?.name, "\(record.origin)")
            }
        }
        // Every marked format's fixtures were among them, and most asks were saved.
        #expect(accepted > 100 && passedOver > 10 * accepted, "\(accepted) accepted, \(passedOver) passed over")
    }

    /// EventBridge carries several services' events in one stream.
    @Test func eventBridgeEnvelopesGoToTheServiceInside() throws {
        let framed = Framer.frame(try Fixture.bytes("eventbridge.ndjson"), name: "eventbridge.ndjson")
        let registry = FormatRegistry.builtIn()
        #expect(framed.records.map { registry.detect($0)?.name } == ["guardduty", "cloudtrail"])
        for record in framed.records {
            #expect(registry.formats.filter { $0.accepts(record) }.count == 1)
        }
    }

    @Test func foreignJSONIsNotClaimed() throws {
        let registry = FormatRegistry.builtIn()
        let foreign = [
            // Security Hub ASFF: PascalCase like GuardDuty's SDK output, but not a GuardDuty finding.
            #"{"SchemaVersion":"2018-10-08","Id":"arn:aws:securityhub:us-east-1:111122223333:finding/1","ProductArn":"arn:aws:securityhub:us-east-1::product/aws/securityhub","Types":["Software and Configuration Checks"],"Severity":{"Label":"HIGH"},"Resources":[{"Type":"AwsAccount","Id":"AWS::::Account:111122223333"}],"CreatedAt":"2026-11-02T14:00:00Z","UpdatedAt":"2026-11-02T14:00:00Z","Title":"Root user has access keys"}"#,
            // Zeek conn.log as JSON: a 5-tuple and a timestamp, but no event_type.
            #"{"ts":1793628340.123,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"10.20.30.41","id.orig_p":50412,"id.resp_h":"45.137.21.9","id.resp_p":80,"proto":"tcp"}"#,
            // A Splunk REST search result row: no webhook envelope.
            #"{"_time":"2026-11-02T14:20:00.000+00:00","src_ip":"185.220.101.4","user":"jane.doe"}"#,
            // An EventBridge event from another service.
            #"{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2026-11-02T14:00:00Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-0a1b2c3d4e5f60718","state":"stopped"}}"#,
        ]
        for json in foreign {
            let record = Record(payload: .json(try JSONValue.parse(Array(json.utf8))), raw: json, origin: "foreign")
            #expect(registry.formats.filter { $0.accepts(record) }.isEmpty, "claimed: \(json.prefix(60))")
        }
    }

    /// Each line claims to be a vendor's record (so it is detected as that vendor's) but is not
    /// usable: quarantine with a reason that names the format and the field.
    @Test func badRecordsAreRejectedWithAReason() throws {
        let framed = Framer.frame(try Fixture.bytes("bad.ndjson"), name: "bad.ndjson")
        let registry = FormatRegistry.builtIn()
        let expected: [(format: String, reason: String)] = [
            ("carbonblack", "carbonblack: severity is not a number: \"high\""),
            ("suricata", "suricata: alert event without its alert object"),
            ("suricata", "suricata: alert.signature_id is not a number: \"ET-2029840\""),
            ("cloudtrail", "cloudtrail: eventTime is not a time: \"yesterday\""),
            ("guardduty", "guardduty: severity is not a number: \"HIGH\""),
            ("falco", "falco: time is not a time: \"14:23:09.412870311\""),
            ("falco", "falco: priority is not a Falco priority: \"Urgent\""),
            ("wazuh", "wazuh: rule.level is not a number: \"high\""),
            ("wazuh", "wazuh: timestamp is not a time: \"02/Nov/2026:14:05:40 +0000\""),
            ("splunk", "splunk: no time: the result has no _time and the sid admin__admin__search__search7 carries no dispatch time; keep _time in the search's results"),
            ("splunk", "splunk: result._time is not a time: \"last tuesday\""),
        ]
        try #require(framed.records.count == expected.count)
        for (record, want) in zip(framed.records, expected) {
            let format = try #require(registry.detect(record), "\(record.origin) not detected")
            #expect(format.name == want.format, "\(record.origin)")
            #expect(throws: NormalizeError(want.reason), "\(record.origin)") { try format.normalize(record) }
        }
        let (signals, rejected) = try Fixture.normalize("bad.ndjson")
        #expect(signals.isEmpty)
        #expect(rejected.map(\.format) == expected.map(\.format))
    }
}

/// Identity through the store: what is one event is stored once, what is two is stored twice.
@Suite struct VendorIdentityTests {
    func ingester() throws -> (Ingester, String) {
        let dir = NSTemporaryDirectory() + "taser-formats-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (Ingester(store: try Store.open(path: dir + "/t.db")), dir)
    }

    @Test func eveEventsOfOneFlowStaySeparateAndReingestStoresNothing() throws {
        let (ingester, dir) = try ingester()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bytes = try Fixture.bytes("suricata.ndjson")
        let first = try ingester.ingest(bytes, source: "eve.json")
        #expect(first.records == 15)
        #expect(first.stored == 14)
        #expect(first.quarantined == 0)
        #expect(first.kinds["suricata.alert"] == 2)
        let again = try ingester.ingest(bytes, source: "eve.json")
        #expect(again.stored == 0)
        #expect(again.duplicates == 14)
    }

    @Test func oneAlertOrFindingFromTwoAPIsIsStoredOnce() throws {
        let (ingester, dir) = try ingester()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try ingester.ingest(try Fixture.bytes("carbonblack.json"), source: "v7.json").stored == 4)
        let v6 = try ingester.ingest(try Fixture.bytes("carbonblack-v6.ndjson"), source: "v6.ndjson")
        #expect(v6.stored == 1 && v6.duplicates == 1)

        // The port probe finding again, wrapped by EventBridge: the finding's id is its identity.
        #expect(try ingester.ingest(try Fixture.bytes("guardduty.ndjson"), source: "gd.ndjson").stored == 6)
        let line = try #require(String(decoding: try Fixture.bytes("guardduty.ndjson"), as: UTF8.self).split(separator: "\n").first)
        let envelope = #"{"version":"0","id":"aa","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":"# + line + "}"
        let wrapped = try ingester.ingest(Array(envelope.utf8), source: "eventbridge")
        #expect(wrapped.stored == 0 && wrapped.duplicates == 1)
    }
}
