import Engine
import Foundation
import Model
import SignalServer

/// The options the rule editor offers at a completion point, from the stored signals: kinds with
/// their counts, the fields of the rule's kinds, a field's frequent values. Each answer is kept
/// for the editing session, so the list follows typing without asking the database again.
final class RuleVocabulary {
    let engine: any TaserAPI
    private var kindCounts: [KindCount]?
    private var fields: [[String]: [FieldPresence]] = [:]
    private var values: [String: [ValueCount]] = [:]
    /// The fields a rule may name: an option the compiler would refuse is not offered.
    private let usable: Set<String>

    init(engine: any TaserAPI) {
        self.engine = engine
        usable = Set((try? engine.ruleFields()) ?? [])
    }

    /// What is offered at `point`: a title for the list and the options narrowed by what is
    /// typed, best first.
    func options(at point: CompletionPoint) throws -> (title: String, options: [CompletionOption]) {
        switch point.slot {
        case .kind(let count):
            return ("kinds: signals stored", try kinds(count: count).filter { $0.matches(point.typed) })
        case .field(let kinds):
            let names = kinds.compactMap { SignalKind.find($0)?.displayName ?? $0 }
            return ("fields of \(names.joined(separator: ", "))", try fields(of: kinds).filter { $0.matches(point.typed) })
        case .value(let field, let kind):
            let shown = SignalKind.find(kind)?.displayName ?? kind
            return ("\(field) in \(shown)", try values(of: field, kind: kind).filter { $0.matches(point.typed) })
        }
    }

    /// The kinds a clause may name, those with the most stored signals first, then the rest of
    /// the catalog (none stored yet). A stored kind the compiler does not know (a mapping file's)
    /// is left out: the editor's rule could not name it.
    private func kinds(count: Int) throws -> [CompletionOption] {
        if kindCounts == nil { kindCounts = try engine.kindCounts() }
        var stored: [String: Int] = [:]
        for k in kindCounts ?? [] { stored[k.kind, default: 0] += k.signals }
        let ordered = SignalKind.catalog.enumerated().sorted { a, b in
            let (x, y) = (stored[a.element.name] ?? 0, stored[b.element.name] ?? 0)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        return ordered.map { kind in
            let written = RuleWords.kind(kind, count: count)
            return CompletionOption(label: written, detail: CompletionOption.grouped(stored[kind.name] ?? 0), insert: written,
                                    words: [written, kind.displayName, kind.name] + kind.aliases)
        }
    }

    private func fields(of kinds: [String]) throws -> [CompletionOption] {
        let key = kinds.sorted()
        if fields[key] == nil { fields[key] = try engine.fieldNames(ofKinds: key) }
        let aliases = Dictionary(grouping: FieldAliases.table, by: \.value).mapValues { $0.map(\.key).sorted() }
        return (fields[key] ?? []).filter { usable.contains($0.field) }.map { f in
            let share = f.sampled > 0 ? "\(f.signals * 100 / f.sampled)%" : ""
            let detail = kinds.count > 1 ? "in \(f.kinds) of \(kinds.count) kinds · \(share)" : share
            return CompletionOption(label: f.field, detail: detail, insert: f.field, words: [f.field] + (aliases[f.field] ?? []), prefix: true)
        }
    }

    private func values(of field: String, kind: String) throws -> [CompletionOption] {
        let key = kind + "\u{0}" + field
        if values[key] == nil { values[key] = try engine.topValues(field: field, kind: kind) }
        return (values[key] ?? []).compactMap { v in
            guard let literal = RuleWords.literal(v.value) else { return nil }
            return CompletionOption(label: literal, detail: CompletionOption.grouped(v.count), insert: literal, words: [v.value.stringValue ?? literal])
        }
    }
}

/// One line of the completion list: what it shows and what accepting it inserts.
struct CompletionOption: Equatable {
    var label: String
    var detail: String
    var insert: String
    /// What typed text is matched against (names, aliases, the value without quotes).
    var words: [String]
    /// Whether typed text must start one of `words` (a field: `user` finds `user.name` and
    /// `username`), rather than each typed word be in them somewhere (a kind: `duo fail`).
    var prefix = false

    func matches(_ typed: String) -> Bool {
        let typed = typed.lowercased().trimmingCharacters(in: .whitespaces)
        guard !typed.isEmpty else { return true }
        let words = self.words.map { $0.lowercased() }
        if prefix { return words.contains { $0.hasPrefix(typed) } }
        return typed.split(separator: " ").allSatisfy { part in words.contains { $0.contains(part) } }
    }

    /// `10,006`: counts read at a glance.
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (n < 0 ? "-" : "") + out
    }
}

/// The open completion list: where it completes, its options, the one chosen.
struct CompletionList {
    var point: CompletionPoint
    var title: String
    var options: [CompletionOption]
    var cursor = 0
    /// The first option shown, kept across frames so the list scrolls only to keep the cursor in view.
    var top = 0

    /// The most rows the list shows at once.
    static let rows = 8

    var chosen: CompletionOption? { options.indices.contains(cursor) ? options[cursor] : nil }

    mutating func move(_ by: Int) {
        guard !options.isEmpty else { return }
        cursor = min(max(0, cursor + by), options.count - 1)
        if cursor < top { top = cursor }
        if cursor >= top + CompletionList.rows { top = cursor - CompletionList.rows + 1 }
    }

    /// Draws the list under the cursor's cell (above it when there is no room below), inside
    /// `area` (the rule's box), labels left and counts right.
    func render(into grid: inout Grid, area: Rect, cursor at: (x: Int, y: Int)) {
        let shown = options[min(top, options.count)...].prefix(CompletionList.rows)
        let labels = shown.map { CellWidth.of($0.label) }.max() ?? 0
        let details = shown.map { CellWidth.of($0.detail) }.max() ?? 0
        let width = min(area.width, max(CellWidth.of(title) + 6, labels + details + 6))
        let height = min(area.height, shown.count + 2)
        guard width >= 8, height >= 3 else { return }
        // The labels start under the cursor, where the inserted text will.
        let x = max(area.x, min(at.x - 2, area.maxX - width))
        let below = at.y + 1 + height <= area.maxY
        let y = below ? at.y + 1 : max(area.y, at.y - height)
        let box = Rect(x: x, y: y, width: width, height: height)
        grid.fill(box)
        grid.box(box, title: title, role: .borderFocus)
        for (n, option) in shown.enumerated() where n < height - 2 {
            let row = y + 1 + n
            let selected = top + n == cursor
            let inner = Rect(x: x + 1, y: row, width: width - 2, height: 1)
            grid.fill(inner, selected ? .selected : .text)
            let detailWidth = CellWidth.of(option.detail)
            grid.put(option.label, x: x + 2, y: row, width: max(1, width - 5 - detailWidth), role: selected ? .selected : .text)
            grid.put(option.detail, x: x + width - 2 - detailWidth, y: row, width: detailWidth, role: selected ? .selected : .dim)
        }
        if options.count > CompletionList.rows {
            grid.put(" \(cursor + 1)/\(options.count) ", x: x + 2, y: y + height - 1, width: width - 4, role: .dim)
        }
    }
}
