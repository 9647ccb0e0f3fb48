import Foundation
import GRDB
import Model
import Testing
@testable import Store

@Suite struct CaseLogTests {
    @Test func triggersRefuseUpdateAndDeleteThroughRawSQL() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try caseWithLog(store)
        let before = try fingerprint(store)
        for sql in ["UPDATE case_log SET body = 'rewritten' WHERE seq = 2", "DELETE FROM case_log WHERE seq = 3", "DELETE FROM case_log"] {
            let error = #expect(throws: DatabaseError.self) { try rawSQL(dir.file(), sql) }
            #expect(error?.message?.contains("append-only") == true)
        }
        #expect(try fingerprint(store) == before)
    }

    @Test func entriesChainByHash() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        let log = try store.read { tx in try tx.log(ofCase: id) }
        #expect(log.map(\.seq) == [1, 2, 3, 4])
        #expect(log[0].prevHash == LogEntry.genesisHash)
        for (a, b) in zip(log, log.dropFirst()) { #expect(b.prevHash == a.hash) }
        for e in log { #expect(Store.sha256Hex(e.canonicalForm) == e.hash) }
        #expect(try store.read { tx in try tx.verify() }.passed)
    }

    @Test func verifyNamesAnEntryAlteredWithTriggersDropped() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try caseWithLog(store, entries: 2, title: "untouched")
        let id = try caseWithLog(store, entries: 5)
        let target = try store.read { tx in try tx.log(ofCase: id)[2] }
        try rawSQL(dir.file(), """
            DROP TRIGGER case_log_no_update;
            UPDATE case_log SET body = 'nothing happened here' WHERE id = \(target.id);
            """)
        let report = try store.read { tx in try tx.verify() }
        #expect(!report.passed)
        #expect(report.broken.count == 1)
        #expect(report.broken.first?.entryID == target.id)
        #expect(report.broken.first?.caseID == id)
        #expect(report.broken.first?.reason.contains("altered") == true)
        #expect(report.missingTriggers == ["case_log_no_update"])
    }

    @Test func verifyCatchesARecomputedHashAtTheNextEntry() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        let log = try store.read { tx in try tx.log(ofCase: id) }
        var forged = log[1]
        forged.body = "forged"
        let forgedHash = Store.sha256Hex(forged.canonicalForm)
        try rawSQL(dir.file(), """
            DROP TRIGGER case_log_no_update;
            UPDATE case_log SET body = 'forged', hash = '\(forgedHash)' WHERE id = \(log[1].id);
            """)
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.first?.entryID == log[2].id)
        #expect(report.broken.first?.reason.contains("previous-entry hash") == true)
    }

    @Test func verifyCatchesADeletedEntry() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        let log = try store.read { tx in try tx.log(ofCase: id) }
        try rawSQL(dir.file(), "DROP TRIGGER case_log_no_delete; DELETE FROM case_log WHERE id = \(log[1].id);")
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.first?.entryID == log[2].id)
        #expect(report.broken.first?.reason.contains("missing") == true)
    }

    @Test func correctionMustStayInItsCase() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let a = try caseWithLog(store)
        let b = try caseWithLog(store)
        let foreign = try store.read { tx in try tx.log(ofCase: a)[0].id }
        let before = try fingerprint(store)
        #expect(throws: StoreError.logEntryNotInCase(entry: foreign, caseID: b)) {
            try store.write { tx in
                try tx.appendLog(NewLogEntry(kind: .note, body: "x", corrects: foreign), toCase: b, author: "ana", at: .now)
            }
        }
        // The trigger is the backstop for writers that skip the store's check.
        #expect(throws: DatabaseError.self) {
            try rawSQL(dir.file(), """
                INSERT INTO case_log (case_id, seq, time, author, kind, body, corrects, prev_hash, hash)
                VALUES (\(b), 99, 0, 'x', 'note', 'x', \(foreign), '', '')
                """)
        }
        #expect(try fingerprint(store) == before)
    }
}
