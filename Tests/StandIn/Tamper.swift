import Foundation

/// What someone rewriting a taser database by hand would do, in Python's sqlite3 (no taser code):
/// used by the tests that prove `taser verify` sees it.
public enum Tamper {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Rewrites case `caseID`'s entries from `from` on, with `body` for entry `from`, sealing them
    /// again and moving the head to the new last hash: with plain SHA-256 (`seal: sha256`, what
    /// anyone can compute), or, given the key file, with HMAC and a re-signed head (what only the
    /// key's holder can do). The triggers are dropped and put back exactly as they were.
    public static func rewrite(database: String, caseID: Int64, from: Int64, body: String, keyFile: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, database, String(caseID), String(from), body] + (keyFile.map { [$0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(description: "python3 failed: \(output)") }
    }

    /// The canonical forms are those `LogEntry` and `LogHead` document: compact JSON arrays.
    static let script = #"""
        import hashlib, hmac, json, sqlite3, sys
        db, case, start, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
        key = open(sys.argv[5], 'rb').read() if len(sys.argv) > 5 else None
        def text(v): return json.dumps(v, separators=(',', ':'), ensure_ascii=False)
        def seal(t): return hmac.new(key, t.encode(), 'sha256').hexdigest() if key else hashlib.sha256(t.encode()).hexdigest()
        c = sqlite3.connect(db)
        triggers = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for name, _ in triggers: c.execute('DROP TRIGGER ' + name)
        rows = c.execute('SELECT id, seq, time, author, kind, body, data, corrects, hash FROM case_log WHERE case_id = ? ORDER BY seq', (case,)).fetchall()
        prev = '0' * 64
        for (id, seq, time, author, kind, b, data, corrects, h) in rows:
            if seq < start:
                prev = h
                continue
            if seq == start: b = body
            kind_of_seal = 'hmac' if key else 'sha256'
            new = seal(text(['taser.caselog.v2', id, case, seq, time, author, kind, b, data, corrects, kind_of_seal, prev]))
            c.execute('UPDATE case_log SET body = ?, prev_hash = ?, hash = ?, seal = ? WHERE id = ?', (b, prev, new, kind_of_seal, id))
            prev = new
        n = len(rows)
        if key:
            signature = seal(text(['taser.loghead.v1', case, n, prev]))
            c.execute('UPDATE log_heads SET hash = ?, signed_entries = ?, signed_hash = ?, signature = ? WHERE case_id = ?', (prev, n, prev, signature, case))
        else:
            c.execute('UPDATE log_heads SET hash = ? WHERE case_id = ?', (prev, case))
        for _, sql in triggers: c.execute(sql)
        c.commit()
        """#
}
