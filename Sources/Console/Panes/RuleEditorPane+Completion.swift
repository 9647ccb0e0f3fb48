import Foundation
import SignalServer

/// Completion in the rule editor: the completion key (Tab) opens a list of what fits at the
/// cursor, typing narrows it, Up and Down choose, Tab or Enter inserts over what was typed of
/// it, Esc closes it and stays in the editor.
extension RuleEditorPane {
    enum CompletionOutcome { case notTaken, taken, inserted }

    /// Opens the list at the cursor, or says why there is none.
    func openCompletion(_ app: App) {
        guard let point = CompletionPoint.at(editor.offset, in: editor.text) else {
            app.message = (app.withKeys("nothing to complete here: {editor.complete} completes a kind after a count, as in (2 , a field after WITH [ or WHERE, a value after a field and ="), false)
            return
        }
        do {
            let (title, options) = try vocabulary.options(at: point)
            guard !options.isEmpty else {
                app.message = (point.typed.isEmpty ? "no \(title) to offer" : "nothing in \(title) matches '\(point.typed)'", false)
                return
            }
            completion = CompletionList(point: point, title: title, options: options)
        } catch {
            app.message = ("completion: \(error)", true)
        }
    }

    /// A key while the list is open. Keys the list does not use (text, arrows sideways) edit
    /// the text as usual, and the list then follows (`refreshCompletion`).
    func completionKey(_ key: Key, app: App) -> CompletionOutcome {
        guard var list = completion else { return .notTaken }
        let action = app.bindings.action(for: key, in: ["editor"])
        switch key {
        case .up, Key("ctrl-p"): list.move(-1)
        case .down, Key("ctrl-n"): list.move(1)
        case .pageUp: list.move(-CompletionList.rows)
        case .pageDown: list.move(CompletionList.rows)
        case .enter, .tab:
            return accept(list)
        default:
            if action == "editor.complete" { return accept(list) }
            if app.cancels(key) || action == "editor.cancel" {
                completion = nil
                return .taken
            }
            return .notTaken
        }
        completion = list
        return .taken
    }

    private func accept(_ list: CompletionList) -> CompletionOutcome {
        completion = nil
        guard let option = list.chosen else { return .taken }
        editor.replace(list.point.range, with: option.insert)
        return .inserted
    }

    /// After an edit with the list open: the list narrowed by what is typed now, or closed when
    /// the cursor left the slot or nothing matches.
    func refreshCompletion() {
        guard let list = completion else { return }
        guard let point = CompletionPoint.at(editor.offset, in: editor.text), point.slot == list.point.slot,
              let (title, options) = try? vocabulary.options(at: point), !options.isEmpty
        else {
            completion = nil
            return
        }
        var next = CompletionList(point: point, title: title, options: options)
        // The option chosen stays chosen while it still matches.
        if let chosen = list.chosen, let at = options.firstIndex(of: chosen) { next.move(at) }
        completion = next
    }
}
