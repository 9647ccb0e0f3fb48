import Foundation
import Testing

@Suite struct CLITests {
    @Test func twoProcessesWritingAtOnceLoseNothing() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let perWriter = 25
        // Two shell loops of `taser case note`, as two analysts would run them.
        func loop(_ who: String) -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "for i in $(seq 1 \(perWriter)); do \"$0\" --db \"$1\" --as ana case note 1 \"\(who) $i\" || exit 1; done 2>&1", Taser.binary, db]
            p.standardOutput = Pipe()
            return p
        }
        let writers = [loop("first"), loop("second")]
        var outputs: [String] = []
        for w in writers { try w.run() }
        for w in writers {
            let data = (w.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
            w.waitUntilExit()
            outputs.append(String(decoding: data, as: UTF8.self))
            #expect(w.terminationStatus == 0)
        }
        #expect(!outputs.joined().contains("locked"))
        let show = try Taser.run(["--db", db, "case", "show", "1", "--json"])
        for who in ["first", "second"] {
            for i in 1...perWriter { #expect(show.stdout.contains("\"\(who) \(i)\"")) }
        }
        let verify = try Taser.run(["--db", db, "verify"])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test func demoListExportVerifyAndTamper() throws {
        let dir = TempDir()
        let db = dir.file("d.db")
        let demo = try Taser.run(["demo", "--signals", "5000", "--db", db, "--end", "2026-11-01"])
        try #require(demo.status == 0, "\(demo.stderr)")
        let list = try Taser.run(["--db", db, "case", "list", "--json"])
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.hasPrefix("{") && $0.contains("\"status\"") })
        let export = try Taser.run(["--db", db, "case", "export", "1", "--format", "json"])
        #expect(export.status == 0)
        #expect(export.stdout.contains("\"prev_hash\"") && export.stdout.contains("\"format_version\": 1"))
        let file = dir.file("case1.csv")
        #expect(try Taser.run(["--db", db, "case", "export", "1", "--format", "csv", "--output", file]).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("record,case,id,seq,time"))
        let users = try Taser.run(["--db", db, "export", "artifacts", "--type", "user", "--kind", "SSO login from a new location"])
        #expect(users.status == 0)
        #expect(users.stdout.hasPrefix("type,value,roles"))
        #expect(users.stdout.split(separator: "\r\n").dropFirst().allSatisfy { $0.hasPrefix("user,") })

        #expect(try Taser.run(["--db", db, "verify"]).status == 0)
        // Tamper the way someone with the file would: drop the trigger, rewrite a note.
        let tamper = Process()
        tamper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tamper.arguments = ["python3", "-c", """
            import sqlite3,sys
            c=sqlite3.connect(sys.argv[1])
            c.execute("DROP TRIGGER case_log_no_update")
            c.execute("UPDATE case_log SET body='nothing to see' WHERE id=3")
            c.commit()
            """, db]
        try tamper.run()
        tamper.waitUntilExit()
        let verify = try Taser.run(["--db", db, "verify"])
        #expect(verify.status != 0)
        #expect(verify.stdout.contains("entry 3"))
        #expect(verify.stderr.contains("entry 3"))
    }

    @Test func noteFromStandardInputAndHelp() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let r = try Taser.run(["--db", db, "--as", "ana", "case", "note", "1", "-"], stdin: "from a pipe\nsecond line\n")
        #expect(r.status == 0)
        #expect(try Taser.run(["--db", db, "case", "show", "1"]).stdout.contains("second line"))
        let help = try Taser.run(["case", "status", "--help"])
        #expect(help.stdout.contains("resolution"))
    }

    @Test func tagsAreAddedAndRemovedWithALogEntryEach() throws {
        let dir = TempDir()
        let db = try seededDatabase(dir)
        let added = try Taser.run(["--db", db, "--as", "ana", "case", "tag", "1", "phishing", "Finance"])
        #expect(added.status == 0 && added.stdout.contains("Case 1 tags: ") && added.stdout.contains("phishing") && added.stdout.contains("Finance"), "\(added.stdout)\(added.stderr)")
        let removed = try Taser.run(["--db", db, "--as", "ana", "case", "tag", "1", "--remove", "finance"])
        #expect(removed.status == 0 && !removed.stdout.contains("Finance"), "\(removed.stdout)")
        let shown = try Taser.run(["--db", db, "case", "show", "1"]).stdout
        #expect(shown.contains("Tags: +phishing +Finance") && shown.contains("Tags: -Finance"), "\(shown)")
        let bad = try Taser.run(["--db", db, "--as", "ana", "case", "tag", "1"])
        #expect(bad.status != 0 && bad.stderr.contains("name a tag to add or remove") && bad.stderrLines.count == 1, "\(bad.stderr)")
    }
}

@Suite struct DemoDeterminismTests {
    /// Two separate processes (different hash seeds, different Dictionary orders) build the same file,
    /// but for what each file's own random log key seals (`Tx.fingerprint(sealsExcluded:)`).
    @Test func theSameSeedGivesTheSameFileAcrossProcesses() throws {
        let dir = TempDir()
        var dumps: [String] = []
        for (name, seed) in [("a.db", "5"), ("b.db", "5"), ("c.db", "6")] {
            let r = try Taser.run(["demo", "--signals", "3000", "--seed", seed, "--end", "2026-10-01", "--db", dir.file(name)])
            try #require(r.status == 0, "\(r.stderr)")
            let dump = Process()
            dump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            dump.arguments = ["python3", "-c", Self.dumpWithoutSeals, dir.file(name)]
            let out = Pipe()
            dump.standardOutput = out
            try dump.run()
            dumps.append(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            dump.waitUntilExit()
        }
        #expect(dumps[0].count == 65)
        #expect(dumps[0] == dumps[1])
        #expect(dumps[0] != dumps[2])
    }

    static let dumpWithoutSeals = #"""
        import hashlib, json, sqlite3, sys
        c = sqlite3.connect(sys.argv[1])
        sealed = {'case_log': {'hash', 'prev_hash'}, 'log_heads': {'hash', 'signed_hash', 'signature'}}
        out = []
        for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'log_key' ORDER BY name"):
            cols = [r[1] for r in c.execute('PRAGMA table_info("%s")' % t)]
            for row in c.execute('SELECT * FROM "%s" ORDER BY %s' % (t, ', '.join(str(i + 1) for i in range(len(cols))))):
                row = ['-' if col in sealed.get(t, ()) else v for col, v in zip(cols, row)]
                if t == 'outbox':
                    p = json.loads(row[cols.index('payload')])
                    p.pop('hash', None); p.pop('prev_hash', None)
                    row[cols.index('payload')] = json.dumps(p, sort_keys=True)
                out.append(t + repr(row))
        print(hashlib.sha256('\n'.join(out).encode()).hexdigest())
        """#
}
