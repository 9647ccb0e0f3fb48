/// Why the console cannot open: each says, in one line, what is wrong and what to do instead.
public enum TerminalError: Error, CustomStringConvertible, Equatable {
    /// TERM is `dumb` or unset: no cursor movement, so no full-screen console.
    case dumbTerminal(term: String?)
    /// Standard input or output is a pipe or a file (`which` says which).
    case notATerminal(which: String)
    /// curses could not open this TERM (no terminfo entry for it).
    case unknownTerminal(term: String)

    public var description: String {
        switch self {
        case .dumbTerminal(let term):
            let why = term.map { $0.isEmpty ? "TERM is empty" : "TERM is \($0)" } ?? "TERM is not set"
            return "taser's console needs a terminal that can move the cursor (\(why)); use the commands (taser --help) instead"
        case .notATerminal(let which):
            return "taser's console needs a terminal, but \(which) is not one (piped or redirected?); use the commands (taser --help) instead"
        case .unknownTerminal(let term):
            return "taser's console cannot drive this terminal (TERM=\(term) has no terminfo entry); try TERM=xterm-256color, or use the commands (taser --help)"
        }
    }
}
