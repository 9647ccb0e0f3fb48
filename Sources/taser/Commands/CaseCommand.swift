import ArgumentParser
import Engine
import Foundation
import Model

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Open, work and export cases.",
        discussion: """
            Every change is an entry in the case's append-only log. You see the cases of your teams, those assigned to you or opened by you, and those shared with your teams.
            """,
        subcommands: [
            New.self, List.self, Show.self, Note.self, Correct.self, Assign.self, Tag.self, Status.self, Merge.self, Share.self,
            Export.self, Artifacts.self, AddArtifact.self, Related.self, Channel.self,
        ])
}

extension CaseCommand {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a case, by hand or from alerts (promote).",
            discussion: """
                Examples:
                  taser case new --title "Phishing report: fake invoice" --severity medium --tag phishing
                  taser case new --alert 12 --alert 14        (promote; the title defaults to the first alert's)
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: "The case title (defaults to the first alert's title when promoting).") var title: String?
        @Option(help: "A longer description.") var description = ""
        @Option(help: "info, low, medium, high or critical.") var severity = "medium"
        @Option(help: "Traffic Light Protocol: clear, green, amber, amber+strict, red.") var tlp = "amber"
        @Option(help: "Permissible Actions Protocol: clear, green, amber, red.") var pap = "amber"
        @Option(help: "Assign to this analyst.") var owner: String?
        @Option(help: "The team that owns the case (default: your team, if you have one).") var team: String?
        @Option(name: .customLong("tag"), help: "A tag (repeat for more).") var tags: [String] = []
        @Option(name: .customLong("field"), help: ArgumentHelp("A custom field (repeat for more).", valueName: "key=value"))
        var fields: [String] = []
        @Option(name: .customLong("alert"), help: "Promote this alert into the case (repeat for more).") var alerts: [Int64] = []
        @Flag(help: "Print the new case as JSON.") var json = false

        func run() throws {
            var custom: [String: JSONValue] = [:]
            for field in fields {
                guard let eq = field.firstIndex(of: "="), eq != field.startIndex else {
                    throw CLIError("invalid --field '\(field)'; write it as key=value")
                }
                custom[String(field[..<eq])] = .string(String(field[field.index(after: eq)...]))
            }
            let engine = try global.api()
            var caseTitle = title ?? ""
            if title == nil {
                guard let first = alerts.first else { throw CLIError("a case needs a title: --title \"...\" (or --alert ID to promote)") }
                caseTitle = try engine.alert(first).title
            }
            let c = try engine.openCase(NewCase(
                title: caseTitle, description: description, severity: try parseSeverity(severity),
                tlp: try choice(tlp, "TLP"), pap: try choice(pap, "PAP"), owner: owner, team: team, tags: tags,
                customFields: custom, alertIDs: alerts))
            if json {
                Output.jsonLines([c.json(shares: [])])
            } else {
                Output.line("Opened case \(c.id): \(c.title)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the cases you may see, newest first.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this status (new, in_progress, on_hold, resolved, closed).") var status: String?
        @Flag(help: "Only open cases (new, in progress, on hold).") var open = false
        @Option(help: "Only this team's cases.") var team: String?
        @Option(help: "Only cases assigned to this analyst.") var owner: String?
        @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 1000
        @Flag(help: "JSON Lines: one case per line.") var json = false

        func run() throws {
            let engine = try global.api(create: false)
            let filter = CaseFilter(
                status: try status.map { try choice($0, "status") }, openOnly: open, team: team, owner: owner, limit: limit)
            try List.show(try engine.cases(filter), json: json)
        }

        static func show(_ cases: [CaseSummary], json: Bool) throws {
            if json {
                Output.jsonLines(cases.map { s in
                    var o = s.case.jsonObject(shares: [])
                    o["shares"] = nil
                    o["access"] = .string(s.access == .write ? "write" : "read")
                    o["alert_count"] = .int(Int64(s.alertCount))
                    return .object(o)
                })
                return
            }
            guard !cases.isEmpty else {
                Output.note("no cases you may see; open one with `taser case new --title ...`")
                return
            }
            Output.table(
                ["#", "STATUS", "SEVERITY", "TEAM", "OWNER", "ALERTS", "UPDATED", "TITLE"],
                cases.map { s in
                    let c = s.case
                    let title = c.title + (s.access == .read ? "  (read-only)" : "") + (c.mergedInto.map { "  (merged into #\($0))" } ?? "")
                    return [
                        String(c.id), c.status.rawValue + (c.resolution.map { " (\($0.rawValue))" } ?? ""), c.severity.name,
                        c.team ?? "-", c.owner ?? "-", String(s.alertCount), Output.when(c.updatedAt), title,
                    ]
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case: fields, alerts, artifacts and its whole log.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Flag(help: "Print the case as one JSON object (as `case export --format json`).") var json = false

        func run() throws {
            let engine = try global.api(create: false)
            if json {
                Output.jsonLines([try engine.caseDocument(id)])
                return
            }
            let d = try engine.caseDetail(id)
            let c = d.case
            Output.line("Case \(c.id): \(c.title)\(d.access == .read ? "  (read-only for you)" : "")")
            Output.line("  status    \(c.status.rawValue)\(c.resolution.map { " (\($0.rawValue))" } ?? "")\(c.mergedInto.map { ", merged into #\($0)" } ?? "")")
            Output.line("  severity  \(c.severity.name)   TLP:\(c.tlp.rawValue.uppercased())   PAP:\(c.pap.rawValue.uppercased())")
            Output.line("  team      \(c.team ?? "-")   owner: \(c.owner ?? "-")")
            if !d.shares.isEmpty {
                Output.line("  shared    " + d.shares.map { "\($0.team) (\($0.level.rawValue))" }.joined(separator: ", "))
            }
            if !c.tags.isEmpty { Output.line("  tags      \(c.tags.joined(separator: ", "))") }
            for (key, value) in c.customFields.sorted(by: { $0.key < $1.key }) { Output.line("  \(key): \(value.stringValue ?? value.text)") }
            Output.line("  opened    \(Output.when(c.createdAt)) by \(c.createdBy)\(c.closedAt.map { "   closed \(Output.when($0))" } ?? "")")
            if !d.mergedFrom.isEmpty { Output.line("  merged in " + d.mergedFrom.map { "#\($0)" }.joined(separator: ", ")) }
            for channel in d.channels { Output.line("  slack     " + Show.describe(channel)) }
            if !c.description.isEmpty { Output.line("\n" + c.description) }
            if !d.alerts.isEmpty {
                Output.line("\nAlerts (\(d.alerts.count))")
                Output.table(
                    ["#", "SEVERITY", "SIGNALS", "LAST SIGNAL", "TITLE"],
                    d.alerts.map { [String($0.id), $0.severity.name, String($0.signalCount), Output.when($0.lastSignalAt), $0.title] })
            }
            if !d.artifacts.isEmpty {
                Output.line("\nArtifacts (\(d.artifacts.count); all with `taser case artifacts \(c.id)`)")
                Output.table(
                    ["TYPE", "ROLES", "SIGNALS", "VALUE"],
                    d.artifacts.prefix(15).map {
                        [$0.artifact.type.rawValue, $0.roles.joined(separator: ","), $0.addedByHand ? "by hand" : String($0.signals), $0.artifact.value]
                    })
                for a in d.artifacts.prefix(15) { try Output.enrichments(of: a.artifact, engine, indent: 2) }
            }
            Output.line("\nLog (\(d.log.count) entries)")
            // One numbering: an entry's number within its case, as the console shows it.
            let seqOf = Dictionary(uniqueKeysWithValues: d.log.map { ($0.id, $0.seq) })
            let correctedBy = Dictionary(d.log.compactMap { e in e.corrects.map { ($0, e.seq) } }, uniquingKeysWith: { a, _ in a })
            let channelNames = Dictionary(d.channels.compactMap { c in c.slackID.map { ($0, c.shownName) } }, uniquingKeysWith: { a, _ in a })
            for e in d.log {
                let corrects = e.corrects.map { " (corrects #\(seqOf[$0].map(String.init) ?? "?"))" } ?? ""
                let corrected = correctedBy[e.id].map { " (corrected by #\($0))" } ?? ""
                let folder = (e.slackChannel.map { "  " + (channelNames[$0] ?? $0) } ?? "")
                    + (e.slackParentSeq.map { " (reply to #\($0))" } ?? "")
                Output.line("  #\(e.seq) \(Output.when(e.time))  \(e.author)  \(e.kind.rawValue)\(folder)\(corrects)\(corrected)")
                for line in e.body.split(separator: "\n", omittingEmptySubsequences: false) { Output.line("        \(line)") }
            }
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to a case's log.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "The note; `-` reads it from standard input.") var text: String

        func run() throws {
            let entry = try global.api().addNote(id, try readText(text))
            Output.line("Added entry #\(entry.seq) to case \(id)")
        }
    }

    struct Correct: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a log entry: a new entry that points at it (the original stays).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "The entry to correct: its number within the case (#2 in `taser case show` and the console).") var entry: Int64
        @Argument(help: "The corrected text; `-` reads it from standard input.") var text: String

        func run() throws {
            let added = try global.api().correct(id, entry: entry, try readText(text))
            Output.line("Added entry #\(added.seq) to case \(id), correcting #\(entry)")
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign a case to an analyst.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "The analyst; `none` unassigns.") var analyst: String

        func run() throws {
            let owner = analyst == "none" ? nil : analyst
            try global.api().assign(id, to: owner)
            Output.line(owner.map { "Case \(id) assigned to \($0)" } ?? "Case \(id) unassigned")
        }
    }

    struct Tag: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or remove a case's tags.",
            discussion: """
                A tag is kept as written and compared ignoring case; each change is a log entry. Examples:
                  taser case tag 12 phishing finance
                  taser case tag 12 --remove finance
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "Tags to add.") var add: [String] = []
        @Option(name: .customLong("remove"), help: "A tag to remove (repeat for more).") var remove: [String] = []

        func run() throws {
            let tags = try global.api().tag(id, add: add, remove: remove)
            Output.line("Case \(id) tags: \(tags.isEmpty ? "none" : tags.joined(separator: ", "))")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a case through the workflow.",
            discussion: """
                new → in_progress ⇄ on_hold → resolved → closed; closing needs --resolution (true_positive, false_positive, benign, indeterminate, duplicate, other). A resolved or closed case can be reopened with in_progress.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "new, in_progress, on_hold, resolved or closed.") var status: String
        @Option(help: "Why it is resolved or closed.") var resolution: String?
        @Option(help: "A comment for the log entry.") var comment: String?

        func run() throws {
            let next: CaseStatus = try choice(status, "status")
            let why: Resolution? = try resolution.map { try choice($0, "resolution") }
            try global.api().setStatus(id, to: next, resolution: why, comment: comment)
            Output.line("Case \(id) is now \(next.rawValue)")
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge alerts or other cases into a case.",
            discussion: """
                A merged case is closed as a duplicate pointing at this one; its log stays, and both logs record the merge. Examples:
                  taser case merge 4 --alert 17 --alert 18
                  taser case merge 4 --case 9
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case to merge into.") var id: Int64
        @Option(name: .customLong("alert"), help: "An alert to merge in (repeat for more).") var alerts: [Int64] = []
        @Option(name: .customLong("case"), help: "A case to merge in (repeat for more).") var cases: [Int64] = []

        func run() throws {
            guard !alerts.isEmpty || !cases.isEmpty else { throw CLIError("name what to merge into case \(id): --alert ID or --case ID") }
            let engine = try global.api()
            if !alerts.isEmpty { try engine.mergeAlerts(alerts, into: id) }
            for other in cases { try engine.mergeCase(other, into: id) }
            Output.line("Merged into case \(id): " + (alerts.map { "alert \($0)" } + cases.map { "case \($0)" }).joined(separator: ", "))
        }
    }

    struct Share: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Share a case with another team, or revoke a share.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "The team.") var team: String
        @Flag(help: "What the team may do.") var level: ShareFlag = .read

        enum ShareFlag: String, EnumerableFlag {
            case read, write, revoke
            static func help(for value: ShareFlag) -> ArgumentHelp? {
                switch value {
                case .read: "The team may read the case (default)."
                case .write: "The team may also change it."
                case .revoke: "Take the share back."
                }
            }
        }

        func run() throws {
            let shareLevel: ShareLevel? = level == .revoke ? nil : (level == .write ? .write : .read)
            try global.api().share(id, with: team, level: shareLevel)
            Output.line(shareLevel.map { "Case \(id) shared with \(team) (\($0.rawValue))" } ?? "Case \(id) no longer shared with \(team)")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a whole case: fields, log with hashes, alerts with signals, artifacts.",
            discussion: """
                JSON carries "format" and "format_version". CSV is one RFC 4180 table whose "record" column says what each row is: case, log, alert, signal, link or artifact.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Option(help: "json or csv.") var format = "json"
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() throws {
            let fmt: ExportFormat = try choice(format, "format")
            let export = try global.api(create: false).exportCase(id)
            try Output.write(fmt == .json ? export.json.pretty() + "\n" : export.csv, to: output)
            if let output { Output.note("Wrote case \(id) to \(output)") }
        }
    }

    struct Artifacts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a case's artifacts: its alerts' plus those added by hand.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Flag(help: "JSON Lines: one artifact per line.") var json = false

        func run() throws {
            let items = try global.api(create: false).caseArtifacts(id)
            if json {
                Output.jsonLines(items.map { item in
                    var o = item.artifact.jsonObject
                    o["roles"] = .array(item.roles.map { .string($0) })
                    o["signals"] = .int(Int64(item.signals))
                    o["added_by_hand"] = .bool(item.addedByHand)
                    return .object(o)
                })
                return
            }
            Output.table(
                ["TYPE", "ROLES", "SIGNALS", "FIRST SEEN", "LAST SEEN", "VALUE"],
                items.map {
                    [$0.artifact.type.rawValue, $0.roles.joined(separator: ","), $0.addedByHand ? "by hand" : String($0.signals),
                     Output.when($0.artifact.firstSeen), Output.when($0.artifact.lastSeen), $0.artifact.value]
                })
        }
    }

    struct AddArtifact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-artifact", abstract: "Add an artifact to a case by hand.",
            discussion: "Types: \(ArtifactType.names).  Example: taser case add-artifact 3 domain evil.example --role c2")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Argument(help: "The artifact type.") var type: String
        @Argument(help: "The value.") var value: String
        @Option(help: "Its part in the case (src, dst, user, host, c2, sender, ...).") var role = "related"

        func run() throws {
            let t: ArtifactType = try choice(type, "artifact type")
            try global.api().addArtifact(id, ArtifactMention(t, value, role: role))
            Output.line("Added \(t.rawValue) \(value) to case \(id)")
        }
    }

    struct Related: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Other cases ranked by how many artifacts they share with this one.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The case number.") var id: Int64
        @Option(help: "At most this many.", transform: count(1...10_000_000)) var limit = 20
        @Flag(help: "JSON Lines: one case per line.") var json = false

        func run() throws {
            let related = try global.api(create: false).relatedCases(id, limit: limit)
            if json {
                Output.jsonLines(related.map { r in
                    ["case": .int(r.case.id), "title": .string(r.case.title), "status": .string(r.case.status.rawValue),
                     "shared": .int(Int64(r.shared)), "sample": .array(r.sample.map { .string($0) })]
                })
                return
            }
            guard !related.isEmpty else { return Output.note("no other case you may see shares an artifact with case \(id)") }
            Output.table(
                ["#", "SHARED", "STATUS", "TITLE", "SOME SHARED ARTIFACTS"],
                related.map { [String($0.case.id), String($0.shared), $0.case.status.rawValue, $0.case.title, $0.sample.joined(separator: " ")] })
        }
    }
}

/// An argument that is text, or `-` for standard input.
func readText(_ argument: String) throws -> String {
    guard argument == "-" else { return argument }
    return try readStandardInput(limit: Engine.longestNote, what: "a note")
}

/// Standard input as UTF-8 text, read up to `limit` bytes: more is an error, not a process that
/// grows with whatever was piped in.
func readStandardInput(limit: Int, what: String) throws -> String {
    var data = Data()
    while true {
        let chunk = FileHandle.standardInput.readData(ofLength: 1 << 16)
        if chunk.isEmpty { break }
        data.append(chunk)
        guard data.count <= limit else { throw CLIError("standard input is more than \(ByteCount.text(limit)), the most \(what) may be") }
    }
    guard let text = String(data: data, encoding: .utf8) else { throw CLIError("standard input is not UTF-8 text") }
    return text
}
