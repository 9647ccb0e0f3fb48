import CNcursesw
import Foundation

/// The ncurses driver: runs a `ConsoleModel` full screen. The model draws into a `Grid`; this
/// copies only the cells that changed to the terminal, turns key codes into `Key`s, and puts
/// the terminal back however the console ends. The only code in taser that touches curses.
public final class Terminal {
    /// Below this the views do not fit: the driver asks for more room instead of drawing them.
    public static let minimumWidth = 40, minimumHeight = 10

    /// What the last frame cost: the bytes of text handed to curses and the writes it took
    /// (benchmarks and the demo's status row read it).
    public static var lastFrame: FrameStats { stats }
    /// What the running console's terminal can show (`.none` before it starts or with NO_COLOR).
    public static var colourSupport: ColourSupport { support }

    nonisolated(unsafe) private static var stats = FrameStats()
    nonisolated(unsafe) private static var support = ColourSupport.none

    /// How often the model's `tick` runs, and how long a read waits before checking.
    static let tickInterval = 1.0
    static let readTimeoutMS: Int32 = 250
    static let busyReadTimeoutMS: Int32 = 100
    /// Esc alone or Esc starting an Alt key: what arrives within this is part of the same key.
    static let escapeDelayMS: Int32 = 25

    /// Runs `model` full screen until it returns false from handle(_:). Restores the terminal
    /// on return, on error, and on SIGINT, SIGTERM and SIGHUP (a dropped SSH session).
    public static func run(_ model: ConsoleModel, styles: @escaping (Role) -> Style) throws(TerminalError) {
        try run(model, styles: { role, _ in styles(role) })
    }

    /// As `run(_:styles:)`, for themes that choose differently with colours off (NO_COLOR, a
    /// mono terminal) than with 16 or 256.
    public static func run(_ model: ConsoleModel, styles: @escaping (Role, ColourSupport) -> Style) throws(TerminalError) {
        try checkEnvironment()
        let screen = try open()
        defer { close(screen) }
        let terminal = Terminal(model: model, styles: styles, colours: startColours())
        terminal.loop()
    }

    /// Refuses before curses touches the screen, so a refusal leaves nothing to clean up.
    static func checkEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(TerminalError) {
        let term = env["TERM"]
        if term == nil || term!.isEmpty || term == "dumb" { throw .dumbTerminal(term: term) }
        if isatty(STDIN_FILENO) == 0 { throw .notATerminal(which: "standard input") }
        if isatty(STDOUT_FILENO) == 0 { throw .notATerminal(which: "standard output") }
    }

    private static func open() throws(TerminalError) -> OpaquePointer {
        Restore.unblock()
        setlocale(LC_ALL, "")
        // Without a UTF-8 locale (LANG unset on a jump host) curses cannot draw wide
        // characters; the grid is UTF-8 whatever the locale says.
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_CTYPE, "C.UTF-8") }
        guard let screen = taser_newterm() else {
            throw .unknownTerminal(term: ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        Restore.active = true
        Restore.install()
        taser_setup_input()
        taser_set_escdelay(escapeDelayMS)
        taser_timeout(readTimeoutMS)
        curs_set(0)
        return screen
    }

    private static func close(_ screen: OpaquePointer) {
        Restore.now()
        delscreen(screen)
        Restore.uninstall()
        support = .none
    }

    private static func startColours() -> Colours {
        let noColour = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        guard !noColour, has_colors() else {
            support = .none
            return Colours(support: .none, colourCount: 0, pairLimit: 0)
        }
        start_color()
        use_default_colors()
        let count = Int(taser_colors())
        support = count >= 256 ? .indexed : .palette
        return Colours(support: support, colourCount: count, pairLimit: Int(taser_color_pairs()))
    }

    private let model: ConsoleModel
    private let styles: (Role, ColourSupport) -> Style
    private let colours: Colours
    private var looks: [Role: (attributes: attr_t, pair: Int16)] = [:]
    /// What the terminal shows now; nil forces the next frame to write every cell.
    private var shown: Grid?
    private var lastTick = Date()
    private var waitingShort = false

    private init(model: ConsoleModel, styles: @escaping (Role, ColourSupport) -> Style, colours: Colours) {
        self.model = model
        self.styles = styles
        self.colours = colours
    }

    /// Draws on events only (a key, a tick that found changes, a resize): an idle console
    /// sends nothing over the wire.
    private func loop() {
        var dirty = true
        while true {
            if dirty { draw() }
            dirty = false
            // What a frame asked for (a queue that grew reads the rows it has room for) comes
            // before waiting for a key, so the first frame is followed at once by a full one.
            if model.isBusy, model.tick() {
                lastTick = Date()
                dirty = true
                continue
            }
            for key in readKeys() {
                switch handle(key) {
                case .quit: return
                case .redraw: dirty = true
                case .nothing: break
                }
                if let text = model.takeClipboard() { Terminal.copy(text) }
                if let edit = model.takeExternalEdit() {
                    edit.done(ExternalEditor.run(edit.text))
                    // The editor drew over everything: the next frame writes every cell.
                    shown = nil
                    taser_clear_next()
                    dirty = true
                }
            }
            let busy = model.isBusy
            if busy || Date().timeIntervalSince(lastTick) >= Terminal.tickInterval {
                lastTick = Date()
                if model.tick() { dirty = true }
            }
            // While busy a read waits less, so a result is drawn within a tenth of a second.
            if busy != waitingShort {
                waitingShort = busy
                taser_timeout(busy ? Terminal.busyReadTimeoutMS : Terminal.readTimeoutMS)
            }
        }
    }

    private enum Outcome { case quit, redraw, nothing }

    /// The largest text sent to the clipboard: terminals drop longer OSC 52 strings.
    static let clipboardLimit = 74_994

    /// OSC 52: the terminal puts the text on the analyst's own clipboard, through SSH and tmux
    /// (with its `set-clipboard`), where no X display or pbcopy is at hand.
    static func copy(_ text: String) {
        let bytes = Array(text.utf8.prefix(clipboardLimit))
        let sequence = "\u{1B}]52;c;" + Data(bytes).base64EncodedString() + "\u{07}"
        // Straight to the terminal: curses has flushed its frame (refresh), and this draws nothing.
        let out = Array(sequence.utf8)
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            sent += n
        }
    }

    private func handle(_ key: Key) -> Outcome {
        if key == .resize || key == .ctrl("l") {
            // The only times the screen is cleared: after a resize the terminal's contents
            // are unknown, and Ctrl-L is the analyst saying the screen is garbled.
            shown = nil
            taser_clear_next()
            return model.handle(key) ? .redraw : .quit
        }
        // While the console asks for more room the analyst cannot see what a key would do.
        guard !tooSmall else { return .nothing }
        return model.handle(key) ? .redraw : .quit
    }

    /// The keys from one read: none after the timeout, two for an Esc that was not an Alt.
    private func readKeys() -> [Key] {
        guard let first = read() else { return [] }
        guard first == .escape else { return KeyDecoder.key(first).map { [$0] } ?? [] }
        taser_timeout(Terminal.escapeDelayMS)
        let next = read()
        taser_timeout(waitingShort ? Terminal.busyReadTimeoutMS : Terminal.readTimeoutMS)
        return KeyDecoder.escape(followedBy: next)
    }

    private func read() -> RawInput? {
        var value: UInt32 = 0
        let rc = taser_get(&value)
        if rc == taser_key_code_yes() { return .code(Int32(bitPattern: value)) }
        if rc == taser_ok() { return .character(value) }
        return nil
    }

    private var tooSmall: Bool {
        taser_width() < Terminal.minimumWidth || taser_height() < Terminal.minimumHeight
    }

    private func draw() {
        var grid = Grid(width: Int(taser_width()), height: Int(taser_height()))
        if tooSmall {
            RoomMessage.render(into: &grid, minimumWidth: Terminal.minimumWidth, minimumHeight: Terminal.minimumHeight)
        } else {
            model.render(into: &grid)
        }
        let runs = FrameDiff.runs(from: shown, to: grid)
        var bytes = 0
        for run in runs {
            let look = self.look(run.role)
            let count = run.text.utf8.count
            bytes += count
            _ = run.text.withCString { taser_put(Int32(run.y), Int32(run.x), $0, Int32(count), look.attributes, look.pair) }
        }
        _ = taser_refresh()
        shown = grid
        Terminal.stats = FrameStats(bytes: bytes, runs: runs.count, frames: Terminal.stats.frames + 1)
    }

    private func look(_ role: Role) -> (attributes: attr_t, pair: Int16) {
        if let known = looks[role] { return known }
        let look = colours.look(styles(role, colours.support))
        looks[role] = look
        return look
    }
}

/// What a frame cost.
public struct FrameStats: Sendable, Equatable {
    /// Bytes of UTF-8 text handed to curses (before its own escape sequences).
    public var bytes = 0
    /// Writes (runs of changed cells in one role).
    public var runs = 0
    /// Frames drawn since the console started.
    public var frames = 0
}
