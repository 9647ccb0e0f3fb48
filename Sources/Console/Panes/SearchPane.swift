import Foundation
import Engine
import Model
import SignalServer

/// What the Search pane asks of a search (public for `taser bench console`, which times it).
public enum ConsoleSearch {
    /// The most rows a search lists: the count and the chart cover every match.
    public static let mostShown = 1000
    /// Bars in the chart.
    public static let buckets = 60
}

/// Stored signals matching a search (`:search host.name = "LT-42" SINCE 7d`; the same text as
/// `taser signals --where`): a bar chart of when the matches happened, then the newest of them.
/// Enter opens a signal (its artifacts pivot from there); marked signals become a new case or
/// join one; `/` edits the search.
final class SearchPane: Pane, MarkingPane, CopyablePane {
    let engine: any TaserAPI
    private(set) var query: String
    private(set) var result: SearchResult?
    var cursor = 0
    var first = 0
    var marks = Set<Int64>()
    private var height = 20

    static let mostShown = ConsoleSearch.mostShown
    static let buckets = ConsoleSearch.buckets

    init(engine: any TaserAPI, query: String) throws {
        self.engine = engine
        self.query = query.trimmed
        try run(self.query)
    }

    var title: String {
        let shown = running?.query ?? query
        return shown.isEmpty ? "Search" : "Search \(shown.count > 40 ? String(shown.prefix(39)) + "…" : shown)"
    }
    var contexts: [String] { ["search", "list"] }
    var status: String {
        if let running { return "searching… \(Int(Date().timeIntervalSince(running.since)))s · {back} goes back" }
        guard let result else { return "{filter} edits the search" }
        let shown = result.total > result.signals.count ? " (the newest \(result.signals.count) listed)" : ""
        let marked = marks.isEmpty ? "" : " · \(marks.count) marked"
        return "\(Output.count(result.total, "signal"))\(shown)\(marked) · {open} opens · {filter} edits the search"
    }

    func supports(_ action: String) -> Bool { action != "filter.next" && action != "filter.previous" }

    var rows: [Signal] { result?.signals.map(\.signal) ?? [] }
    var selected: Signal? { rows.indices.contains(cursor) ? rows[cursor] : nil }
    var copyable: String? { selected.map { String($0.id) } }

    /// When the search last ran: a database that keeps changing (an ingest running) reruns it
    /// at most this often, since a search over millions of signals takes a moment.
    private var ranAt = ContinuousClock.now
    static let rerunAfter = Duration.seconds(5)

    /// A search running on a worker thread (a scan of a million signals takes a second): the
    /// console stays live, shows the results it had, and takes the new ones on a tick.
    private var running: (query: String, since: Date, result: Pending<SearchResult>)?
    var isSearching: Bool { running != nil }
    /// Whole seconds of waiting last drawn, so the count moves once a second.
    private var shownSeconds = 0

    func reload() throws {
        if running != nil || ContinuousClock.now - ranAt < SearchPane.rerunAfter { return }
        try run(query)
    }

    /// Checks the search here (a mistake is an error at once, and the results shown stay), then
    /// runs it on a worker thread.
    private func run(_ text: String) throws {
        _ = try engine.checkSearch(text)
        ranAt = ContinuousClock.now
        let pending = Pending<SearchResult>()
        running = (text, Date(), pending)
        shownSeconds = 0
        let engine = self.engine
        DispatchQueue.global(qos: .userInitiated).async {
            pending.set(Result { try engine.searchSignals(text, limit: SearchPane.mostShown, buckets: SearchPane.buckets) })
        }
    }

    /// The tick's part: takes the results once they are in; true when the pane should be drawn
    /// again (they came, or another second of waiting is worth showing).
    func collect(_ app: App) -> Bool {
        guard let (text, since, pending) = running else { return false }
        guard let got = pending.take() else {
            let seconds = Int(Date().timeIntervalSince(since))
            defer { shownSeconds = seconds }
            return seconds != shownSeconds
        }
        running = nil
        switch got {
        case .success(let found):
            let fresh = text != query || result == nil
            query = text
            result = found
            if fresh {
                cursor = 0
                first = 0
                marks.removeAll()
            }
            cursor = min(cursor, max(0, rows.count - 1))
            let present = Set(rows.map(\.id))
            marks = marks.filter { present.contains($0) }
        case .failure(let error):
            app.message = ("search: \(ConsoleWording.of(error))", true)
        }
        return true
    }

    /// Runs another search; a mistake in it throws at once and the old results stay.
    func search(_ text: String) throws {
        try run(text.trimmed)
    }

    func render(into grid: inout Grid, area: Rect) {
        guard area.height >= 4 else { return }
        var y = area.y
        let shownQuery = running?.query ?? query
        grid.put(" \(shownQuery.isEmpty ? "every signal" : shownQuery)\(running == nil ? "" : "  (searching…)")", x: area.x, y: y, width: area.width, role: .title)
        y += 1
        if let histogram = result?.histogram, area.height >= 8 {
            renderChart(histogram, into: &grid, Rect(x: area.x, y: y, width: area.width, height: 3))
            y += 3
        }
        grid.columns([(" ", 1, .header), ("#", 8, .header), ("TIME", 16, .header), ("KIND", 24, .header), ("SEVERITY", 8, .header),
                      ("TITLE", area.width, .header)], x: area.x, y: y, width: area.width, fill: .header)
        y += 1
        height = max(1, area.maxY - y)
        if rows.isEmpty {
            grid.put(result == nil ? "  searching…" : "  no signals match this search", x: area.x, y: y + 1, width: area.width, role: .dim)
            return
        }
        if cursor < first { first = cursor }
        if cursor >= first + height { first = cursor - height + 1 }
        for (n, s) in rows.dropFirst(first).prefix(height).enumerated() {
            let index = first + n
            let marked = marks.contains(s.id)
            let role: Role? = index == cursor ? .selected : (marked ? .marked : nil)
            grid.columns([(marked ? "*" : " ", 1, .marked), (String(s.id), 8, .text), (Output.short(s.time), 16, .dim), (s.kind, 24, .text),
                          (s.severity.name, 8, s.severity.role), (s.title, area.width, .text)],
                         x: area.x, y: y + n, width: area.width, fill: role)
        }
    }

    /// Matches over time as bars two rows high, with the range and the busiest bucket's count.
    private func renderChart(_ h: SearchHistogram, into grid: inout Grid, _ area: Rect) {
        let levels: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let width = min(h.counts.count, max(1, area.width - 2))
        // Buckets folded to the width there is.
        var bars = Array(repeating: 0, count: width)
        for (i, c) in h.counts.enumerated() { bars[min(width - 1, i * width / max(1, h.counts.count))] += c }
        let peak = max(1, bars.max() ?? 1)
        for (x, count) in bars.enumerated() {
            // Eight steps per row, two rows: 16 levels; any match shows at least the lowest.
            let level = count == 0 ? 0 : max(1, count * 16 / peak)
            let top = levels[max(0, min(8, level - 8))], bottom = levels[min(8, level)]
            grid.put(String(top), x: area.x + 1 + x, y: area.y, width: 1, role: .field)
            grid.put(String(bottom), x: area.x + 1 + x, y: area.y + 1, width: 1, role: .field)
        }
        let end = Timestamp(ms: h.from.ms &+ h.bucket &* Int64(h.counts.count))
        let legend = "\(Output.short(h.from)) → \(Output.short(end)) · busiest \(Output.count(peak, "signal")) per bar"
        grid.put(legend, x: area.x + 1, y: area.y + 2, width: area.width - 1, role: .dim)
    }

    private var targets: [Int64] { marks.isEmpty ? selected.map { [$0.id] } ?? [] : rows.map(\.id).filter(marks.contains) }

    func perform(_ action: String, app: App) throws -> Bool {
        switch action {
        case "move.down": cursor = min(cursor + 1, max(0, rows.count - 1))
        case "move.up": cursor = max(0, cursor - 1)
        case "page.down": cursor = min(cursor + max(1, height / 2), max(0, rows.count - 1))
        case "page.up": cursor = max(0, cursor - max(1, height / 2))
        case "move.top": cursor = 0
        case "move.bottom": cursor = max(0, rows.count - 1)
        case "mark.all":
            marks = marks.count == rows.count ? [] : Set(rows.map(\.id))
        case "mark":
            guard let id = selected?.id else { return true }
            if marks.contains(id) { marks.remove(id) } else { marks.insert(id) }
            cursor = min(cursor + 1, max(0, rows.count - 1))
        case "filter":
            app.prompt("Search:", initial: query) { [self] text in try search(text) }
        case "open":
            if let s = selected { app.push(try SignalPane(engine: engine, id: s.id)) }
        case "search.promote":
            let ids = targets
            guard !ids.isEmpty else { return true }
            app.prompt("Title of the new case (\(Output.count(ids.count, "signal"))):", initial: "Search: \(query)") { [self] title in
                let c = try engine.openCase(fromSignals: ids, search: query, title: title)
                marks.removeAll()
                app.say("case \(c.id) opened with \(Output.count(ids.count, "signal"))")
                app.push(try CasePane(engine: engine, id: c.id))
            }
        case "search.merge":
            let ids = targets
            guard !ids.isEmpty else { return true }
            app.pickCase("Add \(Output.count(ids.count, "signal")) to which case?") { [self] caseID in
                try engine.addSignals(ids, search: query, toCase: caseID)
                marks.removeAll()
                app.say("\(Output.count(ids.count, "signal")) added to case \(caseID)")
            }
        default:
            return false
        }
        return true
    }
}

/// One stored signal: its fields, artifacts (Enter offers a pivot and Positron's queries; `p`
/// pivots) and, with `r`, every revision's raw body.
final class SignalPane: LinesPane, Pane, CopyablePane, TypingPane {
    let engine: any TaserAPI
    let id: Int64

    init(engine: any TaserAPI, id: Int64) throws {
        self.engine = engine
        self.id = id
        super.init()
        try reload()
    }

    var title: String { "Signal \(id)" }
    // The alert view's keys: a signal is shown as an alert shows each of its signals.
    var contexts: [String] { ["alert", "list"] }
    var status: String { "signal \(id) · {open} on an artifact: pivot or ask Positron · {pivot} pivots · {alert.raw} raw body" }

    func reload() throws {
        let detail = try engine.signalDetail(id)
        let (signal, artifacts) = (detail.signal, detail.links)
        var enrichments = EnrichmentLines(engine: engine)
        var out = [Line(text: signal.title, role: .title),
                   Line(text: "source \(signal.source) · ref \(signal.sourceRef) · ingested \(Output.short(signal.ingestedAt))", role: .dim),
                   Line(text: "")]
        out += LinesPane.signalLines(signal, artifacts, &enrichments)
        lines = out
        if current == nil { cursor = selectable.first ?? 0 }
    }

    func render(into grid: inout Grid, area: Rect) { renderLines(into: &grid, area: area) }

    func perform(_ action: String, app: App) throws -> Bool {
        if moveList(action) { return true }
        switch action {
        case "alert.raw":
            let detail = try engine.signalDetail(id)
            let (signal, revisions) = (detail.signal, detail.revisions)
            app.push(RawPane(title: "Raw", signals: [(signal, Array(revisions.dropLast()))]))
        default: return try artifactAction(action, engine: engine, app: app)
        }
        return true
    }
}
