import Foundation
import GRDB
import Model
import Testing
@testable import Store

@Suite struct DatabaseFileTests {
    @Test func opensWithWALAndForeignKeys() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try caseWithLog(store)
        let queue = try DatabaseQueue(path: dir.file())
        #expect(try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try queue.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") } == Store.applicationID)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } == Store.pageSize)
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.linkAlert(999, toCase: 1, by: "ana", at: .now) }
        }
    }

    @Test func refusesAMissingDirectory() {
        let dir = TempDir()
        let path = dir.path + "/nope/t.db"
        #expect(throws: StoreError.missingDirectory(path: path, directory: dir.path + "/nope")) { try Store.open(path: path) }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/nope"))
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let dir = TempDir()
        let path = dir.file()
        try "not a database at all, just some text that is long enough".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: StoreError.notSQLite(path: path)) { try Store.open(path: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }

    /// Refused before SQLite opens it for writing, which would switch it to WAL: the file keeps
    /// its bytes and gets no -wal or -shm beside it, in rollback or in WAL mode.
    @Test func refusesAnotherApplicationsDatabaseWithoutTouchingIt() throws {
        let dir = TempDir()
        for (name, sql) in [("other.db", "create table t(x); insert into t values (1)"), ("wal.db", "pragma journal_mode=wal; create table t(x)")] {
            let path = dir.file(name)
            try #require(try sqlite3(path, sql).status == 0)
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(throws: StoreError.notTaser(path: path)) { try Store.open(path: path) }
            #expect(throws: StoreError.notTaser(path: path)) { try Store.open(path: path, create: false) }
            chmod(path, 0o444)
            #expect(throws: StoreError.notTaser(path: path)) { try Store.open(path: path) }
            chmod(path, 0o644)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            for suffix in ["-wal", "-shm", "-journal", ".key"] { #expect(!FileManager.default.fileExists(atPath: path + suffix), "\(name)\(suffix)") }
        }
    }

    /// An empty file, or one taser made and had not migrated yet, is taser's to fill.
    @Test func anEmptyFileBecomesADatabase() throws {
        let dir = TempDir()
        _ = FileManager.default.createFile(atPath: dir.file(), contents: Data())
        try caseWithLog(try Store.open(path: dir.file()))
        let blank = dir.file("blank.db")
        try #require(try sqlite3(blank, "pragma page_size = 16384; pragma journal_mode = wal").status == 0)
        try caseWithLog(try Store.open(path: blank))
        #expect(try Store.open(path: blank).read { tx in try tx.verify() }.passed)
    }

    @Test func refusesANewerSchema() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try caseWithLog(store)
        try rawSQL(dir.file(), "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
        #expect(throws: StoreError.newerSchema(path: dir.file(), unknown: ["v9-from-the-future"])) { try Store.open(path: dir.file()) }
    }

    @Test func aReadOnlyFileReadsButRefusesWrites() throws {
        let dir = TempDir()
        let id = try caseWithLog(try Store.open(path: dir.file()))
        chmod(dir.file(), 0o444)
        let store = try Store.open(path: dir.file())
        #expect(store.isReadOnly)
        #expect(try store.read { tx in try tx.log(ofCase: id).count } == 3)
        #expect(throws: StoreError.readOnly(path: dir.file())) { try caseWithLog(store) }
        chmod(dir.file(), 0o644)
        #expect(try Store.open(path: dir.file()).read { tx in try tx.log(ofCase: id).count } == 3)
    }

    @Test func aMissingFileIsCreatedOnlyWhenAsked() {
        let dir = TempDir()
        #expect(throws: StoreError.noDatabase(path: dir.file())) { try Store.open(path: dir.file(), create: false) }
        #expect(!FileManager.default.fileExists(atPath: dir.file()))
    }
}
