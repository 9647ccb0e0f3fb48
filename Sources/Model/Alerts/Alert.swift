public enum AlertStatus: String, Choice {
    case new, acknowledged, promoted, closed
}

/// Why an alert was closed: what tuning rules and measuring them needs.
public enum AlertCloseReason: String, Choice {
    case truePositive = "true_positive"
    case benign
    case falsePositive = "false_positive"
    case duplicate
}

/// Who closed an alert, when, and why.
public struct AlertClosing: Sendable, Hashable, Codable {
    public var reason: AlertCloseReason
    public var by: String
    public var at: Timestamp

    public init(reason: AlertCloseReason, by: String, at: Timestamp) {
        self.reason = reason
        self.by = by
        self.at = at
    }
}

/// What a rule raised for one group key: the signals that made it fire and those attached
/// while it stayed open.
public struct Alert: Sendable, Hashable, Codable {
    public var id: Int64
    public var rule: String
    public var groupKey: String
    public var firstSignalAt: Timestamp?
    public var lastSignalAt: Timestamp?
    public var status: AlertStatus
    public var severity: Severity
    public var title: String
    public var team: String?
    public var caseID: Int64?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var signalCount: Int
    /// Set when it was closed with a reason.
    public var closing: AlertClosing?

    public init(
        id: Int64, rule: String, groupKey: String, firstSignalAt: Timestamp?, lastSignalAt: Timestamp?,
        status: AlertStatus, severity: Severity, title: String, team: String?, caseID: Int64?,
        createdAt: Timestamp, updatedAt: Timestamp, signalCount: Int, closing: AlertClosing? = nil
    ) {
        self.id = id
        self.rule = rule
        self.groupKey = groupKey
        self.firstSignalAt = firstSignalAt
        self.lastSignalAt = lastSignalAt
        self.status = status
        self.severity = severity
        self.title = title
        self.team = team
        self.caseID = caseID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.signalCount = signalCount
        self.closing = closing
    }
}

extension Alert {
    /// The group key's values (`host.name=lt-klope47,source.ip=10.0.0.5` -> `lt-klope47`,
    /// `10.0.0.5`): what tells one rule's alerts apart.
    public var keyValues: [String] {
        groupKey.split(separator: ",").compactMap { $0.split(separator: "=", maxSplits: 1).last.map(String.init) }
    }
}

/// An alert on its way into the store.
public struct NewAlert: Sendable {
    public var rule: String
    public var groupKey: String
    public var severity: Severity
    public var title: String
    public var team: String?
    public var signalIDs: [Int64]
    public var createdAt: Timestamp?
    /// When the rule fired (the firing signal's time): dedup runs from here.
    public var firedAt: Timestamp?
    public var ruleVersion: Int?
    /// Labels the sender gave (a TheHive alert's tags); rules raise alerts without.
    public var tags: [String] = []

    public init(
        rule: String, groupKey: String, severity: Severity, title: String, team: String?, signalIDs: [Int64],
        createdAt: Timestamp? = nil
    ) {
        self.rule = rule
        self.groupKey = groupKey
        self.severity = severity
        self.title = title
        self.team = team
        self.signalIDs = signalIDs
        self.createdAt = createdAt
    }

    public init(
        rule: String, version: Int, groupKey: String, severity: Severity, title: String, team: String?, signalIDs: [Int64],
        firedAt: Timestamp
    ) {
        self.init(rule: rule, groupKey: groupKey, severity: severity, title: title, team: team, signalIDs: signalIDs)
        self.firedAt = firedAt
        self.ruleVersion = version
    }
}
