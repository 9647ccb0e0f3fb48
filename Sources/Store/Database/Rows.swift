internal import GRDB
import Model

/// Reading model values out of rows: one place per type, so every query decodes alike.
extension Signal {
    static let columns = "s.id, s.time, s.source, s.source_ref, s.kind, s.severity, s.title, s.fields, s.raw, s.ingested_at, s.revision"

    init(row: Row) {
        let fieldsText: String = row["fields"]
        self.init(
            id: row["id"], time: Timestamp(ms: row["time"]), source: row["source"], sourceRef: row["source_ref"],
            kind: row["kind"], severity: Severity(rawValue: row["severity"]) ?? .info, title: row["title"],
            fields: (try? JSONValue.parse(fieldsText))?.objectValue ?? [:], raw: row["raw"],
            ingestedAt: Timestamp(ms: row["ingested_at"]), revision: row["revision"])
    }
}

extension Alert {
    static let columns = """
        a.id, a.rule, a.group_key, a.first_signal_at, a.last_signal_at, a.status, a.severity, a.title, a.team,
        a.case_id, a.created_at, a.updated_at, a.signal_count, a.close_reason, a.closed_by, a.closed_at
        """

    init(row: Row) {
        let closing: AlertClosing? = {
            guard let reason = (row["close_reason"] as String?).flatMap(AlertCloseReason.init(rawValue:)),
                let by: String = row["closed_by"], let at: Int64 = row["closed_at"]
            else { return nil }
            return AlertClosing(reason: reason, by: by, at: Timestamp(ms: at))
        }()
        self.init(
            id: row["id"], rule: row["rule"], groupKey: row["group_key"],
            firstSignalAt: (row["first_signal_at"] as Int64?).map(Timestamp.init(ms:)),
            lastSignalAt: (row["last_signal_at"] as Int64?).map(Timestamp.init(ms:)),
            status: AlertStatus(rawValue: row["status"]) ?? .new,
            severity: Severity(rawValue: row["severity"]) ?? .info, title: row["title"], team: row["team"],
            caseID: row["case_id"], createdAt: Timestamp(ms: row["created_at"]),
            updatedAt: Timestamp(ms: row["updated_at"]), signalCount: row["signal_count"], closing: closing)
    }
}

extension Case {
    static let columns = """
        c.id, c.title, c.description, c.status, c.severity, c.tlp, c.pap, c.owner, c.team, c.tags, c.custom_fields,
        c.created_at, c.created_by, c.updated_at, c.closed_at, c.resolution, c.merged_into
        """

    init(row: Row) {
        let tagsText: String = row["tags"]
        let fieldsText: String = row["custom_fields"]
        self.init(
            id: row["id"], title: row["title"], description: row["description"],
            status: CaseStatus(rawValue: row["status"]) ?? .new, severity: Severity(rawValue: row["severity"]) ?? .medium,
            tlp: TLP(rawValue: row["tlp"]) ?? .amber, pap: PAP(rawValue: row["pap"]) ?? .amber, owner: row["owner"],
            team: row["team"],
            tags: (try? JSONValue.parse(tagsText))?.arrayValue?.compactMap(\.stringValue) ?? [],
            customFields: (try? JSONValue.parse(fieldsText))?.objectValue ?? [:],
            createdAt: Timestamp(ms: row["created_at"]), createdBy: row["created_by"],
            updatedAt: Timestamp(ms: row["updated_at"]),
            closedAt: (row["closed_at"] as Int64?).map(Timestamp.init(ms:)),
            resolution: (row["resolution"] as String?).flatMap(Resolution.init(rawValue:)),
            mergedInto: row["merged_into"])
    }
}

extension LogEntry {
    static let columns = "l.id, l.case_id, l.seq, l.time, l.author, l.kind, l.body, l.data, l.corrects, l.prev_hash, l.hash, l.seal"

    /// Nil when the row is not one taser could have written (an unknown kind or seal, a NULL or a
    /// value of the wrong type put there by hand): `verify` reports such a row rather than
    /// guessing, and reading it never traps (GRDB's throwing decoders, not its subscripts).
    init?(row: Row) {
        func text(_ column: String) -> String? { (try? row.decode(String?.self, forColumn: column)) ?? nil }
        func number(_ column: String) -> Int64? { (try? row.decode(Int64?.self, forColumn: column)) ?? nil }
        guard let kind = text("kind").flatMap(LogKind.init(rawValue:)), let seal = text("seal").flatMap(LogSeal.init(rawValue:)),
            let id = number("id"), let caseID = number("case_id"), let seq = number("seq"), let time = number("time"),
            let author = text("author"), let body = text("body"), let prevHash = text("prev_hash"), let hash = text("hash")
        else { return nil }
        // NULL is a value here (no data, corrects nothing); only a failed decode is not.
        let data: String?, corrects: Int64?
        do {
            data = try row.decode(String?.self, forColumn: "data")
            corrects = try row.decode(Int64?.self, forColumn: "corrects")
        } catch { return nil }
        self.init(
            id: id, caseID: caseID, seq: seq, time: Timestamp(ms: time), author: author, kind: kind, body: body, data: data,
            corrects: corrects, prevHash: prevHash, hash: hash, seal: seal)
    }
}

extension Artifact {
    static let columns = "ar.id, ar.type, ar.value, ar.first_seen, ar.last_seen"

    init(row: Row) {
        self.init(
            id: row["id"], type: ArtifactType(rawValue: row["type"]) ?? .other, value: row["value"],
            firstSeen: Timestamp(ms: row["first_seen"]), lastSeen: Timestamp(ms: row["last_seen"]))
    }
}

/// Fetching with GRDB's SQL literals, whose interpolations become statement arguments; the
/// access policy is composed this way (see `Access`).
extension Row {
    static func fetchAll(_ db: Database, literal sql: SQL) throws -> [Row] {
        try fetchAll(db, SQLRequest<Row>(literal: sql))
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    static func fetchOne(_ db: Database, literal sql: SQL) throws -> Self? {
        try fetchOne(db, SQLRequest<Self>(literal: sql))
    }
}
