/// A Slack channel made for a case (`taser case channel`, the console's `case.channel`): asked
/// for by an analyst, created by Sync's Slack endpoint. A case may have several (each a group
/// of people to talk to); `number` counts them within the case, 1, 2, ... in the order asked.
public struct CaseChannel: Sendable, Hashable, Codable {
    public var caseID: Int64
    public var number: Int64
    /// The Sync endpoint (a slack one with a bot token) that creates it and reads its names.
    public var endpoint: String
    public var requestedAt: Timestamp
    public var requestedBy: String
    /// Slack's id (`C0123ABC`) and name (`case-12-phishing-invoice`): nil until Sync created it.
    public var slackID: String?
    public var name: String?
    public var createdAt: Timestamp?

    public init(
        caseID: Int64, number: Int64, endpoint: String, requestedAt: Timestamp, requestedBy: String, slackID: String? = nil,
        name: String? = nil, createdAt: Timestamp? = nil
    ) {
        self.caseID = caseID
        self.number = number
        self.endpoint = endpoint
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.slackID = slackID
        self.name = name
        self.createdAt = createdAt
    }

    public var isCreated: Bool { slackID != nil }

    /// `#case-12-phishing-invoice`, or `channel 2 (not created yet)`.
    public var shownName: String { name.map { "#" + $0 } ?? "channel \(number) (not created yet)" }
}

extension LogEntry {
    /// The key of a log entry's data that names its Slack channel: the entry's "folder".
    public static let slackChannelKey = "slack_channel"

    /// The Slack channel (its id) the entry came from or is about, when it has one.
    public var slackChannel: String? {
        guard let data, data.contains(LogEntry.slackChannelKey) else { return nil }
        return (try? JSONValue.parse(data))?[LogEntry.slackChannelKey]?.stringValue
    }
}

extension LogEntry {
    /// For a reply in a Slack thread: the entry number of the thread's first message.
    public var slackParentSeq: Int64? {
        guard kind == .slack, let data, data.contains("parent_seq") else { return nil }
        if case .int(let seq)? = (try? JSONValue.parse(data))?["parent_seq"] { return seq }
        return nil
    }
}
