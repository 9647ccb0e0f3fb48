import Model

/// One change a TheHive user made to a case or alert taser created there, as a pull finds it.
public struct TheHiveChange: Sendable, Equatable {
    public enum What: Sendable, Equatable {
        /// TheHive's status word (`InProgress`, `TruePositive`, ...).
        case status(String)
        /// A TheHive login, or nil: unassigned.
        case assignee(String?)
        case tags(added: [String], removed: [String])
        /// TheHive's number: 1 low ... 4 critical.
        case severity(Int)
        case taskLog(id: String, task: String?, message: String)
        case observable(id: String, dataType: String, data: String, message: String?)
    }

    /// Who made it in TheHive (`_updatedBy`, or the log's or observable's `_createdBy`).
    public var login: String
    public var what: What

    public init(login: String, what: What) {
        self.login = login
        self.what = what
    }
}

/// What a pull found for one remote object: the changes, and what to remember of the object
/// from now on, kept in the same transaction as the changes so a crash never applies one twice.
public struct TheHiveObjectChanges: Sendable {
    public var endpoint: String
    /// `case:12` or `alert:7`: taser's object.
    public var ref: String
    public var remoteID: String
    public var changes: [TheHiveChange]
    public var seen: JSONValue

    public init(endpoint: String, ref: String, remoteID: String, changes: [TheHiveChange], seen: JSONValue) {
        self.endpoint = endpoint
        self.ref = ref
        self.remoteID = remoteID
        self.changes = changes
        self.seen = seen
    }

    /// The local case or alert: ("case", 12).
    public var local: (kind: String, id: Int64)? {
        let parts = ref.split(separator: ":")
        guard parts.count == 2, let id = Int64(parts[1]), id > 0 else { return nil }
        return (String(parts[0]), id)
    }
}

/// Where pulled changes are applied: the Engine (Sync sits below it and cannot call it), which
/// writes them through its workflows as `thehive:<login>`, with the access check.
public protocol TheHiveChangeSink: Sendable {
    /// Applies the changes and keeps `seen`, in one transaction. Returns, for each change that
    /// could not be applied as such (a move taser's workflow refuses, an assignee who is no
    /// analyst), what was recorded instead.
    func applyTheHiveChanges(_ object: TheHiveObjectChanges) throws -> [String]
}
