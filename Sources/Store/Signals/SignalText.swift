internal import GRDB
import Model

/// Free text over raw bodies (`:search "invoice_8812.exe"`): an FTS5 index of each signal's
/// raw body. External content: the text lives once, in `signals.raw`; the index holds only
/// tokens. An update (a new revision) replaces the old body's tokens, so search finds what the
/// signal says now; earlier bodies stay readable in `signal_revisions`.
///
/// The writer indexes each batch's new signals in one statement (`indexNew`), not a trigger:
/// FTS5 flushes its pending terms at every statement savepoint, and a trigger's insert is one
/// per row, which made an FTS segment per signal and cost ~80 µs a signal where one statement
/// per batch costs ~20.
///
/// The tokenizer is FTS5's default (unicode61): a quoted term is a phrase of its words, so
/// `"invoice_8812.exe"` finds `invoice_8812.exe` (and `invoice-8812 exe`, the same words).
enum SignalText {
    static let v15 = """
        CREATE VIRTUAL TABLE signal_text USING fts5(raw, content = 'signals', content_rowid = 'id');
        INSERT INTO signal_text (signal_text) VALUES ('rebuild');
        """

    /// Indexes the signals with ids in `range` (a batch's new ones).
    static func indexNew(_ range: ClosedRange<Int64>, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO signal_text (rowid, raw) SELECT id, raw FROM signals WHERE id BETWEEN ? AND ?",
            arguments: [range.lowerBound, range.upperBound])
    }

    /// Before a signal's raw body changes: its old tokens out.
    static func forget(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO signal_text (signal_text, rowid, raw) SELECT 'delete', id, raw FROM signals WHERE id = ?", arguments: [id])
    }

    /// After: the new body's tokens in.
    static func index(_ id: Int64, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO signal_text (rowid, raw) SELECT id, raw FROM signals WHERE id = ?", arguments: [id])
    }
}

/// What a search asks of the signals table: the parts SQL answers with an index (kind, time,
/// free text) and the fields whose values the caller tests itself (`Matcher`, so a search
/// means what the same filter means in a rule).
public struct SignalScan: Sendable {
    public var kinds: [String]
    public var sources: [String]
    public var since: Timestamp?
    public var until: Timestamp?
    /// FTS5 queries over raw bodies; a negated one excludes what it matches.
    public var text: [(query: String, negated: Bool)]
    /// Texts the fields must hold, ignoring ASCII case: one of each list. A cheap scan in SQL
    /// that leaves out most rows before their fields are read (the caller's filter decides).
    public var containing: [[String]] = []
    /// Fields read for each candidate, in this order (`SignalScanRow.fields`).
    public var fields: [String]

    public init(kinds: [String] = [], sources: [String] = [], since: Timestamp? = nil, until: Timestamp? = nil,
                text: [(query: String, negated: Bool)] = [], fields: [String] = []) {
        self.kinds = kinds
        self.sources = sources
        self.since = since
        self.until = until
        self.text = text
        self.fields = fields
    }
}

extension SignalScan {
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}

/// One candidate of a scan: what a filter needs, not the whole signal.
public struct SignalScanRow {
    public var id: Int64
    public var time: Int64
    public var kind: String
    public var source: String
    /// Each of `SignalScan.fields`' values as JSON text, nil when the signal lacks it.
    public var fields: [String?]
}

/// A free-text query FTS5 refused (it should not happen: the compiler quotes every term).
public struct FreeTextError: Error, CustomStringConvertible {
    public var query: String
    public var reason: String
    public var description: String { "the free text \(query) cannot be searched (\(reason)); quote each term" }
}

extension Tx {
    /// Visits the candidates newest first; `visit` returns false to stop.
    public func scanSignals(_ scan: SignalScan, _ visit: (SignalScanRow) throws -> Bool) throws {
        let extracts = scan.fields.map { ", s.fields -> \(FieldPath.quoted($0))" }.joined()
        var sql: SQL = "SELECT s.id, s.time, s.kind, s.source\(sql: extracts) FROM signals s WHERE 1"
        if !scan.kinds.isEmpty { sql += " AND s.kind IN \(scan.kinds)" }
        if !scan.sources.isEmpty { sql += " AND s.source COLLATE NOCASE IN \(scan.sources)" }
        if let since = scan.since { sql += " AND s.time >= \(since.ms)" }
        if let until = scan.until { sql += " AND s.time <= \(until.ms)" }
        for alternatives in scan.containing where !alternatives.isEmpty {
            let likes = alternatives.map { _ in "s.fields LIKE ? ESCAPE '\\'" }.joined(separator: " OR ")
            sql += SQL(sql: " AND (\(likes))", arguments: StatementArguments(alternatives.map { "%" + SignalScan.likeEscaped($0) + "%" }))
        }
        for t in scan.text {
            sql += t.negated ? " AND s.id NOT IN" : " AND s.id IN"
            sql += " (SELECT rowid FROM signal_text WHERE signal_text MATCH \(t.query))"
        }
        sql += " ORDER BY s.time DESC, s.id DESC"
        do {
            let (statementSQL, arguments) = try sql.build(db)
            let rows = try Row.fetchCursor(db, sql: statementSQL, arguments: arguments)
            let n = scan.fields.count
            while let row = try rows.next() {
                var fields: [String?] = []
                fields.reserveCapacity(n)
                for f in 0..<n { fields.append(row[f + 4]) }
                let go = try visit(SignalScanRow(id: row[0], time: row[1], kind: row[2], source: row[3], fields: fields))
                if !go { return }
            }
        } catch let error as DatabaseError where error.message?.contains("fts5") == true {
            throw FreeTextError(query: scan.text.map(\.query).joined(separator: " "), reason: error.message ?? "")
        }
    }

    /// Signals by id, in the order given (ids that do not exist are left out).
    public func signals(ids: [Int64]) throws -> [Signal] {
        guard !ids.isEmpty else { return [] }
        var byID: [Int64: Signal] = [:]
        // Chunks keep each statement under SQLite's variable limit.
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
            let rows = try Row.fetchAll(db, literal: "SELECT \(sql: Signal.columns) FROM signals s WHERE s.id IN \(part)")
            for row in rows {
                let s = Signal(row: row)
                byID[s.id] = s
            }
        }
        return ids.compactMap { byID[$0] }
    }
}

extension Tx {
    /// FTS5's own check that the free-text index holds exactly the tokens of every raw body
    /// (throws when it does not): for tests and `taser verify`.
    public func checkSignalText() throws {
        try db.execute(sql: "INSERT INTO signal_text (signal_text, rank) VALUES ('integrity-check', 1)")
    }
}
