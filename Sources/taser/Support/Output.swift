import Foundation
import Model

/// Printing for people and for programs. Listings print a table, or with `--json` one JSON
/// object per line (JSON Lines) that `jq` reads.
enum Output {
    static func line(_ text: String = "") { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    static func jsonLines(_ values: [JSONValue]) {
        var out = ""
        for v in values {
            v.write(to: &out)
            out += "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data("taser: \(message)\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("\(message)\n".utf8))
    }

    /// Writes to a file (atomically, so a failed export leaves no half file) or to stdout.
    static func write(_ text: String, to path: String?) throws {
        guard let path else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Aligned columns; the last column runs free.
    static func table(_ header: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else { return }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < row.count - 1 { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        var out = render(header) + "\n"
        for row in rows { out += render(row) + "\n" }
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    static func when(_ t: Timestamp?) -> String { t?.local() ?? "-" }
}
