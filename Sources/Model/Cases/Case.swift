/// An investigation: alerts and artifacts, worked by a team, with an append-only log.
/// Its `id` is the number analysts say ("case 42").
public struct Case: Sendable, Hashable, Codable {
    public var id: Int64
    public var title: String
    public var description: String
    public var status: CaseStatus
    public var severity: Severity
    public var tlp: TLP
    public var pap: PAP
    public var owner: String?
    public var team: String?
    public var tags: [String]
    public var customFields: [String: JSONValue]
    public var createdAt: Timestamp
    public var createdBy: String
    public var updatedAt: Timestamp
    public var closedAt: Timestamp?
    public var resolution: Resolution?
    /// Set when this case was merged into another; the case and its log stay.
    public var mergedInto: Int64?

    public init(
        id: Int64, title: String, description: String, status: CaseStatus, severity: Severity, tlp: TLP, pap: PAP,
        owner: String?, team: String?, tags: [String], customFields: [String: JSONValue], createdAt: Timestamp,
        createdBy: String, updatedAt: Timestamp, closedAt: Timestamp?, resolution: Resolution?, mergedInto: Int64?
    ) {
        self.id = id
        self.title = title
        self.description = description
        self.status = status
        self.severity = severity
        self.tlp = tlp
        self.pap = pap
        self.owner = owner
        self.team = team
        self.tags = tags
        self.customFields = customFields
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.closedAt = closedAt
        self.resolution = resolution
        self.mergedInto = mergedInto
    }
}

/// What an analyst gives to open a case.
public struct NewCase: Sendable, Codable {
    public var title: String
    public var description: String
    public var severity: Severity
    public var tlp: TLP
    public var pap: PAP
    public var owner: String?
    public var team: String?
    public var tags: [String]
    public var customFields: [String: JSONValue]
    /// Alerts to promote into the new case.
    public var alertIDs: [Int64]

    public init(
        title: String, description: String = "", severity: Severity = .medium, tlp: TLP = .amber, pap: PAP = .amber,
        owner: String? = nil, team: String? = nil, tags: [String] = [], customFields: [String: JSONValue] = [:],
        alertIDs: [Int64] = []
    ) {
        self.title = title
        self.description = description
        self.severity = severity
        self.tlp = tlp
        self.pap = pap
        self.owner = owner
        self.team = team
        self.tags = tags
        self.customFields = customFields
        self.alertIDs = alertIDs
    }
}

/// A team a case is shared with, and how far.
public struct CaseShare: Sendable, Hashable, Codable {
    public var team: String
    public var level: ShareLevel
    public init(team: String, level: ShareLevel) {
        self.team = team
        self.level = level
    }
}
