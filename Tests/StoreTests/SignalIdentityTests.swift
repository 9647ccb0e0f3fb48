import Foundation
import GRDB
import Model
import Testing
@testable import Store

@Suite struct SignalIdentityTests {
    @Test func aDatabaseFromBeforeTheKeyKeepsItsSignalsAndStillRefusesTheirDuplicates() throws {
        let dir = TempDir()
        let path = dir.file()
        // A file as the release before v9 left it: the unique (source, source_ref) index, signals
        // with links and an alert pointing at them.
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v8-sync")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO signals (id, time, source, source_ref, kind, severity, title, fields, raw, ingested_at)
                VALUES (7, 1000, 'test', 'evt-1', 'okta.sso.login', 1, 'login', '{}', '{"uuid":"evt-1"}', 5),
                       (9, 2000, 'duo', 'sha256:ab', 'duo.auth.success', 0, 'push', '{}', '{}', 5);
                INSERT INTO artifacts (id, type, value, first_seen, last_seen) VALUES (3, 'ip', '10.0.0.1', 1000, 1000);
                INSERT INTO signal_artifacts VALUES (7, 3, 'src');
                INSERT INTO alerts (id, rule, group_key, status, severity, title, created_at, updated_at, signal_count)
                VALUES (1, 'r', 'k', 'new', 1, 'an alert', 5, 5, 1);
                INSERT INTO alert_signals VALUES (1, 7);
                """)
        }
        try queue.close()

        let store = try Store.open(path: path)
        #expect(try store.read { tx in try tx.signalCount() } == 2)
        #expect(try store.read { tx in try tx.signalID(source: "test", sourceRef: "evt-1") } == 7)
        #expect(try store.read { tx in try tx.signalID(source: "duo", sourceRef: "sha256:ab") } == 9)
        #expect(try store.read { tx in try tx.signal(7)?.raw } == #"{"uuid":"evt-1"}"#)
        // Re-sent events are duplicates of the migrated rows; new ones continue the ids.
        let again = try SignalWriter(store: store).write([signal("evt-1"), signal("evt-2")])
        #expect(again.ids == [nil, 10])
        // The link moved: in the signal's row (read through the view) and keyed by artifact.
        #expect(try rawCount(path, "SELECT count(*) FROM signal_artifacts WHERE signal_id = 7 AND artifact_id = 3 AND role = 'src'") == 1)
        #expect(try rawCount(path, "SELECT count(*) FROM artifact_signals WHERE artifact_id = 3 AND signal_id = 7 AND role = 'src'") == 1)
        #expect(try rawCount(path, "SELECT count(*) FROM signals WHERE id = 9 AND artifacts = '[]'") == 1)
        #expect(try rawCount(path, "SELECT count(*) FROM signals WHERE identity IS NULL OR identity = 0") == 0)
        #expect(try rawCount(path, "PRAGMA foreign_key_check") == 0)
        // The alert still holds its signal, and through it the artifact.
        #expect(try rawCount(path, "SELECT count(*) FROM alert_signals als JOIN signal_artifacts sa ON sa.signal_id = als.signal_id WHERE als.alert_id = 1 AND sa.artifact_id = 3") == 1)
        #expect(try rawCount(path, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_signals%'") == 0)
    }

    @Test func theKeySeparatesSourceFromReference() {
        // Without a separator ("ab", "c") and ("a", "bc") would hash the same bytes.
        #expect(SignalIdentity.key(source: "ab", ref: "c") != SignalIdentity.key(source: "a", ref: "bc"))
        #expect(SignalIdentity.key(source: "okta", ref: "x") == SignalIdentity.key(source: "okta", ref: "x"))
        // Stored in files, so fixed forever: this value (computed independently, in Python, from
        // the definition: FNV-1a 64 then fmix64) must never change.
        #expect(SignalIdentity.key(source: "okta", ref: "evt-1") == 4_734_117_610_622_184_251)
    }

    @Test func aBatchHoldingTheSameEventTwiceStoresItOnce() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let result = try SignalWriter(store: store).write([signal("a"), signal("a"), signal("b"), signal(nil, raw: "x"), signal(nil, raw: "x")])
        #expect(result.ids.map { $0 != nil } == [true, false, true, true, false])
    }

    @Test func rolesOfAnyTextSurviveTheSignalsOwnList() throws {
        let dir = TempDir()
        let store = try Store.open(path: dir.file())
        let roles = ["src", #"we"ird\role"#, "rôle with space", "src"]
        let mentions = roles.map { ArtifactMention(.ip, "10.0.0.9", role: $0) } + [ArtifactMention(.user, "ana", role: "user")]
        let id = try #require(try SignalWriter(store: store).write([signal("r", artifacts: mentions)]).ids.first ?? nil)
        let stored = try store.read { tx in try tx.artifacts(ofSignal: id) }.map { "\($0.artifact.value)/\($0.role)" }.sorted()
        // The repeated (artifact, role) is one link.
        #expect(stored == ["10.0.0.9/rôle with space", "10.0.0.9/src", #"10.0.0.9/we"ird\role"#, "ana/user"])
        #expect(try rawCount(dir.file(), "SELECT count(*) FROM artifact_signals WHERE signal_id = \(id)") == 4)
    }

    private func rawCount(_ path: String, _ sql: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            sql.hasPrefix("PRAGMA") ? try Row.fetchAll(db, sql: sql).count : try Int.fetchOne(db, sql: sql) ?? 0
        }
    }
}
