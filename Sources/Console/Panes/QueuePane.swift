import Engine
import Foundation
import Model

/// The alert queue: a window of rows read from the store by key around the cursor (never all
/// of them), a live filter, marks for bulk actions, and the selected alert's signals beside it.
final class QueuePane: Pane, TypingPane, CopyablePane, MarkingPane, AlertsPane {
    let engine: any TaserAPI
    var order: QueueOrder = .time
    var filter = QueueFilter()
    var filterInput = LineInput()
    var isTyping = false
    /// The rows on screen, top first; `cursor` indexes them.
    var rows: [Alert] = []
    var cursor = 0
    /// How many rows the last render showed: what paging moves by. Before the first render the
    /// real height is unknown: `needsFill` then asks for the rows a taller window shows.
    var height = 20
    /// The window grew (the first render, a resize) and may show more rows than it holds.
    var needsFill = false
    /// The window starts at the queue's first row: new alerts, which sort first, come into
    /// view there without a key (the cursor stays on the alert it was on).
    var atTop = true
    var marks: Set<Int64> = []
    /// Nil until counted: counting waits for a pause in typing (`countIfStale`), so a filter
    /// keystroke costs one page, not a count of a million rows.
    var count: Int?
    private var detail: AlertDetail?
    /// The selected alert's detail while it is read on a worker thread.
    private var loading: (id: Int64, result: Pending<AlertDetail>)?
    /// How long a keystroke waits for the detail before its frame is drawn without it: most
    /// come well within this (embedded or through the daemon), and a slow one is drawn when
    /// it comes instead of holding up the list.
    static let detailWait = 0.002

    init(engine: any TaserAPI) throws {
        self.engine = engine
        try reload()
    }

    var title: String { "Queue" }
    var contexts: [String] { ["queue", "alerts", "list"] }
    var selected: Alert? { rows.indices.contains(cursor) ? rows[cursor] : nil }
    /// The selected alert's group key values (`lt-klope47`), else its title.
    var copyable: String? {
        guard let alert = selected else { return nil }
        return alert.keyValues.isEmpty ? alert.title : alert.keyValues.joined(separator: " ")
    }

    var status: String {
        let counted = count.map { $0 >= QueuePane.countCap ? "\(QueuePane.countCap)+" : String($0) } ?? "…"
        var parts = [count.map { $0 >= QueuePane.countCap ? "\(counted) alerts" : Output.count($0, "alert") } ?? "… alerts", "sorted by \(order.rawValue)"]
        if !filterInput.text.isEmpty { parts.append("filter: \(filterInput.text)") }
        if !marks.isEmpty { parts.append("\(marks.count) marked") }
        return parts.joined(separator: " · ")
    }

    static let countCap = 10_000

    /// Reads the rows again from the same top row, so another process's changes show in place;
    /// at the top of the queue, from the top, so new alerts come into view.
    func reload() throws {
        let top = rows.first
        let selectedID = selected?.id
        if atTop || top == nil {
            rows = try engine.queuePage(filter, order: order, limit: height)
        } else if let top {
            // From the row above the old top: the window stays where it was, with fresh rows.
            let above = try engine.queuePage(filter, order: order, before: QueuePosition(top), limit: 1).first
            rows = try engine.queuePage(filter, order: order, after: above.map(QueuePosition.init), limit: height)
        }
        if let selectedID, let i = rows.firstIndex(where: { $0.id == selectedID }) { cursor = i }
        cursor = min(cursor, max(0, rows.count - 1))
        count = nil
        loadDetail()
    }

    /// Counts the filter's alerts if that is still to do; true when it did.
    func countIfStale() -> Bool {
        guard count == nil else { return false }
        count = (try? engine.queueCount(filter, cap: QueuePane.countCap)) ?? 0
        return true
    }

    /// One read at a time: a key held down does not start a read per row it passes. A row
    /// asked for while one is out is read when that one lands.
    private func loadDetail() {
        if loading == nil { startDetail() } else { detailAskedAgain = true }
        loading?.result.wait(QueuePane.detailWait)
        _ = collectDetail()
    }

    private var detailAskedAgain = false

    private func startDetail() {
        detailAskedAgain = false
        guard let id = selected?.id else {
            detail = nil
            return
        }
        let pending = Pending<AlertDetail>()
        loading = (id, pending)
        let engine = self.engine
        DispatchQueue.global(qos: .userInitiated).async { pending.set(Result { try engine.alertDetail(id) }) }
    }

    /// Takes the detail once it is in (one for a row no longer selected is dropped); true when
    /// it came, so the pane is drawn again.
    func collectDetail() -> Bool {
        guard let (id, pending) = loading, let result = pending.take() else { return false }
        loading = nil
        if selected?.id == id { detail = try? result.get() }
        if detailAskedAgain || selected?.id != id { startDetail() }
        return true
    }

    var isLoadingDetail: Bool { loading != nil }

    /// Rows for the whole window after it grew: more below, and above when the queue ends
    /// before the window does.
    func fill() throws {
        needsFill = false
        guard rows.count < height else { return }
        if let last = rows.last {
            rows += try engine.queuePage(filter, order: order, after: QueuePosition(last), limit: height - rows.count)
        } else {
            rows = try engine.queuePage(filter, order: order, limit: height)
        }
        if rows.count < height, !atTop, let first = rows.first {
            let wanted = height - rows.count
            let above = try engine.queuePage(filter, order: order, before: QueuePosition(first), limit: wanted)
            rows = above + rows
            cursor += above.count
            if above.count < wanted { atTop = true }
        }
        cursor = min(cursor, max(0, rows.count - 1))
        loadDetail()
    }

    /// Starts over from the first row (a new filter or sort).
    func restart() throws {
        atTop = true
        rows = try engine.queuePage(filter, order: order, limit: height)
        cursor = 0
        count = nil
        loadDetail()
    }

    // MARK: Moving

    /// Moves the cursor `n` rows down, reading the rows that scroll in with one query.
    func down(_ n: Int) throws {
        let onScreen = min(n, rows.count - 1 - cursor)
        cursor += max(0, onScreen)
        let more = n - max(0, onScreen)
        if more > 0, let last = rows.last {
            let next = try engine.queuePage(filter, order: order, after: QueuePosition(last), limit: more)
            rows += next
            if rows.count > height {
                rows.removeFirst(rows.count - height)
                atTop = false
            }
            cursor = rows.count - 1
        }
        loadDetail()
    }

    /// Moves the cursor `n` rows up, the same way.
    func up(_ n: Int) throws {
        let onScreen = min(n, cursor)
        cursor -= onScreen
        let more = n - onScreen
        if more > 0, let first = rows.first {
            let previous = try engine.queuePage(filter, order: order, before: QueuePosition(first), limit: more)
            if previous.count < more { atTop = true }
            rows = previous + rows
            if rows.count > height { rows.removeLast(rows.count - height) }
            cursor = 0
        }
        loadDetail()
    }

    func bottom() throws {
        let floor = QueuePosition(severity: Int.min, time: Int64.min, id: Int64.min)
        rows = try engine.queuePage(filter, order: order, before: floor, limit: height)
        atTop = try rows.first.map { try engine.queuePage(filter, order: order, before: QueuePosition($0), limit: 1).isEmpty } ?? true
        cursor = max(0, rows.count - 1)
        loadDetail()
    }

    // MARK: Actions

    func perform(_ action: String, app: App) throws -> Bool {
        switch action {
        case "move.down": try down(1)
        case "move.up": try up(1)
        case "page.down": try down(max(1, height / 2))
        case "page.up": try up(max(1, height / 2))
        case "move.top": try restart()
        case "move.bottom": try bottom()
        case "filter":
            isTyping = true
        case "filter.next", "filter.previous":
            // Rows matching the filter are the only rows shown: n/N step through them.
            if action == "filter.next" { try down(1) } else { try up(1) }
        case "mark.all":
            // Every alert the filter matches, not only those on screen; again clears them.
            if marks.isEmpty {
                marks = Set(try engine.queuePage(filter, order: order, limit: QueuePane.mostMarked).map(\.id))
                app.say("\(Output.count(marks.count, "alert")) marked\(marks.count == QueuePane.mostMarked ? " (the first \(QueuePane.mostMarked); narrow the filter for the rest)" : "")")
            } else {
                marks.removeAll()
            }
        case "mark":
            if let id = selected?.id {
                if marks.contains(id) { marks.remove(id) } else { marks.insert(id) }
                try down(1)
            }
        case "queue.sort":
            order = order == .time ? .severity : .time
            try restart()
        case "open":
            if let alert = selected { app.push(try AlertPane(engine: engine, id: alert.id)) }
        default:
            return try AlertVerbs.perform(action, on: self, app: app)
        }
        return true
    }

    /// The most alerts `mark.all` marks at once.
    static let mostMarked = 10_000

    /// The marked alerts, else the one under the cursor.
    var alertTargets: [Int64] { marks.isEmpty ? (selected.map { [$0.id] } ?? []) : marks.sorted() }

    func alertsChanged() throws {
        marks.removeAll()
        try reload()
    }

    var typedText: String? { filterInput.text }

    /// The `/` line: every key re-filters (a new query from the top).
    func type(_ key: Key, app: App) {
        if app.cancels(key) {
            isTyping = false
            filterInput = LineInput()
            filter = QueueFilter()
            try? restart()
            return
        }
        switch key {
        case .enter:
            isTyping = false
        default:
            guard filterInput.edit(key) else { return }
            filter = QueuePane.parse(filterInput.text)
            do { try restart() } catch { app.message = (ConsoleWording.of(error), true) }
        }
    }

    /// `jdoe severity>=high status:new rule:ids-scan-one-port host:LT-42`.
    static func parse(_ text: String) -> QueueFilter {
        var f = QueueFilter()
        for word in text.split(separator: " ").map(String.init) {
            if let r = word.range(of: ">="), word[..<r.lowerBound].lowercased() == "severity", let s = Severity(parsing: String(word[r.upperBound...])) {
                f.minSeverity = s
            } else if let colon = word.firstIndex(of: ":"), colon != word.startIndex, word.index(after: colon) != word.endIndex {
                f.terms.append((word[..<colon].lowercased(), String(word[word.index(after: colon)...])))
            } else {
                f.words.append(word)
            }
        }
        return f
    }

    // MARK: Drawing

    /// What tells alerts of one rule apart, first: the group key's values, then the rule's
    /// title (`lt-klope47 · Repeated Carbon Black alerts`), where a cut title would show only
    /// the part every row of the rule shares.
    static func shownTitle(_ alert: Alert) -> String {
        let key = alert.groupKey
        guard !key.isEmpty, alert.title.hasSuffix(" (\(key))") else { return alert.title }
        let base = alert.title.dropLast(key.count + 3)
        return alert.keyValues.joined(separator: " ") + " · " + base
    }

    func render(into grid: inout Grid, area: Rect) {
        let wide = area.width >= 140
        let (list, side) = wide ? area.splitLeft(area.width * 11 / 20) : (area.height >= 24 ? area.splitTop(area.height / 2) : (area, Rect(x: 0, y: 0, width: 0, height: 0)))
        let shown = max(1, list.height - 1)
        if shown > height { needsFill = true }
        height = shown
        if rows.count > height { rows = Array(rows.prefix(height)); cursor = min(cursor, height - 1) }
        grid.columns([(" ", 1, .header), ("#", 7, .header), ("SEVERITY", 8, .header), ("STATUS", 12, .header), ("LAST SIGNAL", 16, .header),
                      ("SIG", 4, .header), ("TITLE", list.width, .header)], x: list.x, y: list.y, width: list.width, fill: .header)
        if rows.isEmpty {
            if filterInput.text.isEmpty {
                // An empty database says how to start, in the commands that fill it.
                let start = ["  no alerts you may see yet. To start:", "    taser demo --db /tmp/demo.db     a demo company's week",
                             "    taser ingest FILE...             alerts from your tools (taser ingest --help)",
                             "    taser rules add NAME '...'       rules that raise alerts from signals"]
                for (n, line) in start.enumerated() where n + 2 < list.height {
                    grid.put(line, x: list.x, y: list.y + 2 + n, width: list.width, role: .dim)
                }
            } else {
                grid.put("  no alerts match '\(filterInput.text)' (Esc clears)", x: list.x, y: list.y + 2, width: list.width, role: .dim)
            }
        }
        for (n, alert) in rows.prefix(height).enumerated() {
            let y = list.y + 1 + n
            let mark = marks.contains(alert.id) ? "*" : " "
            let selectedRow = n == cursor
            let rowRole: Role? = selectedRow ? .selected : (marks.contains(alert.id) ? .marked : nil)
            grid.columns([
                (mark, 1, .marked), (String(alert.id), 7, .text), (alert.severity.name, 8, alert.severity.role),
                (alert.status.rawValue, 12, .text), (Output.short(alert.lastSignalAt), 16, .dim), (String(alert.signalCount), 4, .text),
                (QueuePane.shownTitle(alert), list.width, .text),
            ], x: list.x, y: y, width: list.width, fill: rowRole)
        }
        if side.width > 0 && side.height > 2 { renderDetail(into: &grid, side) }
    }

    private func renderDetail(into grid: inout Grid, _ area: Rect) {
        grid.box(area, title: selected.map { "Alert \($0.id)" } ?? "")
        // Only the selected alert's own detail: another row's, while this one's is read, would
        // say the wrong thing.
        guard let detail, detail.alert.id == selected?.id else { return }
        var lines: [(String, Role)] = [
            (detail.alert.title, .title),
            ("rule \(detail.alert.rule) · \(detail.alert.groupKey)", .dim),
            ("\(Output.count(detail.alert.signalCount, "signal")), \(Output.short(detail.alert.firstSignalAt)) to \(Output.short(detail.alert.lastSignalAt))", .dim),
        ]
        for item in detail.signals {
            lines.append(("", .text))
            lines.append(("\(Output.short(item.signal.time))  \(item.signal.kind)  \(item.signal.title)", .text))
            for (key, value) in item.signal.fields.sorted(by: { $0.key < $1.key }) {
                lines.append(("   \(key) = \(value.stringValue ?? value.text)", .dim))
            }
            if !item.artifacts.isEmpty {
                lines.append(("   artifacts: " + item.artifacts.map { "\($0.role) \($0.artifact.type.rawValue):\($0.artifact.shownValue)" }.joined(separator: ", "), .field))
            }
        }
        for (n, line) in lines.prefix(area.height - 2).enumerated() {
            grid.put(line.0, x: area.x + 1, y: area.y + 1 + n, width: area.width - 2, role: line.1)
        }
    }
}

/// Times as the console shows them: short, in the analyst's zone.
enum Output {
    /// `1 alert`, `2 alerts`: what the console counts, in English.
    static func count(_ n: Int, _ noun: String) -> String { counted(n, noun) }

    static func short(_ t: Timestamp?) -> String {
        guard let t else { return "-" }
        return String(t.local().prefix(16))
    }
}
