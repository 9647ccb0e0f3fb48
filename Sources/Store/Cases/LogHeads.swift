internal import GRDB
import Model

/// A case's head: how many entries its log has and the hash of the last one, so removing the
/// last entries (or all of them) shows. `signed*` is the last head a key holder signed; entries
/// after it were written without the key.
public struct LogHead: Sendable, Equatable {
    public var caseID: Int64
    public var entries: Int64
    public var hash: String
    public var signedEntries: Int64
    public var signedHash: String
    /// HMAC-SHA256 under the log key over `form(caseID, signedEntries, signedHash)`; nil when no
    /// key holder has written to the case yet.
    public var signature: String?

    /// The text a head's signature covers.
    static func form(caseID: Int64, entries: Int64, hash: String) -> String {
        JSONValue.array(["taser.loghead.v1", .int(caseID), .int(entries), .string(hash)]).text
    }

    static let columns = "case_id, entries, hash, signed_entries, signed_hash, signature"

    /// Values of the wrong type, put there by hand, read as a head that matches nothing (and so
    /// is reported), never as a trap.
    init(row: Row) {
        func text(_ column: String) -> String? { (try? row.decode(String?.self, forColumn: column)) ?? nil }
        func number(_ column: String) -> Int64? { (try? row.decode(Int64?.self, forColumn: column)) ?? nil }
        self.init(
            caseID: number("case_id") ?? 0, entries: number("entries") ?? -1, hash: text("hash") ?? "",
            signedEntries: number("signed_entries") ?? -1, signedHash: text("signed_hash") ?? "", signature: text("signature"))
    }

    init(caseID: Int64, entries: Int64, hash: String, signedEntries: Int64, signedHash: String, signature: String?) {
        self.caseID = caseID
        self.entries = entries
        self.hash = hash
        self.signedEntries = signedEntries
        self.signedHash = signedHash
        self.signature = signature
    }

    func signatureValid(key: [UInt8]) -> Bool {
        signature == Hashing.hmacHex(LogHead.form(caseID: caseID, entries: signedEntries, hash: signedHash), key: key)
    }
}

/// The database's record of its log key: which key (an HMAC of a fixed text under it, which
/// reveals nothing of the key) and how many heads it has signed, signed itself.
struct LogKeyRecord {
    var keyID: String
    var signedCases: Int64
    var signature: String

    static func keyID(_ key: [UInt8]) -> String { Hashing.hmacHex("taser.logkey.id", key: key) }

    static func form(keyID: String, signedCases: Int64) -> String {
        JSONValue.array(["taser.logkey.v1", .string(keyID), .int(signedCases)]).text
    }

    func signatureValid(key: [UInt8]) -> Bool {
        signature == Hashing.hmacHex(LogKeyRecord.form(keyID: keyID, signedCases: signedCases), key: key)
    }
}

extension Tx {
    func logKeyRecord() throws -> LogKeyRecord? {
        try Row.fetchOne(db, sql: "SELECT key_id, signed_cases, signature FROM log_key WHERE id = 1").map {
            LogKeyRecord(
                keyID: ((try? $0.decode(String?.self, forColumn: "key_id")) ?? nil) ?? "",
                signedCases: ((try? $0.decode(Int64?.self, forColumn: "signed_cases")) ?? nil) ?? -1,
                signature: ((try? $0.decode(String?.self, forColumn: "signature")) ?? nil) ?? "")
        }
    }

    func logHead(ofCase caseID: Int64) throws -> LogHead? {
        try Row.fetchOne(db, sql: "SELECT \(LogHead.columns) FROM log_heads WHERE case_id = ?", arguments: [caseID]).map(LogHead.init(row:))
    }

    /// Every case's head, in case order.
    public func logHeads() throws -> [LogHead] {
        try Row.fetchAll(db, sql: "SELECT \(LogHead.columns) FROM log_heads ORDER BY case_id").map(LogHead.init(row:))
    }

    /// How this process seals: with the key when it may read it, else plain SHA-256 when it
    /// cannot (another OS user; see `LogKey.State.unreadable`); a key that should be there and
    /// is not, or is not the database's, is an error: sealing without it would be a downgrade.
    func sealer() throws -> Sealer {
        switch key.state {
        case .usable(let bytes):
            guard let record = try logKeyRecord() else { throw StoreError.logKeyRecordMissing(path: path) }
            guard record.keyID == LogKeyRecord.keyID(bytes) else { throw StoreError.logKeyMismatch(path: key.path) }
            return .key(bytes)
        case .unreadable:
            return .plain
        case .missing:
            // Before the owner's first run (no record yet) there is no key to miss.
            if try logKeyRecord() != nil { throw StoreError.logKeyMissing(path: key.path) }
            return .plain
        case .unusable(let problem):
            throw StoreError.logKey(path: key.path, problem: problem)
        }
    }

    /// A new case's head, signed when this process holds the key.
    func createLogHead(ofCase caseID: Int64) throws {
        let genesis = LogEntry.genesisHash
        var signature: String? = nil
        if case .key(let key) = try sealer() {
            signature = Hashing.hmacHex(LogHead.form(caseID: caseID, entries: 0, hash: genesis), key: key)
            try countSignedCase(key: key)
        }
        try db.execute(
            sql: "INSERT INTO log_heads (\(LogHead.columns)) VALUES (?, 0, ?, 0, ?, ?)",
            arguments: [caseID, genesis, genesis, signature])
    }

    /// One more head signed: the key record's count goes up, re-signed. The record and the count
    /// are checked first, so a head whose signature was stripped is not covered up by the next.
    func countSignedCase(key: [UInt8]) throws {
        guard let record = try logKeyRecord() else { throw StoreError.logKeyRecordMissing(path: path) }
        let signed = try Int64.fetchOne(db, sql: "SELECT count(*) FROM log_heads WHERE signature IS NOT NULL") ?? 0
        guard record.signatureValid(key: key), record.signedCases == signed else {
            throw StoreError.logTampered(caseID: 0, detail: "the log key record no longer matches the signed heads")
        }
        let count = signed + 1
        try db.execute(
            sql: "UPDATE log_key SET signed_cases = ?, signature = ? WHERE id = 1",
            arguments: [count, Hashing.hmacHex(LogKeyRecord.form(keyID: record.keyID, signedCases: count), key: key)])
    }

    /// Before a key holder signs a head over entries written without the key, those entries must
    /// chain from the last signed head with their plain seals intact: otherwise signing would
    /// vouch for a rewrite.
    func checkUnsignedTail(_ head: LogHead, key: [UInt8]) throws {
        func tampered(_ detail: String) -> StoreError { .logTampered(caseID: head.caseID, detail: detail) }
        if head.signature == nil {
            guard head.signedEntries == 0, head.signedHash == LogEntry.genesisHash else { throw tampered("its head's signature was removed") }
        } else if !head.signatureValid(key: key) {
            throw tampered("its head's signature does not match")
        }
        guard head.signedEntries < head.entries else {
            guard head.signedEntries == head.entries, head.signedHash == head.hash else { throw tampered("its head does not match its signed head") }
            return
        }
        var prev = head.signedHash
        var expected = head.signedEntries + 1
        if head.signedEntries > 0 {
            let pinned = try String.fetchOne(
                db, sql: "SELECT hash FROM case_log WHERE case_id = ? AND seq = ?", arguments: [head.caseID, head.signedEntries])
            guard pinned == head.signedHash else { throw tampered("entry #\(head.signedEntries) does not match its signed head") }
        }
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(LogEntry.columns) FROM case_log l WHERE l.case_id = ? AND l.seq > ? ORDER BY l.seq",
            arguments: [head.caseID, head.signedEntries])
        while let row = try rows.next() {
            guard let entry = LogEntry(row: row), entry.seq == expected, entry.prevHash == prev, entry.seal != .hmac,
                Hashing.sha256Hex(entry.canonicalForm) == entry.hash
            else { throw tampered("entry #\(expected), written without the key, does not chain or match its hash") }
            prev = entry.hash
            expected += 1
        }
        guard expected - 1 == head.entries, prev == head.hash else { throw tampered("its entries do not end where its head says") }
    }
}

extension Store {
    /// Makes the log key, registers it and signs every head as it stands, once per database:
    /// when the database is made, and on the owner's first run after the upgrade to the keyed
    /// log. Only the database's owner (or root) does it, only when there is no key file yet, and
    /// only while nothing was ever sealed with a key: a database whose record of its key has gone
    /// must not be blessed again as it now is. (A key file without a record is left alone: the
    /// store refuses to seal with it and `verify` says so.)
    static func adoptLogKey(_ writer: any DatabaseWriter, key: LogKey, database: String, at now: Timestamp) throws -> LogKey {
        guard key.state == .missing, LogKey.mayCreate(database: database) else { return key }
        let registered = try writer.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM log_key)") ?? false }
        guard !registered else { return key }
        var key = key
        var made = false
        do {
            try writer.write { db in
                // Another process may have registered it since the read above: the write lock
                // makes this check and the key's creation one step.
                guard !(try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM log_key)") ?? false) else {
                    key = LogKey.load(database: database)
                    return
                }
                let sealed = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM case_log WHERE seal = 'hmac') OR EXISTS (SELECT 1 FROM log_heads WHERE signature IS NOT NULL)
                    """) ?? false
                guard !sealed else { return }
                key = try LogKey.create(database: database)
                made = true
                guard case .usable(let bytes) = key.state else { return }
                let heads = try Row.fetchAll(db, sql: "SELECT \(LogHead.columns) FROM log_heads").map(LogHead.init(row:))
                for head in heads {
                    try db.execute(
                        sql: "UPDATE log_heads SET signed_entries = entries, signed_hash = hash, signature = ? WHERE case_id = ?",
                        arguments: [Hashing.hmacHex(LogHead.form(caseID: head.caseID, entries: head.entries, hash: head.hash), key: bytes), head.caseID])
                }
                let keyID = LogKeyRecord.keyID(bytes)
                let count = Int64(heads.count)
                try db.execute(
                    sql: "INSERT INTO log_key (id, key_id, signed_cases, signature, created_at) VALUES (1, ?, ?, ?, ?)",
                    arguments: [keyID, count, Hashing.hmacHex(LogKeyRecord.form(keyID: keyID, signedCases: count), key: bytes), now.ms])
            }
        } catch {
            if made { key.remove() }
            throw error
        }
        return key
    }
}
