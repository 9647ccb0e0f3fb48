import Credentials
import Foundation
import Model
import Testing
@testable import Positron

/// The router with real plugins: a CSV table and programs run without a shell.
@Suite struct RouterTests {
    final class Dir {
        let path = NSTemporaryDirectory() + "positron-\(UUID().uuidString)"
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func write(_ name: String, _ text: String, executable: Bool = false) -> String {
            let file = path + "/" + name
            try! text.write(toFile: file, atomically: true, encoding: .utf8)
            if executable { chmod(file, 0o755) }
            return file
        }
    }

    func config(_ dir: Dir, secrets: Secrets = Secrets(values: ["api_key": "SUPERSECRET123"], environment: [:])) throws -> PositronConfig {
        _ = dir.write("hr.csv", "login,full_name,manager_login\njdoe,Jane Doe,mboss\n\"bsmith\",\"Smith, Bob\",cfo\n")
        _ = dir.write("dir.sh", "#!/bin/sh\necho '{\"manager\": \"mboss\"}'\n", executable: true)
        _ = dir.write("other.sh", "#!/bin/sh\necho 'manager=someone'\n", executable: true)
        _ = dir.write("hang.sh", "#!/bin/sh\nexec sleep 30\n", executable: true)
        _ = dir.write("fail.sh", "#!/bin/sh\necho \"key $1 refused\" >&2\nexit 3\n", executable: true)
        _ = dir.write("html.sh", "#!/bin/sh\necho '<html>502 Bad Gateway</html>'\n", executable: true)
        let yaml = """
            plugins:
              - { name: hr, type: table, file: hr.csv, priority: 60, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
              - { name: directory, type: command, command: [dir.sh, "{value}"], queries: [USER_MANAGER], priority: 40 }
              - { name: other, type: command, command: [other.sh], queries: [USER_MANAGER], priority: 10 }
              - { name: slow, type: command, command: [hang.sh], queries: [USER_MANAGER], timeout: 300ms }
              - { name: broken, type: command, command: [fail.sh, "${secret:api_key}"], queries: [USER_MANAGER] }
              - { name: proxy, type: command, command: [html.sh], queries: [USER_MANAGER] }
            acl:
              "*": [soc]
              USER_MANAGER: [ir]
            """
        return try PositronConfig.parse(yaml: yaml, file: dir.write("positron.yaml", yaml), secrets: secrets)
    }

    @Test func answersAreMergedRankedAndFailuresReported() throws {
        let dir = Dir()
        let router = try config(dir).router
        let t0 = Date()
        let result = try router.ask("user_manager", " JDoe ")
        #expect(Date().timeIntervalSince(t0) < 20, "a hanging plugin (30 s) costs its own timeout only")
        #expect(result.value == "jdoe")
        // Two plugins agree on mboss: first; the lone answer from the low-priority plugin after.
        #expect(result.answers.map { $0.fields["manager"] } == ["mboss", "someone"])
        #expect(result.answers[0].plugins == ["hr", "directory"])
        let outcomes = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.plugin, $0.result) })
        #expect(outcomes["hr"] == .answered(1) && outcomes["slow"] == .timedOut)
        guard case .failed(let why)? = outcomes["broken"] else { Issue.record("broken should fail"); return }
        #expect(why.contains("exited with 3") && why.contains("key *** refused") && !why.contains("SUPERSECRET123"))
        guard case .failed(let html)? = outcomes["proxy"] else { Issue.record("HTML is not an answer"); return }
        #expect(html.contains("neither JSON nor key=value"))
    }

    @Test func completeAnswersAreCachedAndPartialOnesAreNot() throws {
        let dir = Dir()
        let table = try TablePlugin(
            name: "hr", file: dir.write("hr.csv", "login,manager_login\njdoe,mboss\n"),
            mappings: ["USER_MANAGER": .init(key: "login", answer: ["manager": "manager_login"])])
        let router = Router(plugins: [table])
        #expect(try router.ask("USER_MANAGER", "jdoe").cached == false)
        #expect(try router.ask("USER_MANAGER", "jdoe").cached == true)
        let partial = try config(dir).router
        _ = try partial.ask("USER_MANAGER", "jdoe")
        #expect(try partial.ask("USER_MANAGER", "jdoe").cached == false)
    }

    @Test(arguments: [
        ("IP_TO_HOSTNAME", "web-01.example.com", false), ("IP_TO_HOSTNAME", "10.1.2.3", true), ("IP_TO_HOSTNAME", "2001:db8::1", true),
        ("HOSTNAME_TO_IP", "10.1.2.3", false), ("HOSTNAME_TO_IP", "LT-JDOE01", true), ("HASH_REPUTATION", "abc", false),
        ("HASH_REPUTATION", String(repeating: "a", count: 64), true), ("DOMAIN_WHOIS", "example", false), ("DOMAIN_WHOIS", "Example.COM", true),
        ("USER_MANAGER", "jane doe", false),
    ])
    func inputsAreCheckedBeforeAnyPluginIsAsked(query: String, value: String, ok: Bool) {
        let router = Router(plugins: [])
        #expect(((try? router.prepare(query, value)) != nil) == ok)
    }

    @Test func unknownQueriesAndBadConfigsSayWhatToDo() throws {
        let router = Router(plugins: [])
        #expect(throws: PositronError.unknownQuery("IP_TO_HOST", known: QueryCatalog.builtIn.names)) { try router.prepare("IP_TO_HOST", "1.2.3.4") }
        #expect("\(PositronError.unknownQuery("IP_TO_HOST", known: QueryCatalog.builtIn.names))".contains("did you mean IP_TO_HOSTNAME"))
        let dir = Dir()
        func problem(_ yaml: String) -> String {
            do {
                _ = try PositronConfig.parse(yaml: yaml, file: dir.path + "/p.yaml", secrets: Secrets(values: [:], environment: [:]))
                return ""
            } catch { return error.description }
        }
        #expect(problem("plugins: [{ name: x, type: ldap }]").contains("types are table, sqlite, log, http and command"))
        #expect(problem("plugins: [{ name: x, type: command, command: [a.sh], queries: [USER_MANAGR] }]").contains("did you mean USER_MANAGER"))
        #expect(problem("plugins: [{ name: x, type: command, command: [a.sh, \"${secret:nope}\"], queries: [USER_MANAGER] }]").contains("needs secret 'nope'"))
        #expect(problem("plugins: [{ name: x, type: table, file: missing.csv, queries: { USER_MANAGER: { key: a, answer: { manager: b } } } }]").contains("cannot read its table"))
        #expect(problem("acl: { IP_TO_HOSTNAM: [soc] }").contains("did you mean IP_TO_HOSTNAME"))
        #expect(problem("plugins: [").contains("not YAML"))
    }

    @Test func theACLNamesTeamsPerQuery() throws {
        let acl = try config(Dir()).acl
        #expect(acl.allows("USER_MANAGER", teams: ["ir"], isAdmin: false))
        #expect(acl.allows("IP_GEO", teams: ["soc"], isAdmin: false) && acl.allows("USER_MANAGER", teams: ["soc"], isAdmin: false))
        #expect(!acl.allows("IP_GEO", teams: ["ir"], isAdmin: false) && !acl.allows("IP_GEO", teams: [], isAdmin: false))
        #expect(acl.allows("IP_GEO", teams: [], isAdmin: true))
        #expect(QueryACL(rules: nil).allows("IP_GEO", teams: [], isAdmin: false))
    }

    @Test func csvQuotesAndCommasAreRead() {
        #expect(CSVTable.rows("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n") == [["a", "b"], ["x, y", "say \"hi\""]])
    }

    @Test func anSQLiteFileAnswersWithTheValueBoundNotPasted() throws {
        let dir = Dir()
        let db = dir.path + "/leases.db"
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["sqlite3", db, """
            CREATE TABLE leases (ip TEXT, hostname TEXT, start INTEGER);
            INSERT INTO leases VALUES ('10.1.2.3', 'lt-jdoe01', 1790000000), ('10.1.2.3', 'lt-old99', 1780000000), ('10.9.9.9', 'printer', 1790000000);
            """]
        sqlite.standardOutput = FileHandle.nullDevice
        sqlite.standardError = FileHandle.nullDevice
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0, "the sqlite3 command is needed (make deps installs it)")
        let yaml = """
            plugins:
              - { name: dhcp, type: sqlite, file: leases.db, queries: { IP_TO_HOSTNAME: "SELECT hostname, start AS seen FROM leases WHERE ip = :value ORDER BY start DESC" } }
            """
        let router = try PositronConfig.parse(yaml: yaml, file: dir.write("positron.yaml", yaml), secrets: Secrets(values: [:], environment: [:])).router
        let result = try router.ask("IP_TO_HOSTNAME", "10.1.2.3")
        #expect(result.answers.map { $0.fields["hostname"] } == ["lt-jdoe01", "lt-old99"])
        #expect(result.answers.first?.seen?.ms == 1_790_000_000_000)
        // A value that tries SQL is only a value.
        #expect(try router.ask("IP_TO_HOSTNAME", "10.9.9.9").answers.count == 1)
        #expect(throws: PositronError.self) { try router.ask("IP_TO_HOSTNAME", "1' OR '1'='1") }
    }

    /// A script that prints key=value lines with CRLF ends (written on Windows, or by a tool
    /// that says `\r\n`) answers as one that prints LF: each line its own field.
    @Test func keyValueLinesWithCRLFEndsAreFields() throws {
        let dir = Dir()
        let script = dir.write("crlf.sh", "#!/bin/sh\nprintf 'manager=mboss\\r\\ndepartment=SOC\\r\\n'\n", executable: true)
        let plugin = CommandPlugin(name: "crlf", command: [script], queries: ["USER_MANAGER"], secrets: Secrets(values: [:], environment: [:]), timeout: 5)
        let answers = try plugin.ask(try #require(QueryCatalog.builtIn.query("USER_MANAGER")), "jdoe")
        #expect(answers.map(\.fields) == [["manager": "mboss", "department": "SOC"]])
    }

    /// A script that starts a child holding its output: at the timeout both are stopped, so the
    /// plugin's thread is free at once and nothing is left running.
    @Test func aHangingProgramAndWhatItStartedAreStoppedAtTheTimeout() throws {
        let dir = Dir()
        let pidFile = dir.path + "/child.pid"
        let script = dir.write("fork.sh", "#!/bin/sh\nsleep 120 &\necho $! > \(pidFile)\nwait\n", executable: true)
        let plugin = CommandPlugin(name: "forky", command: [script], queries: ["USER_MANAGER"], secrets: Secrets(values: [:], environment: [:]), timeout: 0.5)
        let t0 = Date()
        #expect {
            _ = try plugin.ask(QueryCatalog.builtIn.query("USER_MANAGER")!, "jdoe")
        } throws: { error in
            "\(error)".contains("did not finish in 0.5 s")
        }
        // Far from both the timeout and the child's 120 s: the read did not wait for the child.
        #expect(Date().timeIntervalSince(t0) < 60)
        let child = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
        var gone = false
        for _ in 0..<500 where !gone {
            // Gone, or a zombie waiting for init: either way no longer running.
            let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
            gone = state == nil || state == "Z"
            if !gone { usleep(10_000) }
        }
        #expect(gone, "the script's child \(child) still runs")
    }
}
