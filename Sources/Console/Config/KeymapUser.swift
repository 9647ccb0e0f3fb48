import Foundation

extension Keymap: LayeredConfig {
    /// The analyst's keys: the built-in keymap (`base:` in their file, else default) with
    /// `$XDG_CONFIG_HOME/taser/keys.yaml` on top. Never fails: a broken file gives problems,
    /// which the console shows on its status line, and the keys it could not use keep their
    /// built-in actions, so the console still opens and still quits on `q`.
    public static func forUser(environment: [String: String]) -> (Keymap, [ConfigProblem]) {
        var (base, user, problems) = layers(userFile: ConfigFiles.keys(environment: environment), empty: Keymap())
        guard let user else { return (base, problems) }
        problems += base.merged(with: user).problems(registry: Registry.actions)
        return (base.merged(with: user.usable(registry: Registry.actions)), ConfigProblem.ordered(problems))
    }

    static func unknownBase(_ name: String) -> String {
        "there is no built-in keymap '\(name)'; write `base: default` or `base: emacs`"
    }

    /// Only the bindings that can work: a known action (or `none`) in a context where it runs.
    /// A line naming a mistyped action is left out rather than unbinding the key.
    func usable(registry: [ActionInfo]) -> Keymap {
        let byName = Dictionary(registry.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let contexts = Keymap.knownContexts(registry)
        var out = self
        out.bindings = bindings.filter { b in
            guard contexts.contains(b.context) else { return false }
            guard let action = b.action else { return true }
            guard let info = byName[action] else { return false }
            return Keymap.activeContexts(b.context).contains(info.context)
        }
        return out
    }

    static func knownContexts(_ registry: [ActionInfo]) -> [String] {
        var out = Registry.contexts
        for a in registry where !out.contains(a.context) { out.append(a.context) }
        return out
    }
}
