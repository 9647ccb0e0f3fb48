import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct SplunkTests {
    @Test func readsWebhookPayloads() throws {
        let (signals, rejected) = try Fixture.normalize("splunk.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 4)
        #expect(signals.allSatisfy { $0.kind == .splunk && $0.source == "splunk" })
        #expect(signals.map(\.severity) == [.medium, .high, .medium, .critical])

        let vpn = signals[0]
        #expect(vpn.kind.displayName == "Splunk alert")
        #expect(vpn.time == Timestamp(parsing: "2026-11-02T14:20:00Z"))
        #expect(vpn.title == "Excessive failed VPN logins (user jane.doe@example.com, src 185.220.101.4, dest vpn-gw-01.corp.example.com)")
        #expect(vpn.field("rule.name") == "Excessive failed VPN logins")
        #expect(vpn.field("splunk.search_name") == "Excessive failed VPN logins")
        #expect(vpn.field("splunk.sid") == "scheduler__admin__search__RMD5e461e3c3e9ae6c3c_at_1793629200_2231")
        #expect(vpn.field("splunk.app") == "search")
        #expect(vpn.field("splunk.owner") == "admin")
        #expect(vpn.field("splunk.results_link")?.hasPrefix("https://splunk.corp.example.com:8000/app/search/@go?sid=") == true)
        #expect(vpn.field("source.ip") == "185.220.101.4")
        #expect(vpn.field("destination.address") == "vpn-gw-01.corp.example.com")
        #expect(vpn.field("destination.domain") == "vpn-gw-01.corp.example.com")
        #expect(vpn.field("destination.ip") == nil)
        #expect(vpn.field("user.name") == "jane.doe@example.com")
        #expect(vpn.field("user.email") == "jane.doe@example.com")
        #expect(vpn.field("event.action") == "failure")
        // Every result field, as Splunk sent it (text).
        #expect(vpn.field("splunk.result.count") == "14")
        #expect(vpn.field("splunk.result.app") == "globalprotect")
        #expect(vpn.field("splunk.result._time") == "1793629200")
        // The sid plus the row's hash.
        #expect(vpn.sourceRef?.hasPrefix("scheduler__admin__search__RMD5e461e3c3e9ae6c3c_at_1793629200_2231:") == true)
        #expect(vpn.sourceRef?.count == "scheduler__admin__search__RMD5e461e3c3e9ae6c3c_at_1793629200_2231:".count + 16)

        // ISO _time; urgency; a multivalue field maps its first value and is kept whole.
        let stager = signals[1]
        #expect(stager.time == Timestamp(parsing: "2026-11-02T14:10:59Z"))
        #expect(stager.field("user.name") == "jane.doe")
        #expect(stager.fields["splunk.result.user"] == ["jane.doe", "svc_backup"])
        #expect(stager.field("source.address") == "ws-jdoe-01")
        #expect(stager.field("source.ip") == nil && stager.field("source.domain") == nil)
        #expect(stager.field("destination.ip") == "45.137.21.9")
        #expect(stager.fields["destination.port"] == .int(80))
        #expect(stager.field("event.reason") == "ET HUNTING PowerShell DownloadString Command Common In Powershell Stagers")
        #expect(stager.texts == ["ET HUNTING PowerShell DownloadString Command Common In Powershell Stagers"])

        // No _time (a stats search): the scheduled dispatch time in the sid.
        let stats = signals[2]
        #expect(stats.time == Timestamp(parsing: "2026-11-02T14:40:00Z"))
        #expect(stats.title == "AWS - Repeated AccessDenied on Secrets (user bob.smith)")
        #expect(stats.fields["splunk.result.values(eventName)"] == ["GetSecretValue", "ListSecrets"])

        let shadow = signals[3]
        #expect(shadow.time == Timestamp(parsing: "2026-11-02T15:20:44Z"))
        #expect(shadow.field("host.name") == "FIN-SRV-02")
        #expect(shadow.field("process.name") == "vssadmin.exe")
        #expect(shadow.field("process.command_line") == "vssadmin.exe Delete Shadows /All /Quiet")
        #expect(shadow.field("file.hash.sha256") == "0a5d1a2f5e4c7b8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d")
        #expect(shadow.texts.first?.hasPrefix("11/02/2026 03:20:44 PM LogName=Microsoft-Windows-Sysmon") == true)
    }

    @Test func readsOnePostedPayload() throws {
        let (signals, rejected) = try Fixture.normalize("splunk-webhook.json")
        #expect(rejected.isEmpty)
        try #require(signals.count == 1)
        let beacon = signals[0]
        // Epoch seconds with a fraction.
        #expect(beacon.time == Timestamp(parsing: "2026-11-02T14:25:00.250Z"))
        #expect(beacon.severity == .medium)
        #expect(beacon.title == "Proxy - Beacon to Raw IP (src 10.20.30.41, dest 45.137.21.9)")
        #expect(beacon.fields["source.port"] == .int(50440))
        #expect(beacon.fields["destination.port"] == .int(8080))
        #expect(beacon.field("url.original") == "http://45.137.21.9:8080/gate.php?id=WS-JDOE-01&v=2")
        #expect(beacon.field("user_agent.original") == "Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        #expect(beacon.field("observer.name") == "pa-fw-01")
        #expect(beacon.raw.hasPrefix("{\n  \"result\": {"))
    }

    @Test func findsTheDispatchTimeInSids() {
        #expect(SplunkFormat.dispatchTime("scheduler__admin__search__RMD5e461e3c3e9ae6c3c_at_1700000000_123") == Timestamp(ms: 1_700_000_000_000))
        #expect(SplunkFormat.dispatchTime("rt_scheduler__admin__search__RMD5e461e3c3e9ae6c3c_at_1700000000_123.45") == Timestamp(ms: 1_700_000_000_000))
        #expect(SplunkFormat.dispatchTime("scheduler__nobody_U0EtQQ__RMD5f7e6_at_1700000000_4567_5E3A0C1B-7D2F") == Timestamp(ms: 1_700_000_000_000))
        #expect(SplunkFormat.dispatchTime("1700000000.123") == Timestamp(ms: 1_700_000_000_000))
        #expect(SplunkFormat.dispatchTime("admin__admin__search__search2_1700000000.77") == Timestamp(ms: 1_700_000_000_000))
        #expect(SplunkFormat.dispatchTime("admin__admin__search__search7") == nil)
        #expect(SplunkFormat.dispatchTime("md_1700000000.123_ABCD") == nil)
    }

    /// "For each result" triggers post one payload per row under one sid: each row is its own
    /// signal, and the same row posted again is the same signal.
    @Test func identityIsTheSidAndTheRow() throws {
        let format = SplunkFormat()
        func signal(_ json: String) throws -> Normalized {
            let record = Record(payload: .json(try JSONValue.parse(Array(json.utf8))), raw: json, origin: "post")
            return try #require(try format.normalize(record).first)
        }
        let a = try signal(#"{"result":{"_time":"1700000000","user":"jane.doe"},"sid":"scheduler__admin__search__X_at_1700000000_1","search_name":"S"}"#)
        let b = try signal(#"{"result":{"_time":"1700000000","user":"bob.smith"},"sid":"scheduler__admin__search__X_at_1700000000_1","search_name":"S"}"#)
        let again = try signal(#"{ "search_name": "S", "sid": "scheduler__admin__search__X_at_1700000000_1", "result": { "user": "jane.doe", "_time": "1700000000" } }"#)
        #expect(a.sourceRef != b.sourceRef)
        #expect(a.sourceRef == again.sourceRef)
    }
}
