import Foundation
import Model
import Testing
@testable import AlertEngine

private func line(_ s: String) -> Record { Record(payload: .line(s), raw: s, origin: "test:1") }

/// Frames bytes as ingest does, with `batchLines` lines per chunk and `blockSize` bytes per read,
/// and gives each record's text and line number.
func framedInBatches(_ bytes: [UInt8], batchLines: Int, blockSize: Int) -> [(raw: String, origin: String)] {
    let framing = Framer.open(BytesInput(bytes), name: "t", hint: .auto, limits: .standard, batchLines: batchLines, blockSize: blockSize)
    var out: [(String, String)] = []
    while let work = framing.next() {
        switch work {
        case .lines(let b, let first):
            _ = Framer.frameLines(b[...], name: "t", firstLine: first, limits: .standard) { out.append(($0.raw, $0.origin)) }
        case .records(let rs): out += rs.map { ($0.raw, $0.origin) }
        default: break
        }
    }
    return out
}

@Suite struct AuditdTests {
    @Test func recordsOfOneEventAreOneSignal() throws {
        let (signals, rejected) = try Fixture.normalize("linux/audit.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        // 21 lines: the 6-line execve event (EOE included), the 4-line sockaddr event, two
        // records of event 479 (CWD, PATH), and nine events of one record each.
        #expect(signals.count == 12)
        let grep = try #require(signals.first)
        #expect(grep.kind == .linuxProcessStart)
        #expect(grep.time == Timestamp(ms: 1_492_037_291_036))
        #expect(grep.fields["type"] == .array(["SYSCALL", "EXECVE", "CWD", "PATH"].map { .string($0) }))
        #expect(grep.field("exe") == "/usr/bin/grep" && grep.field("comm") == "grep" && grep.field("key") == "user_commands")
        #expect(grep.field("SYSCALL") == "execve" && grep.field("syscall") == "59")
        // EXECVE's arguments and SYSCALL's raw registers share a0..a2: both are kept.
        #expect(grep.fields["a0"] == .array([.string("1522170"), .string("grep")]))
        #expect(grep.field("process.command_line") == "grep --color=auto mapping")
        #expect(grep.fields["process.args"] == .array(["grep", "--color=auto", "mapping"].map { .string($0) }))
        #expect(grep.field("Image") == "/usr/bin/grep" && grep.field("CommandLine") == "grep --color=auto mapping")
        #expect(grep.field("CurrentDirectory") == "/home/andrew_kroh" && grep.field("process.working_directory") == "/home/andrew_kroh")
        #expect(grep.fields["name"] == .array([.string("/usr/bin/grep"), .string("/lib64/ld-linux-x86-64.so.2")]))
        #expect(grep.fields["process.pid"] == .int(13393) && grep.fields["process.parent.pid"] == .int(12041))
        #expect(grep.field("user.id") == "1000" && grep.field("user.audit.id") == "1000" && grep.field("event.outcome") == "success")
        #expect(grep.raw.split(separator: "\n").count == 6)

        // Hex-encoded values are decoded as ausearch -i does.
        let charon = try #require(signals.first { $0.field("comm") == "charon" })
        #expect(charon.field("exe") == "/usr/libexec/strongswan/charon (deleted)")
        #expect(charon.field("SYSCALL") == "sendto" && charon.kind == .auditdEvent)
        let cmd = try #require(signals.first { $0.fields["type"] == .string("USER_CMD") })
        #expect(cmd.field("cmd") == "/usr/lib64/nagios/plugins/check_asterisk_sip_peers -p 202")
        #expect(signals.contains { $0.field("proctitle") == "sshd: burn [priv]" })

        // User-space records: the pairs inside msg='...', and the dispatcher's node= prefix.
        let start = try #require(signals.first { $0.fields["type"] == .string("SERVICE_START") })
        #expect(start.field("unit") == "auditd" && start.field("host.name") == "localhost.localdomain")
        #expect(start.fields["hostname"] == nil && start.fields["addr"] == nil)
        let auth = try #require(signals.first { $0.fields["type"] == .string("USER_AUTH") })
        #expect(auth.field("acct") == "admin" && auth.field("user.name") == "admin" && auth.field("source.ip") == "89.160.20.156")
        let login = try #require(signals.first { $0.fields["type"] == .string("USER_LOGIN") })
        #expect(login.field("source.domain") == "pool-96-241-146-97.washdc.fios.verizon.net")
        let path = try #require(signals.first { $0.fields["type"] == .array([.string("CWD"), .string("PATH")]) })
        #expect(path.field("file.path") == "/sbin/auditctl")
        let sockaddr = try #require(signals.first { $0.fields["type"] == .string("SOCKADDR") })
        #expect(AuditdSockaddr.inet(sockaddr.field("saddr") ?? "").map { "\($0.0):\($0.1)" } == "169.254.169.254:80")
    }

    @Test func theEnrichedFormatNamesTheSyscallAndTheUsers() throws {
        let (signals, rejected) = try Fixture.normalize("linux/audit-enriched.log")
        #expect(rejected.isEmpty)
        let e = try #require(signals.first)
        #expect(signals.count == 1 && e.kind == .linuxProcessStart)
        #expect(e.field("SYSCALL") == "execve" && e.field("ARCH") == "x86_64" && e.field("AUID") == "user")
        #expect(e.field("user.name") == "user" && e.field("User") == "user")
        #expect(e.field("Image") == "/bin/true" && e.field("CommandLine") == "true" && e.field("proctitle") == "true")
    }

    /// The records of one event reach the format together however the input is cut into
    /// reads and batches: the framer holds an unfinished event back for the next chunk.
    @Test func groupingDoesNotDependOnBlocksOrBatches() throws {
        let bytes = try Fixture.bytes("linux/audit.log") + Fixture.bytes("linux/sigma-auditd.log")
        let whole = framedInBatches(bytes, batchLines: 20_000, blockSize: 1 << 20)
        #expect(whole.count == 12 + 6)
        for batch in [1, 2, 3, 5, 7] {
            for block in [1, 7, 64, 333] {
                let cut = framedInBatches(bytes, batchLines: batch, blockSize: block)
                #expect(cut.map(\.raw) == whole.map(\.raw), "batches of \(batch) lines, blocks of \(block) bytes")
                #expect(cut.map(\.origin) == whole.map(\.origin))
            }
        }
    }

    @Test func groupsAreBounded() {
        // 300 records of one serial: cut at AuditGrouping.maxRecords.
        let one = "type=PATH msg=audit(1700000000.000:1): item=0 name=\"/tmp/x\" nametype=NORMAL\n"
        let framed = Framer.frame(Array(String(repeating: one, count: 300).utf8), name: "big.log")
        #expect(framed.records.count == 2)
        #expect(framed.records.first?.raw.split(separator: "\n").count == AuditGrouping.maxRecords)
        // A line between two records of one serial ends the group.
        let split = Framer.frame(Array((one + "Feb 21 21:54:44 h sshd[1]: hello\n" + one).utf8), name: "s.log")
        #expect(split.records.count == 3)
    }

    @Test func malformedRecordsAreRefusedNotTrapped() throws {
        let registry = FormatRegistry.builtIn()
        for bad in [
            "type=UNKNOWN[1329] msg=g", "type=SYSCALL msg=audit(): arch=x", "type=SYSCALL msg=audit(99999999999999999999.1:2): a=b",
            "type=SYSCALL msg=audit(1.2.3:4): x=1", "node= type=EXECVE msg=audit(170000000.1:1): a0=ZZ a1=4",
            "type=EXECVE msg=audit(1700000000.000:1): argc=1 a99999999999999999999=\"x\"",
            "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0A00",
        ] {
            let r = line(bad)
            if let f = registry.detect(r) {
                do { _ = try f.normalize(r) } catch { #expect(!error.reason.isEmpty) }
            }
        }
        #expect(AuditdRecord.time("99999999999999999999.1:2") == nil)
        #expect(AuditdRecord.decodeHex("2F7") == nil && AuditdRecord.decodeHex("ZZ") == nil)
        #expect(AuditdSockaddr.inet("0A00") == nil && AuditdSockaddr.inet("0200") == nil)
        // An EOE alone (its event cut at the bound) is the format's, with nothing in it: a skip.
        #expect(throws: NormalizeError.skip("auditd: an end-of-event marker (EOE) alone")) {
            try AuditdFormat().normalize(line("type=EOE msg=audit(1700000000.000:1):"))
        }
    }
}

@Suite struct LinuxSyslogTests {
    @Test func authLogLinesAreSSHSudoAndPrograms() throws {
        let (signals, rejected) = try Fixture.normalize("linux/auth.log")
        #expect(rejected.isEmpty, "\(rejected.map(\.reason))")
        #expect(signals.count == 13)
        #expect(signals.map(\.kind.name) == [
            "linux.ssh.login", "linux.ssh.login", "linux.ssh.login_failed", "linux.ssh.login_failed", "linux.sudo", "linux.syslog",
            "linux.sudo", "linux.sudo", "linux.syslog", "linux.syslog", "linux.syslog", "linux.syslog", "linux.syslog",
        ])
        let key = signals[0]
        #expect(key.field("user.name") == "vagrant" && key.field("source.ip") == "10.0.2.2" && key.fields["source.port"] == .int(63673))
        #expect(key.field("system.auth.ssh.method") == "publickey" && key.field("process.name") == "sshd" && key.fields["process.pid"] == .int(3402))
        #expect(key.field("host.name") == "localhost" && key.field("event.outcome") == "success")
        #expect(signals[2].field("user.name") == "test" && signals[2].fields["system.auth.ssh.invalid_user"] == .bool(true))
        #expect(signals[3].field("user.name") == "root" && signals[3].field("source.ip") == "89.160.20.156" && signals[3].field("event.outcome") == "failure")
        let sudo = signals[6]
        #expect(sudo.field("user.name") == "vagrant" && sudo.field("user.effective.name") == "root")
        #expect(sudo.field("sudo.command") == "/bin/cat /var/log/secure" && sudo.field("sudo.tty") == "pts/1" && sudo.field("sudo.pwd") == "/home/vagrant")
        let refused = signals[7]
        #expect(refused.field("user.name") == "tsg" && refused.field("event.outcome") == "failure" && refused.field("event.reason") == "user NOT in sudoers")
        #expect(signals[8].field("process.name") == "groupadd" && signals[8].field("message") == "new group: name=apache, GID=48")
        let rfc5424 = signals[12]
        #expect(rfc5424.field("process.name") == "systemd" && rfc5424.field("host.name") == "test.lab.com")
        #expect(rfc5424.time == Timestamp(parsing: "2023-09-28T10:10:12.175Z"))
    }

    /// CEF and LEEF travel in syslog: their lines stay theirs, and text with no syslog header is
    /// no syslog line.
    @Test func syslogLeavesOtherFormatsLinesAlone() throws {
        let registry = FormatRegistry.builtIn()
        for name in ["cef.log", "leef.log", "fidelity/cef.log", "fidelity/leef.log"] {
            for record in Framer.frame(try Fixture.bytes(name), name: name).records {
                #expect(!LinuxSyslogFormat().accepts(record), "\(record.origin)")
                #expect(registry.detect(record)?.name != "syslog")
            }
        }
        #expect(registry.detect(line("a line no format knows")) == nil)
        #expect(registry.detect(line("just some text no format knows")) == nil)
        #expect(!LinuxSyslogFormat().accepts(line("Feb 21 21:54:44 localhost")))
    }

    /// Every fixture line of these sources is claimed by its own format alone.
    @Test func eachLineIsClaimedByOneFormat() throws {
        let registry = FormatRegistry.builtIn()
        for (file, format) in [
            ("linux/audit.log", "auditd"), ("linux/audit-enriched.log", "auditd"), ("linux/sigma-auditd.log", "auditd"),
            ("linux/auth.log", "syslog"), ("linux/sigma-syslog.log", "syslog"), ("web/access.log", "access"),
            ("web/sigma-access.log", "access"), ("web/access.ndjson", "access-json"), ("web/error.log", "web-error"),
            ("web/squid.log", "squid"), ("web/zscaler.ndjson", "zscaler"),
        ] {
            let framed = Framer.frame(try Fixture.bytes(file), name: file)
            #expect(framed.rejected.isEmpty && !framed.records.isEmpty, "\(file)")
            for record in framed.records {
                #expect(registry.formats.filter { $0.accepts(record) }.map(\.name) == [format], "\(record.origin)")
            }
        }
    }
}
