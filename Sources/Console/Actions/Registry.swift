/// Every action of the console, by context. Key dispatch, the `?` overlay, the hint bar, the
/// `:` command line and `taser keys --markdown` all read this list; the keys come from
/// `Keymaps/default.yaml` (or `emacs.yaml`, or the analyst's own file).
public enum Registry {
    public static let actions: [ActionInfo] = [
        // Everywhere
        ActionInfo("quit", "Quit taser", context: "global", hint: true),
        ActionInfo("help", "Keys and actions (filterable; Enter runs one)", context: "global", hint: true),
        ActionInfo("command", "Command line: an action by name (:promote, :quit), Tab completes", context: "global", hint: true),
        ActionInfo("back", "Back to the previous pane", context: "global", hint: true),
        ActionInfo("redraw", "Redraw the whole screen", context: "global"),
        ActionInfo("pane.queue", "Alert queue", context: "global"),
        ActionInfo("pane.cases", "Case list", context: "global"),
        ActionInfo("pane.rules", "Rules and the simulator", context: "global"),
        ActionInfo("pane.positron", "Positron prompt: ask a query about the artifact you are on", context: "global"),
        ActionInfo("pane.sync", "Sync: the outbox per endpoint, dead letters and retries", context: "global"),
        ActionInfo("pane.search", "Search stored signals (:search host.name = \"LT-42\" SINCE 7d)", context: "global"),
        // Any list
        ActionInfo("move.down", "Down one row", context: "list"),
        ActionInfo("move.up", "Up one row", context: "list"),
        ActionInfo("move.top", "First row", context: "list"),
        ActionInfo("move.bottom", "Last row", context: "list"),
        ActionInfo("page.down", "Down half a page", context: "list"),
        ActionInfo("page.up", "Up half a page", context: "list"),
        ActionInfo("open", "Open the row (on an artifact: pivot, or ask Positron)", context: "list", hint: true),
        ActionInfo("filter", "Filter: words, field:value, severity>=high, status:new", context: "list", hint: true),
        ActionInfo("mark", "Mark or unmark the row: actions then apply to every marked row", context: "list", hint: true),
        ActionInfo("mark.all", "Mark every row the list holds (the queue: every alert the filter matches, up to 10,000); again: none", context: "list"),
        ActionInfo("filter.next", "Next match of the filter", context: "list"),
        ActionInfo("filter.previous", "Previous match of the filter", context: "list"),
        ActionInfo("copy", "Copy the value under the cursor to your clipboard (OSC 52: through SSH and tmux)", context: "list"),
        ActionInfo("artifact.ask", "Ask Positron about the artifact under the cursor (choose a query)", context: "list"),
        // The alert queue
        ActionInfo("queue.sort", "Sort by time or by severity", context: "queue"),
        // Alerts, wherever they show (the queue, an alert, a pivot's alerts): on the marked ones, else this one
        ActionInfo("alert.acknowledge", "Acknowledge (marked alerts, else this one)", context: "alerts", hint: true),
        ActionInfo("alert.assign", "Assign: a new case owned by an analyst you pick (marked, else this one)", context: "alerts"),
        ActionInfo("alert.promote", "Promote to a new case (marked, else this one)", context: "alerts", hint: true),
        ActionInfo("alert.merge", "Merge into a case you pick (marked, else this one)", context: "alerts", dangerous: true),
        ActionInfo("alert.close", "Close, saying why (marked, else this one)", context: "alerts", dangerous: true, hint: true),
        // An alert's detail
        ActionInfo("alert.raw", "The signals' raw bodies in a pager (pretty JSON, every revision)", context: "alert", hint: true),
        ActionInfo("pivot", "Pivot on the artifact under the cursor", context: "alert", hint: true),
        // The case list
        ActionInfo("cases.view", "Next view: open cases, mine, my teams', all", context: "cases", hint: true),
        // A case
        ActionInfo("case.note", "Add a note", context: "case", hint: true),
        ActionInfo("case.status", "Change the status", context: "case", hint: true),
        ActionInfo("case.correct", "Correct the log entry under the cursor (the original stays, marked)", context: "case"),
        ActionInfo("case.assign", "Assign to an analyst", context: "case"),
        ActionInfo("case.share", "Share with a team (a list of teams, then read or write)", context: "case"),
        ActionInfo("case.tag", "Add or remove tags (a list of the tags in use; type a new one)", context: "case"),
        ActionInfo("case.export", "Export to JSON or CSV", context: "case"),
        ActionInfo("case.pivot", "Pivot on the artifact under the cursor", context: "case"),
        ActionInfo("case.channel", "Ask for a Slack channel for the case (again: another one, for other people)", context: "case"),
        ActionInfo("case.folder", "Timeline folder: every entry, one Slack channel's, or taser's own", context: "case"),
        // Pivots
        ActionInfo("pivot.again", "Pivot again from the artifact under the cursor", context: "pivot", hint: true),
        // Search results (signals)
        ActionInfo("search.promote", "New case from the marked signals (else this one)", context: "search", hint: true),
        ActionInfo("search.merge", "Add the marked signals (else this one) to a case", context: "search", hint: true),
        // The raw-body pager
        ActionInfo("pager.wrap", "Wrap long lines, or cut them at the edge", context: "pager", hint: true),
        // Rules
        ActionInfo("rules.edit", "Edit the rule (the simulator reruns as you type)", context: "rules", hint: true),
        ActionInfo("rules.new", "New rule", context: "rules"),
        ActionInfo("rules.enable", "Enable the rule", context: "rules"),
        ActionInfo("rules.disable", "Disable the rule", context: "rules", dangerous: true),
        // The Positron prompt: printable keys are the query being typed, so its actions sit on
        // the other keys (Enter, Tab, arrows).
        ActionInfo("positron.ask", "Ask the query on the prompt (QUERY VALUE)", context: "positron", hint: true),
        ActionInfo("positron.complete", "Complete the query's name, then the artifact you came from", context: "positron", hint: true),
        ActionInfo("positron.history.previous", "The query asked before (history)", context: "positron"),
        ActionInfo("positron.history.next", "The query asked after (history)", context: "positron"),
        ActionInfo("positron.scroll.down", "Scroll the answers down", context: "positron"),
        ActionInfo("positron.scroll.up", "Scroll the answers up", context: "positron"),
        // The Sync pane (the outbox): Enter opens the case or alert a delivery is about.
        ActionInfo("sync.retry", "Retry the dead letter under the cursor", context: "sync", hint: true),
        ActionInfo("sync.retry-all", "Retry every dead letter", context: "sync", dangerous: true, hint: true),
        // Text editing (the note editor, the rule editor, prompts)
        ActionInfo("editor.save", "Save", context: "editor", hint: true),
        ActionInfo("editor.cancel", "Cancel", context: "editor", hint: true),
        ActionInfo("editor.external", "Edit in your own editor ($VISUAL, else $EDITOR, else vi), as git does; the text comes back here", context: "editor", hint: true),
        // The rule editor only: the list of kinds, fields or values from the stored signals.
        ActionInfo("editor.complete", "Complete the kind, field or value at the cursor from the stored signals (rule editor)", context: "editor", hint: true),
    ]

    public static func action(named name: String) -> ActionInfo? { actions.first { $0.name == name } }

    /// Contexts in the order the `?` overlay lists them.
    public static let contexts = ["global", "list", "alerts", "queue", "alert", "cases", "case", "pivot", "search", "pager", "rules", "sync", "positron", "editor"]
}
