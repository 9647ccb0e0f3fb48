/// One normalized event from a security tool: an Okta sign-in, a Duo push, a Suricata alert.
/// `raw` is the body exactly as the tool sent it; `fields` are ECS-style names (`user.name`,
/// `source.ip`) that rules and exports use.
public struct Signal: Codable, Sendable, Hashable {
    public var id: Int64
    public var time: Timestamp
    public var source: String
    /// The tool's own id for the event; identity is (source, sourceRef).
    public var sourceRef: String
    public var kind: String
    public var severity: Severity
    public var title: String
    public var fields: [String: JSONValue]
    public var raw: String
    public var ingestedAt: Timestamp
    /// 1 for a signal as first stored; each update its tool sent for the same identity with
    /// different content adds one (`fields` and `raw` are the latest; earlier raw bodies are kept).
    public var revision: Int

    public init(
        id: Int64, time: Timestamp, source: String, sourceRef: String, kind: String, severity: Severity,
        title: String, fields: [String: JSONValue], raw: String, ingestedAt: Timestamp, revision: Int = 1
    ) {
        self.id = id
        self.time = time
        self.source = source
        self.sourceRef = sourceRef
        self.kind = kind
        self.severity = severity
        self.title = title
        self.fields = fields
        self.raw = raw
        self.ingestedAt = ingestedAt
        self.revision = revision
    }
}

/// A signal on its way into the store. Without a `sourceRef` its identity is the SHA-256 of
/// the raw body, so ingesting the same input twice stores it once.
public struct NewSignal: Sendable {
    public var time: Timestamp
    public var source: String
    public var sourceRef: String?
    public var kind: String
    public var severity: Severity
    public var title: String
    /// Canonical JSON text of the normalized fields (`JSONValue.text`), built by the caller
    /// because the hot path (demo, bulk ingest) writes it without building a `JSONValue`.
    public var fieldsJSON: String
    public var raw: String
    public var artifacts: [ArtifactMention]
    /// When the signal reached taser; nil means now. Set by the demo so it is deterministic.
    public var ingestedAt: Timestamp?
    /// The identifiers it names for one person (`user.name` with `user.email`, ...): when there
    /// are two or more, the writer links them into one identity.
    public var identifiers: [Identifier] = []

    public init(
        time: Timestamp, source: String, sourceRef: String?, kind: String, severity: Severity, title: String,
        fieldsJSON: String, raw: String, artifacts: [ArtifactMention], ingestedAt: Timestamp? = nil
    ) {
        self.time = time
        self.source = source
        self.sourceRef = sourceRef
        self.kind = kind
        self.severity = severity
        self.title = title
        self.fieldsJSON = fieldsJSON
        self.raw = raw
        self.artifacts = artifacts
        self.ingestedAt = ingestedAt
    }

    public init(
        time: Timestamp, source: String, sourceRef: String?, kind: String, severity: Severity, title: String,
        fields: [String: JSONValue], raw: String, artifacts: [ArtifactMention], ingestedAt: Timestamp? = nil
    ) {
        self.init(
            time: time, source: source, sourceRef: sourceRef, kind: kind, severity: severity, title: title,
            fieldsJSON: JSONValue.object(fields).text, raw: raw, artifacts: artifacts, ingestedAt: ingestedAt)
    }

    public init(
        time: Timestamp, source: String, sourceRef: String?, kind: String, severity: Severity, title: String,
        fields: JSONObject, raw: String, artifacts: [ArtifactMention], ingestedAt: Timestamp? = nil
    ) {
        self.init(
            time: time, source: source, sourceRef: sourceRef, kind: kind, severity: severity, title: title,
            fieldsJSON: JSONValue.object(fields).text, raw: raw, artifacts: artifacts, ingestedAt: ingestedAt)
    }
}
