import Engine
import Foundation
import Model
import Positron

/// The console as a model: panes on a stack, the status and hint bars, and whatever is being
/// typed (a filter, a `:` command, a prompt, a note). The terminal driver feeds it keys and
/// ticks and copies what it renders; tests do the same with a plain `Grid`.
public final class App: ConsoleModel {
    let engine: any TaserAPI
    let bindings: KeyBindings
    var panes: [Pane] = []
    /// What the status bar says once (an error, "3 alerts acknowledged").
    var message: (text: String, isError: Bool)? { didSet { messageEnd = nil } }
    /// The end of `message` kept in view when the bar cuts it (where to read the rest); any new
    /// message drops it.
    var messageEnd: String?
    var mode: Mode = .normal
    var commandHistory: [String] = []
    /// Positron as the analyst configured it, and the prompt pane once opened: one per session,
    /// so its history and last answer are there each time the analyst comes back.
    let positron: ConsolePositron
    var positronPane: PositronPane?
    private var stamp: String
    /// Dead letters in the outbox, counted when the database changes: the status bar warns of
    /// them on every pane, so an analyst notices without opening the Sync pane.
    var deadLetters = 0
    /// The editor a "discard?" question came from, to go back to on "no".
    var pendingEditor: Mode?
    /// What `copy` asked to put on the clipboard, until the driver takes it.
    var clipboard: String?

    public func takeClipboard() -> String? {
        defer { clipboard = nil }
        return clipboard
    }

    /// What `editor.external` asked the driver to open in `$EDITOR`, until it takes it.
    var externalEdit: ExternalEdit?

    public func takeExternalEdit() -> ExternalEdit? {
        defer { externalEdit = nil }
        return externalEdit
    }

    /// What keys go to, besides the panes.
    enum Mode {
        case normal
        case help(filter: LineInput, cursor: Int)
        case command(LineInput)
        case prompt(label: String, input: LineInput, then: (String) throws -> Void)
        case confirm(question: String, then: () throws -> Void)
        case editor(TextEditor, title: String, save: (String) throws -> Void)
        case choose(Chooser)
    }

    public init(engine: any TaserAPI, bindings: KeyBindings, problems: [String] = [], positron: ConsolePositron = ConsolePositron()) throws {
        self.engine = engine
        self.bindings = bindings
        self.positron = positron
        stamp = engine.changeStamp()
        panes = [try QueuePane(engine: engine)]
        refreshDeadLetters()
        if let (text, end) = App.problemMessage(positron: positron.problem, config: problems) {
            message = (text, true)
            messageEnd = end
        }
    }

    /// What the status bar says at start about the analyst's files: the first problem, on one
    /// line, and (for keys.yaml and theme.yaml) where to read them all; nil when there are none.
    /// `end` is the pointer, which stays in view when the bar is too narrow for the whole text.
    /// Positron's comes first: `taser config check`, which the pointer names, explains the others.
    static func problemMessage(positron: String?, config: [String]) -> (text: String, end: String?)? {
        let all = (positron.map { ["Positron runs without your positron.yaml: \($0)"] } ?? []) + config
        guard let first = all.first.map(oneLine) else { return nil }
        guard !config.isEmpty else { return (first, nil) }
        let end = all.count == 1 ? " (taser config check)" : " (+\(all.count - 1) more; taser config check for all)"
        return (first + end, end)
    }

    /// The text with line breaks and other control characters as spaces: the grid drops them,
    /// which would run the words on either side together.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .control } ? " " : $0 })
    }

    var top: Pane { panes[panes.count - 1] }
    var contexts: [String] { top.contexts + ["global"] }

    func push(_ pane: Pane) { panes.append(pane) }

    /// A number key: back to that pane where it is on the stack (fresh), else opened on top;
    /// never a second copy of it.
    func switchTo<P: Pane>(_ type: P.Type, make: () throws -> P) throws {
        if let i = panes.lastIndex(where: { $0 is P }) {
            panes.removeSubrange((i + 1)...)
            try top.reload()
        } else {
            push(try make())
        }
    }

    func say(_ text: String) { message = (text, false) }

    /// `:search TEXT`: the Search pane on that search (the one already open, searching again).
    /// An empty search asks for one; a bad one keeps what was shown and says why.
    func openSearch(_ text: String) {
        guard !text.isEmpty else {
            prompt("Search:") { [self] text in openSearch(text) }
            return
        }
        do {
            if let i = panes.lastIndex(where: { $0 is SearchPane }), let pane = panes[i] as? SearchPane {
                try pane.search(text)
                panes.removeSubrange((i + 1)...)
            } else {
                push(try SearchPane(engine: engine, query: text))
            }
        } catch {
            message = ("search: \(ConsoleWording.of(error))", true)
        }
    }

    /// One count over an index; a database without the outbox tables yet counts none.
    func refreshDeadLetters() {
        deadLetters = (try? engine.deadDeliveryCount()) ?? 0
    }

    // MARK: ConsoleModel

    /// True while a Positron query is out: the driver then ticks at once, not once a second,
    /// so the answer shows as soon as it is in.
    public var isBusy: Bool {
        (positronPane?.isAsking ?? false) || (top as? QueuePane)?.needsFill == true || (top as? QueuePane)?.isLoadingDetail == true || panes.contains { ($0 as? SearchPane)?.isSearching == true }
    }

    public func tick() -> Bool {
        // A queue that grew (the first frame, a resize) reads the rows it now has room for.
        if let queue = top as? QueuePane, queue.needsFill {
            do { try queue.fill() } catch { message = (ConsoleWording.of(error), true) }
            return true
        }
        var answered = positronPane?.collect() ?? false
        if let queue = top as? QueuePane, queue.collectDetail() { answered = true }
        for case let search as SearchPane in panes where search.collect(self) { answered = true }
        // The rule editor reruns the simulator once typing pauses.
        if let editor = top as? RuleEditorPane, editor.needsRun {
            editor.simulate()
            return true
        }
        let now = engine.changeStamp()
        let changed = now != stamp
        if changed {
            stamp = now
            for pane in panes { try? pane.reload() }
            refreshDeadLetters()
        }
        // The queue's count waits for a pause, so typing a filter stays quick.
        let counted = (top as? QueuePane)?.countIfStale() ?? false
        return changed || counted || answered
    }

    public func handle(_ key: Key) -> Bool {
        do {
            return try dispatch(key)
        } catch {
            message = (ConsoleWording.of(error), true)
            return true
        }
    }

    private func dispatch(_ key: Key) throws -> Bool {
        if key == .resize { return true }
        switch mode {
        case .normal:
            break
        case .help(var filter, var cursor):
            let shown = helpEntries(filter.text)
            if cancels(key) || key == Key("?") {
                mode = .normal
                return true
            }
            switch key {
            case .down, Key("ctrl-n"): mode = .help(filter: filter, cursor: min(cursor + 1, max(0, shown.count - 1)))
            case .up, Key("ctrl-p"): mode = .help(filter: filter, cursor: max(0, cursor - 1))
            case .enter:
                mode = .normal
                if shown.indices.contains(cursor) { return try run(shown[cursor].action.name) }
            default:
                if filter.edit(key) { cursor = 0 }
                mode = .help(filter: filter, cursor: cursor)
            }
            return true
        case .command(var line):
            if cancels(key) {
                mode = .normal
                return true
            }
            switch key {
            case .enter:
                mode = .normal
                return try runCommand(line.text)
            case .tab:
                line.text = complete(line.text)
                mode = .command(line)
            case .up:
                if let last = commandHistory.last(where: { $0 != line.text }) { line.text = last }
                mode = .command(line)
            default:
                _ = line.edit(key)
                mode = .command(line)
            }
            return true
        case .prompt(let label, var input, let then):
            if cancels(key) {
                mode = .normal
                return true
            }
            switch key {
            case .enter:
                mode = .normal
                try then(input.text)
            default:
                _ = input.edit(key)
                mode = .prompt(label: label, input: input, then: then)
            }
            return true
        case .confirm(_, let then):
            mode = .normal
            let back = pendingEditor
            pendingEditor = nil
            if key == Key("y") || key == Key("Y") {
                try then()
            } else if let back {
                // Not discarded: back to the editor, text and cursor as they were.
                mode = back
            } else {
                say("cancelled")
            }
            return true
        case .choose(let chooser):
            switch chooser.handle(key, cancels: cancels(key)) {
            case .stay(let next): mode = .choose(next)
            case .leave: mode = .normal
            case .choose(let option):
                mode = .normal
                try option.choose()
            case .typed(let text, let take):
                mode = .normal
                try take(text)
            }
            return true
        case .editor(var editor, let title, let save):
            if let action = bindings.action(for: key, in: ["editor"]) {
                if action == "editor.save" {
                    // A save that fails keeps the editor open with the text and the reason.
                    do {
                        try save(editor.text)
                        mode = .normal
                    } catch {
                        message = ("not saved: \(ConsoleWording.of(error))", true)
                    }
                    return true
                }
                if action == "editor.external" {
                    // The analyst's own editor on this text; what it saves comes back into this
                    // editor (still unsaved here: ctrl-s saves it, Esc asks).
                    externalEdit = ExternalEdit(text: editor.text) { [self] result in
                        switch result {
                        case .success(let text):
                            mode = .editor(TextEditor(text: text, original: editor.original), title: title, save: save)
                        case .failure(let error):
                            message = ("\(error)", true)
                        }
                    }
                    return true
                }
                if action == "editor.cancel" {
                    guard editor.changed else {
                        mode = .normal
                        return true
                    }
                    let kept = mode
                    mode = .confirm(question: "Discard what you typed?", then: { [self] in say("not saved") })
                    pendingEditor = kept
                    return true
                }
            }
            editor.edit(key)
            mode = .editor(editor, title: title, save: save)
            return true
        }
        if let typing = top as? TypingPane, typing.isTyping {
            typing.type(key, app: self)
            return true
        }
        if let prompt = top as? PromptPane, prompt.takeText(key) {
            message = nil
            return true
        }
        guard let action = bindings.action(for: key, in: contexts) else {
            if key != Key("ctrl-l") { message = ("\(key) does nothing here; ? lists the keys", false) }
            return true
        }
        return try run(action)
    }

    /// Runs an action by name (from a key, the `?` overlay or the `:` line). False: quit.
    func run(_ name: String) throws -> Bool {
        message = nil
        if let info = Registry.action(named: name), !contexts.contains(info.context) {
            message = ("\(info.title): not here (it works in the \(info.context) pane)", true)
            return true
        }
        switch name {
        case "quit": return false
        case "help":
            // On the actions of where the analyst is: those are what they came to look up.
            let here = helpEntries("").firstIndex { $0.action.context == contexts.first } ?? 0
            mode = .help(filter: LineInput(), cursor: here)
        case "command": mode = .command(LineInput())
        case "back":
            if panes.count > 1 { panes.removeLast(); try top.reload() }
        case "redraw": break
        case "pane.queue": panes = [panes[0]]
        case "pane.cases": try switchTo(CaseListPane.self) { try CaseListPane(engine: engine) }
        case "pane.rules": try switchTo(RulesPane.self) { try RulesPane(engine: engine) }
        case "pane.positron": openPositron()
        case "pane.sync": try switchTo(SyncPane.self) { try SyncPane(engine: engine) }
        case "pane.search":
            if panes.contains(where: { $0 is SearchPane }) {
                try switchTo(SearchPane.self) { try SearchPane(engine: engine, query: "") }
            } else {
                prompt("Search:") { [self] text in openSearch(text) }
            }
        case "copy":
            guard let value = (top as? CopyablePane)?.copyable, !value.isEmpty else {
                message = ("nothing to copy here: move to an artifact, an alert or a log entry", true)
                return true
            }
            clipboard = value
            say("copied \(value.count > 40 ? String(value.prefix(40)) + "…" : value)")
        case "artifact.ask":
            guard let artifact = (top as? LinesPane)?.currentArtifact else {
                message = ("no artifact under the cursor: open an alert or a case and move to one of its artifacts", true)
                return true
            }
            offerQueries(about: artifact, pivot: false)
        default:
            if try top.perform(name, app: self) == false {
                message = ("\(Registry.action(named: name)?.title ?? name): not here", true)
            }
        }
        return true
    }

    private func runCommand(_ text: String) throws -> Bool {
        let typed = text.trimmed
        guard !typed.isEmpty else { return true }
        commandHistory.append(typed)
        if let n = Int(typed) { return try run("open.\(n)") }
        let word = typed.split(separator: " ").first.map(String.init) ?? typed
        // The one command that takes text: the search.
        if word == "search" || word == "pane.search" {
            openSearch(String(typed.dropFirst(word.count)).trimmed)
            return true
        }
        let names = Registry.actions.map(\.name)
        let candidates = names.filter { $0 == word || $0.hasSuffix("." + word) }
        guard let name = candidates.first(where: { contexts.contains(Registry.action(named: $0)!.context) }) ?? candidates.first else {
            message = ("no command '\(word)'; did you mean \(nearestNames(word, in: names).joined(separator: ", "))?", true)
            return true
        }
        return try run(name)
    }

    /// Tab on the `:` line: the longest common start of the matching action names.
    private func complete(_ text: String) -> String {
        let names = Registry.actions.map(\.name).filter { $0.hasPrefix(text) || $0.split(separator: ".").last.map { $0.hasPrefix(text) } ?? false }
        guard let first = names.first else { return text }
        if names.count == 1 { return first }
        var common = first
        for n in names.dropFirst() { while !n.hasPrefix(common) { common.removeLast() } }
        return common.count > text.count ? common : text
    }

    /// Esc, or a key the keymap binds to `back` (ctrl-g in emacs): every prompt and line
    /// leaves with it.
    func cancels(_ key: Key) -> Bool {
        key == .escape || bindings.action(for: key, in: ["global"]) == "back"
    }

    /// Confirms a dangerous action before running it.
    func confirm(_ question: String, then: @escaping () throws -> Void) {
        mode = .confirm(question: question, then: then)
    }

    func prompt(_ label: String, initial: String = "", then: @escaping (String) throws -> Void) {
        mode = .prompt(label: label, input: LineInput(text: initial), then: then)
    }

    func edit(_ title: String, text: String = "", save: @escaping (String) throws -> Void) {
        mode = .editor(TextEditor(text: text), title: title, save: save)
    }

    struct HelpEntry {
        var action: ActionInfo
        var keys: [Key]
    }

    func helpEntries(_ filter: String) -> [HelpEntry] {
        let words = filter.lowercased().split(separator: " ")
        return Registry.contexts.flatMap { context in
            Registry.actions.filter { $0.context == context }
        }.map { HelpEntry(action: $0, keys: bindings.keys(for: $0.name)) }.filter { entry in
            words.allSatisfy { w in
                entry.action.name.lowercased().contains(w) || entry.action.title.lowercased().contains(w)
                    || entry.keys.contains { $0.name.lowercased() == w }
            }
        }
    }
}

/// A pane with a value under the cursor worth copying (an artifact's value, an alert's key).
protocol CopyablePane: Pane {
    var copyable: String? { get }
}

/// A pane that takes typed text at times (the queue's `/` filter line).
protocol TypingPane: Pane {
    var isTyping: Bool { get }
    /// What the `/` line shows; nil for a pane whose typing is not a filter (the rule editor).
    var typedText: String? { get }
    func type(_ key: Key, app: App)
}

extension TypingPane {
    var typedText: String? { nil }
}

/// A pane that is a prompt (Positron's): printable keys and line editing are its text; every
/// other key runs the action it is bound to, in the pane's context and then the global one.
protocol PromptPane: Pane {
    /// Takes the key as text; false when it is not text (Enter, Tab, arrows, Esc).
    func takeText(_ key: Key) -> Bool
}
