internal import GRDB

extension Tx {
    /// A SHA-256 over every row of every table, in a stable order. Two databases with the same
    /// fingerprint hold the same data: the demo's determinism and "nothing was written" after
    /// a refused command are both checked with it.
    ///
    /// `sealsExcluded` leaves out what the case log key makes: each database has its own random
    /// key, so two demos built alike differ there and only there (the entries' and heads' hashes,
    /// the key's record, and the hashes the outbox's `case.log` messages carry).
    public func fingerprint(sealsExcluded: Bool = false) throws -> String {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        let sealed: [String: [String: String]] = [
            "case_log": ["prev_hash": "NULL", "hash": "NULL"],
            "log_heads": ["hash": "NULL", "signed_hash": "NULL", "signature": "NULL"],
            "outbox": ["payload": "json_remove(payload, '$.hash', '$.prev_hash')"],
        ]
        var text = ""
        for table in tables {
            if sealsExcluded && table == "log_key" { continue }
            let columns = try db.columns(in: table).map(\.name)
            let replaced = sealsExcluded ? sealed[table] ?? [:] : [:]
            let select = columns.map { replaced[$0] ?? $0.quotedDatabaseIdentifier }.joined(separator: ", ")
            let order = (1...max(columns.count, 1)).map(String.init).joined(separator: ", ")
            text += "table \(table)\n"
            let rows = try Row.fetchCursor(db, sql: "SELECT \(select) FROM \(table.quotedDatabaseIdentifier) ORDER BY \(order)")
            while let row = try rows.next() {
                text += row.databaseValues.map(\.description).joined(separator: "\u{1F}") + "\n"
            }
        }
        return Hashing.sha256Hex(text)
    }
}
