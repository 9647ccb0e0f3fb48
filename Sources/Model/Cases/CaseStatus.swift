/// A case's place in the workflow. Every change is a log entry.
public enum CaseStatus: String, Choice {
    case new
    case inProgress = "in_progress"
    case onHold = "on_hold"
    case resolved
    case closed

    public var isOpen: Bool { self == .new || self == .inProgress || self == .onHold }

    /// The moves the workflow allows. A resolved or closed case can be reopened (back to
    /// in progress); nothing moves back to `new`.
    public func canMove(to next: CaseStatus) -> Bool {
        switch (self, next) {
        case (_, .new): false
        case (let a, let b) where a == b: false
        case (.resolved, .onHold), (.closed, .onHold), (.closed, .resolved): false
        default: true
        }
    }

    public var allowedNext: [CaseStatus] { CaseStatus.allCases.filter(canMove(to:)) }
}

/// Why a case was closed. Required to close.
public enum Resolution: String, Choice {
    case truePositive = "true_positive"
    case falsePositive = "false_positive"
    case benign
    case indeterminate
    case duplicate
    case other
}

/// Traffic Light Protocol 2.0: who the case's information may be shared with.
public enum TLP: String, Choice {
    case clear, green, amber
    case amberStrict = "amber+strict"
    case red
}

/// Permissible Actions Protocol: what may be done with the case's information.
public enum PAP: String, Choice {
    case clear, green, amber, red
}

/// What a team may do with a case shared to it.
public enum ShareLevel: String, Choice {
    case read, write
}

/// What the asking analyst may do with a case. `none` is never shown: such a case does not exist
/// for them.
public enum AccessLevel: Int, Comparable, Sendable, Codable {
    case none = 0, read, write
    public static func < (a: AccessLevel, b: AccessLevel) -> Bool { a.rawValue < b.rawValue }
}
