import Foundation
import Testing
@testable import Console

/// The top row and the status message at every width: each part is shortened whole, and never
/// written over another.
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

    @Test func theStatusMessageKeepsItsPointerWhenThereIsRoom() {
        let end = " (+2 more; taser config check for all)"
        let text = " keys.yaml:2: unknown action 'alert.promot'; did you mean 'alert.promote'?" + end
        #expect(StatusText.fit(text, keeping: end, width: 200) == text)
        for width in 0...200 {
            let fitted = StatusText.fit(text, keeping: end, width: width)
            if CellWidth.of(fitted) < CellWidth.of(text) {
                #expect(fitted.hasSuffix("…" + end) && CellWidth.of(fitted) <= width, "\(width): \(fitted)")
            } else {
                // Kept whole: the grid cuts it at the end as any other message.
                #expect(fitted == text)
            }
        }
        #expect(StatusText.fit(text, keeping: end, width: 80).hasSuffix("… (+2 more; taser config check for all)"))
        #expect(StatusText.fit(text, keeping: end, width: 40) == text)
        #expect(StatusText.fit(text, keeping: nil, width: 80) == text)
    }

    @Test func configProblemsBecomeOneLineThatSaysWhereTheRestIs() throws {
        #expect(App.problemMessage(positron: nil, config: []) == nil)
        let one = try #require(App.problemMessage(positron: nil, config: ["keys.yaml:2: unknown action 'queue.pro\nmot'"]))
        #expect(one.text == "keys.yaml:2: unknown action 'queue.pro mot' (taser config check)" && one.end == " (taser config check)")
        let three = try #require(App.problemMessage(positron: nil, config: ["keys.yaml:2: a", "keys.yaml:3: b", "theme.yaml:1: c"]))
        #expect(three.text == "keys.yaml:2: a (+2 more; taser config check for all)")
        // Positron's first, and alone it points nowhere: `taser config check` does not read it.
        let positron = try #require(App.problemMessage(positron: "positron.yaml:4: bad\r\nplugin", config: []))
        #expect(positron.text == "Positron runs without your positron.yaml: positron.yaml:4: bad plugin" && positron.end == nil)
        let both = try #require(App.problemMessage(positron: "p", config: ["keys.yaml:2: a"]))
        #expect(both.text == "Positron runs without your positron.yaml: p (+1 more; taser config check for all)")
    }

    @Test func problemsAreNamedFromTheConfigFolder() {
        let problem = ConfigProblem(file: "/home/ana/.config/taser/keys.yaml", line: 3, "unknown action 'x'")
        #expect(problem.relative(to: "/home/ana/.config/taser").description == "keys.yaml:3: unknown action 'x'")
        #expect(problem.relative(to: "/home/ana/.config/taser/").description == "keys.yaml:3: unknown action 'x'")
        #expect(problem.relative(to: "/home/ana/.config/tas").description == problem.description)
        #expect(ConfigProblem(file: "emacs.yaml", line: nil, "m").relative(to: "/x").description == "emacs.yaml: m")
    }
}
