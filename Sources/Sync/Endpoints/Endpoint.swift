import Credentials
import HTTPClient
import Model
import Store

/// One configured remote system: turns an outbox message into requests on the other side.
protocol Endpoint: Sendable {
    var config: EndpointConfig { get }
    /// Sends the message; throws `DeliveryFailure` with the outcome when it does not land.
    func deliver(_ message: OutboxMessage, _ context: DeliveryContext) throws
}

/// What an endpoint needs besides the message: HTTP, and the remote ids of earlier deliveries.
struct DeliveryContext {
    let transport: Transport
    let store: Store
    let clock: @Sendable () -> Timestamp

    var endpoint: String { transport.endpoint }

    /// What the remote system calls one of ours (`case:12`), from an earlier delivery.
    func remote(_ ref: String) throws -> (id: String, key: String?)? {
        try store.read { tx in try tx.remoteID(endpoint: endpoint, ref: ref) }
    }

    /// Kept at once, in its own transaction: if a later step of this delivery fails, the retry
    /// updates the object this step created instead of creating a second one.
    func remember(_ ref: String, id: String, key: String? = nil) throws {
        let now = clock()
        try store.write { tx in try tx.saveRemoteID(endpoint: endpoint, ref: ref, id: id, key: key, at: now) }
    }
}

extension DeliveryContext {
    /// What taser just sent to a TheHive object (and, for a create, what TheHive answered),
    /// merged into what a pull compares with, so that a pull does not take taser's own change
    /// for TheHive's. `created`: the object is new, and all its task logs and observables not
    /// made by taser are TheHive's.
    func rememberSent(_ ref: String, remoteID: String, sent: [String: JSONValue], answer: JSONValue? = nil, created: Bool = false) throws {
        let now = clock()
        try store.write { tx in
            var seen = TheHiveSnapshot(try tx.theHiveSeen(endpoint: endpoint, ref: ref))
            if let status = sent["status"]?.stringValue ?? answer?.string("status") ?? (created ? "New" : nil) { seen.status = status }
            if case .int(let severity)? = sent["severity"] { seen.severity = severity }
            if let tags = sent["tags"]?.arrayValue { seen.tags = tags.compactMap(\.stringValue) }
            if created {
                seen.assignee = .some(answer?.string("assignee"))
                seen.childrenSince = 0
            }
            try tx.saveTheHiveSeen(endpoint: endpoint, ref: ref, remoteID: remoteID, state: seen.json, at: now)
        }
    }
}

extension OutboxMessage {
    /// The payload as JSON; an unreadable payload cannot become readable by retrying.
    func json() throws -> JSONValue {
        do { return try JSONValue.parse(payload) } catch {
            throw DeliveryFailure(outcome: .dead("outbox message \(id): the payload is not JSON (\(error))"))
        }
    }
}

extension JSONValue {
    func string(_ key: String) -> String? { self[key]?.stringValue }
    func int(_ key: String) -> Int64? {
        switch self[key] {
        case .int(let i)?: i
        case .string(let s)?: Int64(s)
        case .double(let d)?: Int64(exactly: d.rounded())
        default: nil
        }
    }
}

/// How taser's words read on the remote side.
enum Words {
    /// TheHive's numbers: 1 low ... 4 critical (info counts as low).
    static func theHiveSeverity(_ name: String?) -> Int64 {
        switch name {
        case "critical": 4
        case "high": 3
        case "medium": 2
        default: 1
        }
    }

    /// TLP and PAP as TheHive numbers (0 clear/white ... 4 red).
    static func theHiveTLP(_ name: String?) -> Int64 {
        switch name {
        case "clear", "white": 0
        case "green": 1
        case "amber": 2
        case "amber+strict": 3
        case "red": 4
        default: 2
        }
    }

    static func theHivePAP(_ name: String?) -> Int64 {
        switch name {
        case "clear", "white": 0
        case "green": 1
        case "red": 3
        default: 2
        }
    }

    /// taser's artifact types as TheHive's observable data types.
    static func theHiveDataType(_ type: String) -> String {
        switch type {
        case "ip", "domain", "url", "filename", "hash", "user-agent": type
        case "email": "mail"
        case "host": "hostname"
        case "md5", "sha1", "sha256": "hash"
        case "filepath": "filename"
        case "user": "other"
        default: "other"
        }
    }

    /// TheHive 5 closes a case with its resolution as the status.
    static func theHiveCaseStatus(_ s: String?, resolution: String?) -> String {
        switch s {
        case "in_progress", "on_hold": return "InProgress"
        case "resolved", "closed":
            switch resolution {
            case "true_positive": return "TruePositive"
            case "false_positive", "benign": return "FalsePositive"
            case "indeterminate": return "Indeterminate"
            case "duplicate": return "Duplicated"
            default: return "Other"
            }
        default: return "New"
        }
    }
}
