import Engine
import Model

/// The outbox as `taser sync status` shows it: per endpoint what is pending, retrying, delivered
/// and dead; below, the dead letters and the deliveries waiting for a retry, with their last
/// error (Sync took the secrets out). Enter opens the case or alert a delivery is about; `r`
/// sends a dead letter again, `R` every dead letter (after asking).
final class SyncPane: Pane, TypingPane {
    let engine: any TaserAPI
    var outbox: SyncStatus
    /// Dead letters first, then the retrying ones: what the cursor moves over.
    var deliveries: [DeliveryRecord] = []
    var cursor = 0
    /// Rows of the delivery list the last render showed: what paging moves by.
    var height = 20

    /// Enough for any screen; the dead and retrying beyond it are counted in the tallies above.
    static let limit = 1000

    /// The `/` line: deliveries whose endpoint, entity, event or error hold every typed word.
    var filterInput = LineInput()
    var isTyping = false
    var typedText: String? { filterInput.text }

    init(engine: any TaserAPI) throws {
        self.engine = engine
        outbox = try engine.syncStatus(limit: SyncPane.limit)
        deliveries = shown()
    }

    private func shown() -> [DeliveryRecord] {
        let words = filterInput.text.lowercased().split(separator: " ")
        return (outbox.dead + outbox.retrying).filter { d in
            let text = "\(d.id) \(d.endpoint) \(d.entityType) \(d.entityID) \(d.event) \(d.lastError ?? "")".lowercased()
            return words.allSatisfy { text.contains($0) }
        }
    }

    func type(_ key: Key, app: App) {
        guard filterInput.filterKey(key, typing: &isTyping, cancels: app.cancels(key)) else { return }
        deliveries = shown()
        cursor = max(0, min(cursor, deliveries.count - 1))
    }

    var title: String { "Sync" }
    var contexts: [String] { ["sync", "list"] }
    var selected: DeliveryRecord? { deliveries.indices.contains(cursor) ? deliveries[cursor] : nil }

    var status: String {
        let dead = outbox.endpoints.reduce(0) { $0 + $1.dead }
        let retrying = outbox.endpoints.reduce(0) { $0 + $1.retrying }
        if outbox.endpoints.isEmpty && outbox.unrouted == 0 { return "the outbox is empty" }
        var parts = ["\(dead) dead", "\(retrying) retrying"]
        if outbox.unrouted > 0 { parts.append("\(outbox.unrouted) not routed yet") }
        if dead > 0 { parts.append("{open} opens · {sync.retry} retries · {sync.retry-all} retries all dead") }
        return parts.joined(separator: " · ")
    }

    /// Reads the outbox again, keeping the cursor on the delivery it was on.
    func reload() throws {
        let was = selected?.id
        outbox = try engine.syncStatus(limit: SyncPane.limit)
        deliveries = shown()
        if let was, let i = deliveries.firstIndex(where: { $0.id == was }) { cursor = i }
        cursor = max(0, min(cursor, deliveries.count - 1))
    }

    // MARK: Actions

    func perform(_ action: String, app: App) throws -> Bool {
        let last = max(0, deliveries.count - 1)
        switch action {
        case "move.down", "filter.next": cursor = min(last, cursor + 1)
        case "move.up", "filter.previous": cursor = max(0, cursor - 1)
        case "page.down": cursor = min(last, cursor + max(1, height / 2))
        case "page.up": cursor = max(0, cursor - max(1, height / 2))
        case "move.top": cursor = 0
        case "move.bottom": cursor = last
        case "filter": isTyping = true
        case "open": try open(app)
        case "sync.retry":
            guard let d = selected else {
                app.message = ("no dead letter to retry", true)
                return true
            }
            guard d.status == .dead else {
                app.message = ("delivery \(d.id) is not dead: it is tried again at \(Output.short(d.nextAttemptAt)) by itself", true)
                return true
            }
            try retried(try engine.retryDeliveries([d.id]), app: app)
        case "sync.retry-all":
            let dead = outbox.endpoints.reduce(0) { $0 + $1.dead }
            guard dead > 0 else {
                app.message = ("no dead letters to retry", false)
                return true
            }
            app.confirm("Retry all \(dead) dead deliver\(dead == 1 ? "y" : "ies")?") { [self] in
                try retried(try engine.retryAllDeadDeliveries(), app: app)
            }
        default:
            return false
        }
        return true
    }

    private func retried(_ n: Int, app: App) throws {
        try reload()
        app.refreshDeadLetters()
        app.say("retried \(n) deliver\(n == 1 ? "y" : "ies"); `taser sync run` or `taser serve` delivers \(n == 1 ? "it" : "them")")
    }

    /// The case or alert the delivery under the cursor is about, if the analyst may read it
    /// (the engine's check: one they may not read is as missing as one that was deleted).
    private func open(_ app: App) throws {
        guard let d = selected else { return }
        switch d.entityType {
        case "case": app.push(try CasePane(engine: engine, id: d.entityID))
        case "alert": app.push(try AlertPane(engine: engine, id: d.entityID))
        default: app.message = ("delivery \(d.id) is about \(d.entityType) \(d.entityID), which the console does not open", true)
        }
    }

    // MARK: Drawing

    func render(into grid: inout Grid, area: Rect) {
        if outbox.endpoints.isEmpty && outbox.unrouted == 0 {
            grid.put("  the outbox is empty: nothing was sent, nothing waits", x: area.x, y: area.y + 1, width: area.width, role: .dim)
            return
        }
        // The endpoints take what they need, up to a third of the screen; the deliveries the rest.
        let endpointRows = min(outbox.endpoints.count, max(1, area.height / 3))
        let (top, rest) = area.splitTop(1 + endpointRows + (outbox.unrouted > 0 ? 1 : 0) + 1)
        renderEndpoints(into: &grid, top, rows: endpointRows)
        renderDeliveries(into: &grid, rest)
    }

    private func renderEndpoints(into grid: inout Grid, _ area: Rect, rows: Int) {
        let name = min(24, max(8, outbox.endpoints.map { CellWidth.of($0.endpoint) }.max() ?? 0))
        grid.columns([(" ENDPOINT", name + 1, .header), ("PENDING", 9, .header), ("RETRYING", 9, .header), ("DELIVERED", 10, .header),
                      ("DEAD", 8, .header)], x: area.x, y: area.y, width: area.width, fill: .header)
        var y = area.y + 1
        for t in outbox.endpoints.prefix(rows) {
            grid.columns([(" " + t.endpoint, name + 1, .text), (pad(t.pending, 7), 9, .text), (pad(t.retrying, 8), 9, .text),
                          (pad(t.delivered, 9), 10, .text), (pad(t.dead, 4), 8, t.dead > 0 ? .error : .text)],
                         x: area.x, y: y, width: area.width)
            y += 1
        }
        if outbox.unrouted > 0 {
            grid.put(" \(outbox.unrouted) message\(outbox.unrouted == 1 ? "" : "s") not routed yet (the next `taser sync run` routes them)",
                     x: area.x, y: y, width: area.width, role: .dim)
        }
    }

    /// Right-aligned in `width` cells, as numbers in a table are.
    private func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }

    /// One line of the delivery list: a section title, column names, or a delivery (its index).
    private enum ListLine {
        case title(String), columns(String), delivery(Int)
    }

    private var listLines: [ListLine] {
        var out: [ListLine] = []
        let dead = outbox.endpoints.reduce(0) { $0 + $1.dead }, retrying = outbox.endpoints.reduce(0) { $0 + $1.retrying }
        let deadShown = deliveries.indices.filter { deliveries[$0].status == .dead }
        let retryShown = deliveries.indices.filter { deliveries[$0].status != .dead }
        let filtered = filterInput.text.isEmpty ? "" : ", \(deadShown.count) match '\(filterInput.text)'"
        if outbox.dead.isEmpty {
            out.append(.title("No dead letters"))
        } else {
            out.append(.title("Dead letters (\(dead)\(dead > outbox.dead.count ? ", the first \(outbox.dead.count) shown" : "")\(filtered)) — r retries one, R all"))
            out.append(.columns("SINCE"))
            out += deadShown.map { .delivery($0) }
        }
        if !outbox.retrying.isEmpty {
            let filteredRetry = filterInput.text.isEmpty ? "" : ", \(retryShown.count) match"
            out.append(.title("Waiting for a retry (\(retrying)\(retrying > outbox.retrying.count ? ", the first \(outbox.retrying.count) shown" : "")\(filteredRetry))"))
            out.append(.columns("NEXT"))
            out += retryShown.map { .delivery($0) }
        }
        return out
    }

    private func renderDeliveries(into grid: inout Grid, _ area: Rect) {
        guard area.height > 0 else { return }
        let lines = listLines
        height = max(1, area.height)
        let at = lines.firstIndex { if case .delivery(cursor) = $0 { true } else { false } } ?? 0
        // Keep the cursor's row on screen, and the list's start when it fits.
        let first = max(0, min(at - area.height / 2, lines.count - area.height))
        let endpoint = min(16, max(8, deliveries.map { CellWidth.of($0.endpoint) }.max() ?? 0))
        for (n, line) in lines.dropFirst(first).prefix(area.height).enumerated() {
            let y = area.y + n
            switch line {
            case .title(let text):
                grid.put(" " + text, x: area.x, y: y, width: area.width, role: .title)
            case .columns(let time):
                grid.columns([(" ID", 7, .header), ("ENDPOINT", endpoint, .header), ("ENTITY", 12, .header), ("EVENT", 15, .header),
                              ("ATTEMPTS", 8, .header), (time, 16, .header), ("LAST ERROR", area.width, .header)],
                             x: area.x, y: y, width: area.width, fill: .header)
            case .delivery(let i):
                let d = deliveries[i]
                let error = (d.lastError ?? "-").split(whereSeparator: \.isNewline).joined(separator: " ")
                grid.columns([
                    (" \(d.id)", 7, .text), (d.endpoint, endpoint, .text), ("\(d.entityType) \(d.entityID)", 12, .text), (d.event, 15, .text),
                    (String(d.attempts), 8, .text), (Output.short(d.status == .dead ? d.createdAt : d.nextAttemptAt), 16, .dim),
                    (error, area.width, d.status == .dead ? .error : .dim),
                ], x: area.x, y: y, width: area.width, fill: i == cursor ? .selected : nil)
            }
        }
    }
}
