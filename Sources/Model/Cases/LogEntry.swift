/// What a case log entry records.
public enum LogKind: String, Choice {
    case note, status, assignment, merge, enrichment, automation, sync
    /// A message in one of the case's Slack channels (`/slack/events`), or its edit or deletion
    /// (a correction of the entry it changes); `data.slack_channel` says which channel.
    case slack
    /// The case was opened, alerts or artifacts were linked, it was shared, its tags changed: the
    /// changes that are neither status nor assignment but must still be on the record.
    case created, link, share, tags
    /// The severity changed (a TheHive user or client changed it: taser's own workflows set it
    /// when a case opens).
    case severity
}

/// How an entry's `hash` was made, which says how much it can be trusted on its own.
public enum LogSeal: String, Sendable, Hashable, CaseIterable, Codable {
    /// HMAC-SHA256, with the database's log key (a file beside the database that only its owner
    /// reads), over the v2 canonical form: nobody without the key can make or remake one.
    case hmac
    /// SHA-256 over the v2 form: written by an analyst's process that could not read the key
    /// (another OS user sharing the file in embedded mode). Anyone who can write the file could
    /// recompute it, until a later entry sealed with the key chains over it.
    case sha256
    /// Written before the log was keyed (schema v10): SHA-256 over the v1 form, which leaves the
    /// entry's id out. Kept as written; the case's signed head pins it since the upgrade.
    case legacy
}

/// One entry of a case's append-only log. Entries chain: `prevHash` is the `hash` of the entry
/// before it in the same case (64 zeros for the first), and `hash` seals `canonicalForm` as
/// `seal` says. Changing any stored entry breaks its own hash or the next entry's link; the
/// case's head (entry count and last hash, signed with the key) catches removed entries.
public struct LogEntry: Sendable, Hashable, Codable {
    /// Unique across the database: how the store links a correction to its entry.
    public var id: Int64
    public var caseID: Int64
    /// 1, 2, 3, ... within the case: the entry's number everywhere an analyst sees one (`#2` in
    /// the console and `case show`, what `case correct` takes).
    public var seq: Int64
    public var time: Timestamp
    public var author: String
    public var kind: LogKind
    public var body: String
    /// Structured detail (for example `{"from":"new","to":"closed"}`) as canonical JSON text.
    public var data: String?
    /// The entry this one corrects (same case).
    public var corrects: Int64?
    public var prevHash: String
    public var hash: String
    public var seal: LogSeal

    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        id: Int64, caseID: Int64, seq: Int64, time: Timestamp, author: String, kind: LogKind, body: String,
        data: String?, corrects: Int64?, prevHash: String, hash: String, seal: LogSeal
    ) {
        self.id = id
        self.caseID = caseID
        self.seq = seq
        self.time = time
        self.author = author
        self.kind = kind
        self.body = body
        self.data = data
        self.corrects = corrects
        self.prevHash = prevHash
        self.hash = hash
        self.seal = seal
    }

    /// The exact bytes that are sealed: a JSON array in fixed order, so the form is unambiguous
    /// and can be recomputed by any tool (`jq -c`, Python) from an export. The entry's global
    /// `id` and its case are in it, so an entry cannot be moved to another row or case, and
    /// neither can two rows trade contents.
    public static func canonicalForm(
        id: Int64, caseID: Int64, seq: Int64, time: Timestamp, author: String, kind: LogKind, body: String, data: String?,
        corrects: Int64?, seal: LogSeal, prevHash: String
    ) -> String {
        let parts: [JSONValue] = [
            "taser.caselog.v2", .int(id), .int(caseID), .int(seq), .int(time.ms), .string(author), .string(kind.rawValue),
            .string(body), JSONValue(data), JSONValue(corrects), .string(seal.rawValue), .string(prevHash),
        ]
        return JSONValue.array(parts).text
    }

    /// The form entries written before schema v10 were hashed over (no id, no seal).
    public static func legacyCanonicalForm(
        caseID: Int64, seq: Int64, time: Timestamp, author: String, kind: LogKind, body: String, data: String?,
        corrects: Int64?, prevHash: String
    ) -> String {
        let parts: [JSONValue] = [
            "taser.caselog.v1", .int(caseID), .int(seq), .int(time.ms), .string(author), .string(kind.rawValue),
            .string(body), JSONValue(data), JSONValue(corrects), .string(prevHash),
        ]
        return JSONValue.array(parts).text
    }

    /// The bytes this entry's `hash` seals: the v2 form, or the v1 form for a legacy entry.
    public var canonicalForm: String {
        guard seal != .legacy else {
            return LogEntry.legacyCanonicalForm(
                caseID: caseID, seq: seq, time: time, author: author, kind: kind, body: body, data: data, corrects: corrects,
                prevHash: prevHash)
        }
        return LogEntry.canonicalForm(
            id: id, caseID: caseID, seq: seq, time: time, author: author, kind: kind, body: body, data: data,
            corrects: corrects, seal: seal, prevHash: prevHash)
    }
}
