internal import GRDB
import Model

/// One person, many names: Okta knows `Jane.Doe@Example.com`, Duo `jane.doe` with her email
/// beside it, the HR export all three and `CORP\jdoe`. Splunk ES calls this its identity
/// framework; here it is four tables:
///
/// - `identity_links`: each pair of identifiers known to name one person, with where that was
///   learned (`duo`, `positron:USER_INFO`, `file:hr.csv`, `analyst:maya`). Pairs are stored
///   folded, smaller first.
/// - `identity_unlinks`: pairs an analyst said are not one person. A removed link stays
///   removed: the next Duo record that carries the pair does not bring it back.
/// - `identifiers` and `identities`: the links' connected components, kept as they change, so
///   a rule resolves a value with one index lookup. An identity's label is its preferred
///   identifier (a login, else an email, ...; the smallest of a kind), what group keys and the
///   console show.
enum IdentitySchema {
    static let v13 = """
        CREATE TABLE identities (
          id INTEGER PRIMARY KEY,
          label TEXT NOT NULL
        );
        CREATE TABLE identifiers (
          value TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          identity INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX identifiers_by_identity ON identifiers(identity);
        CREATE TABLE identity_links (
          a TEXT NOT NULL,
          b TEXT NOT NULL,
          source TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
        CREATE INDEX identity_links_by_b ON identity_links(b, a);
        CREATE TABLE identity_unlinks (
          a TEXT NOT NULL,
          b TEXT NOT NULL,
          removed_by TEXT NOT NULL,
          removed_at INTEGER NOT NULL,
          PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
        """
}

/// A link as listed: two identifiers and where the link came from.
public struct IdentityLink: Codable, Sendable, Hashable {
    public var a: String
    public var b: String
    public var source: String
    public var createdAt: Timestamp
}

/// An identity with every identifier it links and how.
public struct IdentityRecord: Codable, Sendable, Hashable {
    public var id: Int64
    public var label: String
    public var identifiers: [Identifier]
    public var links: [IdentityLink]
}

extension Tx {
    /// Links two identifiers as one person's. Returns false when nothing changed: the same
    /// value, a link already known, or a pair an analyst removed.
    @discardableResult
    public func link(_ x: Identifier, _ y: Identifier, source: String, at time: Timestamp) throws -> Bool {
        guard !x.value.isEmpty, !y.value.isEmpty, x.value != y.value else { return false }
        let (a, b) = x.value < y.value ? (x.value, y.value) : (y.value, x.value)
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM identity_unlinks WHERE a = ? AND b = ?", arguments: [a, b]) == true { return false }
        // One person has a handful of names. A link that would give an identity more of a kind
        // is a shared identifier (a team mailbox, `admin`) in records of many people, and
        // merging on it would make them all one key: it is not made.
        if try tooLarge(merging: x, y) { return false }
        try db.execute(
            sql: "INSERT OR IGNORE INTO identity_links (a, b, source, created_at) VALUES (?, ?, ?, ?)", arguments: [a, b, source, time.ms])
        guard db.changesCount > 0 else { return false }
        let ix = try identity(of: x), iy = try identity(of: y)
        if ix != iy {
            let (keep, drop) = (min(ix, iy), max(ix, iy))
            try db.execute(sql: "UPDATE identifiers SET identity = ? WHERE identity = ?", arguments: [keep, drop])
            try db.execute(sql: "DELETE FROM identities WHERE id = ?", arguments: [drop])
            try relabel(keep)
        }
        return true
    }

    /// Removes the link between two identifiers, for good: it is remembered as removed, so
    /// learning does not bring it back. Their identity splits where nothing else links it.
    public func unlink(_ x: String, _ y: String, by who: String, at time: Timestamp) throws -> Bool {
        let (fx, fy) = (Identifier.fold(x), Identifier.fold(y))
        let (a, b) = fx < fy ? (fx, fy) : (fy, fx)
        try db.execute(sql: "DELETE FROM identity_links WHERE a = ? AND b = ?", arguments: [a, b])
        guard db.changesCount > 0 else { return false }
        try db.execute(
            sql: "INSERT OR REPLACE INTO identity_unlinks (a, b, removed_by, removed_at) VALUES (?, ?, ?, ?)", arguments: [a, b, who, time.ms])
        guard let identity = try Int64.fetchOne(db, sql: "SELECT identity FROM identifiers WHERE value = ?", arguments: [a]) else { return true }
        try split(identity)
        return true
    }

    /// The label of each value's identity, for values that have one (folded value -> label).
    public func identityLabels(of values: some Collection<String>) throws -> [String: String] {
        var out: [String: String] = [:]
        let statement = try db.cachedStatement(sql: "SELECT i.label FROM identifiers d JOIN identities i ON i.id = d.identity WHERE d.value = ?")
        for value in Set(values.map(Identifier.fold)) {
            if let label = try String.fetchOne(statement, arguments: [value]) { out[value] = label }
        }
        return out
    }

    /// Every identifier's identity label, for a simulation over all stored signals.
    public func allIdentityLabels() throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT d.value, i.label FROM identifiers d JOIN identities i ON i.id = d.identity") {
            out[row["value"]] = row["label"]
        }
        return out
    }

    /// Every identifier of the identity `value` belongs to (itself alone when it has none).
    public func identifiers(sameAs value: String) throws -> [String] {
        let folded = Identifier.fold(value)
        let same = try String.fetchAll(
            db, sql: "SELECT value FROM identifiers WHERE identity = (SELECT identity FROM identifiers WHERE value = ?) ORDER BY value",
            arguments: [folded])
        return same.isEmpty ? [folded] : same
    }

    /// Identities with their identifiers and links, by label; those with an identifier
    /// containing `matching` when given.
    public func identityRecords(matching: String? = nil, limit: Int = 1_000) throws -> [IdentityRecord] {
        var sql: SQL = "SELECT id, label FROM identities i"
        if let matching {
            sql += " WHERE EXISTS (SELECT 1 FROM identifiers d WHERE d.identity = i.id AND d.value LIKE \("%" + Identifier.fold(matching) + "%"))"
        }
        sql += " ORDER BY label, id LIMIT \(limit)"
        return try Row.fetchAll(db, literal: sql).map { row in
            let id: Int64 = row["id"]
            let identifiers = try Row.fetchAll(db, sql: "SELECT value, kind FROM identifiers WHERE identity = ? ORDER BY value", arguments: [id]).map {
                Identifier($0["value"], kind: IdentifierKind(rawValue: $0["kind"]) ?? .login)
            }
            let links = try Row.fetchAll(
                db,
                sql: """
                    SELECT l.a, l.b, l.source, l.created_at FROM identity_links l JOIN identifiers d ON d.value = l.a
                    WHERE d.identity = ? ORDER BY l.created_at, l.a, l.b
                    """,
                arguments: [id]
            ).map { IdentityLink(a: $0["a"], b: $0["b"], source: $0["source"], createdAt: Timestamp(ms: $0["created_at"])) }
            return IdentityRecord(id: id, label: row["label"], identifiers: identifiers, links: links)
        }
    }

    // MARK: - Components

    /// The most identifiers of one kind one identity may hold: a person has a login or two,
    /// an email or two, not five of either.
    public static let mostOfAKind = 4

    /// Whether joining the identities of `x` and `y` would give one more than `mostOfAKind`
    /// identifiers of a kind.
    private func tooLarge(merging x: Identifier, _ y: Identifier) throws -> Bool {
        var kinds: [String: Int] = [:]
        var seen = Set<String>()
        for one in [x, y] {
            let members = try Row.fetchAll(
                db, sql: "SELECT value, kind FROM identifiers WHERE identity = (SELECT identity FROM identifiers WHERE value = ?)",
                arguments: [one.value])
            let all: [(String, String)] = members.isEmpty ? [(one.value, one.kind.rawValue)] : members.map { ($0["value"], $0["kind"]) }
            for (value, kind) in all where seen.insert(value).inserted { kinds[kind, default: 0] += 1 }
        }
        return kinds.values.contains { $0 > Self.mostOfAKind }
    }

    /// The identity an identifier belongs to, made (alone) if it is new.
    private func identity(of identifier: Identifier) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT identity FROM identifiers WHERE value = ?", arguments: [identifier.value]) { return id }
        try db.execute(sql: "INSERT INTO identities (label) VALUES (?)", arguments: [identifier.value])
        let id = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO identifiers (value, kind, identity) VALUES (?, ?, ?)", arguments: [identifier.value, identifier.kind.rawValue, id])
        return id
    }

    /// Labels an identity by its preferred identifier.
    private func relabel(_ id: Int64) throws {
        let members = try Row.fetchAll(db, sql: "SELECT value, kind FROM identifiers WHERE identity = ?", arguments: [id]).map {
            Identifier($0["value"], kind: IdentifierKind(rawValue: $0["kind"]) ?? .login)
        }
        guard let best = members.min(by: { ($0.kind.preference, $0.value) < ($1.kind.preference, $1.value) }) else { return }
        try db.execute(sql: "UPDATE identities SET label = ? WHERE id = ?", arguments: [best.value, id])
    }

    /// After a link is removed: the identity's identifiers regrouped by the links left. The
    /// part holding the identity's smallest identifier keeps its id; each other part gets one.
    private func split(_ identity: Int64) throws {
        var left = Set(try String.fetchAll(db, sql: "SELECT value FROM identifiers WHERE identity = ?", arguments: [identity]))
        var first = true
        while let start = left.min() {
            var part: Set<String> = [start]
            var queue = [start]
            left.remove(start)
            while let value = queue.popLast() {
                let next = try String.fetchAll(
                    db, sql: "SELECT b FROM identity_links WHERE a = ?1 UNION SELECT a FROM identity_links WHERE b = ?1", arguments: [value])
                for other in next where left.remove(other) != nil {
                    part.insert(other)
                    queue.append(other)
                }
            }
            var id = identity
            if !first {
                try db.execute(sql: "INSERT INTO identities (label) VALUES (?)", arguments: [start])
                id = db.lastInsertedRowID
                for value in part {
                    try db.execute(sql: "UPDATE identifiers SET identity = ? WHERE value = ?", arguments: [id, value])
                }
            }
            try relabel(id)
            first = false
        }
    }
}
