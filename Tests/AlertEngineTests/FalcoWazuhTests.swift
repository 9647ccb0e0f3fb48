import Foundation
import Model
import Testing
@testable import AlertEngine

@Suite struct FalcoTests {
    @Test func readsJSONOutput() throws {
        let (signals, rejected) = try Fixture.normalize("falco.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 6)
        #expect(signals.allSatisfy { $0.kind == .falco && $0.source == "falco" })
        #expect(signals.map(\.severity) == [.low, .medium, .critical, .low, .high, .info])

        let shell = signals[0]
        #expect(shell.kind.displayName == "Falco alert")
        #expect(shell.sourceRef == "5f2b8e4a-1c3d-4e6f-9a0b-7c8d9e0f1a2b")
        // Nanoseconds, to the millisecond.
        #expect(shell.time == Timestamp(parsing: "2026-11-02T14:23:09.412Z"))
        #expect(shell.title == "Terminal shell in container (payments/payments-api-5d8f7c9b6-x2k4q on ip-10-0-3-12.ec2.internal)")
        #expect(shell.field("rule.name") == "Terminal shell in container")
        #expect(shell.field("falco.priority") == "Notice")
        #expect(shell.field("falco.source") == "syscall")
        #expect(shell.fields["tags"] == ["T1059", "container", "maturity_stable", "mitre_execution", "shell"])
        #expect(shell.field("host.name") == "ip-10-0-3-12.ec2.internal")
        #expect(shell.field("container.id") == "3ad7b26ce4b0")
        #expect(shell.field("container.name") == "api")
        #expect(shell.field("container.image.name") == "registry.example.com/payments/api")
        #expect(shell.field("container.image.tag") == "2.14.1")
        #expect(shell.field("orchestrator.namespace") == "payments")
        #expect(shell.field("orchestrator.resource.name") == "payments-api-5d8f7c9b6-x2k4q")
        #expect(shell.field("orchestrator.resource.type") == "pod")
        #expect(shell.field("process.name") == "bash")
        #expect(shell.field("process.executable") == "/usr/bin/bash")
        #expect(shell.field("process.command_line") == "bash")
        #expect(shell.field("process.parent.name") == "runc")
        #expect(shell.field("user.name") == "root")
        #expect(shell.field("user.id") == "0")
        #expect(shell.field("event.action") == "execve")
        // Dotted Falco names are keys, kept whole.
        #expect(shell.fields["falco.output_fields.proc.tty"] == .int(34816))
        #expect(shell.field("falco.output_fields.k8s.pod.name") == "payments-api-5d8f7c9b6-x2k4q")
        #expect(shell.texts.first?.hasPrefix("14:23:09.412870311: Notice A shell was spawned") == true)

        let shadow = signals[1]
        #expect(shadow.field("file.path") == "/etc/shadow")
        #expect(shadow.field("file.name") == "shadow")
        #expect(shadow.fields["process.pid"] == .int(30417))
        #expect(shadow.field("process.command_line") == "cat /etc/shadow")

        // A connection: fd.name is the tuple, not a file.
        let c2 = signals[2]
        #expect(c2.field("file.path") == nil)
        #expect(c2.field("source.ip") == "10.42.0.17")
        #expect(c2.fields["source.port"] == .int(51234))
        #expect(c2.field("destination.ip") == "45.137.21.9")
        #expect(c2.fields["destination.port"] == .int(4444))
        #expect(c2.field("network.transport") == "tcp")
        #expect(c2.field("user.name") == "app")

        // The Kubernetes audit source names its own user and target.
        let exec = signals[3]
        #expect(exec.field("falco.source") == "k8s_audit")
        #expect(exec.field("user.name") == "jane.doe@example.com")  // as Falco wrote it (issue 13)
        #expect(exec.field("user.email") == "jane.doe@example.com")
        #expect(exec.field("orchestrator.namespace") == "payments")
        #expect(exec.field("orchestrator.resource.name") == "payments-api-5d8f7c9b6-x2k4q")
        #expect(exec.field("orchestrator.resource.type") == "pod")
        #expect(exec.field("container.id") == nil)

        // Older Falco: no uuid (identity by hash), `<NA>` for missing values, `host` for no container.
        let etc = signals[4]
        #expect(etc.sourceRef == nil)
        #expect(etc.title == "Write below etc (on bastion-01)")
        #expect(etc.field("container.id") == nil)
        #expect(etc.field("container.image.name") == nil)
        #expect(etc.field("falco.output_fields.proc.aname[3]") == nil)
        #expect(etc.field("falco.output_fields.proc.aname[2]") == "sshd")
        #expect(etc.field("file.path") == "/etc/sudoers.d/90-backdoor")

        // null output fields leave nothing behind.
        let apt = signals[5]
        #expect(apt.field("orchestrator.namespace") == nil)
        #expect(apt.fields.keys.contains("falco.output_fields.k8s.ns.name") == false)
        #expect(apt.title == "Launch Package Management Process in Container (api on ip-10-0-3-12.ec2.internal)")
    }

    @Test func aConnectionNamedOnlyByFdNameGivesBothEnds() throws {
        let line = #"{"time":"2026-11-02T10:00:00.000000000Z","rule":"Outbound Connection to C2 Servers","priority":"Warning","output":"x","output_fields":{"fd.name":"10.0.0.5:41234->203.0.113.9:443","fd.type":"ipv4","proc.name":"curl"}}"#
        let record = Record(payload: .json(try JSONValue.parse(line)), raw: line, origin: "falco:1")
        let signal = try #require(try FalcoFormat().normalize(record).first)
        #expect(signal.fields["source.ip"] == .string("10.0.0.5") && signal.fields["source.port"] == .int(41234))
        #expect(signal.fields["destination.ip"] == .string("203.0.113.9") && signal.fields["destination.port"] == .int(443))
        #expect(signal.fields["file.path"] == nil)
    }

    @Test func mapsPriorities() {
        let names = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Info", "Debug"]
        #expect(names.map(FalcoFormat.severity) == [.critical, .critical, .critical, .high, .medium, .low, .info, .info, .info])
        #expect(FalcoFormat.severity("Urgent") == nil)
    }
}

@Suite struct WazuhTests {
    @Test func readsAlertsJSON() throws {
        let (signals, rejected) = try Fixture.normalize("wazuh.ndjson")
        #expect(rejected.isEmpty)
        try #require(signals.count == 7)
        #expect(signals.allSatisfy { $0.source == "wazuh" })
        // Windows events Wazuh forwarded are read as Windows events (their own kind and names).
        #expect(signals.map(\.kind.name) == ["wazuh.alert", "wazuh.alert", "wazuh.alert", "windows.event", "wazuh.alert", "windows.process_creation", "wazuh.alert"])
        #expect(signals.map(\.severity) == [.low, .medium, .low, .low, .high, .critical, .info])

        let invalid = signals[0]
        #expect(invalid.kind.displayName == "Wazuh alert")
        #expect(invalid.sourceRef == "1793628340.884213")
        #expect(invalid.time == Timestamp(parsing: "2026-11-02T14:05:40.123Z"))
        #expect(invalid.title == "sshd: Attempt to login using a non-existent user (bastion-01)")
        #expect(invalid.fields["wazuh.rule.level"] == .int(5))
        #expect(invalid.field("rule.id") == "5710")
        #expect(invalid.field("rule.name") == "sshd: Attempt to login using a non-existent user")
        #expect(invalid.fields["wazuh.rule.groups"] == ["syslog", "sshd", "authentication_failed", "invalid_login"])
        #expect(invalid.fields["threat.technique.id"] == ["T1110.001", "T1021.004"])
        #expect(invalid.fields["threat.tactic.name"] == ["Credential Access", "Lateral Movement"])
        #expect(invalid.field("agent.id") == "003")
        #expect(invalid.field("host.name") == "bastion-01")
        #expect(invalid.field("host.ip") == "10.0.0.5")
        #expect(invalid.field("observer.name") == "wazuh-manager-01")
        #expect(invalid.field("source.ip") == "185.220.101.4")
        #expect(invalid.fields["source.port"] == .int(52414))
        #expect(invalid.field("user.name") == "admin")
        #expect(invalid.field("wazuh.decoder.name") == "sshd")
        #expect(invalid.field("wazuh.location") == "/var/log/auth.log")
        #expect(invalid.field("message") == "Nov  2 14:05:39 bastion-01 sshd[21877]: Invalid user admin from 185.220.101.4 port 52414")
        #expect(invalid.texts == ["Nov  2 14:05:39 bastion-01 sshd[21877]: Invalid user admin from 185.220.101.4 port 52414"])

        #expect(signals[1].fields["wazuh.rule.level"] == .int(10))
        #expect(signals[1].field("user.name") == "ubuntu")

        let fim = signals[2]
        #expect(fim.field("file.path") == "/etc/sudoers")
        #expect(fim.field("file.name") == "sudoers")
        #expect(fim.field("file.hash.sha256") == "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8")
        #expect(fim.field("file.hash.md5") == "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a49")
        #expect(fim.field("file.owner") == "root")
        #expect(fim.field("event.action") == "modified")

        let logon = signals[3]
        #expect(logon.field("event.code") == "4625")
        #expect(logon.field("user.name") == "jane.doe")
        #expect(logon.field("source.ip") == "10.20.30.41")
        // ipPort "0" is no port.
        #expect(logon.fields["source.port"] == nil)
        #expect(logon.field("host.hostname") == "FIN-SRV-02.corp.example.com")
        #expect(logon.texts.isEmpty)

        // A request target is a path and a query, not a URL artifact.
        let web = signals[4]
        #expect(web.field("url.path") == "/cgi-bin/admin.cgi")
        #expect(web.field("url.query") == "cmd=cat%20/etc/passwd")
        #expect(web.field("url.original") == nil)

        let ransomware = signals[5]
        #expect(ransomware.fields["wazuh.rule.level"] == .int(15))
        #expect(ransomware.field("process.name") == "vssadmin.exe")
        #expect(ransomware.field("process.executable") == "C:\\Windows\\System32\\vssadmin.exe")
        #expect(ransomware.field("process.command_line") == "vssadmin.exe Delete Shadows /All /Quiet")
        #expect(ransomware.texts == ["vssadmin.exe Delete Shadows /All /Quiet"])

        // The manager's own agent has no IP; sudo names who became whom.
        let pam = signals[6]
        #expect(pam.field("agent.id") == "000")
        #expect(pam.field("host.ip") == nil)
        #expect(pam.field("user.name") == "jane.doe")
        #expect(pam.field("user.target.name") == "root")
        #expect(ArtifactExtractor().artifacts(of: pam).contains(ArtifactMention(.user, "root", role: "target_user")))
    }

    @Test func mapsLevels() {
        let levels: [Int64] = [0, 3, 4, 7, 8, 11, 12, 14, 15]
        #expect(levels.map(WazuhFormat.severity) == [.info, .info, .low, .low, .medium, .medium, .high, .high, .critical])
    }
}
