import Foundation
import Model

/// Finds a signal's artifacts: from its normalized fields (whose names say the type and the role)
/// and from free text (titles, messages, command lines, email bodies). Precision before recall:
/// a value is an artifact only when it parses as one.
public struct ArtifactExtractor: Sendable {
    public init() {}

    /// ECS field -> the artifact type and role its values carry.
    static let fieldMap: [String: (type: ArtifactType, role: String)] = [
        "user.name": (.user, "user"), "user.email": (.email, "user"),
        "user.target.name": (.user, "target_user"), "destination.user.name": (.user, "target_user"),
        "source.user.name": (.user, "user"),
        "source.ip": (.ip, "src"), "client.ip": (.ip, "src"), "destination.ip": (.ip, "dst"), "server.ip": (.ip, "dst"),
        "host.ip": (.ip, "host"), "related.ip": (.ip, "related"),
        "host.name": (.host, "host"), "host.hostname": (.host, "host"), "observer.name": (.host, "observer"),
        "source.domain": (.domain, "src"), "destination.domain": (.domain, "dst"), "url.domain": (.domain, "dst"),
        "dns.question.name": (.domain, "dst"), "tls.client.server_name": (.domain, "dst"),
        "url.full": (.url, "url"), "url.original": (.url, "url"),
        "file.hash.md5": (.md5, "file"), "file.hash.sha1": (.sha1, "file"), "file.hash.sha256": (.sha256, "file"),
        "process.hash.md5": (.md5, "process"), "process.hash.sha1": (.sha1, "process"), "process.hash.sha256": (.sha256, "process"),
        "file.name": (.filename, "file"), "file.path": (.filepath, "file"),
        "process.name": (.filename, "process"), "process.executable": (.filepath, "process"),
        "user_agent.original": (.userAgent, "src"),
        "email.from.address": (.email, "sender"), "email.to.address": (.email, "recipient"),
        "email.cc.address": (.email, "recipient"), "email.reply_to.address": (.email, "reply_to"),
        "email.attachments.file.hash.sha256": (.sha256, "attachment"), "email.attachments.file.name": (.filename, "attachment"),
        "vulnerability.id": (.cve, "related"),
    ]

    /// Every artifact of a normalized signal: what the format named, then the fields, then the
    /// free text; each (type, value, role) once.
    public func artifacts(of signal: Normalized) -> [ArtifactMention] {
        var out = Mentions()
        for m in signal.artifacts { out.add(m) }
        for m in fromFields(signal.fields) { out.add(m) }
        guard !signal.texts.isEmpty else { return out.list }
        // What the format and fields named is not found again in the text under another role.
        let known = out.list.count
        let knownSet = known > 24 ? Set(out.list.map { ArtifactKey(type: $0.type, value: $0.value) }) : nil
        for text in signal.texts {
            for m in fromText(text) {
                let isKnown = knownSet?.contains(ArtifactKey(type: m.type, value: m.value)) ?? out.has(m.type, m.value, among: known)
                if !isKnown { out.add(m) }
            }
        }
        return out.list
    }

    /// The field map's keys, to find a signal's named fields by their tags rather than by
    /// hashing every field's key, and in key order without sorting them; and each key's
    /// type and role, by its position.
    static let fieldTable = JSONKeyTable(Array(fieldMap.keys))
    /// `!` stays: the table's keys are the map's own keys, each looked up in the map it came from.
    static let fieldEntries: [(type: ArtifactType, role: String)] = fieldTable.keys.map { fieldMap[$0]! }

    /// Artifacts named by field: each field's values, validated for their type.
    public func fromFields(_ fields: JSONObject) -> [ArtifactMention] {
        var out: [ArtifactMention] = []
        // In key order, so that a signal's artifacts (and so new artifacts' ids) come in one order.
        fields.forEachValue(of: ArtifactExtractor.fieldTable) { k, value in
            let (type, role) = ArtifactExtractor.fieldEntries[k]
            func add(_ v: JSONValue) {
                if let s = v.stringValue, let clean = ArtifactExtractor.validate(s, as: type) {
                    out.append(ArtifactMention(type, clean, role: role))
                }
            }
            if case .array(let values) = value {
                for v in values { add(v) }
            } else {
                add(value)
            }
        }
        return out
    }

    /// Artifacts found in free text, with the role `related`.
    public func fromText(_ text: String) -> [ArtifactMention] {
        TextScanner.scan(text)
    }

    /// The canonical form of a value for its type, or nil when it is not one (an empty user,
    /// `-`, an IP field holding a hostname, a null hash of zeros).
    static func validate(_ raw: String, as type: ArtifactType) -> String? {
        let v = raw.trimmed
        guard !v.isEmpty, v != "-", !ArtifactExtractor.isNone(v) else { return nil }
        switch type {
        case .ip: return IPAddress(Refang.apply(v))?.text
        case .md5, .sha1, .sha256: return Hashes.canonical(v, as: type)
        // A field's name already says what the value is, so only its syntax is checked here;
        // free text (TextScanner) asks for more, such as a known TLD.
        case .domain: return DomainName.canonicalField(Refang.apply(v))
        case .email: return EmailAddress.canonicalField(Refang.apply(v))
        case .url:
            let u = Refang.apply(v)
            if let canonical = URLText.canonical(u) { return canonical }
            // Logged as the victim sent it (`?user=admin' OR 1=1--`): keep it as it was.
            let lower = u.lowercased()
            return lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("ftp://") ? u : nil
        case .cve: return CVEID.canonical(v)
        case .filename, .filepath: return FilePath.canonical(v)
        // Logins and DNS names are case-insensitive: one spelling, so pivots meet.
        case .host, .user: return ArtifactExtractor.lowercased(v)
        case .userAgent, .other: return v
        }
    }

    /// Whether the value is `null` or `n/a` in any case. Only ASCII letters lowercase to
    /// these, so a value of another length or with other bytes is neither.
    static func isNone(_ v: String) -> Bool {
        v.utf8.withContiguousStorageIfAvailable { b in
            switch b.count {
            case 4: return b[0] | 0x20 == 0x6E && b[1] | 0x20 == 0x75 && b[2] | 0x20 == 0x6C && b[3] | 0x20 == 0x6C
            case 3: return b[0] | 0x20 == 0x6E && b[1] == UInt8(ascii: "/") && b[2] | 0x20 == 0x61
            default: return false
            }
        } ?? (v.lowercased() == "null" || v.lowercased() == "n/a")
    }

    /// `lowercased()`, without making a new string when an ASCII value has no capitals
    /// (logins and host names almost never do).
    static func lowercased(_ v: String) -> String {
        let unchanged = v.utf8.withContiguousStorageIfAvailable { b in !b.contains { $0 >= 0x80 || ASCII.isUpper($0) } }
        return unchanged == true ? v : v.lowercased()
    }
}

/// Mentions in the order found, each once. A signal has a handful: scanning them beats hashing
/// each (which was most of extraction's time); a long list (a mail full of links) gets a set.
struct Mentions {
    private(set) var list: [ArtifactMention] = []
    private var seen: Set<ArtifactMention>? = nil
    private static let scanLimit = 24

    mutating func add(_ m: ArtifactMention) {
        if seen == nil, list.count >= Mentions.scanLimit { seen = Set(list) }
        if seen != nil {
            if seen!.insert(m).inserted { list.append(m) }
        } else if !list.contains(m) {
            list.append(m)
        }
    }

    /// Whether one of the first `count` mentions has this type and value (any role).
    func has(_ type: ArtifactType, _ value: String, among count: Int) -> Bool {
        list[..<count].contains { $0.type == type && $0.value == value }
    }
}

struct ArtifactKey: Hashable {
    var type: ArtifactType
    var value: String
}
