import Foundation

/// Which key runs which action, by context. The built-in keymaps (`Keymaps/default.yaml`,
/// vim-like, and `Keymaps/emacs.yaml`) and the analyst's `keys.yaml` are the same format, so
/// an override is a copy of the lines to change:
///
///     base: emacs            # optional: start from emacs.yaml instead of default.yaml
///     alerts: { x: alert.close, c: none }
public struct Keymap: Sendable, Equatable {
    /// One line of a keymap file: in `context`, `key` runs `action`.
    public struct Binding: Hashable, Sendable {
        public var context: String
        public var key: Key
        /// Nil for `key: none`: the key does nothing here, and so also hides what an outer
        /// context binds it to (that is how an analyst takes `q` away from the queue only).
        public var action: String?
        /// Where it was written, so problems point at the line.
        public var file: String
        public var line: Int

        public init(context: String, key: Key, action: String?, file: String, line: Int) {
            self.context = context
            self.key = key
            self.action = action
            self.file = file
            self.line = line
        }
    }

    /// In file order; a user's bindings come after the ones they replace.
    public internal(set) var bindings: [Binding]
    /// A user file's `base:`, the built-in keymap it starts from.
    public var base: String?
    var baseLine: Int?

    public init(bindings: [Binding] = [], base: String? = nil) {
        self.bindings = bindings
        self.base = base
    }

    /// The shipped files' names (`default` first), from what was compiled in.
    public static let builtInNames = BuiltInFiles.keymapNames

    /// A keymap shipped with taser.
    public static func load(named name: String) throws(ConfigError) -> Keymap {
        let text = try ConfigFiles.builtIn(name, in: BuiltInFiles.keymaps, names: builtInNames, kind: "keymap")
        return try parse(yaml: text, file: name + ".yaml")
    }

    /// Reads a keymap file; throws when it is not valid YAML or not shaped as a keymap. Action
    /// names are checked later by `problems(registry:)`, which knows the actions.
    public static func parse(yaml: String, file: String) throws(ConfigError) -> Keymap {
        let (keymap, problems) = read(yaml: yaml, file: file)
        if !problems.isEmpty { throw ConfigError(problems) }
        return keymap
    }

    /// Like `parse`, but keeps every binding it could read alongside the problems, so one bad
    /// line in a user's file does not throw away the rest of it.
    static func read(yaml: String, file: String) -> (Keymap, [ConfigProblem]) {
        var keymap = Keymap()
        var problems: [ConfigProblem] = []
        let top: [ConfigEntry]
        do { top = try ConfigYAML.topLevel(yaml, file: file) } catch { return (keymap, error.problems) }
        for entry in top {
            if entry.key == "base" {
                if let name = ConfigYAML.scalar(entry.value) {
                    keymap.base = name
                    keymap.baseLine = entry.line
                } else {
                    problems.append(ConfigProblem(file: file, line: entry.line, "base names a built-in keymap: write `base: default` or `base: emacs`"))
                }
                continue
            }
            if ConfigYAML.isNull(entry.value) { continue }
            guard case .mapping = entry.value else {
                problems.append(ConfigProblem(file: file, line: entry.line, "'\(entry.key)' should map keys to actions, like `\(entry.key): { j: move.down }`"))
                continue
            }
            let lines: [ConfigEntry]
            do { lines = try ConfigYAML.entries(entry.value, file: file) } catch {
                problems += error.problems
                continue
            }
            for line in lines {
                let action: String?
                if ConfigYAML.isNull(line.value) {
                    action = nil
                } else if let name = ConfigYAML.scalar(line.value) {
                    action = name == "none" ? nil : name
                } else {
                    problems.append(ConfigProblem(file: file, line: line.line, "'\(line.key)' should name one action, or none; to give an action two keys, write two lines"))
                    continue
                }
                guard !line.key.trimmingCharacters(in: .whitespaces).isEmpty else {
                    problems.append(ConfigProblem(file: file, line: line.line, "an empty key; quote a key that is punctuation, like \"?\""))
                    continue
                }
                keymap.bindings.append(Binding(context: entry.key, key: Key(line.key), action: action, file: file, line: line.line))
            }
        }
        return (keymap, problems)
    }

    /// This keymap with the user's lines on top: a user's binding replaces the same key in the
    /// same context, and other keys stay as they were.
    public func merged(with user: Keymap) -> Keymap {
        let replaced = Set(user.bindings.map { Slot($0) })
        var out = Keymap(bindings: bindings.filter { !replaced.contains(Slot($0)) } + user.bindings, base: base)
        out.baseLine = baseLine
        return out
    }

    /// The action `key` runs where `contexts` are active, innermost first (`["queue", "list",
    /// "global"]`); nil when nothing is bound or the innermost binding is `none`.
    public func action(for key: Key, in contexts: [String]) -> String? {
        for context in contexts {
            if let binding = bindings.last(where: { $0.context == context && $0.key == key }) { return binding.action }
        }
        return nil
    }

    /// Every key that runs `action`, in file order (for the hint bar and the `?` overlay).
    public func keys(for action: String) -> [Key] {
        var seen = Set<Key>()
        return effective.filter { $0.action == action && seen.insert($0.key).inserted }.map(\.key)
    }

    /// The bindings that count: when one file binds a key twice in a context, the later line.
    var effective: [Binding] {
        var last: [Slot: Int] = [:]
        for (i, b) in bindings.enumerated() { last[Slot(b)] = i }
        return bindings.enumerated().filter { last[Slot($0.element)] == $0.offset }.map(\.element)
    }

    /// The contexts active together when `context` has the focus, innermost first: a pane's
    /// list sits inside `list`, which sits inside `global`; the editor stands alone, because
    /// there every unbound key is text. The Positron prompt sits inside `global` only: its
    /// printable keys are text, the others (Esc, Ctrl-L) keep their global meaning.
    public static func activeContexts(_ context: String) -> [String] {
        switch context {
        case "global": ["global"]
        case "list": ["list", "global"]
        case "editor": ["editor"]
        case "positron": ["positron", "global"]
        case "alerts": ["alerts", "list", "global"]
        // Panes that show alerts: their verbs (`alerts`) work there too.
        case "queue", "alert", "pivot": [context, "alerts", "list", "global"]
        default: [context, "list", "global"]
        }
    }

    struct Slot: Hashable {
        var context: String
        var key: Key
        init(_ b: Binding) {
            context = b.context
            key = b.key
        }
    }
}
