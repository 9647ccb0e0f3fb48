import Foundation
import Testing
@testable import Console

/// The top row at every width: each part is shortened whole, and never written over another.
@Suite struct StatusRowsTests {
    let stacks = [
        ["Queue"],
        ["Queue", "Alert 3"],
        ["Queue", "Alert 3", "Cases", "Case 6", "Rules"],
        ["Queue", "Alert 12", "Pivot https://login.example.com/very/long/path?with=a&query=string"],
        ["Queue", "Alert 1", "Pivot 東京の長いホスト名.example.jp"],
    ]

    @Test func theHeaderShortensEachPartWholeAndKeepsThemApart() {
        let actor = "root", database = "/tmp/wtrepro/some/deep/folder/demo.db"
        let choices = ["root · " + database, "root · demo.db", "demo.db"]
        for titles in stacks {
            for width in 0...160 {
                let (path, who) = Header.fit(titles: titles, actor: actor, database: database, width: width)
                let room = width - 2 * Header.margin
                // The path: all of it, or its last panes after `…`, or (too narrow even for
                // that) the open pane's title alone, which the grid cuts.
                let full = titles.joined(separator: Header.separator)
                let shortened = (1..<titles.count).contains { path == (["…"] + titles.suffix($0)).joined(separator: Header.separator) }
                #expect(path == full || shortened || path == titles.last, "\(width): \(path)")
                #expect(CellWidth.of(path) <= max(room, 0) || path == titles.last, "\(width): \(path)")
                if CellWidth.of(full) <= room { #expect(path == full) }
                // Who: one of the whole forms, two cells clear of the path, or nothing.
                if let who {
                    #expect(choices.contains(who), "\(width): \(who)")
                    #expect(CellWidth.of(path) + Header.gap + CellWidth.of(who) <= room, "\(width): \(path) | \(who)")
                }
                if CellWidth.of(full) + Header.gap + CellWidth.of(choices[0]) <= room { #expect(path == full && who == choices[0]) }
            }
        }
    }
}
