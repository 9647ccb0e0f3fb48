import Foundation
import Testing

/// `taser automation` through the real binary: check, run --once, list, and refusals.
@Suite struct AutomationCLITests {
    static let playbooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Playbooks").path

    @Test func checkNamesEachMistakeAndPassesTheShippedPlaybook() throws {
        let good = try Taser.run(["automation", "check", AutomationCLITests.playbooks])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("ok  securitybot") && good.stdout.contains("5 handlers"))

        let dir = TempDir()
        try "name: broken\non:\n  - when: { alert: {} }\n    do:\n      - ask_usr: { text: hi }\n".write(toFile: dir.file("a.yaml"), atomically: true, encoding: .utf8)
        try "name: late\non:\n  - when: { no_reply: {} }\n    do:\n      - ask_user: { text: hi, reply_within: whenever }\n".write(toFile: dir.file("b.yaml"), atomically: true, encoding: .utf8)
        let bad = try Taser.run(["automation", "check", dir.path])
        #expect(bad.status == 1)
        #expect(bad.stderrLines.count == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("a.yaml:5:9: on[1].do[1]: unknown action 'ask_usr'; did you mean ask_user"))
        #expect(bad.stderr.contains("b.yaml:5:45: on[1].do[1].ask_user.reply_within: 'whenever' is not a span"))

        // run refuses broken playbooks before touching the database
        let db = dir.file("t.db")
        let run = try Taser.run(["--db", db, "automation", "run", "--once", "--playbooks", dir.path])
        #expect(run.status == 1 && run.stderr.contains("unknown action 'ask_usr'"))
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func runOnceAndList() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let first = try Taser.run(["--db", db, "automation", "run", "--once", "--playbooks", AutomationCLITests.playbooks])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("0 job(s) started"))

        let list = try Taser.run(["--db", db, "automation", "list", "--playbooks", AutomationCLITests.playbooks])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("securitybot") && list.stdout.contains("no-reply-from-user: no reply from the user"))
        #expect(list.stdout.contains("Waiting for a reply:\n  none"))

        let json = try Taser.run(["--db", db, "automation", "list", "--json", "--playbooks", AutomationCLITests.playbooks])
        let line = try #require(json.stdout.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["type"] as? String == "playbook" && object["name"] as? String == "securitybot")

        let notOwner = try Taser.run(["--db", db, "--as", "ana", "automation", "run", "--once", "--playbooks", AutomationCLITests.playbooks])
        #expect(notOwner.status == 1 && notOwner.stderrLines.count == 1 && notOwner.stderr.contains("only the database owner (admin) may run automation"))

        let missing = try Taser.run(["--db", db, "automation", "run", "--once", "--playbooks", dir.file("nope")])
        #expect(missing.status == 1 && missing.stderr.contains("no such directory"))

        let help = try Taser.run(["automation", "--help"])
        #expect(help.stdout.contains("taser automation check Playbooks/"))
    }
}
