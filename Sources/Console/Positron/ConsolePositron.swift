import Foundation
import Positron

/// What the console's Positron prompt asks through: the analyst's positron.yaml, or, when that
/// cannot be read, an empty one with the problem (shown on the status line and in the pane, so
/// a broken file never keeps the console closed); and the file that keeps the prompt's history
/// from one session to the next.
public struct ConsolePositron: Sendable {
    public var config: PositronConfig
    public var problem: String?
    /// Nil keeps the history for this session only (tests, a read-only home).
    public var historyFile: String?

    public init(config: PositronConfig = .empty(), problem: String? = nil, historyFile: String? = nil) {
        self.config = config
        self.problem = problem
        self.historyFile = historyFile
    }

    /// `$XDG_STATE_HOME/taser/positron_history` (`~/.local/state/taser/positron_history`):
    /// history is state, not configuration or data, in the XDG layout.
    public static func historyFile(environment: [String: String]) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/state")
        return ((base as NSString).appendingPathComponent("taser") as NSString).appendingPathComponent("positron_history")
    }
}
