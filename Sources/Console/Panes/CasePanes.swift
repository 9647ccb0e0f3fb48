import Engine
import Foundation
import Model

/// A scrollable page of lines (an alert's detail, a case): the `list` keys move a cursor over
/// the lines that can be opened or pivoted on.
class LinesPane {
    struct Line {
        var text: String
        var role: Role = .text
        /// What Enter or `pivot` acts on, when anything.
        var target: Target?
    }

    enum Target {
        case alert(Int64)
        case artifact(Artifact)
        case entry(Int64)
        /// Another case (a related one): Enter opens it.
        case otherCase(Int64)
        /// A line of text the cursor can rest on (a pager's): nothing opens, `copy` takes it.
        case line
    }

    /// The lines shown: every line, or with a `/` filter those holding every typed word (and
    /// the headings they sit under).
    var lines: [Line] {
        get { shown }
        set {
            all = newValue
            applyFilter()
        }
    }
    private var all: [Line] = []
    private var shown: [Line] = []
    var cursor = 0
    var height = 20
    /// Off: a long line is cut at the edge, one row (the pager's `w`).
    var wraps = true
    /// Entries (`.entry` lines) shown whole; a longer one shows its first rows and how many
    /// more, until Enter unfolds it.
    var unfolded = Set<Int64>()
    static let foldedRows = 4
    /// The `/` line, as typed; `isTyping` while it takes keys.
    var filterInput = LineInput()
    var isTyping = false

    private func applyFilter() {
        let words = filterInput.text.lowercased().split(separator: " ").map(String.init)
        guard !words.isEmpty else {
            shown = all
            return
        }
        shown = all.filter { line in
            line.role == .title || line.role == .header || { let t = line.text.lowercased(); return words.allSatisfy { t.contains($0) } }()
        }
    }

    /// The `/` line's keys: each one narrows the lines at once; Enter keeps the filter, Esc
    /// (or the keymap's back key) clears it.
    func type(_ key: Key, app: App) {
        guard filterInput.filterKey(key, typing: &isTyping, cancels: app.cancels(key)) else { return }
        applyFilter()
        if current == nil { cursor = selectable.first ?? 0 }
    }

    var typedText: String? { filterInput.text }

    var selectable: [Int] { lines.indices.filter { lines[$0].target != nil } }

    func move(_ by: Int) {
        let targets = selectable
        guard !targets.isEmpty else { return }
        let at = targets.firstIndex { $0 >= cursor } ?? 0
        cursor = targets[max(0, min(targets.count - 1, at + by))]
    }

    func moveList(_ action: String) -> Bool {
        switch action {
        case "filter": isTyping = true
        case "move.down", "filter.next": move(1)
        case "move.up", "filter.previous": move(-1)
        case "page.down": move(max(1, height / 2))
        case "page.up": move(-max(1, height / 2))
        case "move.top": cursor = selectable.first ?? 0
        case "move.bottom": cursor = selectable.last ?? 0
        default: return false
        }
        return true
    }

    /// Every line whole: a long one (a note, a raw body, a field's value) wraps onto the rows
    /// below it, indented under its own start, instead of being cut at the edge. The cursor's
    /// line is kept near the middle.
    func renderLines(into grid: inout Grid, area: Rect) {
        height = area.height
        var rows: [(line: Int, text: String)] = []
        var firstRow: [Int] = []
        for (n, line) in lines.enumerated() {
            firstRow.append(rows.count)
            var pieces = wraps ? LinesPane.wrap(line.text, width: area.width - 1) : [line.text]
            if case .entry(let id)? = line.target, pieces.count > LinesPane.foldedRows + 1, !unfolded.contains(id) {
                let more = pieces.count - LinesPane.foldedRows
                pieces = Array(pieces.prefix(LinesPane.foldedRows)) + ["    … \(more) more rows (Enter shows all)"]
            }
            for piece in pieces { rows.append((n, piece)) }
        }
        let cursorRow = firstRow.indices.contains(cursor) ? firstRow[cursor] : 0
        let first = max(0, min(cursorRow - area.height / 2, rows.count - area.height))
        for (n, row) in rows.dropFirst(first).prefix(area.height).enumerated() {
            let line = lines[row.line]
            let selected = row.line == cursor && line.target != nil
            if selected { grid.fill(Rect(x: area.x, y: area.y + n, width: area.width, height: 1), .selected) }
            grid.put(row.text, x: area.x + 1, y: area.y + n, width: area.width - 1, role: selected ? .selected : line.role)
        }
    }

    /// A line cut into rows of `width` cells, at a space where one is near the edge;
    /// continuation rows are indented like the line plus two.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(8, width)
        guard CellWidth.of(text) > width else { return [text] }
        let indent = String(repeating: " ", count: min(width / 2, text.prefix { $0 == " " }.count + 2))
        var out: [String] = []
        var rest = Substring(text)
        var room = width
        while !rest.isEmpty {
            var cells = 0, cut = rest.startIndex, lastSpace: String.Index?
            while cut < rest.endIndex {
                let w = CellWidth.of(rest[cut])
                if cells + w > room { break }
                if rest[cut] == " " { lastSpace = cut }
                cells += w
                cut = rest.index(after: cut)
            }
            // At a space in the last third of the row, so words stay whole.
            if cut < rest.endIndex, let space = lastSpace, rest.distance(from: rest.startIndex, to: space) > room * 2 / 3 {
                cut = rest.index(after: space)
            }
            if cut == rest.startIndex { cut = rest.index(after: cut) }
            out.append((out.isEmpty ? "" : indent) + rest[..<cut])
            rest = rest[cut...].drop { $0 == " " }
            room = width - indent.count
        }
        return out
    }

    var current: Target? { lines.indices.contains(cursor) ? lines[cursor].target : nil }

    /// One signal as the alert view and the signal view show it: its line, fields, artifacts
    /// (each a target) with what Positron said of them; raw bodies are in the pager (`RawPane`).
    static func signalLines(
        _ signal: Signal, _ artifacts: [(artifact: Artifact, role: String)], _ enrichments: inout EnrichmentLines
    ) -> [Line] {
        var out: [Line] = []
        let revision = signal.revision > 1 ? "  (revision \(signal.revision): updated by its tool)" : ""
        out.append(Line(text: "\(Output.short(signal.time))  \(signal.kind)  \(signal.title)\(revision)", role: .text))
        for (key, value) in signal.fields.sorted(by: { $0.key < $1.key }) {
            out.append(Line(text: "    \(key) = \(value.stringValue ?? value.text)", role: .dim))
        }
        for a in artifacts {
            out.append(Line(text: "    \(a.role) \(a.artifact.type.rawValue): \(a.artifact.shownValue)", role: .field, target: .artifact(a.artifact)))
            out += enrichments.lines(for: a.artifact, indent: "        ")
        }
        return out
    }

    /// What `copy` takes: the artifact's value under the cursor, else the line as shown.
    var copyable: String? {
        if case .artifact(let a)? = current { return a.value }
        return lines.indices.contains(cursor) ? lines[cursor].text.trimmed : nil
    }

    /// Enter and `pivot` on the artifact under the cursor, as the alert and signal views do
    /// them: Enter offers the pivot and Positron's queries, `pivot` pivots at once.
    func artifactAction(_ action: String, engine: any TaserAPI, app: App) throws -> Bool {
        switch action {
        case "open": if let artifact = currentArtifact { app.offerQueries(about: artifact, pivot: true) }
        case "pivot": if let artifact = currentArtifact { app.push(try PivotPane(engine: engine, value: artifact.value)) }
        default: return false
        }
        return true
    }

    var currentArtifact: Artifact? {
        if case .artifact(let artifact)? = current { return artifact }
        return nil
    }

    /// The artifacts on the page, the one under the cursor first: what the Positron prompt
    /// offers to fill in when opened from here.
    var artifactsToAsk: [Artifact] {
        var seen = Set<Int64>()
        let all = lines.compactMap { line -> Artifact? in
            if case .artifact(let a)? = line.target { return a }
            return nil
        }
        return ([currentArtifact].compactMap { $0 } + all).filter { seen.insert($0.id).inserted }
    }
}

/// One alert, whole: its signals with fields and artifacts, and what Positron said about each.
/// Enter on an artifact offers a pivot and its queries; `p` pivots at once.
final class AlertPane: LinesPane, Pane, CopyablePane, AlertsPane, TypingPane {
    let engine: any TaserAPI
    let id: Int64

    init(engine: any TaserAPI, id: Int64) throws {
        self.engine = engine
        self.id = id
        super.init()
        try reload()
    }

    var title: String { "Alert \(id)" }
    var contexts: [String] { ["alert", "alerts", "list"] }
    var status: String { "alert \(id) · {open} on an artifact: pivot or ask Positron · {pivot} pivots" }
    var alertTargets: [Int64] { [id] }
    func alertsChanged() throws { try reload() }

    func reload() throws {
        let d = try engine.alertDetail(id)
        var out: [Line] = [
            Line(text: d.alert.title, role: .title),
            Line(text: "rule \(d.alert.rule) · \(d.alert.groupKey) · \(d.alert.severity.name) · \(d.alert.status.rawValue)"
                + (d.alert.closing.map { " (\($0.reason.rawValue) by \($0.by), \(Output.short($0.at)))" } ?? "")
                + (d.alert.caseID.map { " · case \($0)" } ?? (d.alert.status == .promoted ? " · in a case you may not read" : "")), role: .dim),
        ]
        for person in d.people { out.append(Line(text: "person \(person.identity): \(person.seen.joined(separator: ", "))", role: .dim)) }
        var enrichments = EnrichmentLines(engine: engine)
        for item in d.signals {
            out.append(Line(text: ""))
            out += LinesPane.signalLines(item.signal, item.artifacts, &enrichments)
        }
        lines = out
        if current == nil { cursor = selectable.first ?? 0 }
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "alert.raw":
            let d = try engine.alertDetail(id)
            app.push(RawPane(title: "Raw \(id)", signals: d.signals.map { ($0.signal, d.earlierRevisions[$0.signal.id] ?? []) }))
        default: return try artifactAction(action, engine: engine, app: app) || AlertVerbs.perform(action, on: self, app: app)
        }
        return true
    }
}

/// The cases the analyst may see, newest first, in aligned columns under a header, in one of
/// four views (`v` goes round them): open ones, mine (owned by me), my teams', all.
final class CaseListPane: LinesPane, Pane, TypingPane {
    let engine: any TaserAPI

    enum View: String, CaseIterable {
        case open, mine, team = "my teams", all
        var next: View { View.allCases[((View.allCases.firstIndex(of: self) ?? 0) + 1) % View.allCases.count] }
    }
    var view: View = .open

    init(engine: any TaserAPI) throws {
        self.engine = engine
        super.init()
        try reload()
    }

    var title: String { "Cases" }
    var contexts: [String] { ["cases", "list"] }
    var status: String { "\(Output.count(selectable.count, "case")) · view: \(view.rawValue) ({cases.view}: open, mine, my teams, all) · {open} opens" }

    /// Column widths: cut or padded in cells (String(format:) does not pad `%@` on Linux).
    static func row(_ id: String, _ status: String, _ severity: String, _ owner: String, _ team: String, _ alerts: String, _ updated: String, _ title: String) -> String {
        func cell(_ s: String, _ w: Int, right: Bool = false) -> String {
            let cut = String(s.prefix(w))
            let pad = String(repeating: " ", count: max(0, w - CellWidth.of(cut)))
            return right ? pad + cut : cut + pad
        }
        return [cell(id, 6, right: true), cell(status, 11), cell(severity, 8), cell(owner, 14), cell(team, 12), cell(alerts, 6, right: true),
                cell(updated, 16), title].joined(separator: "  ")
    }

    static let header = row("#", "STATUS", "SEVERITY", "OWNER", "TEAM", "ALERTS", "UPDATED", "TITLE")

    func reload() throws {
        let me = engine.callerName
        let myTeams = Set(((try? engine.analysts()) ?? []).first { $0.name == me }?.teams ?? [])
        let shown = try engine.cases(CaseFilter(limit: 5000)).filter { s in
            switch view {
            case .open: s.case.status.isOpen
            case .mine: s.case.owner == me
            case .team: s.case.team.map(myTeams.contains) ?? false
            case .all: true
            }
        }
        var out = [Line(text: CaseListPane.header, role: .header)]
        out += shown.map { s in
            let c = s.case
            return Line(
                text: CaseListPane.row(String(c.id), c.status.rawValue, c.severity.name, c.owner ?? "-", c.team ?? "-", String(s.alertCount),
                                       Output.short(c.updatedAt), c.title),
                role: c.severity.role == .severity("critical") ? .severity("critical") : .text, target: .entry(c.id))
        }
        // Pane lines are drawn as written (only the status line has `{action}` replaced by its
        // key), so this one names the views and leaves the key to the status line below.
        if shown.isEmpty { out.append(Line(text: "  no \(view == .all ? "" : view.rawValue + " ")cases in this view (the others: open, mine, my teams, all)", role: .dim)) }
        lines = out
        if current == nil { cursor = selectable.first ?? 0 }
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "cases.view":
            view = view.next
            cursor = 0
            try reload()
        case "open":
            if case .entry(let id)? = current { app.push(try CasePane(engine: engine, id: id)) }
        default:
            return false
        }
        return true
    }
}

/// A case: its fields, the timeline (the append-only log, newest at the bottom, corrections
/// shown against what they correct), its alerts and artifacts.
final class CasePane: LinesPane, Pane, CopyablePane, TypingPane {
    let engine: any TaserAPI
    let id: Int64

    init(engine: any TaserAPI, id: Int64) throws {
        self.engine = engine
        self.id = id
        super.init()
        try reload()
        cursor = lines.count - 1
    }

    var title: String { "Case \(id)" }
    var contexts: [String] { ["case", "list"] }
    var status: String {
        "case \(id) · {case.note} adds a note · {case.status} changes the status"
            + (channels.isEmpty ? " · {case.channel} asks for a Slack channel" : " · {case.folder} picks a timeline folder")
    }

    /// Which entries the timeline shows: every one, one Slack channel's (its "folder"), or
    /// those not from Slack.
    enum Folder: Equatable {
        case all, channel(String), taser

        func holds(_ entry: LogEntry) -> Bool {
            switch self {
            case .all: true
            case .channel(let id): entry.slackChannel == id
            case .taser: entry.slackChannel == nil
            }
        }
    }
    var folder: Folder = .all
    /// The case's Slack channels as of the last reload.
    var channels: [CaseChannel] = []

    /// What the analyst may do here, as of the last reload: checked before an editor opens,
    /// so text is never typed into a case that cannot take it.
    var access: AccessLevel = .read
    /// Log entry id -> its number in the case, for corrections from the timeline.
    var entries: [Int64: Int64] = [:]
    /// The case's status and tags as of the last reload: the choosers start from them.
    var caseStatus: CaseStatus = .new
    var caseTags: [String] = []

    static func meaning(_ status: CaseStatus) -> String {
        switch status {
        case .new: "not started"
        case .inProgress: "being worked"
        case .onHold: "waiting on someone"
        case .resolved: "done, with a resolution"
        case .closed: "done and closed, with a resolution"
        }
    }

    func reload() throws {
        let d = try engine.caseDetail(id)
        caseStatus = d.case.status
        caseTags = d.case.tags
        access = d.access
        let c = d.case
        var out: [Line] = [
            Line(text: "Case \(c.id): \(c.title)", role: .title),
            Line(text: "\(c.status.rawValue) · \(c.severity.name) · owner \(c.owner ?? "-") · team \(c.team ?? "-") · TLP \(c.tlp.rawValue)"
                + (c.tags.isEmpty ? "" : " · tags \(c.tags.joined(separator: ", "))")
                + (c.resolution.map { " · \($0.rawValue)" } ?? ""), role: .dim),
        ]
        if !c.description.isEmpty { out.append(Line(text: c.description)) }
        out.append(Line(text: ""))
        out.append(Line(text: "Alerts", role: .header))
        for a in d.alerts {
            out.append(Line(text: "  \(a.id)  \(a.severity.name)  \(a.title)", role: a.severity.role, target: .alert(a.id)))
        }
        out.append(Line(text: ""))
        out.append(Line(text: "Artifacts", role: .header))
        var enrichments = EnrichmentLines(engine: engine)
        for a in d.artifacts.prefix(40) {
            out.append(Line(text: "  \(a.artifact.type.rawValue): \(a.artifact.shownValue)  (\(a.roles.joined(separator: ", ")))", role: .field, target: .artifact(a.artifact)))
            out += enrichments.lines(for: a.artifact, indent: "      ")
        }
        // Cases that share artifacts with this one, as `taser case related` lists them.
        let related = (try? engine.relatedCases(id, limit: 10)) ?? []
        if !related.isEmpty {
            out.append(Line(text: ""))
            out.append(Line(text: "Related cases", role: .header))
            for r in related {
                out.append(Line(
                    text: "  \(r.case.id)  \(r.case.status.rawValue)  \(r.case.title)  (shares \(Output.count(r.shared, "artifact")): \(r.sample.joined(separator: ", ")))",
                    target: .otherCase(r.case.id)))
            }
        }
        channels = d.channels
        if !d.channels.isEmpty {
            out.append(Line(text: ""))
            out.append(Line(text: "Slack channels", role: .header))
            for c in d.channels {
                let text = c.isCreated
                    ? "  \(c.shownName)  \(c.slackID ?? "")  created \(Output.short(c.createdAt ?? c.requestedAt)) · asked for by \(c.requestedBy)"
                    : "  channel \(c.number): asked for by \(c.requestedBy) \(Output.short(c.requestedAt)), waiting for sync (the Sync pane shows why not)"
                out.append(Line(text: text, role: c.isCreated ? .text : .dim))
            }
        }
        let names = Dictionary(d.channels.compactMap { c in c.slackID.map { ($0, c.shownName) } }, uniquingKeysWith: { a, _ in a })
        if case .channel(let id) = folder, names[id] == nil { folder = .all }
        out.append(Line(text: ""))
        let folderName: String? = switch folder {
        case .all: nil
        case .channel(let id): names[id] ?? id
        case .taser: "taser's own (not from Slack)"
        }
        out.append(Line(text: "Timeline" + (folderName.map { " · folder \($0)" } ?? ""), role: .header))
        let bySeq = Dictionary(uniqueKeysWithValues: d.log.map { ($0.id, $0) })
        let correctedBy = Dictionary(d.log.compactMap { e in e.corrects.map { ($0, e.seq) } }, uniquingKeysWith: { a, _ in a })
        entries = Dictionary(uniqueKeysWithValues: d.log.map { ($0.id, $0.seq) })
        let shownEntries = d.log.filter(folder.holds)
        for entry in shownEntries {
            let corrects = (entry.corrects.flatMap { bySeq[$0] }.map { " (corrects #\($0.seq))" } ?? "")
                + (correctedBy[entry.id].map { " (corrected by #\($0))" } ?? "")
            let place = (entry.slackChannel.map { " " + (names[$0] ?? $0) } ?? "") + (entry.slackParentSeq.map { " (reply to #\($0))" } ?? "")
            let first = entry.body.split(separator: "\n", omittingEmptySubsequences: false)
            out.append(Line(text: "  #\(entry.seq) \(Output.short(entry.time)) \(entry.author) \(entry.kind.rawValue)\(place)\(corrects): \(first.first ?? "")",
                            role: entry.corrects == nil ? .text : .dim, target: .entry(entry.id)))
            for more in first.dropFirst() { out.append(Line(text: "      " + more)) }
        }
        if shownEntries.isEmpty { out.append(Line(text: "  no entries in this folder", role: .dim)) }
        lines = out
        cursor = min(cursor, lines.count - 1)
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "case.note":
            guard access >= .write else {
                app.message = ("case \(id) is shared with you read-only: notes need write access (ask its owner or team)", true)
                return true
            }
            app.edit("Note on case \(id)") { [self] text in
                guard !text.trimmed.isEmpty else { throw EngineError.invalid("an empty note is not saved") }
                _ = try engine.addNote(id, text)
                try reload()
                cursor = lines.count - 1
                app.say("note added to case \(id)")
            }
        case "case.correct":
            guard case .entry(let entryID)? = current, let seq = entries[entryID] else {
                app.message = ("move to a log entry in the timeline to correct it", true)
                return true
            }
            guard access >= .write else {
                app.message = ("case \(id) is shared with you read-only: corrections need write access", true)
                return true
            }
            app.edit("Correction of #\(seq) on case \(id)") { [self] text in
                let added = try engine.correct(id, entry: seq, text)
                try reload()
                cursor = lines.count - 1
                app.say("#\(added.seq) corrects #\(seq)")
            }
        case "case.status":
            // The moves the workflow allows from here; closing or resolving asks the resolution.
            let options = caseStatus.allowedNext.map { next in
                Chooser.Option(label: next.rawValue.replacingOccurrences(of: "_", with: " "), detail: CasePane.meaning(next)) { [self] in
                    guard next == .resolved || next == .closed else {
                        try engine.setStatus(id, to: next)
                        try reload()
                        app.say("case \(id) is \(next.rawValue)")
                        return
                    }
                    app.choose("Resolution of case \(id)", Resolution.allCases.map { resolution in
                        Chooser.Option(label: resolution.rawValue.replacingOccurrences(of: "_", with: " "), detail: "") { [self] in
                            try engine.setStatus(id, to: next, resolution: resolution)
                            try reload()
                            app.say("case \(id) is \(next.rawValue) (\(resolution.rawValue))")
                        }
                    }, otherwise: "no resolutions")
                }
            }
            app.choose("Case \(id) is \(caseStatus.rawValue); move it to", options, otherwise: "case \(id) cannot move from \(caseStatus.rawValue)")
        case "case.assign":
            app.pickAnalyst("Assign case \(id) to:", unassign: { [self] in
                try engine.assign(id, to: nil)
                try reload()
                app.say("case \(id) unassigned")
            }) { [self] who in
                try engine.assign(id, to: who)
                try reload()
                app.say("case \(id) assigned to \(who)")
            }
        case "case.tag":
            // The tags in use (this case's first, marked): choosing one it has removes it,
            // another adds it; text that matches none is a new tag.
            let inUse = (try? engine.tagUses()) ?? []
            let mine = Set(caseTags.map { $0.lowercased() })
            let ordered = inUse.filter { mine.contains($0.tag.lowercased()) } + inUse.filter { !mine.contains($0.tag.lowercased()) }
            let options = ordered.map { item in
                let has = mine.contains(item.tag.lowercased())
                return Chooser.Option(label: (has ? "- " : "+ ") + item.tag, detail: has ? "remove from this case" : "add (\(counted(item.cases, "case")))",
                                      role: has ? .marked : .text) { [self] in
                    try engine.tag(id, add: has ? [] : [item.tag], remove: has ? [item.tag] : [])
                    try reload()
                    app.say("case \(id): \(has ? "removed" : "added") \(item.tag)")
                }
            }
            app.pick("Tag case \(id) (type a new one, or choose):", options, otherwise: "", typed: { [self] text in
                try engine.tag(id, add: [text])
                try reload()
                app.say("case \(id): added \(text)")
            })
        case "case.share":
            let teams = (try? engine.teams()) ?? []
            app.pick("Share case \(id) with team:", teams.map { team in
                Chooser.Option(label: team.name, detail: [team.description, counted(team.members.count, "member")].filter { !$0.isEmpty }.joined(separator: " · ")) { [self] in
                    app.choose("Share with \(team.name) to", [ShareLevel.read, .write].map { level in
                        Chooser.Option(label: level == .read ? "read" : "write", detail: level == .read ? "see the case and its log" : "also add notes and change it") { [self] in
                            try engine.share(id, with: team.name, level: level)
                            try reload()
                            app.say("case \(id) shared with \(team.name) (\(level == .read ? "read" : "write"))")
                        }
                    }, otherwise: "")
                }
            }, otherwise: "no teams yet; an admin creates them")
        case "case.export":
            app.prompt("Export case \(id) to file (.json or .csv):", initial: "case-\(id).json") { [self] typed in
                let path = (typed.trimmed as NSString).expandingTildeInPath
                guard !path.isEmpty else { throw EngineError.invalid("no file named: type a path such as case-\(id).json") }
                let write = { [self] in
                    let export = try engine.exportCase(id)
                    let text = path.hasSuffix(".csv") ? export.csv : export.json.pretty() + "\n"
                    try text.write(toFile: path, atomically: true, encoding: .utf8)
                    app.say("case \(id) written to \(path)")
                }
                // A file already there is someone's: replacing it is asked, never assumed.
                if FileManager.default.fileExists(atPath: path) {
                    app.confirm("\(path) exists. Replace it?", then: write)
                } else {
                    try write()
                }
            }
        case "case.channel":
            guard access >= .write else {
                app.message = ("case \(id) is shared with you read-only: a Slack channel needs write access", true)
                return true
            }
            let next = (channels.map(\.number).max() ?? 0) + 1
            app.confirm("Ask for Slack channel \(next) for case \(id)? Sync creates it and invites the owner and the team") { [self] in
                let channel = try engine.requestSlackChannel(id, endpoint: Engine.defaultSlackEndpoint)
                try reload()
                app.say("Slack channel \(channel.number) requested for case \(id): sync creates it (the Sync pane shows why when it cannot)")
            }
        case "case.folder":
            let log = (try? engine.caseDetail(id).log) ?? []
            func count(_ f: Folder) -> String { let n = log.filter(f.holds).count; return n == 1 ? "1 entry" : "\(n) entries" }
            var options = [Chooser.Option(label: "every entry", detail: count(.all), role: folder == .all ? .marked : .text) { [self] in
                folder = .all
                try reload()
            }]
            for c in channels where c.isCreated {
                guard let slackID = c.slackID else { continue }
                options.append(Chooser.Option(label: c.shownName, detail: count(.channel(slackID)), role: folder == .channel(slackID) ? .marked : .text) { [self] in
                    folder = .channel(slackID)
                    try reload()
                    cursor = lines.count - 1
                })
            }
            options.append(Chooser.Option(label: "taser's own", detail: count(.taser) + " not from Slack", role: folder == .taser ? .marked : .text) { [self] in
                folder = .taser
                try reload()
                cursor = lines.count - 1
            })
            app.choose("Timeline folder of case \(id)", options, otherwise: "")
        case "open":
            switch current {
            case .alert(let alert)?: app.push(try AlertPane(engine: engine, id: alert))
            case .artifact(let artifact)?: app.offerQueries(about: artifact, pivot: true)
            case .otherCase(let other)?: app.push(try CasePane(engine: engine, id: other))
            case .entry(let entry)?:
                if unfolded.contains(entry) { unfolded.remove(entry) } else { unfolded.insert(entry) }
            default: break
            }
        case "case.pivot":
            switch current {
            case .alert(let alert)?: app.push(try AlertPane(engine: engine, id: alert))
            case .artifact(let artifact)?: app.push(try PivotPane(engine: engine, value: artifact.value))
            default: break
            }
        default:
            return false
        }
        return true
    }
}
