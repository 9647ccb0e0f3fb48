import Foundation
import Model
import Testing
@testable import AlertEngine
@testable import SignalServer

/// SigmaHQ rules for Linux (auditd, process_creation, file_event, sshd, clamav, vsftpd) and the
/// web (webserver, proxy), imported with the built-in mapping and run over the events taser's
/// formats make of real and documented log lines: every rule matches the events it was written
/// for, and none of the near misses (the same program on another service, the same request
/// answered 404, a curl to localhost, grep with harmless arguments...).
@Suite struct SigmaOverLinuxWebLogsTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let logs = tests.appendingPathComponent("AlertEngineTests/Fixtures")
    static let rules = tests.appendingPathComponent("SignalServerTests/Fixtures/sigma/sigmahq-linux-web")

    struct Compiled {
        var name: String
        var kinds: [String]
        var matcher: Matcher
    }

    static func compiledRules() throws -> [Compiled] {
        let result = SigmaImport.read(paths: [rules.path])
        #expect(result.problems.isEmpty, "\(result.problems.map(\.description))")
        return try result.rules.map { imported in
            let clause = try #require(imported.rule.clauses.first)
            let name = URL(fileURLWithPath: imported.path).deletingPathExtension().lastPathComponent
            return Compiled(name: name, kinds: clause.kinds, matcher: try Matcher(clause.filter ?? .always))
        }
    }

    static func events(_ file: String) throws -> [Normalized] {
        let bytes = Array(try Data(contentsOf: logs.appendingPathComponent(file)))
        let framed = Framer.frame(bytes, name: file)
        #expect(framed.rejected.isEmpty)
        let registry = FormatRegistry.builtIn()
        return try framed.records.flatMap { record -> [Normalized] in
            let format = try #require(registry.detect(record), "\(record.origin)")
            return try format.normalize(record)
        }
    }

    /// For each event of each file in order, the rules it fires.
    static let expected: [(file: String, rules: [[String]])] = [
        ("linux/audit.log", [
            [], [], [], [], [], [], [], [],  // grep (near miss: system info discovery), ..., SERVICE_STOP irqbalance (near miss)
            ["lnx_auditd_create_account"], [], [], [],
        ]),
        ("linux/sigma-auditd.log", [
            ["lnx_auditd_system_info_discovery"],
            ["lnx_auditd_data_exfil_wget", "lnx_auditd_susp_c2_commands"],
            ["proc_creation_lnx_susp_curl_fileupload"],
            [],  // curl posting to localhost: the rule's filter
            ["file_event_lnx_persistence_sudoers_files"],
            ["lnx_auditd_disable_system_firewall"],
        ]),
        ("linux/sigma-syslog.log", [
            ["lnx_sshd_susp_ssh"], [],  // the same words from dropbear are not sshd's
            ["lnx_clamav_relevant_message"], [],
            ["lnx_vsftpd_susp_error_messages"], [],  // nor from proftpd
        ]),
        ("linux/auth.log", Array(repeating: [], count: 13)),
        ("web/sigma-access.log", [
            ["web_path_traversal_exploitation_attempt"],
            ["web_sql_injection_in_access_logs"],
            [],  // the same injection answered 404: the rule's filter
            ["web_jndi_exploit"],
            [],
        ]),
        ("web/access.log", Array(repeating: [], count: 6)),
        ("web/sigma-proxy.log", [
            ["proxy_download_susp_tlds_blacklist"], [],  // .com is not on the list
            ["proxy_ua_hacktool"], [],
        ]),
        ("web/squid.log", Array(repeating: [], count: 4)),
        ("web/zscaler.ndjson", Array(repeating: [], count: 3)),
    ]

    @Test func rulesMatchTheirEventsAndNotTheNearMisses() throws {
        let rules = try Self.compiledRules()
        #expect(rules.count == 16)
        var fired: Set<String> = []
        for (file, expected) in Self.expected {
            let events = try Self.events(file)
            #expect(events.count == expected.count, "\(file): \(events.count) events")
            for (n, event) in events.enumerated() where n < expected.count {
                let matching = rules.filter { $0.kinds.contains(event.kind.name) && $0.matcher.matches(event.fields) }.map(\.name).sorted()
                #expect(matching == expected[n].sorted(), "\(file) event \(n) (\(event.title)) fired \(matching)")
                fired.formUnion(matching)
            }
        }
        // Every rule but the one kept only as a near miss fired somewhere.
        #expect(Set(rules.map(\.name)).subtracting(fired) == ["lnx_auditd_susp_cmds"])
    }
}
