import Engine
import Model

/// Errors as the console says them: what went wrong and what to do in the console, never a
/// command-line flag or a `taser ...` command to go and type. The Engine's own wording is for
/// the CLI; the cases that point at it get the console's words here, and any other message
/// loses a trailing clause that names a flag or a command.
enum ConsoleWording {
    static func of(_ error: any Error) -> String {
        if let error = error as? EngineError {
            switch error {
            case .caseNotFound(let id): return "no case \(id) (or you may not see it); 2 lists your cases"
            case .alertNotFound(let id): return "no alert \(id) (or you may not see it); 1 is the queue"
            case .unknownTeam(let name, let known):
                return "no team '\(name)'" + (known.isEmpty ? "; an admin creates teams" : "; teams are: \(known.joined(separator: ", "))")
            case .teamRequired(let choices): return "you are in several teams (\(choices.joined(separator: ", "))); choose one"
            case .unknownAnalyst(let name): return "no analyst '\(name)'; choose one from the list"
            case .resolutionRequired(let id):
                return "closing case \(id) needs a resolution: \(Resolution.allCases.map(\.rawValue).joined(separator: ", "))"
            case .alertAlreadyInCase(let alert, let caseID?): return "alert \(alert) is already in case \(caseID)"
            default: break
            }
        }
        return withoutCommandHints("\(error)")
    }

    /// `a case needs a title: --title "..."` → `a case needs a title`; `...; list them with
    /// \`taser x\`` → `...`.
    static func withoutCommandHints(_ text: String) -> String {
        var parts = text.components(separatedBy: "; ")
        while parts.count > 1, let last = parts.last, last.contains("`taser") || last.contains(" --") || last.hasPrefix("--") { parts.removeLast() }
        var out = parts.joined(separator: "; ")
        if let colon = out.range(of: ": --") { out = String(out[..<colon.lowerBound]) }
        return out
    }
}
