import Foundation
import Testing

/// Issue 12, "nothing about an unreadable case leaks", end to end on the demo with the real
/// binary: maya.ortiz (soc and ir) promotes an alert of team soc into an ir case; ana.silva
/// (soc only) still sees the alert, and no command of hers names that case, or any other case
/// she may not read, or finds what only such a case holds. Run with `--as` (the owner acting
/// as her) and as a real OS login of the database, through setpriv.
@Suite(.serialized) struct HiddenCaseCLITests {
    /// The demo, the alert A and the ir case N it went into, and what ana.silva may read.
    struct Demo {
        let dir = TempDir()
        let db: String
        let alert: Int64
        let hidden: Int64
        /// Every case ana.silva may not read (N among them).
        let unreadable: Set<Int64>
        /// Values only cases she may not read hold: hand-added, in no signal.
        let hiddenValues: [String]

        init() throws {
            let db = dir.file("demo.db")
            let demo = try Taser.run(["demo", "--db", db, "--signals", "20000", "--end", "2026-11-01"])
            try #require(demo.status == 0, "\(demo.stderr)")
            func admin(_ args: [String]) throws -> Taser.Result {
                let r = try Taser.run(["--db", db] + args)
                try #require(r.status == 0, "taser \(args.joined(separator: " ")): \(r.stderr)")
                return r
            }
            // The demo's own people: ana.silva is in soc alone, maya.ortiz in soc and ir.
            let people = objects(try admin(["analyst", "list", "--json"]).stdout)
            func teams(_ login: String) -> Set<String> {
                Set((people.first { $0["login"] as? String == login }?["teams"] as? [String]) ?? [])
            }
            try #require(teams("ana.silva") == ["soc"] && teams("maya.ortiz").isSuperset(of: ["soc", "ir"]), "\(people)")

            // A: a new alert of team soc, as ana.silva lists them.
            let listed = objects(try admin(["--as", "ana.silva", "alert", "list", "--status", "new", "--limit", "100000", "--json"]).stdout)
            let candidate = listed.first { $0["team"] as? String == "soc" && $0["case"] is NSNull }
            let alert = try #require(number(candidate?["id"]), "no new soc alert in the demo")

            let opened = objects(try admin(["--as", "maya.ortiz", "case", "new", "--alert", String(alert), "--team", "ir", "--json"]).stdout)
            let hidden = try #require(number(opened.first?["id"]))
            let secret = "leak-check-\(UUID().uuidString.prefix(8).lowercased()).example"
            _ = try admin(["--as", "maya.ortiz", "case", "add-artifact", String(hidden), "domain", secret, "--role", "c2"])

            let all = Set(objects(try admin(["case", "list", "--json"]).stdout).compactMap { number($0["id"]) })
            let readable = Set(objects(try admin(["--as", "ana.silva", "case", "list", "--json"]).stdout).compactMap { number($0["id"]) })
            let unreadable = all.subtracting(readable)
            try #require(unreadable.contains(hidden) && !readable.isEmpty)

            // What only unreadable cases hold, found from the admin's exports and pivots.
            var values: [String] = []
            for id in unreadable.sorted() {
                let export = try JSONSerialization.jsonObject(with: Data(try admin(["case", "export", String(id), "--format", "json"]).stdout.utf8))
                for a in ((export as? [String: Any])?["artifacts"] as? [[String: Any]]) ?? [] {
                    guard a["added_by_hand"] as? Bool == true, number(a["signals"]) == 0, let value = a["value"] as? String else { continue }
                    let places = objects(try admin(["pivot", value, "--json"]).stdout)
                    if places.allSatisfy({ $0["record"] as? String == "case" && unreadable.contains(number($0["id"]) ?? -1) }) {
                        values.append(value)
                    }
                }
            }
            try #require(values.contains(secret), "\(values)")
            self.db = db
            self.alert = alert
            self.hidden = hidden
            self.unreadable = unreadable
            self.hiddenValues = values
        }

        /// Whether a command's output names a case she may not read: `case N`, `#N`, or a
        /// `case`/`cases` field holding N.
        func namesAnUnreadableCase(_ text: String) -> [Int64] {
            var named: [Int64] = []
            let patterns = [#"case (\d+)"#, #"case #(\d+)"#, #""case"\s*:\s*(\d+)"#]
            for pattern in patterns {
                let regex = try! NSRegularExpression(pattern: pattern)
                for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let r = Range(m.range(at: 1), in: text), let id = Int64(text[r]), unreadable.contains(id) { named.append(id) }
                }
            }
            for object in objects(text) {
                for id in (object["cases"] as? [Any] ?? []).compactMap(number) where unreadable.contains(id) { named.append(id) }
            }
            return named
        }

        /// The issue's checks, run by `taser` as someone in team soc alone (ana.silva through
        /// `--as`, or a real login).
        func check(as who: String, _ run: ([String]) throws -> Taser.Result) throws {
            let before = try Taser.run(["--db", db, "case", "list", "--json"]).stdout
                + (try Taser.run(["--db", db, "alert", "show", String(alert), "--json"]).stdout)

            // 1. alert show and alert list: the alert is hers, promoted, in no case she could name.
            let show = try run(["alert", "show", String(alert)])
            #expect(show.status == 0, "\(who): \(show.stderr)")
            #expect(show.stdout.contains("promoted (in a case you may not read)"), "\(who): \(show.stdout)")
            #expect(namesAnUnreadableCase(show.stdout).isEmpty, "\(who): \(show.stdout)")
            let shown = objects(try run(["alert", "show", String(alert), "--json"]).stdout)
            #expect(shown.count == 1 && shown.first?["case"] is NSNull && shown.first?["status"] as? String == "promoted", "\(who): \(shown)")
            let list = try run(["alert", "list", "--limit", "100000", "--json"])
            #expect(list.status == 0, "\(who): \(list.stderr)")
            let alerts = objects(list.stdout)
            #expect(alerts.contains { number($0["id"]) == alert && $0["case"] is NSNull }, "\(who): alert \(alert) not listed without its case")
            #expect(alerts.allSatisfy { !unreadable.contains(number($0["case"]) ?? -1) })
            #expect(namesAnUnreadableCase(list.stdout).isEmpty)
            let table = try run(["alert", "list", "--limit", "100000"]).stdout
            let row = table.split(separator: "\n").first { $0.split(separator: " ").first == Substring(String(alert)) }
            #expect(row.map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] == "hidden" } == true, "\(who): \(row ?? "no row")")

            // 2. case new --alert A: refused, one line, naming no case, changing nothing.
            let promote = try run(["case", "new", "--alert", String(alert), "--title", "mine now"])
            #expect(promote.status != 0 && promote.status < 128)
            #expect(promote.stderrLines.count == 1 && promote.stderr.contains("alert \(alert) is already in a case you may not read"), "\(who): \(promote.stderr)")
            #expect(namesAnUnreadableCase(promote.stderr + promote.stdout).isEmpty, "\(who): \(promote.stderr)")
            let after = try Taser.run(["--db", db, "case", "list", "--json"]).stdout
                + (try Taser.run(["--db", db, "alert", "show", String(alert), "--json"]).stdout)
            #expect(after == before, "\(who): a refused promotion changed the database")

            // 3. export artifacts: no unreadable case in `cases`, nothing only they hold.
            let export = try run(["export", "artifacts", "--json"])
            #expect(export.status == 0, "\(who): \(export.stderr)")
            #expect(!objects(export.stdout).isEmpty)
            #expect(namesAnUnreadableCase(export.stdout).isEmpty, "\(who): names \(namesAnUnreadableCase(export.stdout))")
            for value in hiddenValues { #expect(!export.stdout.contains(value), "\(who): export lists \(value)") }

            // 4. artifacts --search and pivot agree: what only unreadable cases hold is not there.
            for value in hiddenValues {
                let search = try run(["artifacts", "--search", value, "--json"])
                #expect(search.status == 0 && search.stdout.isEmpty, "\(who): artifacts --search \(value): \(search.stdout)")
                let pivot = try run(["pivot", value])
                #expect(pivot.status != 0 && pivot.stderr.contains("no artifact '\(value)'"), "\(who): pivot \(value): \(pivot.stdout)")
            }
        }
    }

    @Test func anAnalystWhoMayNotReadTheCaseFindsNoTraceOfIt() throws {
        let demo = try Demo()
        try demo.check(as: "--as ana.silva") { args in try Taser.run(["--db", demo.db, "--as", "ana.silva"] + args) }
        // Maya, who may read the case, is shown it everywhere ana is not.
        let maya = { (args: [String]) in try Taser.run(["--db", demo.db, "--as", "maya.ortiz"] + args) }
        #expect(try maya(["alert", "show", String(demo.alert)]).stdout.contains("(case \(demo.hidden))"))
        #expect(try maya(["case", "new", "--alert", String(demo.alert), "--team", "soc"]).stderr.contains("already in case \(demo.hidden)"))
        let exported = objects(try maya(["export", "artifacts", "--json"]).stdout)
        #expect(exported.contains { ($0["cases"] as? [Any] ?? []).compactMap(number).contains(demo.hidden) })
        for value in demo.hiddenValues {
            let found = objects(try maya(["artifacts", "--search", value, "--json"]).stdout)
            #expect(found.contains { $0["value"] as? String == value }, "maya: artifacts --search \(value)")
            #expect(try maya(["pivot", value]).status == 0)
        }
    }

    @Test func aRealLoginOfTheDatabaseFindsNoTraceOfIt() throws {
        let demo = try Demo()
        let login = "tleak" + UUID().uuidString.prefix(8).lowercased()
        let add = try Self.system(["/usr/sbin/useradd", "--no-create-home", "--no-user-group", "--shell", "/usr/sbin/nologin", login])
        try #require(add.status == 0, "useradd \(login): \(add.output)")
        defer { _ = try? Self.system(["/usr/sbin/userdel", login]) }
        let uid = try #require(Int(try Self.system(["/usr/bin/id", "-u", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let gid = try #require(Int(try Self.system(["/usr/bin/id", "-g", login]).output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let added = try Taser.run(["--db", demo.db, "analyst", "add", login, "--team", "soc"])
        try #require(added.status == 0, "\(added.stderr)")
        // The file (and its WAL) writable for them, as a team lead would set up a shared file.
        chmod(demo.dir.path, 0o777)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: demo.db + suffix) { chmod(demo.db + suffix, 0o666) }
        let launcher = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"]
        let whoami = try Taser.run(["--db", demo.db, "whoami"], env: ["HOME": demo.dir.path], launcher: launcher)
        try #require(whoami.status == 0 && whoami.stdout.hasPrefix(login) && !whoami.stdout.contains("admin"), "\(whoami.stdout)\(whoami.stderr)")
        try demo.check(as: login) { args in try Taser.run(["--db", demo.db] + args, env: ["HOME": demo.dir.path], launcher: launcher) }
    }

    /// Runs a system tool (useradd, id) and returns its exit status and output.
    static func system(_ argv: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// JSON Lines as objects (lines that are not JSON objects are skipped).
private func objects(_ text: String) -> [[String: Any]] {
    text.split(separator: "\n").compactMap { line in
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
}

/// A JSON number as an id.
private func number(_ value: Any?) -> Int64? {
    switch value {
    case let n as Int64: n
    case let n as Int: Int64(n)
    case let n as NSNumber: n.int64Value
    default: nil
    }
}
