import Foundation

/// A small model to try the terminal driver on for real (`taser console-demo`, the end-to-end
/// tests): a long list with wide characters, a cursor, a status row with the last key, the
/// terminal's size, the ticks and what the last frame cost.
public final class DemoModel: ConsoleModel {
    public let rows: [String]
    public private(set) var cursor = 0
    public private(set) var top = 0
    public private(set) var lastKey = "none"
    public private(set) var ticks = 0
    private var pageHeight = 1

    public init(count: Int = 200) {
        let hosts = ["web-01", "db-02", "東京-gw", "jump-03", "mail-04"]
        let notes = ["日本語のアラート", "🚨 impossible travel", "failed Duo push ×3", "Suricata: ET SCAN", "😀 benign"]
        rows = (1...max(1, count)).map { i in
            String(format: "row %03d  ", i) + hosts[i % hosts.count] + "  " + notes[i % notes.count]
        }
    }

    public func handle(_ key: Key) -> Bool {
        lastKey = key.name
        switch key.name {
        case "q": return false
        case "j", "down": cursor += 1
        case "k", "up": cursor -= 1
        case "pgdn", "ctrl-d", "space": cursor += pageHeight
        case "pgup", "ctrl-u": cursor -= pageHeight
        case "g", "home": cursor = 0
        case "G", "end": cursor = rows.count - 1
        default: break
        }
        cursor = min(max(cursor, 0), rows.count - 1)
        return true
    }

    public func tick() -> Bool {
        ticks += 1
        return true
    }

    public func render(into grid: inout Grid) {
        let (body, status) = Rect(x: 0, y: 0, width: grid.width, height: grid.height).splitBottom(1)
        let (titleRow, list) = body.splitTop(1)
        grid.fill(titleRow, .title)
        grid.put("taser console demo  (j/k move, pgdn/pgup page, q quits)", x: 0, y: titleRow.y, role: .title)
        pageHeight = max(1, list.height)
        // Keep the cursor on screen: scroll only when it would leave the list.
        if cursor < top { top = cursor }
        if cursor >= top + list.height { top = cursor - list.height + 1 }
        for (i, index) in (top..<min(rows.count, top + list.height)).enumerated() {
            let selected = index == cursor
            let y = list.y + i
            if selected { grid.fill(Rect(x: 0, y: y, width: grid.width, height: 1), .selected) }
            grid.put((selected ? "▸ " : "  ") + rows[index], x: 0, y: y, role: selected ? .selected : .text)
        }
        grid.fill(status, .status)
        let frame = Terminal.lastFrame
        grid.put(
            "key \(lastKey)  size \(grid.width)x\(grid.height)  ticks \(ticks)  row \(cursor + 1)/\(rows.count)  sent \(frame.bytes) B",
            x: 0, y: status.y, role: .status)
    }

    /// The default look for the demo, so it runs without a theme file.
    public static func style(_ role: Role, _ colours: ColourSupport) -> Style {
        switch role {
        case .title: return Style(bold: true)
        case .selected: return Style(foreground: .palette(15), background: .palette(4), bold: true)
        case .status: return Style(foreground: .palette(0), background: .palette(6))
        case .dim: return Style(dim: true)
        default: return .plain
        }
    }
}
