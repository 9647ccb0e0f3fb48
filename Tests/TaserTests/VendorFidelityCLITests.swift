import Foundation
import Testing

/// Issue 13's "done when", through the real binary on a fresh database: vendor records stored
/// as the vendor wrote them, an update kept as a revision, one person seen by Okta and Duo
/// raising the seed's account-takeover rule with no configuration, and every record accounted
/// for.
@Suite struct VendorFidelityCLITests {
    static let accountTakeover = """
        [ (1 SSO login from a new location) + (2 failed Duo pushes) ] IN [ 4 Hours ] WITH [ username ] IN COMMON
        TITLE "New-location SSO login then failed Duo pushes" SEVERITY high TEAM soc TAGS account-takeover
        """

    /// A newer Okta org: the new-location verdict is only in `logOnlySecurityData`.
    static let okta = #"""
        {"uuid":"7c2f4a10-9b1e-11ef-8a4b-0f3e5d6c7b8a","published":"2026-11-02T14:03:11.245Z","eventType":"user.session.start","version":"0","severity":"INFO","legacyEventType":"core.user_auth.login_success","displayMessage":"User login to Okta","actor":{"id":"00u1a2b3c4d5e6f7g8h9","type":"User","alternateId":"Jane.Doe@Example.com","displayName":"Jane Doe","detailEntry":null},"client":{"userAgent":{"rawUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","os":"Windows 10","browser":"CHROME"},"zone":"null","device":"Computer","id":null,"ipAddress":"185.220.101.4","geographicalContext":{"city":"Bucharest","state":"Bucuresti","country":"Romania","postalCode":"010011","geolocation":{"lat":44.43,"lon":26.1}}},"outcome":{"result":"SUCCESS","reason":null},"target":[],"transaction":{"type":"WEB","id":"ZXa1b2c3d4e5f6","detail":{}},"debugContext":{"debugData":{"requestUri":"/idp/idx/identify","logOnlySecurityData":"{\"risk\":{\"level\":\"HIGH\"},\"behaviors\":{\"New Geo-Location\":\"POSITIVE\",\"New Device\":\"NEGATIVE\",\"New IP\":\"POSITIVE\",\"New State\":\"POSITIVE\",\"New Country\":\"POSITIVE\",\"Velocity\":\"POSITIVE\",\"New City\":\"POSITIVE\"}}"}},"authenticationContext":{"externalSessionId":"102aBcDeFgHiJkL"},"securityContext":{"asNumber":60729,"asOrg":"zwiebelfreunde e.v.","isp":"zwiebelfreunde e.v.","domain":null,"isProxy":true},"request":{"ipChain":[{"ip":"185.220.101.4","version":"V4","source":null}]}}
        """#

    static func duo(_ txid: String, _ time: String, _ epoch: Int) -> String {
        #"{"access_device":{"browser":"Chrome","hostname":null,"ip":"185.220.101.4","location":{"city":"Bucharest","country":"Romania","state":"Bucuresti"},"os":"Windows","os_version":"10"},"alias":"","application":{"key":"DIY8QMRTKXOCE5BEN0AA","name":"Okta"},"auth_device":{"ip":"73.162.10.21","key":"DP6D3CH0XJZ0O3JIDZ1Q","location":{"city":"Austin","country":"United States","state":"Texas"},"name":"iPhone (555-0100)"},"email":"jane.doe@example.com","event_type":"authentication","factor":"duo_push","isotimestamp":"\#(time)","reason":"user_cancelled","result":"denied","timestamp":\#(epoch),"txid":"\#(txid)","user":{"groups":["Staff"],"key":"DU3KC77WJ06Y5HIV7XKQ","name":"jane.doe"}}"#
    }

    static func carbonBlack(status: String, updated: String) -> String {
        #"{"org_key":"7DESJ9GN","alert_url":"defense.conferdeploy.net/alerts?s[c][query_string]=id:6f1c7a3e-2b4d-4e5f-9a8b-1c2d3e4f5a6b","id":"6f1c7a3e-2b4d-4e5f-9a8b-1c2d3e4f5a6b","type":"CB_ANALYTICS","backend_timestamp":"2026-11-02T14:20:02.715Z","user_update_timestamp":null,"backend_update_timestamp":"\#(updated)","detection_timestamp":"2026-11-02T14:19:58.320Z","first_event_timestamp":"2026-11-02T14:19:55.102Z","last_event_timestamp":"2026-11-02T14:19:55.102Z","severity":7,"reason":"A known virus (Trojan) was detected.","reason_code":"R_KNOWN_VIRUS","threat_id":"b1a4e8c0d7f2e3a5b6c7d8e9f0a1b2c3","device_id":18023581,"device_name":"LT-KLOPE47","device_uem_id":"","device_target_value":"MEDIUM","device_policy":"Standard","device_os":"WINDOWS","device_os_version":"Windows 10 x64","device_username":"CORP\\jdoe","device_location":"ONSITE","device_external_ip":"98.207.14.33","device_internal_ip":"10.20.30.40","process_name":"invoice_8812.exe","process_sha256":"e3b9c1a2d4f5e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1","process_pid":4412,"process_username":"CORP\\jdoe","workflow":{"change_timestamp":"\#(updated)","changed_by_type":"SYSTEM","changed_by":"ALERT_CREATION","closure_reason":"NO_REASON","status":"\#(status)"}}"#
    }

    static let suricataStats = #"{"timestamp":"2026-11-02T14:21:00.000123+0000","event_type":"stats","stats":{"uptime":86400,"capture":{"kernel_packets":1024,"kernel_drops":0}}}"#

    func jsonLines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func theIssuesScenarioOnAFreshDatabase() throws {
        let dir = TempDir()
        let db = dir.file("fresh.db")
        // The seed's rule routes its alerts to team soc; nothing else is configured (no
        // identities file, no Positron).
        try #require(try Taser.run(["--db", db, "team", "add", "soc"]).status == 0)
        let rule = try Taser.run(["--db", db, "rules", "add", "sso-new-location-then-duo-failures", Self.accountTakeover, "--enable"])
        try #require(rule.status == 0, "\(rule.stderr)")

        let input = [
            Self.okta,
            Self.duo("a1b2c3d4-0001", "2026-11-02T14:05:40.000000+00:00", 1_793_628_340),
            Self.duo("a1b2c3d4-0002", "2026-11-02T14:09:12.000000+00:00", 1_793_628_552),
            Self.carbonBlack(status: "OPEN", updated: "2026-11-02T14:20:02.715Z"),
            Self.carbonBlack(status: "IN_PROGRESS", updated: "2026-11-02T15:02:41.004Z"),
            Self.suricataStats,
        ].joined(separator: "\n") + "\n"
        let file = dir.file("mixed.ndjson")
        try Data(input.utf8).write(to: URL(fileURLWithPath: file))
        let ingest = try Taser.run(["--db", db, "ingest", file, "--json"])
        try #require(ingest.status == 0, "\(ingest.stderr)")
        let summary = try #require(jsonLines(ingest.stdout).first)
        #expect(summary["stored"] as? Int == 4 && summary["updated"] as? Int == 1, "\(summary)")
        #expect(summary["skipped"] as? Int == 1 && summary["duplicates"] as? Int == 0, "\(summary)")
        #expect(summary["alerts_created"] as? Int == 1, "\(summary)")

        let signals = jsonLines(try Taser.run(["--db", db, "signals", "--json"]).stdout)
        let newLocation = signals.filter { $0["kind"] as? String == "okta.sso.new_location" }
        #expect(newLocation.count == 1)
        #expect((newLocation.first?["fields"] as? [String: Any])?["user.name"] as? String == "Jane.Doe@Example.com")
        let cb = try #require(signals.first { ($0["source"] as? String) == "carbonblack" }, "\(signals.map { $0["source"] ?? "" })")
        let cbFields = cb["fields"] as? [String: Any] ?? [:]
        #expect(cb["revision"] as? Int == 2)
        #expect(cbFields["user.name"] as? String == "jdoe" && cbFields["user.domain"] as? String == "CORP", "\(cbFields)")
        // Both raw bodies are kept and shown.
        let shown = try Taser.run(["--db", db, "signal", "show", String(cb["id"] as? Int ?? 0)])
        #expect(shown.status == 0 && shown.stdout.contains("revision 1") && shown.stdout.contains("revision 2") && shown.stdout.contains("\"OPEN\""))

        let alerts = jsonLines(try Taser.run(["--db", db, "alert", "list", "--json"]).stdout)
        #expect(alerts.count == 1, "\(alerts)")
        #expect(alerts.first?["rule"] as? String == "sso-new-location-then-duo-failures")

        let artifacts = jsonLines(try Taser.run(["--db", db, "artifacts", "--type", "ip", "--json"]).stdout)
        #expect(artifacts.first { $0["value"] as? String == "10.20.30.40" }?["scope"] as? String == "private", "\(artifacts)")

        // Bare CEF lines, one with rt= and one with no time at all: both store.
        let cef = dir.file("bare.cef")
        try Data("""
            CEF:0|Palo Alto Networks|PAN-OS|11.1|THREAT|Port scan detected|7|rt=Nov 02 2026 14:30:00 UTC src=203.0.113.9 dst=10.20.30.41 dpt=22
            CEF:0|Palo Alto Networks|PAN-OS|11.1|THREAT|Port scan detected|7|src=203.0.113.10 dst=10.20.30.41 dpt=23

            """.utf8).write(to: URL(fileURLWithPath: cef))
        let bare = try Taser.run(["--db", db, "ingest", cef, "--json"])
        #expect(bare.status == 0 && jsonLines(bare.stdout).first?["stored"] as? Int == 2, "\(bare.stdout) \(bare.stderr)")

        // An empty GuardDuty page is an empty batch.
        let empty = dir.file("findings.json")
        try Data(#"{"findings":[]}"#.utf8).write(to: URL(fileURLWithPath: empty))
        let none = try Taser.run(["--db", db, "ingest", empty, "--json"])
        #expect(none.status == 0, "\(none.stderr)")
        #expect(jsonLines(none.stdout).first?["stored"] as? Int == 0)
    }
}
