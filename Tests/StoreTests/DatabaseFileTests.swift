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

    @Test func refusesAnotherApplicationsDatabase() throws {
        let dir = TempDir()
        try rawSQL(dir.file(), "CREATE TABLE t (x)")
        #expect(throws: StoreError.notTaser(path: dir.file())) { try Store.open(path: dir.file()) }
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
