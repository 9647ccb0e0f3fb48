/// A field of an event's own that a format derives another from (a Windows event's `Image`
/// gives `process.executable`), for a reader that matches events before the derived fields
/// are added: an event with none of a derived field's sources does not get it.
public struct DerivedSource: Sendable, Hashable {
    public var field: String
    /// The source counts only on events of this EventID (4688's `ProcessId` is the parent's);
    /// nil: on any event.
    public var eventID: Int64?

    public init(_ field: String, eventID: Int64? = nil) {
        self.field = field
        self.eventID = eventID
    }
}
