/// One thing the analyst can do. The registry of these drives key dispatch, the `?` overlay,
/// the hint bar, the `:` command line and `taser keys --markdown`: one list, so they cannot
/// disagree. Default keys live in `Keymaps/*.yaml`, in the format a user writes.
public struct ActionInfo: Hashable, Sendable {
    /// `alert.promote`, `case.note`: what keymap files and the `:` line name.
    public var name: String
    /// What the `?` overlay and the hint bar say: "Promote to a new case".
    public var title: String
    /// Where it applies: `global`, `list`, `queue`, `alert`, `case`, `pivot`, `rules`, `sync`, `editor`, `prompt`.
    public var context: String
    /// Asks for confirmation first (close, merge).
    public var dangerous: Bool
    /// Shown in the hint bar of its context when there is room.
    public var hint: Bool

    public init(_ name: String, _ title: String, context: String, dangerous: Bool = false, hint: Bool = false) {
        self.name = name
        self.title = title
        self.context = context
        self.dangerous = dangerous
        self.hint = hint
    }
}

/// The model the terminal driver runs: it hands over keys and ticks, and copies what the model
/// renders to the screen (only the cells that changed).
public protocol ConsoleModel: AnyObject {
    /// Handles one key; returns false when the console should close.
    func handle(_ key: Key) -> Bool
    /// Called about once a second: returns true when something changed underneath (another
    /// process wrote to the database) and the screen should be drawn again.
    func tick() -> Bool
    /// Draws everything into `grid`, which has the terminal's size.
    func render(into grid: inout Grid)
    /// True while work started by a key is still running elsewhere (a Positron query): the
    /// driver then ticks without waiting out the second, so its result shows when it is in.
    var isBusy: Bool { get }
    /// Text a key asked to copy, taken once: the driver sends it to the analyst's clipboard.
    func takeClipboard() -> String?
    /// Text a key asked to edit in `$EDITOR`, taken once: the driver runs the editor.
    func takeExternalEdit() -> ExternalEdit?
}

extension ConsoleModel {
    public func takeClipboard() -> String? { nil }
    public func takeExternalEdit() -> ExternalEdit? { nil }
}

/// Text a key asked to edit in the analyst's own editor (`$VISUAL`, `$EDITOR`), as git does
/// for a commit message: the driver leaves the screen, runs the editor on a private temporary
/// file, and hands back what was saved (or why it could not).
public struct ExternalEdit {
    public var text: String
    public var done: (Result<String, ExternalEditError>) -> Void

    public init(text: String, done: @escaping (Result<String, ExternalEditError>) -> Void) {
        self.text = text
        self.done = done
    }
}

public struct ExternalEditError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ConsoleModel {
    public var isBusy: Bool { false }
}
