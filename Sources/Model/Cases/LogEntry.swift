/// What a case log entry records.
public enum LogKind: String, Choice {
    case note, status, assignment, merge, enrichment, automation, sync
    /// The case was opened, alerts or artifacts were linked, it was shared: the changes that are
    /// neither status nor assignment but must still be on the record.
    case created, link, share
}

/// One entry of a case's append-only log. Entries chain: `prevHash` is the `hash` of the entry
/// before it in the same case (64 zeros for the first), and `hash` is the SHA-256 of
/// `canonicalForm`. Changing any stored entry breaks its own hash or the next entry's link.
public struct LogEntry: Sendable, Hashable {
    /// Unique across the database; what `case correct` names.
    public var id: Int64
    public var caseID: Int64
    /// 1, 2, 3, ... within the case.
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

    public static let genesisHash = String(repeating: "0", count: 64)

    public init(
        id: Int64, caseID: Int64, seq: Int64, time: Timestamp, author: String, kind: LogKind, body: String,
        data: String?, corrects: Int64?, prevHash: String, hash: String
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
    }

    /// The exact bytes that are hashed: a JSON array in fixed order, so the form is unambiguous
    /// and can be recomputed by any tool (`jq -c`, Python) from an export.
    /// The global `id` is left out on purpose: an entry's identity in the chain is (case, seq).
    public static func canonicalForm(
        caseID: Int64, seq: Int64, time: Timestamp, author: String, kind: LogKind, body: String, data: String?,
        corrects: Int64?, prevHash: String
    ) -> String {
        let parts: [JSONValue] = [
            "taser.caselog.v1", .int(caseID), .int(seq), .int(time.ms), .string(author), .string(kind.rawValue),
            .string(body), JSONValue(data), JSONValue(corrects), .string(prevHash),
        ]
        return JSONValue.array(parts).text
    }

    public var canonicalForm: String {
        LogEntry.canonicalForm(
            caseID: caseID, seq: seq, time: time, author: author, kind: kind, body: body, data: data,
            corrects: corrects, prevHash: prevHash)
    }
}
