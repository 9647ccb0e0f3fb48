import Model

/// What the engine refused, said so the analyst knows what to do next.
public enum EngineError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    /// Also what a case the asker may not read looks like: indistinguishable from a missing one.
    case caseNotFound(Int64)
    case alertNotFound(Int64)
    case readOnlyCase(Int64)
    case unknownTeam(String, known: [String])
    case notTeamMember(team: String, analyst: String)
    case teamRequired(choices: [String])
    case unknownAnalyst(String)
    case notAdmin(action: String)
    case invalidTransition(caseID: Int64, from: CaseStatus, to: CaseStatus)
    case resolutionRequired(caseID: Int64)
    /// `caseID` is nil when the asker may not read that case: it is then not named.
    case alertAlreadyInCase(alert: Int64, caseID: Int64?)
    /// An alert in a case can only change with its case (`caseID` as above).
    case alertInCase(alert: Int64, caseID: Int64?)
    case mergeIntoSelf(Int64)
    /// `into` is nil when the asker may not read the case it went into.
    case alreadyMerged(caseID: Int64, into: Int64?)
    case artifactNotFound(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .caseNotFound(let id):
            "no case \(id) (or you may not see it); list yours with `taser case list`"
        case .alertNotFound(let id):
            "no alert \(id) (or you may not see it); list them with `taser alert list`"
        case .readOnlyCase(let id):
            "case \(id) is shared with you read-only; ask its team for write access"
        case .unknownTeam(let name, let known):
            "no team '\(name)'" + (known.isEmpty ? "; create one with `taser team add NAME`" : "; teams are: \(known.joined(separator: ", "))")
        case .notTeamMember(let team, let analyst):
            "\(analyst) is not a member of team '\(team)'; pick one of your teams or ask an admin to add you"
        case .teamRequired(let choices):
            "you are in several teams (\(choices.joined(separator: ", "))); say which with --team"
        case .unknownAnalyst(let name):
            "no analyst '\(name)'; add them with `taser analyst add \(name)` or see `taser analyst list`"
        case .notAdmin(let action):
            "only the database owner (admin) may \(action)"
        case .invalidTransition(let id, let from, let to):
            "case \(id) cannot go from \(from.rawValue) to \(to.rawValue); from \(from.rawValue) it can go to: "
                + from.allowedNext.map(\.rawValue).joined(separator: ", ")
        case .resolutionRequired(let id):
            "closing case \(id) needs a resolution: --resolution \(Resolution.allCases.map(\.rawValue).joined(separator: "|"))"
        case .alertAlreadyInCase(let alert, let caseID?):
            "alert \(alert) is already in case \(caseID); see it with `taser case show \(caseID)`"
        case .alertAlreadyInCase(let alert, nil):
            "alert \(alert) is already in a case you may not read; ask an admin (the database owner) to share that case with your team"
        case .alertInCase(let alert, let caseID?):
            "alert \(alert) is in case \(caseID); change the case instead"
        case .alertInCase(let alert, nil):
            "alert \(alert) is in a case you may not read; its status changes with that case"
        case .mergeIntoSelf(let id):
            "cannot merge case \(id) into itself"
        case .alreadyMerged(let id, let into?):
            "case \(id) was already merged into case \(into)"
        case .alreadyMerged(let id, nil):
            "case \(id) was already merged into another case"
        case .artifactNotFound(let value):
            "no artifact '\(value)' in any signal or case"
        case .invalid(let message):
            message
        }
    }
}
