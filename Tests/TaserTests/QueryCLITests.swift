import Foundation
import Testing

/// `taser query` as analysts run it: the ACL, the audit, and secrets kept out of everything.
@Suite struct QueryCLITests {
    @Test func askDenyAndAuditWithoutLeakingSecrets() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)  // ana in soc, dana in ir
        try "login,manager_login\njdoe,mboss\n".write(toFile: dir.file("hr.csv"), atomically: true, encoding: .utf8)
        try "#!/bin/sh\necho \"key $1 refused\" >&2\nexit 3\n".write(toFile: dir.file("fail.sh"), atomically: true, encoding: .utf8)
        chmod(dir.file("fail.sh"), 0o755)
        try """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } } } }
              - { name: broken, type: command, command: [fail.sh, "${secret:api_key}"], queries: [USER_MANAGER] }
            acl:
              "*": [soc]
            """.write(toFile: dir.file("positron.yaml"), atomically: true, encoding: .utf8)
        try "api_key: SUPERSECRET123\n".write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)
        let source = ["--positron", dir.file("positron.yaml"), "--secrets", dir.file("secrets.yaml")]

        let asked = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(asked.stdout.contains("mboss") && asked.stdout.contains("hr"))
        #expect(asked.stderr.contains("broken failed") && asked.stderr.contains("key *** refused"))

        let json = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe", "--json"] + source)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["query"] as? String == "USER_MANAGER" && (object["answers"] as? [Any])?.count == 1)

        let denied = try Taser.run(["--db", db, "--as", "dana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(denied.status == 1 && denied.stderrLines.count == 1 && denied.stderr.contains("dana is not allowed to ask USER_MANAGER"))

        let badInput = try Taser.run(["--db", db, "--as", "ana", "query", "IP_TO_HOSTNAME", "web-01"] + source)
        #expect(badInput.status == 1 && badInput.stderr.contains("IP_TO_HOSTNAME takes an ip; 'web-01' is not one"))

        let audit = try Taser.run(["--db", db, "query", "audit"])
        #expect(audit.status == 0 && audit.stdout.contains("dana") && audit.stdout.contains("NO") && audit.stdout.contains("broken:failed"))
        for output in [asked.stdout, asked.stderr, json.stdout, denied.stderr, audit.stdout] {
            #expect(!output.contains("SUPERSECRET123"))
        }
        // The audit is the database owner's to read.
        #expect(try Taser.run(["--db", db, "--as", "ana", "query", "audit"]).status == 1)

        // A world-readable secrets file is refused before anything runs.
        chmod(dir.file("secrets.yaml"), 0o644)
        let leaky = try Taser.run(["--db", db, "--as", "ana", "query", "USER_MANAGER", "jdoe"] + source)
        #expect(leaky.status == 1 && leaky.stderr.contains("readable by others"))
    }
}
