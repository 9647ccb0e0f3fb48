import Foundation
import Model
import StandIn
import Testing

/// `taser verify` as an analyst and an attacker meet it: real files, changed with the sqlite3
/// shell and Python, the real binary, a real second OS user.
@Suite struct VerifyCLITests {
    /// Runs a program to its end: exit status and stdout + stderr.
    @discardableResult
    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs `sql` with the append-only triggers dropped and then put back exactly as they were.
    func tamper(_ db: String, _ sql: String) throws {
        let triggers = try run(["sqlite3", "-separator", "\u{1F}", "-newline", "\u{1E}", db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"])
        try #require(triggers.status == 0)
        let pairs = triggers.output.split(separator: "\u{1E}").map { $0.split(separator: "\u{1F}", maxSplits: 1).map(String.init) }.filter { $0.count == 2 }
        try #require(!pairs.isEmpty)
        let script = "BEGIN;" + pairs.map { "DROP TRIGGER \($0[0]);" }.joined() + sql + ";" + pairs.map { $0[1] + ";" }.joined() + "COMMIT;"
        let r = try run(["sqlite3", db, script])
        try #require(r.status == 0, "sqlite3: \(r.output)")
    }

    @Test func passesFailsAndSaysOneLinePerProblem() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        try #require(try Taser.run(["--db", db, "--as", "dana", "case", "note", "2", "second"]).status == 0)
        let ok = try Taser.run(["--db", db, "verify"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("Checked 4 log entries in 2 cases: 4 sealed with the key"), "\(ok.stdout)")
        #expect(ok.stdout.contains("OK: every chain, seal and head verifies"))

        // The sqlite3 shell cannot replace an entry.
        let replaced = try run(["sqlite3", db, "INSERT OR REPLACE INTO case_log (id, case_id, seq, time, author, kind, body, prev_hash, hash, seal) SELECT id, case_id, seq, time, author, kind, 'rewritten', prev_hash, hash, seal FROM case_log WHERE id = 1"])
        #expect(replaced.status != 0 && replaced.output.contains("cannot be replaced"), "\(replaced.output)")

        // The last entry of case 1 and every entry of case 2 go, with the triggers dropped and restored.
        try tamper(db, "DELETE FROM case_log WHERE case_id = 1 AND seq = (SELECT max(seq) FROM case_log WHERE case_id = 1); DELETE FROM case_log WHERE case_id = 2")
        let r = try Taser.run(["--db", db, "verify"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("BROKEN") } == [
            "BROKEN case 1: entry #2 was deleted (its head records 2)", "BROKEN case 2: all 2 of its entries were deleted (its head records 2)",
        ], "\(r.stdout)")
        #expect(!r.stdout.contains("MISSING") && !r.stdout.contains("OK:"))
        #expect(r.stderrLines == ["taser: verification failed: case 1: entry #2 was deleted (its head records 2) (and 1 more listed above)"])
        let json = try Taser.run(["--db", db, "verify", "--json"])
        #expect(json.status == 1)
        let report = try JSONValue.parse(json.stdout)
        #expect(report["passed"] == false && report["broken"]?.arrayValue?.count == 2)
    }

    @Test func quickSaysWhatItSkips() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let r = try Taser.run(["--db", db, "verify", "--quick"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("NOTE quick check: SQLite's quick_check does not compare each index's contents with its table"), "\(r.stdout)")
        #expect(!(try Taser.run(["--db", db, "verify"])).stdout.contains("quick_check"))
    }

    /// A damaged page is named with what to do, never "run taser verify" (which is what said it).
    @Test func aDamagedFileIsNamedWithWhatToDo() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let root = try run(["sqlite3", db, "SELECT rootpage FROM sqlite_master WHERE name = 'case_log'; PRAGMA page_size"])
        let numbers = root.output.split(separator: "\n").compactMap { Int($0) }
        try #require(numbers.count == 2)
        // The case log's page gets a page type SQLite does not know.
        let file = try #require(FileHandle(forUpdatingAtPath: db))
        try file.seek(toOffset: UInt64((numbers[0] - 1) * numbers[1]))
        file.write(Data(repeating: 0xFF, count: 8))
        try file.close()

        let r = try Taser.run(["--db", db, "verify"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("INTEGRITY Page \(numbers[0])"), "\(r.stdout)")
        let damaged = r.stdout.split(separator: "\n").filter { $0.hasPrefix("DAMAGED") }
        #expect(damaged.count == 1 && damaged[0].contains("sqlite3 \(db) .recover | sqlite3 NEW.db") && damaged[0].contains("restore a backup"))
        #expect(!r.stdout.contains("run `taser verify`") && !r.stderr.contains("taser verify"))
        #expect(r.stderrLines.count == 1)
        // Any other command meeting the damage says the same, on one line.
        let show = try Taser.run(["--db", db, "case", "show", "1"])
        #expect(show.status != 0 && show.stderrLines.count == 1)
        #expect(show.stderr.contains("is damaged") && show.stderr.contains(".recover") && !show.stderr.contains("taser verify"), "\(show.stderr)")
    }

    /// Another program's database is refused before anything writes to it.
    @Test func aRefusedFileIsLeftAsItWas() throws {
        let dir = TempDir()
        let other = dir.file("other.db")
        try #require(try run(["sqlite3", other, "create table t(x); insert into t values (42)"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        for args in [["case", "list"], ["case", "new", "--title", "x"], ["verify"]] {
            let r = try Taser.run(["--db", other] + args)
            #expect(r.status != 0 && r.stderrLines.count == 1 && r.stderr.contains("is an SQLite database but not taser's"), "\(r.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
        for suffix in ["-wal", "-shm", ".key"] { #expect(!FileManager.default.fileExists(atPath: other + suffix)) }
    }

    /// A witness that got the heads over a webhook catches even the key's holder rewriting history.
    @Test func aWitnessCatchesARewriteByTheKeysHolder() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SyncTests/Fixtures/remotes.py")
        let remotes = try StandIn(python: [script.path])
        try "endpoints:\n  witness: { type: webhook, url: \"http://127.0.0.1:\(remotes.port)/hook/witness\", hmac_secret: \"${secret:hook_key}\", events: [log.heads] }\n"
            .write(toFile: dir.file("sync.yaml"), atomically: true, encoding: .utf8)
        try "hook_key: hook-s3cret-4\n".write(toFile: dir.file("secrets.yaml"), atomically: true, encoding: .utf8)
        chmod(dir.file("secrets.yaml"), 0o600)

        let refused = try Taser.run(["--db", db, "--as", "ana", "verify", "--publish-heads"])
        #expect(refused.status != 0 && refused.stderr.contains("only the database owner (admin) may publish the case log heads"))
        let published = try Taser.run(["--db", db, "verify", "--publish-heads"])
        #expect(published.status == 0 && published.stderr.contains("Wrote the heads of 2 cases to the outbox (log.heads"), "\(published.stderr)")
        let sent = try Taser.run(["--db", db, "sync", "run", "--once", "--config", dir.file("sync.yaml"), "--secrets", dir.file("secrets.yaml")])
        #expect(sent.status == 0, "\(sent.stderr)")
        let received = try run(["curl", "-s", "http://127.0.0.1:\(remotes.port)/_received"])
        let requests = try JSONValue.parse(received.output).arrayValue ?? []
        let body = try #require(requests.first { $0["path"] == "/hook/witness" }?["body"], "\(received.output)")
        #expect(body["event"] == "log.heads" && body["payload"]?["cases"] == 2, "\(body.text)")
        try body.text.write(toFile: dir.file("heads.json"), atomically: true, encoding: .utf8)
        #expect(try Taser.run(["--db", db, "verify", "--heads", dir.file("heads.json")]).stdout.contains("WITNESS compared 2 case heads"))

        // The key's holder rewrites case 1's note, re-seals and re-signs: the log alone cannot tell.
        try Tamper.rewrite(database: db, caseID: 1, from: 2, body: "a quieter note", keyFile: db + ".key")
        let alone = try Taser.run(["--db", db, "verify"])
        #expect(alone.status == 0, "\(alone.stdout)")
        let witnessed = try Taser.run(["--db", db, "verify", "--heads", dir.file("heads.json")])
        #expect(witnessed.status == 1)
        #expect(witnessed.stdout.contains("BROKEN case 1: entry #2 is not the one the witness holds: history was rewritten"), "\(witnessed.stdout)")

        // A heads file edited after it was received is refused as such, on one line.
        try body.text.replacingOccurrences(of: "\"entries\":2", with: "\"entries\":1").write(toFile: dir.file("edited.json"), atomically: true, encoding: .utf8)
        let edited = try Taser.run(["--db", db, "verify", "--heads", dir.file("edited.json")])
        #expect(edited.status != 0 && edited.stderrLines.count == 1 && edited.stderr.contains("its digest does not match its heads"), "\(edited.stderr)")
    }
}

/// Embedded multi-user mode: another OS user shares the file, is an analyst in it, and cannot
/// read the key.
@Suite(.serialized) struct VerifyAsAnotherUserTests {
    /// An OS user for the test (made once with useradd; CI runs as root) and the launcher that runs as them.
    static func analystUser() throws -> (name: String, launcher: [String]) {
        let name = "tasertest1"
        if getpwnam(name) == nil {
            let add = Process()
            add.executableURL = URL(fileURLWithPath: "/usr/sbin/useradd")
            add.arguments = ["--no-create-home", "--shell", "/usr/sbin/nologin", name]
            try add.run()
            add.waitUntilExit()
        }
        let pw = try #require(getpwnam(name), "useradd \(name) failed")
        return (name, ["/usr/bin/setpriv", "--reuid=\(pw.pointee.pw_uid)", "--regid=\(pw.pointee.pw_gid)", "--clear-groups"])
    }

    @Test func anAnalystWhoIsNotTheOwnerLearnsNothingOfCasesTheyMayNotRead() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let (login, launcher) = try Self.analystUser()
        #expect(try Taser.run(["--db", db, "analyst", "add", login, "--team", "ir"]).status == 0)
        chmod(dir.path, 0o777)
        chmod(db, 0o666)

        // Their entry cannot be sealed with the key (it is the owner's): it is marked so, not refused.
        let note = try Taser.run(["--db", db, "case", "note", "2", "seen from the other account"], launcher: launcher)
        #expect(note.status == 0, "\(note.stderr)")
        let owner = try Taser.run(["--db", db, "verify"])
        #expect(owner.status == 0, "\(owner.stdout)")
        #expect(owner.stdout.contains("UNSIGNED case 2: entry #2 was written without the key (by \(login))"), "\(owner.stdout)")
        // Publishing heads names every case: the owner's only.
        let publish = try Taser.run(["--db", db, "verify", "--publish-heads"], launcher: launcher)
        #expect(publish.status != 0 && publish.stderr.contains("only the database owner (admin) may publish the case log heads"), "\(publish.stderr)")

        // Case 1 (team soc) loses its last entry.
        let triggers = VerifyCLITests()
        try triggers.tamper(db, "DELETE FROM case_log WHERE case_id = 1 AND seq = 2")
        let theirs = try Taser.run(["--db", db, "verify"], launcher: launcher)
        #expect(theirs.status == 1)
        #expect(theirs.stdout.hasPrefix("Checked 2 log entries in 1 cases"), "\(theirs.stdout)")
        #expect(theirs.stdout.contains("BROKEN a case you may not read"))
        #expect(theirs.stdout.contains("NOTE the log key \(db).key is readable by the database's owner only"))
        for leak in ["case 1", "First case", "entry #2 was deleted", "records 2"] { #expect(!theirs.stdout.contains(leak), "\(leak): \(theirs.stdout)") }
        let json = try Taser.run(["--db", db, "verify", "--json"], launcher: launcher)
        let report = try JSONValue.parse(json.stdout)
        #expect(report["cases"] == 1 && report["broken"]?.arrayValue?.isEmpty == true && report["broken_unreadable"] == true)
        #expect(!json.stdout.contains("\"case\":1"))
        // The owner hears which case and how.
        let full = try Taser.run(["--db", db, "verify"])
        #expect(full.stdout.contains("BROKEN case 1: entry #2 was deleted (its head records 2)"), "\(full.stdout)")

        // A key holder writing to case 2 checks the unsigned entry and signs over it.
        #expect(try Taser.run(["--db", db, "--as", "dana", "case", "note", "2", "signed again"]).status == 0)
        #expect(!(try Taser.run(["--db", db, "verify"])).stdout.contains("UNSIGNED"))
    }
}
