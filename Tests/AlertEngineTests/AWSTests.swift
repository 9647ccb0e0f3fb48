import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct CloudTrailTests {
    @Test func readsALogFilesRecords() throws {
        let (signals, rejected) = try Fixture.normalize("cloudtrail.json")
        #expect(rejected.isEmpty)
        try #require(signals.count == 7)
        #expect(signals.map(\.kind) == [.consoleLogin, .consoleLogin, .cloudTrail, .cloudTrail, .cloudTrail, .cloudTrail, .consoleLogin])
        #expect(signals.allSatisfy { $0.source == "cloudtrail" })

        let login = signals[0]
        #expect(login.kind.displayName == "AWS console login")
        #expect(login.sourceRef == "3f1e2d4c-5b6a-4789-8c0d-1e2f3a4b5c6d")
        #expect(login.time == Timestamp(parsing: "2026-11-02T14:06:31Z"))
        #expect(login.severity == .info)
        #expect(login.title == "AWS console login by jane.doe")
        #expect(login.field("event.action") == "ConsoleLogin")
        #expect(login.field("event.provider") == "signin.amazonaws.com")
        #expect(login.field("event.outcome") == "success")
        #expect(login.field("user.name") == "jane.doe")
        #expect(login.field("source.ip") == "185.220.101.4")
        #expect(login.field("cloud.account.id") == "111122223333")
        #expect(login.field("cloud.region") == "us-east-1")
        #expect(login.field("cloud.provider") == "aws")
        #expect(login.field("aws.cloudtrail.mfa_used") == "Yes")
        #expect(login.field("aws.cloudtrail.user_identity.type") == "IAMUser")
        #expect(login.field("user_agent.original")?.hasPrefix("Mozilla/5.0") == true)
        #expect(login.raw.hasPrefix("{\"eventVersion\": \"1.09\"") && login.raw.hasSuffix("}"))

        // A name that does not exist is hidden by CloudTrail: no user, and no empty access key.
        let failed = signals[1]
        #expect(failed.severity == .low)
        #expect(failed.field("event.outcome") == "failure")
        #expect(failed.field("user.name") == nil)
        #expect(failed.field("aws.cloudtrail.user_identity.access_key_id") == nil)
        #expect(failed.field("error.message") == "No username found in supplied account")
        #expect(failed.title == "Failed AWS console login by an unknown user (No username found in supplied account)")
        #expect(failed.texts == ["No username found in supplied account"])

        // IAM Identity Center: the session name is the person; the role is kept apart.
        let sso = signals[2]
        #expect(sso.kind.displayName == "CloudTrail event")
        #expect(sso.severity == .info)
        #expect(sso.title == "CreateAccessKey on iam by jane.doe@example.com")
        #expect(sso.field("user.name") == "jane.doe@example.com")
        #expect(sso.field("user.email") == "jane.doe@example.com")
        #expect(sso.field("aws.cloudtrail.role_name") == "AWSReservedSSO_AdministratorAccess_5f2c8a1d9e3b7c40")
        #expect(sso.field("user.target.name") == "svc-deploy")
        #expect(ArtifactExtractor().artifacts(of: sso).contains(ArtifactMention(.user, "svc-deploy", role: "target_user")))

        let root = signals[3]
        #expect(root.severity == .medium)
        #expect(root.title == "StopLogging on cloudtrail by root")
        #expect(root.field("user.name") == "root")

        let denied = signals[4]
        #expect(denied.severity == .low)
        #expect(denied.title == "GetSecretValue on secretsmanager by bob.smith failed: AccessDenied")
        #expect(denied.field("error.code") == "AccessDenied")
        #expect(denied.field("event.outcome") == "failure")
        #expect(denied.field("cloud.region") == "eu-west-1")
        #expect(denied.fields["aws.cloudtrail.read_only"] == .bool(true))
        #expect(denied.texts.first?.hasPrefix("User: arn:aws:iam::111122223333:user/bob.smith is not authorized") == true)

        // A service calling: its name is the source address, never source.ip.
        let service = signals[5]
        #expect(service.severity == .info)
        #expect(service.title == "AssumeRole on sts by ec2.amazonaws.com")
        #expect(service.field("source.address") == "ec2.amazonaws.com")
        #expect(service.field("source.ip") == nil)
        #expect(service.field("user.name") == nil)
        #expect(service.field("aws.cloudtrail.user_identity.invoked_by") == "ec2.amazonaws.com")

        let rootLogin = signals[6]
        #expect(rootLogin.severity == .medium)
        #expect(rootLogin.title == "AWS console login by root without MFA")
    }

    @Test func readsSingleEventsAndEventBridge() throws {
        let (single, rejected) = try Fixture.normalize("cloudtrail-single.json")
        #expect(rejected.isEmpty)
        try #require(single.count == 1)
        let event = single[0]
        #expect(event.kind == .cloudTrail)
        #expect(event.sourceRef == "f1e2d3c4-b5a6-4978-8069-5a4b3c2d1e0f")
        #expect(event.time == Timestamp(parsing: "2026-11-02T14:41:19Z"))
        #expect(event.title == "AuthorizeSecurityGroupIngress on ec2 by terraform-ci-8842")
        #expect(event.field("source.ip") == "2001:db8:4006:812::200e")
        #expect(event.field("aws.cloudtrail.role_name") == "ci-deployer")
        #expect(event.raw.hasPrefix("{\n  \"eventVersion\""))

        let (bridged, _) = try Fixture.normalize("eventbridge.ndjson")
        try #require(bridged.count == 2)
        let call = bridged[1]
        #expect(call.kind == .cloudTrail)
        #expect(call.sourceRef == "9d8c7b6a-5f4e-4d3c-b2a1-0f9e8d7c6b5a")
        #expect(call.title == "AttachUserPolicy on iam by jane.doe@example.com")
        #expect(call.field("user.target.name") == "svc-deploy")
        // The envelope stays the raw body.
        #expect(call.raw.hasPrefix("{\"version\":\"0\",\"id\":\"6a5b4c3d") && call.raw.contains("\"detail-type\":\"AWS API Call via CloudTrail\""))
    }
}

@Suite struct GuardDutyTests {
    @Test func readsFindings() throws {
        let (signals, rejected) = try Fixture.normalize("guardduty.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 6)
        #expect(signals.allSatisfy { $0.kind == .guardDuty && $0.source == "guardduty" })
        #expect(signals.map(\.severity) == [.medium, .high, .high, .high, .critical, .low])

        let probe = signals[0]
        #expect(probe.kind.displayName == "GuardDuty finding")
        #expect(probe.sourceRef == "7ac5f2e1b0d94c3e8f1a2b3c4d5e6f70")
        #expect(probe.time == Timestamp(parsing: "2026-11-02T13:58:12.000Z"))
        #expect(probe.title == "Unprotected port on EC2 instance i-0a1b2c3d4e5f60718 is being probed.")
        #expect(probe.field("rule.name") == "Recon:EC2/PortProbeUnprotectedPort")
        #expect(probe.field("event.action") == "Recon:EC2/PortProbeUnprotectedPort")
        #expect(probe.field("aws.guardduty.threat_purpose") == "Recon")
        #expect(probe.field("aws.guardduty.action_type") == "PORT_PROBE")
        #expect(probe.fields["aws.guardduty.count"] == .int(14))
        #expect(probe.field("cloud.account.id") == "111122223333")
        #expect(probe.field("cloud.region") == "us-east-1")
        #expect(probe.field("cloud.instance.id") == "i-0a1b2c3d4e5f60718")
        #expect(probe.field("cloud.instance.name") == "web-01")
        #expect(probe.field("host.name") == "ip-10-0-1-25.ec2.internal")
        #expect(probe.fields["host.ip"] == ["10.0.1.25", "54.210.33.17"])
        #expect(probe.field("source.ip") == "185.220.101.4")
        #expect(probe.field("source.geo.country_name") == "Germany")
        #expect(probe.fields["source.as.number"] == .int(60729))
        #expect(probe.field("destination.ip") == "10.0.1.25")
        #expect(probe.fields["destination.port"] == .int(22))
        #expect(probe.fields["aws.guardduty.probed_ports"] == [22, 3389])
        #expect(probe.fields["related.ip"] == ["185.220.101.4", "45.137.21.9"])
        #expect(probe.field("event.start") == "2026-11-02T13:58:12.000Z")
        #expect(probe.field("event.end") == "2026-11-02T14:19:47.000Z")
        #expect(probe.texts == ["EC2 instance has an unprotected port which is being probed by a known malicious host."])

        let exfil = signals[1]
        #expect(exfil.field("user.name") == "web-app-role")
        #expect(exfil.field("aws.guardduty.access_key_id") == "ASIA4WQ2KXJ7EC2ROLE1")
        #expect(exfil.field("source.ip") == "185.220.101.4")
        #expect(exfil.field("source.geo.country_name") == "Romania")
        #expect(exfil.field("aws.guardduty.api") == "ListBuckets")
        #expect(exfil.field("event.provider") == "s3.amazonaws.com")

        let dns = signals[2]
        #expect(dns.field("dns.question.name") == "update-check.live-cdn.top")
        #expect(dns.field("source.ip") == "10.0.2.14")
        #expect(dns.field("network.transport") == "udp")

        // Outbound: the instance is the source, the remote address the destination.
        let mining = signals[3]
        #expect(mining.field("source.ip") == "10.0.2.14")
        #expect(mining.fields["source.port"] == .int(42188))
        #expect(mining.field("destination.ip") == "198.51.100.23")
        #expect(mining.fields["destination.port"] == .int(3333))
        #expect(mining.field("destination.geo.country_name") == "Seychelles")
        #expect(mining.field("network.direction") == "outbound")

        let sequence = signals[4]
        #expect(sequence.fields["aws.guardduty.severity"] == .double(9.2))
        #expect(sequence.field("user.name") == "jane.doe@example.com")
        #expect(sequence.field("user.email") == "jane.doe@example.com")

        let sample = signals[5]
        #expect(sample.fields["aws.guardduty.sample"] == .bool(true))
        #expect(sample.title.hasPrefix("[SAMPLE] Reconnaissance API"))
    }

    @Test func readsCLIOutputAndTheEventBridgeEnvelope() throws {
        let (cli, rejected) = try Fixture.normalize("guardduty-cli.json")
        #expect(rejected.isEmpty)
        try #require(cli.count == 1)
        let brute = cli[0]
        #expect(brute.sourceRef == "a8b7c6d5e4f3421098765432fedcba98")
        #expect(brute.severity == .low)
        #expect(brute.time == Timestamp(parsing: "2026-11-02T13:36:51.000Z"))
        #expect(brute.title == "198.51.100.77 is performing SSH brute force attacks against i-0a1b2c3d4e5f60718.")
        #expect(brute.field("rule.name") == "UnauthorizedAccess:EC2/SSHBruteForce")
        // Inbound: the remote address is the source.
        #expect(brute.field("source.ip") == "198.51.100.77")
        #expect(brute.fields["source.port"] == .int(40122))
        #expect(brute.field("source.geo.country_name") == "Brazil")
        #expect(brute.field("destination.ip") == "10.0.1.25")
        #expect(brute.fields["destination.port"] == .int(22))
        #expect(brute.field("host.name") == "ip-10-0-1-25.ec2.internal")
        #expect(brute.field("cloud.instance.name") == "web-01")
        #expect(brute.fields["aws.guardduty.count"] == .int(212))

        let (bridged, _) = try Fixture.normalize("eventbridge.ndjson")
        try #require(bridged.count == 2)
        let tor = bridged[0]
        #expect(tor.kind == .guardDuty)
        // The finding's id, not the envelope's: the same finding from S3 and EventBridge is one.
        #expect(tor.sourceRef == "0f9e8d7c6b5a49382716a5b4c3d2e1f0")
        #expect(tor.time == Timestamp(parsing: "2026-11-02T14:46:02.000Z"))
        #expect(tor.severity == .high)
        #expect(tor.field("destination.ip") == "185.220.101.4")
        #expect(tor.fields["destination.port"] == .int(9001))
        #expect(tor.field("source.ip") == "10.0.2.14")
        #expect(tor.raw.hasPrefix("{\"version\":\"0\",\"id\":\"0e1f2a3b") && tor.raw.contains("\"detail-type\":\"GuardDuty Finding\""))
    }

    @Test func mapsSeverityBands() {
        let scores: [Double] = [0.5, 1, 3.9, 4, 6.9, 7, 8.9, 9, 10]
        #expect(scores.map(GuardDutyFormat.severity) == [.info, .low, .low, .medium, .medium, .high, .high, .critical, .critical])
    }
}
