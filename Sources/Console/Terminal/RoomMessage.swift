/// What the console shows in a terminal too small for its views: a request for more room,
/// centred, instead of views cut to pieces. It goes away by itself on the next resize.
enum RoomMessage {
    static func lines(width: Int, height: Int, minimumWidth: Int, minimumHeight: Int) -> [String] {
        ["taser needs more room", "at least \(minimumWidth)x\(minimumHeight), now \(width)x\(height)", "(Ctrl-C quits)"]
    }

    static func render(into grid: inout Grid, minimumWidth: Int, minimumHeight: Int) {
        let lines = lines(width: grid.width, height: grid.height, minimumWidth: minimumWidth, minimumHeight: minimumHeight)
        let top = max(0, (grid.height - lines.count) / 2)
        for (i, line) in lines.enumerated() {
            let x = max(0, (grid.width - CellWidth.of(line)) / 2)
            grid.put(line, x: x, y: top + i, role: i == 0 ? .title : .dim)
        }
    }
}
