import Foundation
import Model
import Store
import Testing
@testable import AlertEngine

@Suite struct SuricataTests {
    @Test func statsRecordsAreSkippedWithTheReasonNotDropped() throws {
        let dir = TempDir()
        let ingester = Ingester(store: try Store.open(path: dir.file()))
        let summary = try ingester.ingest(try Fixture.bytes("suricata.ndjson"), source: "eve.json")
        #expect(summary.stored == 14 && summary.skipped == 1 && summary.quarantined == 0 && summary.isAccountedFor)
        #expect(summary.skipReasons.count == 1 && summary.skipReasons[0].contains("stats record"), "\(summary.skipReasons)")
    }

    @Test func readsEveEvents() throws {
        let (signals, rejected) = try Fixture.normalize("suricata.ndjson")
        #expect(rejected.isEmpty)
        // 15 lines; the stats line is engine counters and yields no signal.
        try #require(signals.count == 14)
        #expect(signals.map(\.kind) == [
            .idsAlert, .idsAlert, .idsDNS, .idsDNS, .idsDNS, .idsDNS, .idsHTTP, .idsHTTP, .idsTLS, .idsTLS,
            .idsEvent, .idsEvent, .idsEvent, .idsEvent,
        ])
        #expect(signals.allSatisfy { $0.source == "suricata" && $0.sourceRef == nil })

        let alert = signals[0]
        #expect(alert.kind.displayName == "IDS alert")
        #expect(alert.time == Timestamp(parsing: "2026-11-02T14:10:59.412Z"))
        #expect(alert.severity == .high)
        #expect(alert.title == "ET HUNTING PowerShell DownloadString Command Common In Powershell Stagers: 10.20.30.41 → 45.137.21.9:80")
        #expect(alert.fields["rule.id"] == .int(2029840))
        #expect(alert.field("rule.name") == "ET HUNTING PowerShell DownloadString Command Common In Powershell Stagers")
        #expect(alert.field("rule.category") == "Attempted Administrator Privilege Gain")
        #expect(alert.fields["rule.version"] == .int(3))
        #expect(alert.field("suricata.alert.action") == "allowed")
        #expect(alert.fields["suricata.alert.metadata"]?["mitre_technique_id"] == ["T1059"])
        #expect(alert.field("source.ip") == "10.20.30.41")
        #expect(alert.fields["source.port"] == .int(50412))
        #expect(alert.field("destination.ip") == "45.137.21.9")
        #expect(alert.fields["destination.port"] == .int(80))
        #expect(alert.field("network.transport") == "tcp")
        #expect(alert.field("network.protocol") == "http")
        #expect(alert.field("network.community_id") == "1:Jx8Gxu8n7ZbwXrv8V0WbPmG2cNg=")
        #expect(alert.field("observer.name") == "ids-01")
        #expect(alert.field("suricata.flow_id") == "1790245923081715")
        // The alert's transaction: its HTTP request.
        #expect(alert.field("url.domain") == "update-check.live-cdn.top")
        #expect(alert.field("destination.domain") == "update-check.live-cdn.top")
        #expect(alert.field("url.full") == "http://update-check.live-cdn.top/a.ps1")
        #expect(alert.field("url.path") == "/a.ps1")
        #expect(alert.field("url.original") == nil)
        #expect(alert.field("http.request.method") == "GET")
        #expect(alert.fields["http.response.status_code"] == .int(200))
        #expect(alert.field("user_agent.original")?.contains("WindowsPowerShell/5.1") == true)
        #expect(alert.fields["source.bytes"] == .int(412))
        #expect(alert.texts == ["ET HUNTING PowerShell DownloadString Command Common In Powershell Stagers"])

        // A second rule on the same packet: same flow, same timestamp, its own signal.
        let second = signals[1]
        #expect(second.severity == .medium)
        #expect(second.fields["rule.id"] == .int(2016922))
        #expect(second.field("suricata.flow_id") == alert.field("suricata.flow_id"))
        #expect(second.time == alert.time)
        #expect(second.raw != alert.raw)

        let query = signals[2]
        #expect(query.kind.displayName == "DNS query")
        #expect(query.severity == .info)
        #expect(query.title == "DNS query for update-check.live-cdn.top")
        #expect(query.field("dns.type") == "query")
        #expect(query.field("dns.question.name") == "update-check.live-cdn.top")
        #expect(query.field("dns.question.type") == "A")
        #expect(query.fields["dns.id"] == .int(17245))
        #expect(query.field("dns.response_code") == nil)

        let answer = signals[3]
        #expect(answer.title == "DNS answer for update-check.live-cdn.top: edge-7.live-cdn.top, 45.137.21.9, 45.137.21.10")
        #expect(answer.field("dns.type") == "answer")
        #expect(answer.field("dns.response_code") == "NOERROR")
        #expect(answer.fields["dns.resolved_ip"] == ["45.137.21.9", "45.137.21.10"])
        #expect(answer.fields["dns.answers"]?.arrayValue?.count == 3)
        #expect(answer.fields["dns.answers"]?.arrayValue?.first == [
            "name": "update-check.live-cdn.top", "type": "CNAME", "ttl": 300, "data": "edge-7.live-cdn.top",
        ])

        // Suricata 8 (DNS v3): the question is in `queries`; a request claims no response code.
        let v3 = signals[4]
        #expect(v3.field("dns.type") == "query")
        #expect(v3.field("dns.question.name") == "login.microsoftonline.com")
        #expect(v3.field("dns.question.type") == "AAAA")
        #expect(v3.field("dns.response_code") == nil)

        // DNS v1: one answer per event; this one without records.
        let nx = signals[5]
        #expect(nx.field("dns.type") == "answer")
        #expect(nx.field("dns.response_code") == "NXDOMAIN")
        #expect(nx.fields["dns.answers"] == nil)
        #expect(nx.title == "DNS answer for wpad.corp.example.com (NXDOMAIN)")

        // Through a proxy the target is an absolute URL.
        let proxied = signals[6]
        #expect(proxied.kind.displayName == "HTTP request")
        #expect(proxied.field("url.original") == "http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab?7e2c5b1a0f3d4e6b")
        #expect(proxied.field("url.full") == proxied.field("url.original"))
        #expect(proxied.field("url.domain") == "ctldl.windowsupdate.com")
        #expect(proxied.field("url.path") == "/msdownload/update/v3/static/trustedr/en/authrootstl.cab")
        #expect(proxied.field("url.query") == "7e2c5b1a0f3d4e6b")
        #expect(proxied.title.hasPrefix("GET http://ctldl.windowsupdate.com/msdownload/") && proxied.title.hasSuffix("(200)"))

        // A Host header that is an IP is no domain; the port joins the URL.
        let beacon = signals[7]
        #expect(beacon.field("url.domain") == nil)
        #expect(beacon.field("url.full") == "http://45.137.21.9:8080/gate.php?id=WS-JDOE-01&v=2")
        #expect(beacon.field("url.path") == "/gate.php")
        #expect(beacon.field("url.query") == "id=WS-JDOE-01&v=2")
        #expect(beacon.field("http.request.method") == "POST")
        #expect(beacon.fields["http.response.status_code"] == .int(404))
        #expect(beacon.field("http.request.referrer") == "http://45.137.21.9:8080/")
        #expect(beacon.title == "POST http://45.137.21.9:8080/gate.php?id=WS-JDOE-01&v=2 (404)")

        let tls = signals[8]
        #expect(tls.kind.displayName == "TLS handshake")
        #expect(tls.title == "TLS to login.microsoftonline.com")
        // The SNI's root dot is dropped.
        #expect(tls.field("tls.client.server_name") == "login.microsoftonline.com")
        #expect(tls.field("destination.domain") == "login.microsoftonline.com")
        #expect(tls.field("tls.version") == "1.3")
        #expect(tls.field("tls.version_protocol") == "tls")
        #expect(tls.field("tls.client.ja3") == "44d502d471cfdb99c59bdfb0f220e5a8")
        #expect(tls.field("tls.server.ja3s") == "15af977ce25de452b96affa2addb1036")
        #expect(tls.field("tls.server.hash.sha1") == "6AFFACA65F8A05E7A98C7629B908C769ADDC7247")
        #expect(tls.field("tls.server.issuer") == "C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 07")
        #expect(tls.field("tls.server.not_after") == "2027-07-16T08:12:44.000Z")

        let noSNI = signals[9]
        #expect(noSNI.title == "TLS to 45.137.21.10:443")
        #expect(noSNI.field("tls.version") == nil)
        #expect(noSNI.field("tls.client.server_name") == nil)
        #expect(noSNI.field("tls.server.ja3s") == nil)

        let file = signals[10]
        #expect(file.title == "File a.ps1 transferred over HTTP: 45.137.21.9 → 10.20.30.41:50412")
        #expect(file.field("file.name") == "a.ps1")
        #expect(file.field("file.hash.sha256") == "c1a5298f939e87e82f2b8bd2a1b6b2e8f0c4d6a8b1e3f5a7c9d2e4f6a8b0c2d4")
        #expect(file.fields["file.size"] == .int(4182))
        #expect(file.field("url.full") == "http://update-check.live-cdn.top/a.ps1")

        let flow = signals[11]
        #expect(flow.severity == .info)
        #expect(flow.field("source.ip") == "fe80:0000:0000:0000:fada:0cff:fedc:87f1")
        #expect(flow.fields["source.packets"] == .int(1))
        #expect(flow.fields["source.bytes"] == .int(110))
        #expect(flow.field("suricata.flow.reason") == "timeout")
        #expect(flow.field("network.protocol") == nil)  // app_proto "failed"
        #expect(flow.field("event.start") == "2026-11-02T14:15:23.453Z")

        let anomaly = signals[12]
        #expect(anomaly.field("suricata.anomaly.event") == "APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION")
        #expect(anomaly.title == "Network anomaly APPLAYER_DETECT_PROTOCOL_ONLY_ONE_DIRECTION: 10.20.30.41 → 45.137.21.9:443")

        let ssh = signals[13]
        #expect(ssh.field("event.action") == "ssh")
        #expect(ssh.title == "Suricata ssh event: 10.20.30.41 → 10.10.4.22:22")
    }

    @Test func mapsAlertSeverity() {
        #expect(SuricataFormat.severity(1) == .high)
        #expect(SuricataFormat.severity(2) == .medium)
        #expect(SuricataFormat.severity(3) == .low)
        #expect(SuricataFormat.severity(4) == .low)
    }
}
