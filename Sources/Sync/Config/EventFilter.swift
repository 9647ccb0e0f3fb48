import Model

/// The events an endpoint takes: `[alert.created, case.*]`, or by default every event its type
/// understands. A pattern is an event name or a prefix ending in `*`.
public struct EventFilter: Sendable {
    public let patterns: [String]
    let type: EndpointType

    /// The events taser writes to the outbox, and who writes them.
    public static let known = [
        "alert.created", "alert.updated",  // rules (live correlation) and alert status changes
        "case.created", "case.updated", "case.log",  // case changes and every case log entry
        "slack.ask", "page",  // automation: a question with buttons, a page
        "slack.channel",  // `taser case channel`: a Slack channel for a case (to the endpoint it names)
        "log.heads",  // every case log's head, for a witness (`taser serve` on a schedule, `taser verify --publish-heads`)
    ]

    init(_ patterns: [String]?, type: EndpointType, where at: String) throws(SyncError) {
        self.type = type
        guard let patterns else {
            self.patterns = ["*"]
            return
        }
        for p in patterns {
            let matches = p == "*" || (p.hasSuffix("*") ? EventFilter.known.contains { $0.hasPrefix(p.dropLast()) } : EventFilter.known.contains(p))
            guard matches else {
                let near = nearestNames(p, in: EventFilter.known, limit: 1).first.map { "; did you mean \($0)?" } ?? ""
                throw .config("\(at): events names '\(p)', which taser never sends\(near) (events: \(EventFilter.known.joined(separator: ", ")))")
            }
            if type != .webhook, !p.hasSuffix("*"), !type.understands(p) {
                throw .config("\(at): \(type.oneEndpoint) cannot deliver \(p); it takes \(type.understood.joined(separator: ", "))")
            }
        }
        self.patterns = patterns
    }

    /// Whether an outbox row for every endpoint (`*`) should go here.
    public func takes(_ event: String) -> Bool {
        guard type.understands(event) else { return false }
        return patterns.contains { p in p == "*" || (p.hasSuffix("*") ? event.hasPrefix(p.dropLast()) : p == event) }
    }
}

extension EndpointType {
    /// The events each kind of endpoint can turn into something on the other side. A generic
    /// webhook takes anything: it forwards the JSON.
    var understood: [String] {
        switch self {
        case .thehive, .jira: ["alert.created", "alert.updated", "case.created", "case.updated", "case.log"]
        // The heads are for a system that keeps what it receives (a webhook witness), not a chat.
        case .slack: EventFilter.known.filter { $0 != "log.heads" }
        // A SIEM keeps every change and question taser records. The heads are left to a webhook
        // witness, whose body `taser verify --heads` reads back; a channel request is work for
        // Slack alone (its log entry reaches the SIEM as case.log).
        case .splunkHEC, .elasticsearch, .syslog: EventFilter.known.filter { $0 != "log.heads" && $0 != "slack.channel" }
        case .webhook: ["*"]
        }
    }

    func understands(_ event: String) -> Bool { self == .webhook || understood.contains(event) }
}
