/// What an artifact is. The raw values are what the store, exports and the CLI use.
public enum ArtifactType: String, Choice {
    case ip, domain, url, email, user, host, md5, sha1, sha256, filename, filepath
    case userAgent = "user-agent"
    case cve
    case other
}

/// An observable shared across signals, alerts and cases: unique per (type, value).
public struct Artifact: Sendable, Hashable, Codable {
    public var id: Int64
    public var type: ArtifactType
    public var value: String
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp

    public init(id: Int64, type: ArtifactType, value: String, firstSeen: Timestamp, lastSeen: Timestamp) {
        self.id = id
        self.type = type
        self.value = value
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// An artifact as one signal mentions it, with the part it plays there: `src`, `dst`, `user`,
/// `target_user`, `host`, `file`, `sender`, `recipient`, `url`, `related`.
public struct ArtifactMention: Codable, Sendable, Hashable {
    public var type: ArtifactType
    public var value: String
    public var role: String

    public init(_ type: ArtifactType, _ value: String, role: String) {
        self.type = type
        self.value = value
        self.role = role
    }
}
