import Foundation
import Model
import StandIn
import Testing

/// `taser sync` against the stand-in servers of Tests/SyncTests/Fixtures/remotes.py.
@Suite struct SyncCLITests {
    final class Remotes {
        private let server: StandIn
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }

        init() throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("SyncTests/Fixtures/remotes.py")
            server = try StandIn(python: [script.path])
            port = server.port
        }

        /// (path, idempotency key, status) of every request.
        func received() throws -> [(path: String, key: String, status: Int)] {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-s", base + "/_received"]
            let out = Pipe()
            curl.standardOutput = out
            curl.standardError = FileHandle.nullDevice
            try curl.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            let list = try JSONValue.parse(Array(data)).arrayValue ?? []
            return list.map { v in
                (v["path"]?.stringValue ?? "", v["headers"]?["idempotency-key"]?.stringValue ?? "", Int(v["status"]?.stringValue ?? "0") ?? 0)
            }
        }

        func fault(_ json: String) throws {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            curl.arguments = ["curl", "-s", "-X", "POST", "--data", json, base + "/_fault"]
            curl.standardOutput = FileHandle.nullDevice
            curl.standardError = FileHandle.nullDevice
            try curl.run()
            curl.waitUntilExit()
        }
    }

    /// A config and a secrets file (chmod 600) in `dir`.
    func files(_ dir: TempDir, _ yaml: String, secrets: String) throws -> [String] {
        try yaml.write(toFile: dir.file("sync.yaml"), atomically: true, encoding: .utf8)
        try secrets.write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)
        return ["--config", dir.file("sync.yaml"), "--secrets", dir.file("secrets.yaml")]
    }

    func status(_ db: String) throws -> [JSONValue] {
        let r = try Taser.run(["--db", db, "sync", "status", "--json"])
        try #require(r.status == 0, "\(r.stderr)")
        return try r.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test func aBadConfigIsOneLineAndNothingIsSent() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let bad: [(String, String, String)] = [
            ("endpoints:\n  x: { type: teams, url: u }\n", "other: x\n", "endpoint x has type 'teams'; types are thehive, slack, jira, webhook"),
            ("endpoints:\n  hive: { type: thehive, url: u, api_key: \"${secret:hive_key}\" }\n", "other: x\n", "needs secret 'hive_key', which the secrets file does not hold"),
        ]
        for (yaml, secrets, expected) in bad {
            let r = try Taser.run(["--db", db, "sync", "run", "--once"] + files(dir, yaml, secrets: secrets))
            #expect(r.status == 1 && r.stderrLines.count == 1 && r.stderr.contains(expected), "\(r.stderr)")
        }
        let missing = try Taser.run(["--db", db, "sync", "run", "--once", "--config", dir.file("nope.yaml")])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read the sync config") && missing.stderrLines.count == 1)
        // Nothing was routed: the outbox waits for a good config.
        #expect(try status(db).contains { $0["kind"] == "unrouted" })
    }

    @Test func deadLettersAreListedWithoutSecretsAndRetried() throws {
        let remotes = try Remotes(), dir = TempDir()
        let db = try seededDatabase(dir)
        let yaml = """
            defaults: { backoff: 50ms, max_backoff: 100ms }
            endpoints:
              hook: { type: webhook, url: "\(remotes.base)/hook/cli", hmac_secret: "${secret:hook_key}" }
              jira: { type: jira, url: "\(remotes.base)", project: SEC, email: bot@acme.example, token: "${secret:jira_token}", events: [case.created] }
            """
        try remotes.fault(#"{"prefix": "/hook", "status": 422, "times": 1}"#)
        var args = try files(dir, yaml, secrets: "hook_key: hook-s3cret-4\njira_token: not-the-jira-s3cret\n")
        let run = try Taser.run(["--db", db, "sync", "run", "--once"] + args)
        #expect(run.status == 0 && run.stderr.contains("dead 3"), "\(run.stderr)")
        let text = try Taser.run(["--db", db, "sync", "status"])
        #expect(text.status == 0 && text.stdout.contains("Dead letters") && text.stdout.contains("case.created") && text.stdout.contains("HTTP 401"))
        #expect(text.stdout.contains("HTTP 422") && !text.stdout.contains("not-the-jira-s3cret"))
        let basic = Data("bot@acme.example:not-the-jira-s3cret".utf8).base64EncodedString()
        let lines = try status(db)
        let dead = lines.filter { $0["kind"] == "dead" }
        #expect(dead.count == 3 && dead.allSatisfy { $0["attempts"] == 1 && $0["entity"] == "case" })
        #expect(!lines.map(\.text).joined().contains("not-the-jira-s3cret") && !lines.map(\.text).joined().contains(basic))
        #expect(lines.contains { $0["kind"] == "endpoint" && $0["endpoint"] == "hook" && $0["delivered"] == 4 && $0["dead"] == 1 })

        let unknown = try Taser.run(["--db", db, "sync", "retry", "999"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no dead delivery 999"))
        let neither = try Taser.run(["--db", db, "sync", "retry"])
        #expect(neither.status == 1 && neither.stderrLines.count == 1)
        // The token is fixed; every dead letter goes again.
        args = try files(dir, yaml, secrets: "hook_key: hook-s3cret-4\njira_token: jira-s3cret-3\n")
        let hookDead = try #require(dead.first { $0["endpoint"] == "hook" }?["id"]?.stringValue)
        #expect(try Taser.run(["--db", db, "sync", "retry", hookDead]).stdout.contains("1 delivery queued again"))
        #expect(try Taser.run(["--db", db, "sync", "retry", "--all-dead"]).stdout.contains("2 deliveries queued again"))
        #expect(try Taser.run(["--db", db, "sync", "run", "--once"] + args).status == 0)
        let after = try status(db)
        #expect(!after.contains { $0["kind"] == "dead" || $0["kind"] == "retrying" })
        #expect(after.filter { $0["kind"] == "endpoint" }.allSatisfy { $0["pending"] == 0 && $0["dead"] == 0 })
        #expect(try Taser.run(["sync", "--help"]).stdout.contains("taser sync retry --all-dead"))
    }

    @Test func aKilledRunLosesNothing() throws {
        let remotes = try Remotes(), dir = TempDir()
        let db = try seededDatabase(dir)
        for n in 1...4 { _ = try Taser.run(["--db", db, "--as", "ana", "case", "note", "1", "note \(n)"]) }
        let args = try files(dir, """
            endpoints:
              hook: { type: webhook, url: "\(remotes.base)/hook/kill", hmac_secret: "${secret:hook_key}", timeout: 30s }
            """, secrets: "hook_key: hook-s3cret-4\n")
        // The first request hangs: the run is killed while it waits for the answer.
        try remotes.fault(#"{"prefix": "/hook", "delay": 60, "times": 1}"#)
        let log = FileHandle(forWritingAtPath: { FileManager.default.createFile(atPath: dir.file("run.log"), contents: nil); return dir.file("run.log") }())!
        let run = Process()
        run.executableURL = URL(fileURLWithPath: Taser.binary)
        run.arguments = ["--db", db, "sync", "run", "--poll", "0.1"] + args
        run.standardInput = FileHandle.nullDevice
        run.standardOutput = log
        run.standardError = log
        try run.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try remotes.received().isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        let inFlight = try #require(try remotes.received().first)
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(try status(db).contains { $0["kind"] == "endpoint" && ($0["pending"]?.stringValue ?? "0") != "0" })

        // A new run delivers everything, the interrupted message again with the same key.
        let again = Date().addingTimeInterval(90)
        var pending = true
        while pending && Date() < again {
            #expect(try Taser.run(["--db", db, "sync", "run", "--once"] + args).status == 0)
            pending = try status(db).contains { $0["kind"] == "endpoint" && ($0["pending"]?.stringValue ?? "0") != "0" }
            if pending { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(!pending)
        let got = try remotes.received()
        let ok = got.filter { (200..<300).contains($0.status) }
        let total = try status(db).first { $0["endpoint"] == "hook" }?["delivered"]?.stringValue
        #expect(total == "9" && ok.count == 9 && Set(ok.map(\.key)).count == 9)
        #expect(ok.contains { $0.key == inFlight.key } && got.filter { $0.key == inFlight.key }.count == 2)
    }
}
