import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct CarbonBlackTests {
    @Test func readsAlertsAPIv7() throws {
        let (signals, rejected) = try Fixture.normalize("carbonblack.json")
        #expect(rejected.isEmpty)
        try #require(signals.count == 4)
        #expect(signals.allSatisfy { $0.kind == .carbonBlackAlert && $0.source == "carbonblack" })

        let analytics = signals[0]
        #expect(analytics.kind.displayName == "CarbonBlack alert")
        #expect(analytics.sourceRef == "2d3e8f51-6a7b-4c1d-9e2f-0a1b2c3d4e5f")
        // The activity's start, not the alert's creation.
        #expect(analytics.time == Timestamp(parsing: "2026-11-02T14:10:58.104Z"))
        #expect(analytics.field("event.created") == "2026-11-02T14:12:03.517Z")
        #expect(analytics.severity == .critical)
        #expect(analytics.title == "The application powershell.exe attempted to download a file from the internet and execute it, spawned by winword.exe. (WS-JDOE-01)")
        #expect(analytics.field("cbc.type") == "CB_ANALYTICS")
        #expect(analytics.fields["cbc.severity"] == .int(8))
        #expect(analytics.field("rule.id") == "R_PS_DOWNLOAD_EXEC")
        #expect(analytics.field("cbc.threat_id") == "6a1f3c9e0b7d45e2a8c4f1d2e3b4a596")
        #expect(analytics.field("event.action") == "DENY")
        #expect(analytics.field("cbc.run_state") == "RAN")
        #expect(analytics.field("cbc.policy_name") == "Standard")
        #expect(analytics.field("cbc.workflow.status") == "OPEN")
        #expect(analytics.fields["cbc.ttps"]?.arrayValue?.count == 5)
        #expect(analytics.field("threat.tactic.id") == "TA0002")
        #expect(analytics.field("threat.technique.id") == "T1059.001")
        #expect(analytics.field("host.name") == "WS-JDOE-01")
        #expect(analytics.field("host.id") == "18442207")
        #expect(analytics.field("host.os.type") == "windows")
        #expect(analytics.fields["host.ip"] == ["10.20.30.41", "98.207.14.33"])
        #expect(analytics.field("user.name") == "Jane.Doe@example.com")  // verbatim (issue 13)
        #expect(analytics.field("user.email") == "Jane.Doe@example.com")
        // CBC names the process by its full path; process.name is the file's name.
        #expect(analytics.field("process.name") == "powershell.exe")
        #expect(analytics.field("process.executable") == "c:\\windows\\system32\\windowspowershell\\v1.0\\powershell.exe")
        #expect(analytics.fields["process.pid"] == .int(10812))
        let sha = "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c"
        #expect(analytics.field("process.hash.sha256") == sha)
        #expect(analytics.field("file.hash.sha256") == sha)
        #expect(analytics.field("process.hash.md5") == "7353f60b1739074eb17c5f4dddefe239")
        #expect(analytics.field("process.command_line")?.hasPrefix("powershell.exe -nop -w hidden") == true)
        // `CORP\\jane.doe`: ECS's process.user has no domain, so it stays under cbc.
        #expect(analytics.field("process.user.name") == "jane.doe" && analytics.field("cbc.process_user.domain") == "CORP")
        #expect(analytics.field("process.parent.name") == "winword.exe")
        #expect(analytics.fields["process.parent.pid"] == .int(7944))
        #expect(analytics.field("source.ip") == "10.20.30.41")
        #expect(analytics.fields["source.port"] == .int(50412))
        #expect(analytics.field("destination.ip") == "45.137.21.9")
        #expect(analytics.fields["destination.port"] == .int(80))
        #expect(analytics.field("destination.domain") == "update-check.live-cdn.top")
        #expect(analytics.field("network.transport") == "tcp")
        #expect(analytics.field("network.direction") == "egress")
        #expect(analytics.texts.count == 3)
        #expect(analytics.texts[1].contains("DownloadString"))
        #expect(analytics.raw.hasPrefix("{") && analytics.raw.contains("\"id\": \"2d3e8f51"))

        let artifacts = ArtifactExtractor().artifacts(of: analytics)
        for expected in [
            ArtifactMention(.host, "ws-jdoe-01", role: "host"), ArtifactMention(.ip, "98.207.14.33", role: "host"),
            ArtifactMention(.user, "jane.doe@example.com", role: "user"), ArtifactMention(.sha256, sha, role: "process"),
            ArtifactMention(.filename, "powershell.exe", role: "process"), ArtifactMention(.ip, "45.137.21.9", role: "dst"),
        ] {
            #expect(artifacts.contains(expected), "missing \(expected)")
        }

        let watchlist = signals[1]
        #expect(watchlist.severity == .high)
        #expect(watchlist.time == Timestamp(parsing: "2026-11-02T14:28:09.881Z"))
        #expect(watchlist.field("rule.name") == "Credential Access - LSASS Memory Dump via ProcDump")
        #expect(watchlist.fields["cbc.watchlists"] == ["Carbon Black Advanced Threats"])
        #expect(watchlist.field("user.name") == "svc_backup")
        #expect(watchlist.field("user.email") == nil)
        // An empty external IP is no IP.
        #expect(watchlist.fields["host.ip"] == ["10.10.4.22"])
        #expect(watchlist.field("process.name") == "procdump64.exe")
        #expect(watchlist.field("process.executable") == nil)
        #expect(watchlist.field("process.command_line") == "procdump64.exe -accepteula -ma lsass.exe C:\\Windows\\Temp\\lsass.dmp")
        #expect(watchlist.field("threat.technique.id") == "T1003.001")
        #expect(watchlist.field("cbc.policy_name") == "Servers - Monitored")

        // A container alert has no device: its place is the cluster and namespace.
        let container = signals[2]
        #expect(container.severity == .medium)
        #expect(container.title == "Detected a connection to a public destination that isn't allowed for this scope (prod:eks-payments/payments)")
        #expect(container.field("host.name") == nil && container.field("host.id") == nil && container.field("user.name") == nil)
        #expect(container.field("orchestrator.cluster.name") == "prod:eks-payments")
        #expect(container.field("orchestrator.namespace") == "payments")
        #expect(container.field("orchestrator.resource.name") == "payments-api-5d8f7c9b6-x2k4q")
        #expect(container.field("cbc.k8s.workload_name") == "payments-api")
        #expect(container.field("rule.name") == "Allowed public destinations")
        #expect(container.field("source.ip") == "10.42.0.17")
        #expect(container.field("destination.ip") == "45.137.21.9")
        #expect(container.fields["destination.port"] == .int(4444))
        #expect(container.field("destination.domain") == nil)

        // An empty first_event_timestamp falls back to detection.
        let usb = signals[3]
        #expect(usb.severity == .medium)
        #expect(usb.time == Timestamp(parsing: "2026-11-02T15:01:58.730Z"))
        #expect(usb.field("cbc.type") == "DEVICE_CONTROL")
        #expect(usb.field("cbc.usb.serial_number") == "4C530001230915114143")
        #expect(usb.field("cbc.usb.vendor_name") == "SanDisk")
        #expect(usb.field("event.action") == "DENY")
        #expect(usb.field("process.name") == nil)
    }

    @Test func readsTheV6Shape() throws {
        let (signals, rejected) = try Fixture.normalize("carbonblack-v6.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 2)
        let (v7, _) = try Fixture.normalize("carbonblack.json")

        // The same alert through API v6 and v7: one identity, one time.
        let analytics = signals[0]
        #expect(analytics.sourceRef == v7[0].sourceRef)
        #expect(analytics.time == v7[0].time)
        #expect(analytics.severity == .critical)
        #expect(analytics.title == v7[0].title)
        #expect(analytics.field("event.created") == "2026-11-02T14:12:03.517Z")
        #expect(analytics.field("cbc.policy_name") == "Standard")
        #expect(analytics.field("cbc.workflow.status") == "OPEN")
        #expect(analytics.field("process.name") == "powershell.exe")
        #expect(analytics.field("process.hash.sha256") == "de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c")
        #expect(analytics.field("user.name") == "Jane.Doe@example.com")
        // TTPs gathered from the threat indicators, in order, once each.
        #expect(analytics.fields["cbc.ttps"] == [
            "ATTEMPTED_CLIENT", "FILELESS", "MITRE_T1059_001_POWERSHELL", "MITRE_T1204_002_MALICIOUS_FILE", "POLICY_DENY",
        ])
        // The other indicator's hash is related; the process's own is in the fields.
        #expect(analytics.artifacts == [
            ArtifactMention(.sha256, "a3c9b5e2f1d0478c96e2b1a4d7f3c8e05b6a9d2c4e1f0b7a3d5c8e9f1a2b4c6d", role: "related"),
        ])

        // v6 container alert: INGRESS, so the remote address is the source; `port` is the service's.
        let ingress = signals[1]
        #expect(ingress.severity == .low)
        #expect(ingress.time == Timestamp(parsing: "2026-11-02T13:45:28.860Z"))
        #expect(ingress.field("source.ip") == "10.42.7.19")
        #expect(ingress.fields["destination.port"] == .int(8443))
        #expect(ingress.field("network.direction") == "ingress")
        #expect(ingress.field("rule.name") == "Allowed private destinations")
        #expect(ingress.field("orchestrator.resource.name") == "payments-api-5d8f7c9b6-x2k4q")
        #expect(ingress.field("host.os.full") == nil)
        #expect(ingress.field("cbc.policy_name") == "payments-runtime-policy")
    }

    @Test func mapsSeverityOneToTen() {
        let mapped = (1...10).map { CarbonBlackFormat.severity(Int64($0)) }
        #expect(mapped == [.low, .low, .medium, .medium, .medium, .high, .high, .critical, .critical, .critical])
    }
}
