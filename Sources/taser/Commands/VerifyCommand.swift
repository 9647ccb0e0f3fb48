import ArgumentParser
import Engine
import Foundation
import Model

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove every case log is intact and the database file is sound.",
        discussion: """
            Checks each log entry's seal (HMAC-SHA256 with the log key, the file <db>.key beside the database that only its owner reads) and that it chains to the entry before it; checks each case's signed head (entry count and last hash), so removed, swapped, reordered and rewritten entries show; names the first problem of each case. Then runs SQLite's integrity and foreign-key checks and confirms the append-only triggers are in place, as taser wrote them. One line per problem; exits non-zero when anything is wrong.

            An analyst who is not the database's owner hears about the cases they may read only, and cannot check the keyed seals (the key is the owner's).

            A witness: --publish-heads writes every case's head to the outbox (event log.heads) for the sync endpoints that take it (a webhook); `taser serve` does it every log_heads_every. --heads FILE compares the log with heads a witness received, which catches a rewrite even by the key's holder.

            Examples:
              taser verify
              taser verify --quick --json
              taser verify --publish-heads && taser sync run --once
              taser verify --heads heads-2026-11-29.json
            """)
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Use SQLite's quick_check (faster on large files; does not compare index contents with their tables).") var quick = false
    @Flag(help: "Print the report as one JSON object.") var json = false
    @Option(help: ArgumentHelp("Compare with heads a witness received (the log.heads webhook body or its payload).", valueName: "file"))
    var heads: String?
    @Flag(help: "After a passing check, write every case's head to the outbox (event log.heads) for a witness.") var publishHeads = false

    /// A heads file is one JSON document; even a hundred thousand cases fit well within this.
    static let maxHeadsFile = 64 << 20

    func run() throws {
        let witness = try heads.map(readWitness)
        let engine = try global.api(create: false)
        let report = try engine.verify(quick: quick, witness: witness)
        let path = engine.location
        json ? printJSON(report) : printText(report, path: path)
        guard report.passed else {
            // The first problem, so a script's log says what broke; the rest are listed above.
            let problems = report.broken.map { b in "case \(b.caseID)\(b.entryID.map { " entry \($0)" } ?? ""): \(b.reason)" }
                + (report.brokenUnreadable ? ["a case you may not read is broken"] : []) + report.keyProblems + report.integrity
                + report.missingTriggers.map { "trigger \($0) is missing" } + report.changedTriggers.map { "trigger \($0) was changed" }
            let more = problems.count > 1 ? " (and \(problems.count - 1) more listed above)" : ""
            throw CLIError("verification failed: \(problems.first ?? "see above")\(more)\(publishHeads ? "; heads not published" : "")")
        }
        if publishHeads {
            let published = try engine.publishLogHeads()
            Output.note(
                "Wrote the heads of \(published.heads.count) cases to the outbox (log.heads, digest \(published.digest.prefix(16))...);"
                    + " `taser sync run` delivers them to the endpoints that take log.heads.")
        }
    }

    func readWitness(_ file: String) throws -> LogWitness {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot read --heads \(file); give the file a witness received") }
        defer { try? handle.close() }
        let data = handle.readData(ofLength: VerifyCommand.maxHeadsFile + 1)
        guard data.count <= VerifyCommand.maxHeadsFile else { throw CLIError("--heads \(file) is larger than 64 MiB; it is not a heads file") }
        do { return try LogWitness.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw CLIError("--heads \(file): \(error.description)")
        }
    }

    func printText(_ report: VerifyReport, path: String) {
        var checked = "Checked \(report.entries) log entries in \(report.cases) cases"
        if report.entries > 0 {
            checked += ": \(report.sealedWithKey) sealed with the key, \(report.sealedWithoutKey) without it, \(report.legacy) from before the keyed log"
        }
        Output.line(checked + ".")
        for b in report.broken {
            let at = b.entryID.map { "entry \($0) (#\(b.seq ?? 0) of the case): " } ?? ""
            Output.line("BROKEN case \(b.caseID): \(at)\(b.reason)")
        }
        if report.brokenUnreadable {
            Output.line("BROKEN a case you may not read: its log is not as taser wrote it; ask the database owner to run `taser verify`")
        }
        for problem in report.keyProblems { Output.line("KEY \(problem)") }
        for problem in report.integrity { Output.line("INTEGRITY \(problem)") }
        for trigger in report.missingTriggers {
            Output.line("MISSING trigger \(trigger): its table is no longer protected against UPDATE, DELETE or REPLACE")
        }
        for trigger in report.changedTriggers {
            Output.line("CHANGED trigger \(trigger): its text is not the one taser wrote; it may no longer protect its table")
        }
        for u in report.unsigned {
            let range = u.first == u.last ? "entry #\(u.first) was" : "entries #\(u.first)...#\(u.last) were"
            Output.line(
                "UNSIGNED case \(u.caseID): \(range) written without the key (by \(u.authors.joined(separator: ", "))); until an entry"
                    + " sealed with the key follows, whoever can write the file could change them unnoticed")
        }
        for note in report.notes { Output.line("NOTE \(note)") }
        if let compared = report.witnessCompared {
            Output.line("WITNESS compared \(compared) case heads with those published on \(report.witnessPublishedAt ?? "?").")
        }
        if report.damaged {
            Output.line(
                "DAMAGED the file has damaged pages: copy what SQLite can still read into a new file (sqlite3 \(path) .recover | sqlite3 NEW.db,"
                    + " or .dump where .recover fails), cp \(path).key NEW.db.key, and check it with taser --db NEW.db verify;"
                    + " or restore a backup. README's \"A damaged database\" has the steps")
        }
        if report.passed {
            let keyed = report.keyChecked ? "every chain, seal and head verifies" : "every chain and head verifies (seals made with the key unchecked)"
            Output.line("OK: \(keyed); SQLite integrity ok; append-only triggers in place.")
        }
    }

    func printJSON(_ report: VerifyReport) {
        var o: [String: JSONValue] = [
            "passed": .bool(report.passed), "cases": .int(Int64(report.cases)), "entries": .int(Int64(report.entries)),
            "sealed_with_key": .int(Int64(report.sealedWithKey)), "sealed_without_key": .int(Int64(report.sealedWithoutKey)),
            "legacy": .int(Int64(report.legacy)), "key_checked": .bool(report.keyChecked),
            "broken": .array(report.broken.map {
                ["case": .int($0.caseID), "entry": JSONValue($0.entryID), "seq": JSONValue($0.seq), "reason": .string($0.reason)]
            }),
            "broken_unreadable": .bool(report.brokenUnreadable),
            "unsigned": .array(report.unsigned.map {
                ["case": .int($0.caseID), "first": .int($0.first), "last": .int($0.last), "authors": .array($0.authors.map { .string($0) })]
            }),
            "key": .array(report.keyProblems.map { .string($0) }),
            "integrity": .array(report.integrity.map { .string($0) }), "damaged": .bool(report.damaged),
            "missing_triggers": .array(report.missingTriggers.map { .string($0) }),
            "changed_triggers": .array(report.changedTriggers.map { .string($0) }),
            "notes": .array(report.notes.map { .string($0) }),
        ]
        if let compared = report.witnessCompared {
            o["witness"] = ["compared": .int(Int64(compared)), "published_at": JSONValue(report.witnessPublishedAt)]
        }
        Output.jsonLines([.object(o)])
    }
}
