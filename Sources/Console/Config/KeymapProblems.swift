import Foundation
import Model

extension Keymap {
    /// What `taser config check` reports and the console shows: names that are not actions or
    /// contexts, actions bound where they cannot run, and keys that mean two things at once.
    public func problems(registry: [ActionInfo]) -> [ConfigProblem] {
        let byName = Dictionary(registry.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = registry.map(\.name)
        let contexts = Keymap.knownContexts(registry)
        var problems: [ConfigProblem] = []
        var reportedContexts = Set<String>()

        for b in bindings {
            func problem(_ message: String) { problems.append(ConfigProblem(file: b.file, line: b.line, message)) }
            guard contexts.contains(b.context) else {
                if reportedContexts.insert(b.file + "\0" + b.context).inserted {
                    problem("unknown context '\(b.context)'" + Keymap.suggestion(b.context, in: contexts, otherwise: "the contexts are \(contexts.joined(separator: ", "))"))
                }
                continue
            }
            guard let action = b.action else { continue }
            guard let info = byName[action] else {
                problem("unknown action '\(action)'" + Keymap.suggestion(action, in: names, otherwise: "`taser keys` lists the actions"))
                continue
            }
            if !Keymap.activeContexts(b.context).contains(info.context) {
                problem("'\(action)' works in \(info.context), not in \(b.context); move `\(b.key): \(action)` under `\(info.context):`")
            }
        }
        problems += twice()
        problems += conflicts(contexts: contexts)
        return ConfigProblem.ordered(problems)
    }

    /// One file binding one key twice in one context: the later line wins, which is rarely
    /// what the author meant.
    private func twice() -> [ConfigProblem] {
        var first: [Slot: Binding] = [:]
        var out: [ConfigProblem] = []
        for b in bindings {
            if let earlier = first[Slot(b)], earlier.file == b.file, earlier.action != b.action {
                out.append(ConfigProblem(file: b.file, line: b.line, "'\(b.key)' is bound twice in \(b.context) (line \(earlier.line): \(earlier.action ?? "none"), here: \(b.action ?? "none")); keep one"))
            }
            first[Slot(b)] = first[Slot(b)] ?? b
        }
        return out
    }

    /// A key bound to one action in a context and to another in a context active at the same
    /// time (`queue` inside `list` inside `global`): one of them can never run there. Reported
    /// at the later line, the one that made the clash (a user's line comes after the built-ins).
    private func conflicts(contexts: [String]) -> [ConfigProblem] {
        let live = effective
        let order = Dictionary(bindings.enumerated().map { (Slot($0.element), $0.offset) }, uniquingKeysWith: { _, b in b })
        var out: [ConfigProblem] = []
        for inner in live where contexts.contains(inner.context) {
            guard let innerAction = inner.action else { continue }
            for outerContext in Keymap.activeContexts(inner.context).dropFirst() {
                guard let outer = live.last(where: { $0.context == outerContext && $0.key == inner.key }),
                    let outerAction = outer.action, outerAction != innerAction
                else { continue }
                let later = (order[Slot(inner)] ?? 0) > (order[Slot(outer)] ?? 0) ? inner : outer
                let other = later == inner ? outer : inner
                out.append(ConfigProblem(file: later.file, line: later.line,
                    "'\(inner.key)' runs \(innerAction) in \(inner.context), which hides \(outerAction) bound to it in \(outerContext) (\(other.file):\(other.line)); choose another key, or unbind one with `\(inner.key): none`"))
            }
        }
        return out
    }

    /// "; did you mean 'x'?" for a near miss, else "; " and `otherwise` (the list to choose from).
    static func suggestion(_ typed: String, in names: [String], otherwise: String) -> String {
        let near = suggestion(typed, in: names)
        return near.isEmpty ? "; " + otherwise : near
    }

    static func suggestion(_ typed: String, in names: [String]) -> String {
        // Only a near miss is worth suggesting; a wild name gets the list instead.
        guard let near = nearestNames(typed, in: names, limit: 1).first,
            editDistance(typed.lowercased(), near.lowercased()) <= max(2, typed.count / 3)
        else { return "" }
        return "; did you mean '\(near)'?"
    }
}
