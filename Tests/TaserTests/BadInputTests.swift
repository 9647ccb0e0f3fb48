import Foundation
import Testing

/// Every bad input gets one line on stderr, a non-zero exit, and leaves the database as it was.
@Suite struct BadInputTests {
    func expectRefused(_ db: String, _ args: [String], mentions words: [String], sourceLine: SourceLocation = #_sourceLocation) throws {
        let before = try digest(db)
        let r = try Taser.run(["--db", db] + args)
        #expect(r.status != 0, "exit status for \(args)", sourceLocation: sourceLine)
        #expect(r.stderrLines.count == 1, "stderr for \(args): \(r.stderr)", sourceLocation: sourceLine)
        for word in words { #expect(r.stderr.contains(word), "stderr for \(args): \(r.stderr)", sourceLocation: sourceLine) }
        #expect(try digest(db) == before, "database changed after \(args)", sourceLocation: sourceLine)
    }

    @Test func refusedCommandsWriteNothing() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        try expectRefused(db, ["case", "show", "99"], mentions: ["no case 99"])
        try expectRefused(db, ["case", "note", "99", "hello"], mentions: ["no case 99"])
        try expectRefused(db, ["--as", "ana", "case", "status", "1", "done"], mentions: ["invalid status 'done'", "in_progress"])
        try expectRefused(db, ["--as", "ana", "case", "status", "1", "closed"], mentions: ["resolution"])
        try expectRefused(db, ["--as", "ana", "case", "new", "--title", "x", "--team", "nope"], mentions: ["no team 'nope'", "ir, soc"])
        try expectRefused(db, ["--as", "ana", "case", "new", "--title", "x", "--team", "ir"], mentions: ["not a member of team 'ir'"])
        try expectRefused(db, ["--as", "ana", "case", "share", "1", "nope"], mentions: ["no team 'nope'"])
        try expectRefused(db, ["--as", "ana", "case", "assign", "1", "ghost"], mentions: ["no analyst 'ghost'"])
        // Entries are numbered within their case: a number the case does not have is refused.
        try expectRefused(db, ["--as", "dana", "case", "correct", "2", "99", "sneaky"], mentions: ["case 2 has no entry #99"])
        // An outsider sees exactly what a missing case looks like.
        try expectRefused(db, ["--as", "dana", "case", "show", "1"], mentions: ["no case 1"])
        try expectRefused(db, ["--as", "dana", "case", "export", "1"], mentions: ["no case 1"])
        try expectRefused(db, ["--as", "ghost", "case", "list"], mentions: ["no analyst 'ghost'"])
        try expectRefused(db, ["case", "export", "1", "--format", "xml"], mentions: ["invalid format 'xml'"])
    }

    @Test func aMissingDirectory() throws {
        let dir = TempDir()
        let path = dir.path + "/no/such/dir/t.db"
        let r = try Taser.run(["--db", path, "case", "new", "--title", "x"])
        #expect(r.status != 0)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.contains("does not exist"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/no"))
    }

    @Test func aMissingDatabaseIsNotCreatedByReads() throws {
        let dir = TempDir()
        let r = try Taser.run(["--db", dir.file(), "case", "list"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no database at"))
        #expect(!FileManager.default.fileExists(atPath: dir.file()))
    }

    @Test func aFileThatIsNotSQLite() throws {
        let dir = TempDir()
        let path = dir.file("notes.txt")
        let text = "these are my notes, not a database\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        for args in [["case", "list"], ["case", "new", "--title", "x"], ["verify"]] {
            let r = try Taser.run(["--db", path] + args)
            #expect(r.status != 0)
            #expect(r.stderrLines.count == 1)
            #expect(r.stderr.contains("not an SQLite database"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func aReadOnlyDatabase() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        chmod(db, 0o444)
        defer { chmod(db, 0o644) }
        let before = try digest(db)
        let r = try Taser.run(["--db", db, "--as", "ana", "case", "note", "1", "can I write?"])
        #expect(r.status != 0)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.contains("read-only"))
        #expect(try digest(db) == before)
        // Reading still works.
        #expect(try Taser.run(["--db", db, "case", "show", "1"]).status == 0)
    }

    @Test func aNewerSchema() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO grdb_migrations VALUES ('v99-future')\"); c.commit()", db]
        try sqlite.run()
        sqlite.waitUntilExit()
        try #require(sqlite.terminationStatus == 0)
        let r = try Taser.run(["--db", db, "case", "list"])
        #expect(r.status != 0)
        #expect(r.stderrLines.count == 1)
        #expect(r.stderr.contains("newer taser"))
    }

    @Test func onlyTheOwnerMayActAsSomeoneElse() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        chmod(dir.path, 0o777)
        chmod(db, 0o666)
        // Run as `nobody`, who does not own the file: --as is refused, plain use is not.
        let launcher = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let refused = try Taser.run(["--db", db, "--as", "ana", "case", "list"], launcher: launcher)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("only the database owner"))
        let own = try Taser.run(["--db", db, "whoami"], launcher: launcher)
        #expect(own.status == 0, "\(own.stderr)")
        #expect(own.stdout.hasPrefix("nobody"))
        #expect(!own.stdout.contains("admin"))
        // nobody is in no team: the teams' cases do not exist for them.
        let list = try Taser.run(["--db", db, "case", "list", "--json"], launcher: launcher)
        #expect(list.status == 0)
        #expect(list.stdout.isEmpty)
    }
}
