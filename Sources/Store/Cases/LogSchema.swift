internal import GRDB

/// The triggers that keep the append-only tables append-only, in one place: the v10 migration
/// (re)creates them from here, and `taser verify` checks each is present with exactly this text
/// (a trigger replaced by a same-named one that does nothing is as good as dropped).
///
/// Each table refuses UPDATE and DELETE, and also INSERT of a row whose key already exists:
/// `INSERT OR REPLACE` (and REPLACE, and an UPSERT's insert) would otherwise delete the old row
/// without firing the DELETE trigger (SQLite fires it only with `recursive_triggers` on, which
/// someone rewriting the file with the sqlite3 shell will not turn on).
enum AppendOnly {
    struct Trigger {
        var name: String
        var sql: String
    }

    static let triggers: [Trigger] = [
        Trigger(name: "case_log_no_update", sql: """
            CREATE TRIGGER case_log_no_update BEFORE UPDATE ON case_log
              BEGIN SELECT RAISE(ABORT, 'case_log is append-only: write a correction instead'); END
            """),
        Trigger(name: "case_log_no_delete", sql: """
            CREATE TRIGGER case_log_no_delete BEFORE DELETE ON case_log
              BEGIN SELECT RAISE(ABORT, 'case_log is append-only: entries cannot be deleted'); END
            """),
        Trigger(name: "case_log_no_replace", sql: """
            CREATE TRIGGER case_log_no_replace BEFORE INSERT ON case_log
              WHEN EXISTS (SELECT 1 FROM case_log WHERE id = NEW.id)
                OR EXISTS (SELECT 1 FROM case_log WHERE case_id = NEW.case_id AND seq = NEW.seq)
              BEGIN SELECT RAISE(ABORT, 'case_log is append-only: an entry cannot be replaced (REPLACE, UPSERT)'); END
            """),
        Trigger(name: "case_log_correction_same_case", sql: """
            CREATE TRIGGER case_log_correction_same_case BEFORE INSERT ON case_log
              WHEN NEW.corrects IS NOT NULL
               AND (SELECT case_id FROM case_log WHERE id = NEW.corrects) IS NOT NEW.case_id
              BEGIN SELECT RAISE(ABORT, 'a correction must point at an entry of the same case'); END
            """),
        Trigger(name: "rule_versions_no_update", sql: """
            CREATE TRIGGER rule_versions_no_update BEFORE UPDATE ON rule_versions
              BEGIN SELECT RAISE(ABORT, 'rule versions are kept as written: save a new version instead'); END
            """),
        Trigger(name: "rule_versions_no_delete", sql: """
            CREATE TRIGGER rule_versions_no_delete BEFORE DELETE ON rule_versions
              BEGIN SELECT RAISE(ABORT, 'rule versions are kept as written'); END
            """),
        Trigger(name: "rule_versions_no_replace", sql: """
            CREATE TRIGGER rule_versions_no_replace BEFORE INSERT ON rule_versions
              WHEN EXISTS (SELECT 1 FROM rule_versions WHERE rule_id = NEW.rule_id AND version = NEW.version)
              BEGIN SELECT RAISE(ABORT, 'rule versions are kept as written: a version cannot be replaced (REPLACE, UPSERT)'); END
            """),
        Trigger(name: "rule_changes_no_update", sql: """
            CREATE TRIGGER rule_changes_no_update BEFORE UPDATE ON rule_changes
              BEGIN SELECT RAISE(ABORT, 'rule history is append-only'); END
            """),
        Trigger(name: "rule_changes_no_delete", sql: """
            CREATE TRIGGER rule_changes_no_delete BEFORE DELETE ON rule_changes
              BEGIN SELECT RAISE(ABORT, 'rule history is append-only'); END
            """),
        Trigger(name: "rule_changes_no_replace", sql: """
            CREATE TRIGGER rule_changes_no_replace BEFORE INSERT ON rule_changes
              WHEN EXISTS (SELECT 1 FROM rule_changes WHERE id = NEW.id)
              BEGIN SELECT RAISE(ABORT, 'rule history is append-only: a change cannot be replaced (REPLACE, UPSERT)'); END
            """),
        Trigger(name: "query_audit_no_update", sql: """
            CREATE TRIGGER query_audit_no_update BEFORE UPDATE ON query_audit
              BEGIN SELECT RAISE(ABORT, 'the query audit is append-only'); END
            """),
        Trigger(name: "query_audit_no_delete", sql: """
            CREATE TRIGGER query_audit_no_delete BEFORE DELETE ON query_audit
              BEGIN SELECT RAISE(ABORT, 'the query audit is append-only'); END
            """),
        Trigger(name: "query_audit_no_replace", sql: """
            CREATE TRIGGER query_audit_no_replace BEFORE INSERT ON query_audit
              WHEN EXISTS (SELECT 1 FROM query_audit WHERE id = NEW.id)
              BEGIN SELECT RAISE(ABORT, 'the query audit is append-only: a row cannot be replaced (REPLACE, UPSERT)'); END
            """),
        // Heads move forward only; a head is never removed or swapped for another.
        Trigger(name: "log_heads_no_delete", sql: """
            CREATE TRIGGER log_heads_no_delete BEFORE DELETE ON log_heads
              BEGIN SELECT RAISE(ABORT, 'a case log head cannot be deleted'); END
            """),
        Trigger(name: "log_heads_no_replace", sql: """
            CREATE TRIGGER log_heads_no_replace BEFORE INSERT ON log_heads
              WHEN EXISTS (SELECT 1 FROM log_heads WHERE case_id = NEW.case_id)
              BEGIN SELECT RAISE(ABORT, 'a case log head cannot be replaced (REPLACE, UPSERT)'); END
            """),
        Trigger(name: "log_heads_forward_only", sql: """
            CREATE TRIGGER log_heads_forward_only BEFORE UPDATE ON log_heads
              WHEN NEW.case_id IS NOT OLD.case_id OR NEW.entries < OLD.entries OR NEW.signed_entries < OLD.signed_entries
              BEGIN SELECT RAISE(ABORT, 'a case log head only moves forward'); END
            """),
    ]

    /// What `sqlite_master` holds for a trigger, compared without regard to spacing.
    static func normalized(_ sql: String) -> String {
        sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension Schema {
    /// The keyed log (see `LogKey`, `LogHead`). Entries written before it keep their SHA-256 seal
    /// over the v1 form (`seal = 'legacy'`) and are not rewritten: history stays as it was
    /// written. Each case gets its head from its entries as they stand; the database owner's
    /// first run after the upgrade makes the key and signs every head (`Store.adoptLogKey`), which
    /// pins the legacy entries from then on.
    static func v10KeyedLog(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE case_log ADD COLUMN seal TEXT NOT NULL DEFAULT 'legacy';

            -- Each case's head: `entries` and `hash` follow every append; `signed_*` is the last
            -- head a key holder signed (`signature`, HMAC under the key; NULL: never signed).
            CREATE TABLE log_heads (
              case_id INTEGER PRIMARY KEY REFERENCES cases(id),
              entries INTEGER NOT NULL,
              hash TEXT NOT NULL,
              signed_entries INTEGER NOT NULL DEFAULT 0,
              signed_hash TEXT NOT NULL,
              signature TEXT
            );
            INSERT INTO log_heads (case_id, entries, hash, signed_entries, signed_hash, signature)
              SELECT c.id,
                     coalesce((SELECT max(l.seq) FROM case_log l WHERE l.case_id = c.id), 0),
                     coalesce((SELECT l.hash FROM case_log l WHERE l.case_id = c.id ORDER BY l.seq DESC LIMIT 1), '\(genesis)'),
                     0, '\(genesis)', NULL
              FROM cases c;

            -- Which key sealed the log (an HMAC of a fixed text, not the key), and how many heads
            -- it has signed, itself signed: stripping a head's signature shows.
            CREATE TABLE log_key (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              key_id TEXT NOT NULL,
              signed_cases INTEGER NOT NULL,
              signature TEXT NOT NULL,
              created_at INTEGER NOT NULL
            );
            """)
        for trigger in AppendOnly.triggers {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger.name)")
            try db.execute(sql: trigger.sql)
        }
    }

    private static let genesis = String(repeating: "0", count: 64)
}
