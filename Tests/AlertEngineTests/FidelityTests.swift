import Foundation
import Model
import Testing
@testable import AlertEngine

/// One vendor record and what taser must make of it: a handful of key fields, by their ECS
/// names (ECS 8.x field reference: user.*, source.*, destination.*, event.*, process.*, file.*,
/// dll.*, threat.*), checked against what the vendor wrote. Sources of each record are in
/// Fixtures/fidelity/README.md.
struct Sample: Sendable, CustomTestStringConvertible {
    var file: String
    var record: Int
    var note: String
    var kind: String
    /// ISO 8601, UTC; nil when the sample checks the time otherwise (receipt time).
    var time: String?
    var severity: Severity? = nil
    /// Field -> value as text (see `Fidelity.text`); "" must be absent, "*" present.
    var fields: [String: String] = [:]
    /// `type:value:role`, each of which must be among the signal's artifacts.
    var artifacts: [String] = []
    var testDescription: String { "\(file)#\(record) \(note)" }
}

@Suite struct FidelityTests {
    static let samples: [Sample] = [
        // Okta System Log.
        Sample(
            file: "okta.ndjson", record: 0, note: "elastic sample sign-in, zone \"null\"", kind: "okta.sso.login",
            time: "2020-02-14T20:18:57.718Z", severity: .info,
            fields: ["user.name": "xxxxxx@elastic.co", "user.email": "xxxxxx@elastic.co", "user.id": "00u1abvz4pYqdM8ms4x6",
                     "source.ip": "175.16.199.1", "event.outcome": "success", "source.geo.city_name": "Dublin",
                     "user_agent.os.name": "Mac OS X"],
            artifacts: ["user:xxxxxx@elastic.co:user", "email:xxxxxx@elastic.co:user", "ip:175.16.199.1:src"]),
        Sample(
            file: "okta.ndjson", record: 1, note: "new country only in logOnlySecurityData", kind: "okta.sso.new_location",
            time: "2026-11-02T14:03:11.245Z", severity: .medium,
            fields: ["user.name": "Jane.Doe@Example.com", "user.email": "Jane.Doe@Example.com", "user.id": "00u8f3kq2hJdT0qZV5d7",
                     "okta.risk.level": "MEDIUM", "okta.new_geo_location": "true", "okta.new_device": "false",
                     "source.ip": "185.220.101.4", "source.geo.country_name": "Romania", "source.as.number": "9009"],
            artifacts: ["user:jane.doe@example.com:user", "email:jane.doe@example.com:user", "ip:185.220.101.4:src"]),
        Sample(
            file: "okta.ndjson", record: 2, note: "password reset of a target user, ipAddress \"null\"", kind: "okta.event",
            time: "2026-11-02T15:40:00Z",
            fields: ["user.name": "admin.ops@Example.com", "user.target.name": "John.Roe@Example.com",
                     "user.target.email": "John.Roe@Example.com", "user.target.id": "00u2r0eJohnRoe0x4x6",
                     "user.target.full_name": "John Roe", "source.ip": "", "event.action": "user.account.reset_password"],
            artifacts: ["user:john.roe@example.com:target_user", "email:john.roe@example.com:target_user"]),

        // Duo authentication logs.
        Sample(
            file: "duo.ndjson", record: 0, note: "approved push, login is an email", kind: "duo.auth.success",
            time: "2020-02-13T18:56:20.351Z", severity: .info,
            fields: ["user.name": "narroway@example.com", "user.email": "narroway@example.com", "user.id": "DU3KC77WJ06Y5HIV7XKQ",
                     "source.ip": "89.160.20.156", "event.outcome": "success", "duo.result": "success",
                     "duo.auth_device.name": "My iPhone X (734-555-2342)", "source.geo.city_name": "Ann Arbor"],
            artifacts: ["other:My iPhone X (734-555-2342):device", "ip:192.168.225.254:device", "ip:89.160.20.156:src"]),
        Sample(
            file: "duo.ndjson", record: 1, note: "denied push, email \"\"", kind: "duo.push.failed",
            time: "2021-07-23T07:19:34.702Z", severity: .medium,
            fields: ["user.name": "narroway", "user.email": "", "event.outcome": "failure", "duo.result": "denied",
                     "event.reason": "user_mistake"]),
        Sample(
            file: "duo.ndjson", record: 2, note: "addresses with a port", kind: "duo.push.failed", time: "2021-07-23T07:19:34.702Z",
            fields: ["source.ip": "89.160.20.112", "source.port": "1234", "duo.auth_device.ip": "192.168.225.254"],
            artifacts: ["ip:89.160.20.112:src", "ip:192.168.225.254:device"]),
        Sample(
            file: "duo.ndjson", record: 3, note: "bracketed IPv6 with a port", kind: "duo.push.failed",
            time: "2021-07-23T07:19:34.702Z",
            fields: ["source.ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "source.port": "1234"]),
        Sample(
            file: "duo.ndjson", record: 4, note: "access device hostname", kind: "duo.auth.success",
            time: "2021-07-23T07:19:34.702Z", fields: ["user.name": "narroway", "source.geo.city_name": ""],
            artifacts: ["host:pilot:src", "ip:81.2.69.144:device"]),
        Sample(
            file: "duo.ndjson", record: 5, note: "Jane's push marked as fraud", kind: "duo.push.failed",
            time: "2026-11-02T14:05:40.118Z", severity: .high,
            fields: ["user.name": "jane.doe", "user.email": "jane.doe@example.com", "source.ip": "185.220.101.4",
                     "event.outcome": "failure", "duo.result": "fraud", "duo.factor": "duo_push", "factor": "push"],
            artifacts: ["user:jane.doe:user", "email:jane.doe@example.com:user", "host:ws-jdoe-01:src",
                        "other:Jane's iPhone (617-555-0143):device", "ip:172.58.1.20:device"]),

        // Carbon Black Cloud (Alerts API v7).
        Sample(
            file: "carbonblack.ndjson", record: 0, note: "CORP\\jdoe, network alert", kind: "cbc.alert",
            time: "2026-11-02T14:18:42.193Z", severity: .high,
            fields: ["user.name": "jdoe", "user.domain": "CORP", "host.name": "WS-JDOE-01", "host.os.type": "windows",
                     "process.name": "powershell.exe", "process.user.name": "jdoe", "cbc.process_user.domain": "CORP",
                     "process.parent.name": "winword.exe", "source.ip": "10.20.30.40", "source.port": "52311",
                     "destination.ip": "45.137.21.9", "destination.port": "80", "destination.domain": "update-check.live-cdn.top",
                     "network.transport": "tcp", "network.direction": "egress", "cbc.workflow.status": "OPEN",
                     "event.created": "2026-11-02T14:20:05.570Z"],
            artifacts: ["user:jdoe:user", "host:ws-jdoe-01:host", "ip:45.137.21.9:dst", "domain:update-check.live-cdn.top:dst",
                        "ip:10.20.30.40:host"]),
        Sample(
            file: "carbonblack.ndjson", record: 1, note: "the same alert, IN_PROGRESS", kind: "cbc.alert",
            time: "2026-11-02T14:18:42.193Z", fields: ["cbc.workflow.status": "IN_PROGRESS", "user.name": "jdoe"]),

        // Suricata EVE.
        Sample(
            file: "suricata.ndjson", record: 0, note: "docs alert, +0100 offset", kind: "suricata.alert",
            time: "2017-04-07T21:24:37.251Z", severity: .medium,
            fields: ["source.ip": "192.168.2.14", "source.port": "50096", "destination.ip": "209.53.113.5",
                     "destination.port": "80", "network.transport": "tcp", "network.protocol": "http", "rule.id": "2018358",
                     "rule.name": "ET HUNTING GENERIC SUSPICIOUS POST to Dotted Quad with Fake Browser 1",
                     "rule.category": "Potentially Bad Traffic"],
            artifacts: ["ip:209.53.113.5:dst", "ip:192.168.2.14:src"]),
        Sample(
            file: "suricata.ndjson", record: 2, note: "DNS query, mixed-case name", kind: "suricata.dns",
            time: "2017-04-07T21:24:39.106Z",
            // The query as sent (case can be evidence: DNS 0x20); the domain artifact folds it.
            fields: ["dns.question.name": "Update-Check.Live-CDN.top", "destination.port": "53", "network.transport": "udp"],
            artifacts: ["domain:update-check.live-cdn.top:dst"]),

        // CloudTrail.
        Sample(
            file: "cloudtrail.ndjson", record: 0, note: "AssumeRole by an assumed-role session", kind: "aws.cloudtrail",
            time: "2019-10-02T22:12:29Z",
            fields: ["user.name": "JohnRole1", "user.id": "AROAIN5ATK5U7KEXAMPLE:JohnRole1", "user.roles": "JohnDoe",
                     "user.effective.name": "JohnDoe", "user.effective.id": "arn:aws:iam::111111111111:role/JohnRole1",
                     "aws.cloudtrail.user_identity.session_context.session_issuer.arn": "arn:aws:iam::111111111111:role/JohnRole1",
                     "aws.cloudtrail.user_identity.session_name": "JohnRole1", "source.ip": "81.2.69.144",
                     "event.action": "AssumeRole", "event.provider": "sts.amazonaws.com", "cloud.account.id": "111111111111",
                     "cloud.region": "us-east-2", "event.outcome": "success"],
            artifacts: ["user:johnrole1:user", "ip:81.2.69.144:src"]),
        Sample(
            file: "cloudtrail.ndjson", record: 1, note: "Insights event", kind: "aws.cloudtrail.insight",
            time: "2019-11-14T20:15:00Z", severity: .medium,
            fields: ["event.action": "UpdateInstanceAssociationStatus", "event.provider": "ssm.amazonaws.com",
                     "aws.cloudtrail.insight_details.state": "Start", "aws.cloudtrail.insight_details.insight_type": "ApiCallRateInsight",
                     "aws.cloudtrail.insight_details.insight_average": "50.1", "cloud.account.id": "123456789012",
                     "aws.cloudtrail.event_category": "Insight", "user.name": ""]),
        Sample(
            file: "cloudtrail.ndjson", record: 2, note: "console login of an IAM user", kind: "aws.cloudtrail.console_login",
            time: "2023-07-19T21:44:40Z", severity: .info,
            fields: ["user.name": "Mary.Major", "user.id": "AIDACKCEVSQ6C2EXAMPLE", "event.outcome": "success",
                     "source.ip": "192.0.2.0", "aws.cloudtrail.mfa_used": "Yes", "user.roles": ""],
            artifacts: ["user:mary.major:user"]),

        // GuardDuty.
        Sample(
            file: "guardduty.ndjson", record: 0, note: "runtime: docker socket accessed", kind: "aws.guardduty.finding",
            time: "2024-07-24T04:03:51.666Z", severity: .medium,
            fields: ["process.name": "sshd", "process.executable": "/usr/bin/ssh", "process.pid": "2345",
                     "process.hash.sha256": "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2",
                     "process.user.name": "admin", "process.working_directory": "/home/user", "dll.path": "/usr/lib/libc.so.6",
                     "file.path": "/tmp/malicious_file.bin", "threat.software.name": "SSH Backdoor", "container.id": "abcd1234",
                     "cloud.instance.id": "i-abcd1234", "event.end": "2024-10-04T04:06:30.383Z", "aws.guardduty.count": "9"],
            artifacts: ["filepath:/usr/bin/ssh:process", "filename:bash:modifying_process", "filename:sshd:target_process",
                        "filepath:/usr/lib/libmalicious.so:library", "filepath:/usr/lib/libc.so.6:library",
                        "filepath:/var/run/docker.sock:socket", "filepath:/usr/local/bin/malicious_script.sh:script",
                        "filepath:/tmp/malicious_file.bin:malware",
                        "sha256:d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2:process"]),
        Sample(
            file: "guardduty.ndjson", record: 1, note: "EBS malware scan", kind: "aws.guardduty.finding",
            time: "2026-11-02T10:09:48Z", severity: .high,
            fields: ["file.path": "/home/ec2-user/eicar.com", "file.name": "eicar.com",
                     "file.hash.sha256": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
                     "threat.software.name": "EICAR-Test-File (not a virus)",
                     "aws.guardduty.malware.threat_names": "EICAR-Test-File (not a virus)", "cloud.instance.id": "i-0a1b2c3d4e5f67890"],
            artifacts: ["filepath:/home/ec2-user/eicar.com:malware", "filename:eicar.com:malware",
                        "sha256:275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f:malware"]),
        Sample(
            file: "guardduty.ndjson", record: 3, note: "the runtime finding again, count 12", kind: "aws.guardduty.finding",
            time: "2024-07-24T04:03:51.666Z", fields: ["aws.guardduty.count": "12", "event.end": "2024-10-05T09:00:00.000Z"]),

        // Falco.
        Sample(
            file: "falco.ndjson", record: 0, note: "docs: terminal shell in container", kind: "falco.alert",
            time: "2023-02-13T09:21:15.212Z", severity: .low,
            fields: ["rule.name": "Terminal shell in container", "user.name": "root", "user.id": "0",
                     "container.id": "ad5e1b5ba0e0", "container.name": "nostalgic_ramanujan",
                     "container.image.name": "docker.io/library/alpine", "process.name": "sh", "host.name": "worker-2",
                     "orchestrator.namespace": ""],
            artifacts: ["user:root:user", "host:worker-2:host"]),
        Sample(
            file: "falco.ndjson", record: 1, note: "connection named only by fd.name", kind: "falco.alert",
            time: "2023-02-13T10:02:07.100Z",
            fields: ["source.ip": "10.0.0.5", "source.port": "41234", "destination.ip": "203.0.113.9", "destination.port": "443",
                     "user.name": "www-data"],
            artifacts: ["ip:203.0.113.9:dst"]),

        // Wazuh.
        Sample(
            // A Windows event Wazuh forwarded is that Windows event (Security 4625), Wazuh's
            // judgement kept; the host is the one Windows names.
            file: "wazuh.ndjson", record: 0, note: "Windows 4625 for CORP\\jdoe", kind: "windows.event",
            time: "2026-11-02T14:07:12.482Z", severity: .low,
            fields: ["user.name": "jdoe", "user.domain": "CORP", "source.ip": "203.0.113.5", "source.port": "51234",
                     "host.name": "DC01.corp.example.com", "agent.name": "DC01", "event.code": "4625", "rule.id": "60122",
                     "TargetUserName": "jdoe", "Channel": "Security", "EventID": "4625", "LogonType": "3"],
            artifacts: ["user:jdoe:user", "ip:203.0.113.5:src"]),
        Sample(
            file: "wazuh.ndjson", record: 1, note: "sshd invalid user, name as typed", kind: "wazuh.alert",
            time: "2026-11-02T14:09:30.051Z",
            fields: ["user.name": "Admin", "source.ip": "185.220.101.4", "source.port": "50022", "host.name": "web01"],
            artifacts: ["user:admin:user"]),

        // CEF.
        Sample(
            file: "cef.log", record: 0, note: "the spec's bare line: no time at all", kind: "cef.event", time: nil,
            severity: .critical,
            fields: ["taser.time": "received", "event.ingested": "*", "source.ip": "10.0.0.1", "destination.ip": "2.1.2.2",
                     "source.port": "1232", "observer.product": "threatmanager"]),
        Sample(
            file: "cef.log", record: 1, note: "Windows 4625, rt in epoch ms, suser CORP\\jdoe", kind: "cef.event",
            time: "2026-11-02T14:07:12Z", severity: .medium,
            fields: ["user.name": "jdoe", "user.domain": "CORP", "source.user.name": "jdoe", "source.user.domain": "CORP",
                     "source.ip": "203.0.113.5", "source.port": "51234", "event.outcome": "failure",
                     "observer.hostname": "DC01.corp.example.com", "event.ingested": ""],
            artifacts: ["user:jdoe:user", "ip:203.0.113.5:src"]),
        Sample(
            file: "cef.log", record: 2, note: "rt as MMM dd yyyy HH:mm:ss zone, duser an address", kind: "cef.event",
            time: "2026-11-02T14:10:05Z", severity: .medium,
            fields: ["destination.user.name": "Jane.Doe@Example.com", "destination.user.email": "Jane.Doe@Example.com",
                     "file.path": "C:\\Users\\jdoe\\Downloads\\eicar.com", "event.action": "Delete", "cef.host_id": "1"],
            artifacts: ["user:jane.doe@example.com:target_user"]),

        // LEEF.
        Sample(
            file: "leef.log", record: 0, note: "IBM's LEEF 1.0 example: no time", kind: "leef.event", time: nil,
            severity: .medium,
            fields: ["taser.time": "received", "user.name": "joe.black", "source.ip": "192.0.2.0",
                     "destination.ip": "172.50.123.1", "source.port": "81", "destination.port": "21", "leef.category": "anomaly"]),
        Sample(
            file: "leef.log", record: 1, note: "LEEF 2.0, devTime with devTimeFormat, CORP\\jdoe", kind: "leef.event",
            time: "2026-11-02T14:11:00Z", severity: .high,
            fields: ["user.name": "jdoe", "user.domain": "CORP", "event.severity": "8"]),

        // CSV (a SIEM export).
        Sample(
            file: "export.csv", record: 0, note: "ip:port, \"null\", CORP\\jdoe", kind: "csv.row", time: "2026-11-02T14:12:00Z",
            severity: .high,
            fields: ["source.ip": "203.0.113.5", "source.port": "51234", "destination.ip": "", "user.name": "jdoe",
                     "user.domain": "CORP", "host.name": "WS-JDOE-01", "rule.name": "Brute force from VPN"],
            artifacts: ["ip:203.0.113.5:src", "user:jdoe:user", "host:ws-jdoe-01:host"]),
        Sample(
            file: "export.csv", record: 1, note: "[v6]:port, login an address", kind: "csv.row", time: "2026-11-02T14:13:00Z",
            fields: ["source.ip": "2001:db8::7", "source.port": "443", "destination.ip": "10.20.30.40",
                     "user.name": "Jane.Doe@Example.com", "user.email": "Jane.Doe@Example.com", "host.name": ""]),

        // Email.
        Sample(
            file: "phish.eml", record: 0, note: "reported phish", kind: "email.message", time: "2026-11-02T14:13:58Z",
            fields: ["email.from.address": "Billing@Evil-Invoices.example", "email.to.address": "Jane.Doe@Example.com",
                     "email.subject": "Invoice 88213 overdue"],
            artifacts: ["email:billing@evil-invoices.example:sender", "email:jane.doe@example.com:recipient",
                        "ip:203.0.113.66:relay", "domain:evil-invoices.example:sender_domain",
                        "url:https://pay.evil-invoices.example/i/88213:url"]),
    ]

    @Test(arguments: samples) func normalizesAsTheVendorMeant(_ sample: Sample) throws {
        let (n, artifacts) = try Fidelity.signal(sample.file, sample.record)
        #expect(n.kind.name == sample.kind)
        if let time = sample.time { #expect(n.time == Timestamp(parsing: time), "time") }
        if let severity = sample.severity { #expect(n.severity == severity) }
        for (key, expected) in sample.fields.sorted(by: { $0.key < $1.key }) {
            let actual = Fidelity.text(n.fields[key])
            switch expected {
            case "": #expect(actual == nil, "\(key) should be absent")
            case "*": #expect(actual != nil, "\(key) should be present")
            default: #expect(actual == expected, "\(key)")
            }
        }
        let have = Set(artifacts.map { "\($0.type.rawValue):\($0.value):\($0.role)" })
        for expected in sample.artifacts {
            #expect(have.contains(expected), "missing artifact \(expected); have \(have.sorted())")
        }
    }

    /// Every record of every sample file is stored, skipped or rejected; the table covers every
    /// stored record, so a new record in a file needs its expectations.
    @Test func everyRecordIsAccountedForAndExpected() throws {
        let files = Set(FidelityTests.samples.map(\.file) + ["nodate.eml"])
        for file in files.sorted() {
            for (i, outcome) in try Fidelity.run(file).enumerated() {
                if case .stored = outcome {
                    #expect(FidelityTests.samples.contains { $0.file == file && $0.record == i }, "\(file)#\(i) has no expectations")
                }
            }
        }
    }

    @Test func recordsWithoutAnEventAreSkippedOrRejectedWithTheReason() throws {
        let suricata = try Fidelity.run("suricata.ndjson")
        guard case .skipped(let stats) = suricata[1] else { Issue.record("stats: \(suricata[1])"); return }
        #expect(stats.contains("stats"))
        let guardduty = try Fidelity.run("guardduty.ndjson")
        guard case .skipped = guardduty[2] else { Issue.record("{\"findings\":[]}: \(guardduty[2])"); return }
        // An email without a Date header has no time of its own: quarantined, not guessed.
        let nodate = try Fidelity.run("nodate.eml")
        #expect(nodate.count == 1)
        guard case .rejected(let reason) = nodate[0] else { Issue.record("nodate.eml: \(nodate[0])"); return }
        #expect(reason.contains("Date"))
    }

    /// Vendors update alerts in place: same id, new content. The formats give both the same
    /// identity and the same activity time, so the store can keep them as revisions of one signal.
    @Test(arguments: [("carbonblack.ndjson", 0, 1), ("guardduty.ndjson", 0, 3)])
    func anUpdateKeepsItsIdentityAndTime(_ file: String, _ first: Int, _ update: Int) throws {
        let (a, _) = try Fidelity.signal(file, first)
        let (b, _) = try Fidelity.signal(file, update)
        #expect(a.sourceRef != nil && a.sourceRef == b.sourceRef)
        #expect(a.time == b.time)
        #expect(a.raw != b.raw && a.fields != b.fields)
    }

    /// One person, two vendors: Okta logs `Jane.Doe@Example.com`, Duo `jane.doe` with her
    /// address beside it. Each is stored as written; the address artifact is where they meet.
    @Test func onePersonSeenByTwoVendors() throws {
        let (okta, oktaArtifacts) = try Fidelity.signal("okta.ndjson", 1)
        let (duo, duoArtifacts) = try Fidelity.signal("duo.ndjson", 5)
        #expect(okta.field("user.name") == "Jane.Doe@Example.com" && duo.field("user.name") == "jane.doe")
        #expect(okta.field("user.email")?.lowercased() == duo.field("user.email")?.lowercased())
        let email = ArtifactMention(.email, "jane.doe@example.com", role: "user")
        #expect(oktaArtifacts.contains(email) && duoArtifacts.contains(email))
    }
}
