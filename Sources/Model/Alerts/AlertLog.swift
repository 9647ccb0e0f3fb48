/// One entry of an alert's log: who changed the alert, how, and when. Alerts had no log while
/// only rules and analysts' acknowledgements changed them; since tools speaking TheHive's API
/// and TheHive users (through the pull) change their tags, severity and observables too, each
/// change is on the record. Append-only, like the case log (not hash-chained: the case log is
/// the evidence; this is the alert's history).
public struct AlertLogEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var alertID: Int64
    public var time: Timestamp
    /// An analyst, `thehive-api` (a TheHive key), or `thehive:<login>` (a TheHive user, pulled).
    public var author: String
    public var kind: LogKind
    public var body: String
    /// JSON text: what changed, in data (`{"from": ..., "to": ...}`), and where it came from.
    public var data: String?

    public init(id: Int64, alertID: Int64, time: Timestamp, author: String, kind: LogKind, body: String, data: String?) {
        self.id = id
        self.alertID = alertID
        self.time = time
        self.author = author
        self.kind = kind
        self.body = body
        self.data = data
    }

    public var json: JSONValue {
        .object([
            "id": .int(id), "alert": .int(alertID), "time": .string(time.iso8601), "author": .string(author),
            "kind": .string(kind.rawValue), "body": .string(body), "data": data.flatMap { try? JSONValue.parse($0) } ?? .null,
        ])
    }
}
