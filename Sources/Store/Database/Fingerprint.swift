internal import GRDB

extension Tx {
    /// A SHA-256 over every row of every table, in a stable order. Two databases with the same
    /// fingerprint hold the same data: the demo's determinism and "nothing was written" after
    /// a refused command are both checked with it.
    public func fingerprint() throws -> String {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        var text = ""
        for table in tables {
            let columns = try db.columns(in: table).count
            let order = (1...max(columns, 1)).map(String.init).joined(separator: ", ")
            text += "table \(table)\n"
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY \(order)")
            while let row = try rows.next() {
                text += row.databaseValues.map(\.description).joined(separator: "\u{1F}") + "\n"
            }
        }
        return Hashing.sha256Hex(text)
    }
}
