import Foundation
import GRDB
import Model
import StandIn
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

    /// SQLite's REPLACE deletes the old row without firing DELETE triggers (recursive_triggers
    /// is off, as it is in the sqlite3 shell): each append-only table refuses it at insert.
    @Test func replaceAndUpsertAreRefusedInEveryAppendOnlyTable() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store)
        try store.write { tx in
            _ = try tx.addRule(name: "r", language: "taser", text: "x", compiled: "{}", by: "ana", at: Timestamp(ms: 1))
            try tx.audit(QueryAuditEntry(time: Timestamp(ms: 1), analyst: "ana", query: "Q", input: "i", allowed: true, plugins: "", answers: 0))
        }
        let before = try fingerprint(store)
        let dumpBefore = try sqlite3(dir.file(), "SELECT * FROM case_log; SELECT * FROM rule_versions; SELECT * FROM rule_changes; SELECT * FROM query_audit; SELECT * FROM log_heads").output
        let attempts = [
            "INSERT OR REPLACE INTO case_log (id, case_id, seq, time, author, kind, body, prev_hash, hash, seal) SELECT id, case_id, seq, time, author, kind, 'rewritten', prev_hash, hash, seal FROM case_log WHERE seq = 2",
            "REPLACE INTO case_log (case_id, seq, time, author, kind, body, prev_hash, hash) VALUES (\(id), 3, 0, 'x', 'note', 'x', '', '')",
            "INSERT INTO case_log (id, case_id, seq, time, author, kind, body, prev_hash, hash) SELECT id, case_id, seq, 0, 'x', 'note', 'x', '', '' FROM case_log WHERE seq = 1 ON CONFLICT (id) DO UPDATE SET body = 'x'",
            "INSERT OR REPLACE INTO rule_versions (rule_id, version, text, compiled, created_at, created_by) SELECT rule_id, version, 'forged', compiled, created_at, created_by FROM rule_versions",
            "INSERT OR REPLACE INTO rule_changes (id, rule_id, time, author, change, version) SELECT id, rule_id, time, 'mallory', change, version FROM rule_changes",
            "INSERT OR REPLACE INTO query_audit (id, time, analyst, query, input, allowed) SELECT id, time, 'nobody', query, input, allowed FROM query_audit",
            "INSERT OR REPLACE INTO log_heads (case_id, entries, hash, signed_entries, signed_hash) VALUES (\(id), 0, 'x', 0, 'x')",
        ]
        for sql in attempts {
            let r = try sqlite3(dir.file(), sql)
            #expect(r.status != 0, "not refused: \(sql)")
            #expect(r.output.contains("cannot be replaced"), "\(sql): \(r.output)")
        }
        #expect(try sqlite3(dir.file(), "SELECT * FROM case_log; SELECT * FROM rule_versions; SELECT * FROM rule_changes; SELECT * FROM query_audit; SELECT * FROM log_heads").output == dumpBefore)
        #expect(try fingerprint(store) == before)
        #expect(try store.read { tx in try tx.verify() }.passed)
    }

    @Test func entriesAreSealedWithTheKeyAndChain() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        let key = try keyBytes(dir.file())
        let log = try store.read { tx in try tx.log(ofCase: id) }
        #expect(log.map(\.seq) == [1, 2, 3, 4])
        #expect(log[0].prevHash == LogEntry.genesisHash)
        for (a, b) in zip(log, log.dropFirst()) { #expect(b.prevHash == a.hash) }
        for e in log {
            #expect(e.seal == .hmac)
            #expect(Store.hmacSHA256Hex(e.canonicalForm, key: key) == e.hash)
            #expect(e.canonicalForm.hasPrefix("[\"taser.caselog.v2\",\(e.id),\(id),\(e.seq),"))
        }
        let report = try store.read { tx in try tx.verify() }
        #expect(report.passed && report.keyChecked && report.sealedWithKey == 4 && report.unsigned.isEmpty)
    }

    @Test func theKeyIsAFileOnlyTheOwnerReads() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store)
        let keyPath = dir.file() + ".key"
        var info = stat()
        try #require(stat(keyPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600 && info.st_size == 32)

        // Readable by others: refused for writing, reported by verify, and nothing changes.
        chmod(keyPath, 0o644)
        let loose = try Store.open(path: dir.file())
        let before = try fingerprint(loose)
        let error = #expect(throws: StoreError.self) {
            try loose.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "x"), toCase: id, author: "ana", at: .now) }
        }
        #expect(error?.description.contains("\(keyPath) may be read or written by others (mode 644); chmod 600 \(keyPath)") == true, "\(String(describing: error))")
        #expect(try loose.read { tx in try tx.verify() }.keyProblems.count == 1)
        #expect(try fingerprint(loose) == before)
        chmod(keyPath, 0o600)

        // Gone: an error naming the file and what to do; the database does not make a new one.
        let saved = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        try FileManager.default.removeItem(atPath: keyPath)
        let keyless = try Store.open(path: dir.file())
        #expect(!FileManager.default.fileExists(atPath: keyPath))
        #expect(throws: StoreError.logKeyMissing(path: keyPath)) {
            try keyless.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "x"), toCase: id, author: "ana", at: .now) }
        }
        #expect(StoreError.logKeyMissing(path: keyPath).description.contains("restore it from a backup"))
        let report = try keyless.read { tx in try tx.verify() }
        #expect(!report.passed && !report.keyChecked && report.keyProblems.first?.contains("is missing") == true)

        // Another key in its place: not the database's.
        var other = [UInt8](repeating: 7, count: 32)
        other[0] = 1
        _ = FileManager.default.createFile(atPath: keyPath, contents: Data(other), attributes: [.posixPermissions: 0o600])
        #expect(throws: StoreError.logKeyMismatch(path: keyPath)) {
            try Store.open(path: dir.file()).write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "x"), toCase: id, author: "ana", at: .now) }
        }
        let wrong = try Store.open(path: dir.file()).read { tx in try tx.verify() }
        #expect(wrong.keyProblems == [StoreError.logKeyMismatch(path: keyPath).description] && wrong.broken.isEmpty && !wrong.keyChecked)
        try saved.write(to: URL(fileURLWithPath: keyPath))
        #expect(try Store.open(path: dir.file()).read { tx in try tx.verify() }.passed)
    }

    /// Removing the key's record (and every seal, to look like a database never keyed) does not
    /// make taser adopt the log as it now is: the key is there, its record is not, and it says so.
    @Test func aKeyWhoseRecordWasRemovedIsNotAdoptedAgain() throws {
        let dir = TempDir()
        let id = try caseWithLog(try Store.open(path: dir.file()))
        try tamper(dir.file(), "DELETE FROM log_key; UPDATE log_heads SET signed_entries = 0, signed_hash = '\(LogEntry.genesisHash)', signature = NULL")
        let store = try Store.open(path: dir.file())
        #expect(throws: StoreError.logKeyRecordMissing(path: dir.file())) {
            try store.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "x"), toCase: id, author: "ana", at: .now) }
        }
        let report = try store.read { tx in try tx.verify() }
        #expect(!report.passed && report.keyProblems.first?.contains("has no record of its case log key") == true, "\(report)")
        #expect(try sqlite3(dir.file(), "SELECT count(*) FROM log_key").output == "0\n")
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

    @Test func verifyFailsAfterTheLastEntryIsDeletedAndTheTriggersRestored() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        try caseWithLog(store, entries: 2, title: "untouched")
        let id = try caseWithLog(store, entries: 4)
        try tamper(dir.file(), "DELETE FROM case_log WHERE case_id = \(id) AND seq = 4")
        let report = try store.read { tx in try tx.verify() }
        #expect(report.missingTriggers.isEmpty && report.changedTriggers.isEmpty)
        #expect(report.broken.map(\.caseID) == [id])
        #expect(report.broken.first?.reason == "entry #4 was deleted (its head records 4)")
        // Moving the head back too does not hide it: its signed part cannot be moved without the key.
        try tamper(dir.file(), "UPDATE log_heads SET entries = 3, hash = (SELECT hash FROM case_log WHERE case_id = \(id) AND seq = 3) WHERE case_id = \(id)")
        #expect(try store.read { tx in try tx.verify() }.broken.first?.reason == "entry #4 was deleted (its signed head records 4)")
        // And the next entry is refused rather than chained on, which would hide the deletion.
        try tamper(dir.file(), "UPDATE log_heads SET entries = 4 WHERE case_id = \(id)")
        #expect(throws: StoreError.self) {
            try store.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "after"), toCase: id, author: "ana", at: .now) }
        }
    }

    @Test func verifyFailsAfterEveryEntryOfACaseIsDeleted() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 3)
        try tamper(dir.file(), "DELETE FROM case_log WHERE case_id = \(id)")
        #expect(try store.read { tx in try tx.verify() }.broken.first?.reason == "all 3 of its entries were deleted (its head records 3)")
        // The head with them: the case has no head, and the key's count of signed heads is short.
        try tamper(dir.file(), "DELETE FROM log_heads WHERE case_id = \(id)")
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.first?.reason.contains("it has no head") == true)
        #expect(report.keyProblems == ["1 signed case head(s) lost their signature or were removed with their case, outside taser"])
    }

    @Test func verifyFailsAfterTwoRowsSwapTheirContents() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let a = try caseWithLog(store, entries: 3, title: "a")
        let b = try caseWithLog(store, entries: 3, title: "b")
        let (x, y) = try store.read { tx in (try tx.log(ofCase: a)[1], try tx.log(ofCase: b)[1]) }
        // Every column but the id trades places: each chain still links, only the ids moved.
        let columns = ["case_id", "seq", "time", "author", "kind", "body", "data", "corrects", "prev_hash", "hash", "seal"]
        let set = { (from: Int64) in columns.map { "\($0) = (SELECT \($0) FROM old WHERE id = \(from))" }.joined(separator: ", ") }
        try tamper(dir.file(), """
            CREATE TEMP TABLE old AS SELECT * FROM case_log WHERE id IN (\(x.id), \(y.id));
            UPDATE case_log SET case_id = -1, seq = -id WHERE id IN (\(x.id), \(y.id));
            UPDATE case_log SET \(set(y.id)) WHERE id = \(x.id);
            UPDATE case_log SET \(set(x.id)) WHERE id = \(y.id)
            """)
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.map(\.caseID) == [a, b])
        #expect(report.broken.allSatisfy { $0.reason.contains("does not match its seal") })
    }

    @Test func verifyFailsAfterEntriesAreReordered() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        try tamper(dir.file(), """
            UPDATE case_log SET seq = -2 WHERE case_id = \(id) AND seq = 2;
            UPDATE case_log SET seq = 2 WHERE case_id = \(id) AND seq = 3;
            UPDATE case_log SET seq = 3 WHERE case_id = \(id) AND seq = -2
            """)
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.first?.caseID == id && report.broken.first?.seq == 2)
        #expect(report.broken.first?.reason.contains("previous-entry hash") == true)
    }

    @Test func verifyFailsAfterARewriteWithTheSHA256ChainRecomputed() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 5)
        try Tamper.rewrite(database: dir.file(), caseID: id, from: 2, body: "nothing to see")
        let report = try store.read { tx in try tx.verify() }
        #expect(report.missingTriggers.isEmpty)
        #expect(report.broken.map(\.caseID) == [id])
        #expect(report.broken.first?.reason == "its entries up to #5 are not those its signed head records: they were rewritten")
        // Stripping the head's signature as well, to pass it off as written without the key, shows in the key's count.
        try tamper(dir.file(), "UPDATE log_heads SET signed_entries = 0, signed_hash = '\(LogEntry.genesisHash)', signature = NULL WHERE case_id = \(id)")
        let stripped = try store.read { tx in try tx.verify() }
        #expect(!stripped.passed)
        #expect(stripped.keyProblems.first?.contains("lost their signature") == true)
    }

    @Test func verifyFailsAfterEntriesAreSealedWithAnotherKey() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 3)
        let forger = dir.file("forger.key")
        _ = FileManager.default.createFile(atPath: forger, contents: Data((0..<32).map { UInt8($0) }))
        try Tamper.rewrite(database: dir.file(), caseID: id, from: 3, body: "forged", keyFile: forger)
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.first?.entryID != nil && report.broken.first?.reason.contains("does not match its seal") == true)
    }

    /// The key's holder can rewrite and re-sign; a witness that holds the heads still tells.
    @Test func aRewriteByTheKeysHolderIsCaughtByTheWitness() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let id = try caseWithLog(store, entries: 4)
        try caseWithLog(store, entries: 2, title: "other")
        let witness = try store.read { tx in try tx.logWitness(at: Timestamp(ms: 5_000)) }
        let received = try LogWitness.parse(#"{"event":"log.heads","id":"x","payload":\#(witness.payload.text)}"#)
        #expect(received == witness)
        #expect(try store.read { tx in try tx.verify(witness: received) }.passed)

        try Tamper.rewrite(database: dir.file(), caseID: id, from: 3, body: "rewritten by the owner", keyFile: dir.file() + ".key")
        #expect(try store.read { tx in try tx.verify() }.passed)
        let report = try store.read { tx in try tx.verify(witness: received) }
        #expect(report.witnessCompared == 2)
        #expect(report.broken.map(\.caseID) == [id])
        #expect(report.broken.first?.reason.contains("entry #4 is not the one the witness holds") == true)

        // A heads file changed after publication is refused as such.
        let edited = witness.payload.text.replacingOccurrences(of: "\"entries\":4", with: "\"entries\":3")
        #expect(throws: LogWitness.Problem.self) { try LogWitness.parse(edited) }
    }

    /// Whoever edits the file may put any value anywhere; reading it back reports, never traps.
    @Test func valuesOfTheWrongTypeAreReportedNotTrappedOn() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let a = try caseWithLog(store, entries: 3)
        let b = try caseWithLog(store, entries: 2)
        try tamper(dir.file(), """
            UPDATE case_log SET body = X'FFFE00' WHERE case_id = \(a) AND seq = 2;
            UPDATE case_log SET seq = 'last' WHERE case_id = \(a) AND seq = 3;
            UPDATE log_heads SET entries = 'many', hash = X'00' WHERE case_id = \(b)
            """)
        let report = try store.read { tx in try tx.verify() }
        #expect(report.broken.map(\.caseID) == [a, b], "\(report.broken)")
        for id in [a, b] {
            #expect(throws: StoreError.self) {
                try store.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "x"), toCase: id, author: "ana", at: .now) }
            }
        }
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

    /// A database from before the keyed log keeps its entries as written; the owner's first run
    /// signs every head, which pins them from then on.
    @Test func aDatabaseFromBeforeTheKeyedLogMigrates() throws {
        let dir = TempDir()
        let queue = try DatabaseQueue(path: dir.file())
        try Schema.migrator.migrate(queue, upTo: "v9-signal-storage")
        /// Entries as taser wrote them before v10: SHA-256 over the v1 form.
        func legacyEntries(_ db: Database, caseID: Int64, bodies: [String]) throws {
            var prev = LogEntry.genesisHash
            for (n, body) in bodies.enumerated() {
                let seq = Int64(n + 1)
                let hash = Store.sha256Hex(LogEntry.legacyCanonicalForm(
                    caseID: caseID, seq: seq, time: Timestamp(ms: seq), author: "ana", kind: .note, body: body, data: nil, corrects: nil,
                    prevHash: prev))
                try db.execute(
                    sql: "INSERT INTO case_log (case_id, seq, time, author, kind, body, prev_hash, hash) VALUES (?, ?, ?, 'ana', 'note', ?, ?, ?)",
                    arguments: [caseID, seq, seq, body, prev, hash])
                prev = hash
            }
        }
        try queue.write { db in
            try db.execute(sql: "INSERT INTO analysts (name, created_at) VALUES ('ana', 0)")
            for title in ["kept", "rewritten later"] {
                try db.execute(
                    sql: "INSERT INTO cases (title, status, severity, tlp, pap, created_at, created_by, updated_at) VALUES (?, 'new', 2, 'amber', 'amber', 0, 'ana', 0)",
                    arguments: [title])
            }
            try legacyEntries(db, caseID: 1, bodies: ["old 1", "old 2", "old 3"])
            try legacyEntries(db, caseID: 2, bodies: ["a", "b", "c"])
        }
        try queue.close()
        let store = try Store.open(path: dir.file())
        #expect(FileManager.default.fileExists(atPath: dir.file() + ".key"))
        let migrated = try store.read { tx in try tx.log(ofCase: 1) }
        #expect(migrated.map(\.seal) == [.legacy, .legacy, .legacy])
        #expect(migrated.map(\.body) == ["old 1", "old 2", "old 3"])
        let first = try store.read { tx in try tx.verify() }
        #expect(first.passed && first.legacy == 6 && first.unsigned.isEmpty, "\(first)")
        _ = try store.write { tx in try tx.appendLog(NewLogEntry(kind: .note, body: "new"), toCase: 1, author: "ana", at: .now) }
        let report = try store.read { tx in try tx.verify() }
        #expect(report.passed && report.legacy == 6 && report.sealedWithKey == 1, "\(report)")

        // Legacy entries rewritten with their old-style chain recomputed no longer reach the signed head.
        let old = try store.read { tx in try tx.log(ofCase: 2) }
        var b = old[1]
        b.body = "rewritten"
        b.hash = Store.sha256Hex(b.canonicalForm)
        var c = old[2]
        c.prevHash = b.hash
        c.hash = Store.sha256Hex(c.canonicalForm)
        try tamper(dir.file(), """
            UPDATE case_log SET body = 'rewritten', hash = '\(b.hash)' WHERE id = \(b.id);
            UPDATE case_log SET prev_hash = '\(c.prevHash)', hash = '\(c.hash)' WHERE id = \(c.id);
            UPDATE log_heads SET hash = '\(c.hash)' WHERE case_id = 2
            """)
        let broken = try store.read { tx in try tx.verify() }
        #expect(broken.broken.map(\.caseID) == [2])
        #expect(broken.broken.first?.reason.contains("they were rewritten") == true)
    }

    func keyBytes(_ database: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: database + ".key")))
    }
}
