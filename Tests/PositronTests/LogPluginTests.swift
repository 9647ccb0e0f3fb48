import Credentials
import Foundation
import Model
import Testing
@testable import Positron

/// The log plugin over real files: dnsmasq and ISC dhcpd DHCP logs, rotated and gzipped.
@Suite struct LogPluginTests {
    // 2026-11-29 12:00 UTC: the logs' "now".
    static let now = Date(timeIntervalSince1970: 1_795_953_600)

    final class Logs {
        let path = NSTemporaryDirectory() + "positron-logs-\(UUID().uuidString)"
        init() throws {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try """
                Nov 29 08:01:02 gw dnsmasq-dhcp[812]: DHCPREQUEST(eth0) 10.1.2.3 00:11:22:33:44:55
                Nov 29 08:01:02 gw dnsmasq-dhcp[812]: DHCPACK(eth0) 10.1.2.3 00:11:22:33:44:55 LT-JDOE01
                Nov 29 09:30:00 gw dnsmasq-dhcp[812]: DHCPACK(eth0) 10.1.2.30 00:11:22:33:44:66 lt-bsmith02
                garbage line mentioning 10.1.2.3 without a time
                Nov 29 10:15:00 gw dnsmasq-dhcp[812]: DHCPACK(eth0) 10.1.2.3 00:11:22:33:44:55 LT-JDOE01
                """.write(toFile: path + "/dnsmasq.log", atomically: true, encoding: .utf8)
            // Yesterday's file, rotated and compressed: a different host held the IP then.
            try "Nov 28 22:00:00 gw dnsmasq-dhcp[812]: DHCPACK(eth0) 10.1.2.3 00:aa:bb:cc:dd:ee kiosk-7\n"
                .write(toFile: path + "/dnsmasq.log.1", atomically: true, encoding: .utf8)
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-f", path + "/dnsmasq.log.1"]
            try gzip.run()
            gzip.waitUntilExit()
            // Months ago: outside the plugin's window.
            try "Aug 01 10:00:00 gw dnsmasq-dhcp[812]: DHCPACK(eth0) 10.1.2.3 00:aa:bb:cc:dd:00 old-host\n"
                .write(toFile: path + "/dnsmasq.log.9", atomically: true, encoding: .utf8)
            try """
                2026-11-29T07:00:00Z gw dhcpd[99]: DHCPACK on 10.9.8.7 to 00:11:22:33:44:77 (srv-db01) via eth1
                2026-11-29 11:00:00 gw dhcpd[99]: DHCPACK on 10.9.8.7 to 00:11:22:33:44:77 (srv-db01) via eth1
                """.write(toFile: path + "/dhcpd.log", atomically: true, encoding: .utf8)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func router(_ logs: Logs, _ yaml: String) throws -> Router {
        try PositronConfig.parse(yaml: yaml, file: logs.path + "/positron.yaml", secrets: Secrets(values: [:], environment: [:])).router
    }

    func plugin(_ logs: Logs, _ files: [String], _ format: String) throws -> LogPlugin {
        try LogPlugin(
            name: "dhcp", files: files.map { logs.path + "/" + $0 }, patterns: LogPlugin.formats[format]!, within: 7 * 86_400,
            timezone: TimeZone(identifier: "UTC")!, now: { LogPluginTests.now })
    }

    @Test func dnsmasqAnswersNewestFirstAcrossRotatedAndGzippedFiles() throws {
        let logs = try Logs()
        let dhcp = try plugin(logs, ["dnsmasq.log*"], "dnsmasq")
        let query = QueryCatalog.builtIn.query("IP_TO_HOSTNAME")!
        let answers = try dhcp.ask(query, "10.1.2.3")
        // Two distinct hosts within the week, newest first; old-host is months old; the
        // timeless line is no answer; the same lease twice is one answer at its newest time.
        #expect(answers.map { $0.fields["hostname"] } == ["LT-JDOE01", "kiosk-7"])
        #expect(answers.first?.seen == Timestamp(parsing: "2026-11-29T10:15:00Z"))
        let back = try dhcp.ask(QueryCatalog.builtIn.query("HOSTNAME_TO_IP")!, "lt-jdoe01")
        #expect(back.map { $0.fields["ip"] } == ["10.1.2.3"])
        #expect(try dhcp.ask(query, "10.1.2.4").isEmpty)
    }

    @Test func iscDhcpTimesWithAndWithoutAZone() throws {
        let logs = try Logs()
        let dhcp = try LogPlugin(
            name: "dhcpd", files: [logs.path + "/dhcpd.log"], patterns: LogPlugin.formats["isc-dhcp"]!,
            timezone: TimeZone(identifier: "Europe/Berlin")!, now: { LogPluginTests.now })
        let answers = try dhcp.ask(QueryCatalog.builtIn.query("IP_TO_HOSTNAME")!, "10.9.8.7")
        // 11:00 Berlin time is 10:00 UTC, still newer than 07:00Z.
        #expect(answers.map { $0.fields["hostname"] } == ["srv-db01"])
        #expect(answers.first?.seen == Timestamp(parsing: "2026-11-29T10:00:00Z"))
    }

    @Test func configuredFromYAMLWithAPatternOfItsOwn() throws {
        let logs = try Logs()
        let r = try router(logs, """
            plugins:
              - name: dhcp
                type: log
                files: dnsmasq.log
                within: 3650d
                timezone: UTC
                queries:
                  IP_TO_HOSTNAME: 'DHCPACK\\(\\S+\\) {value} \\S+ (?<hostname>\\S+)'
            """)
        let result = try r.ask("IP_TO_HOSTNAME", "10.1.2.30")
        #expect(result.answers.map { $0.fields["hostname"] } == ["lt-bsmith02"])
        #expect(result.answers.first?.plugins == ["dhcp"])
    }

    @Test(arguments: [
        ("{ name: d, type: log, format: dnsmasq }", "needs files"),
        ("{ name: d, type: log, files: x.log, format: syslog-ng }", "formats are dnsmasq, isc-dhcp"),
        ("{ name: d, type: log, files: x.log }", "needs a format"),
        ("{ name: d, type: log, files: x.log, queries: { IP_TO_HOSTNAME: 'DHCPACK (?<hostname>\\\\S+)' } }", "needs {value}"),
        ("{ name: d, type: log, files: x.log, queries: { IP_TO_HOSTNAME: '{value} (?<hostname>[' } }", "not a regular expression"),
        ("{ name: d, type: log, files: x.log, format: dnsmasq, timezone: Mars/Olympus }", "unknown timezone"),
    ])
    func badConfigsSayWhatToWrite(plugin: String, message: String) throws {
        let logs = try Logs()
        #expect {
            _ = try router(logs, "plugins:\n  - \(plugin)\n")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("positron.yaml")
        }
    }

    @Test func noMatchingFileIsAFailureNotAnEmptyAnswer() throws {
        let logs = try Logs()
        let r = try router(logs, "plugins:\n  - { name: dhcp, type: log, files: nothere*.log, format: dnsmasq }\n")
        let result = try r.ask("IP_TO_HOSTNAME", "10.1.2.3")
        guard case .failed(let why)? = result.outcomes.first?.result else { Issue.record("expected a failure"); return }
        #expect(why.contains("no log file matches"))
    }
}
