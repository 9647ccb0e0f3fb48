internal import GRDB
import Model

/// The one write path for signals: every source (files, drop folder, polling, webhooks, the demo)
/// hands batches here. A batch is one transaction. Artifacts are upserted once per batch, and
/// their ids are cached across batches because artifacts are never deleted.
/// One writer serves one thread at a time (the cache is unguarded); hence `@unchecked`.
public final class SignalWriter: @unchecked Sendable {
    private let store: Store
    private struct Key: Hashable { var type: ArtifactType; var value: String }
    private struct Known { var id: Int64; var first: Int64; var last: Int64 }
    private var known: [Key: Known] = [:]
    private struct Pair: Hashable { var a: String; var b: String }
    /// Identifier pairs known linked (or refused as unlinked), so a batch of one person's
    /// records does not ask the database each time.
    private var linked = Set<Pair>()
    /// About 10 MB of artifacts' ids and spans.
    static let knownLimit = 100_000

    public init(store: Store) { self.store = store }

    /// A signal's identity when its tool gives no id: the SHA-256 of its raw body. Public so
    /// ingest workers can compute it off the writer's thread.
    public static func contentRef(_ raw: String) -> String { "sha256:" + Hashing.sha256Hex(raw) }

    public struct Result: Sendable {
        /// The stored id of each input signal that is new, in order; nil where it was stored
        /// already (a duplicate or an update).
        public var ids: [Int64?]
        /// The id of the signal each input updated (a new revision: same identity, content not
        /// seen before), in order; nil elsewhere.
        public var updated: [Int64?]
        public var inserted: Int { ids.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
        public var updates: Int { updated.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
        public var duplicates: Int { ids.count - inserted - updates }
        /// The signals this batch gave a new revision, each once.
        public var updatedSignals: [Int64] {
            var seen = Set<Int64>()
            return updated.compactMap { $0 }.filter { seen.insert($0).inserted }
        }
    }

    public func write(_ batch: [NewSignal]) throws -> Result {
        try store.write { tx in try write(batch, in: tx) }
    }

    /// Writes inside a caller's transaction, so a caller can add alerts in the same commit.
    ///
    /// Signals are read as `batch[i]` throughout, never bound to a local: a copy of a signal
    /// retains and releases each of its strings, which cost as much as binding them.
    public func write(_ batch: [NewSignal], in tx: Tx) throws -> Result {
        let db = tx.db
        let now = Timestamp.now.ms
        // A rollback (here or later in the caller's transaction) may undo artifacts we cached.
        db.afterNextTransaction(onCommit: { _ in }, onRollback: { [self] _ in
            known.removeAll()
            linked.removeAll()
        })

        // 1. Which signals are new: not stored before, and not earlier in this batch. A row
        //    holds its artifacts' ids, so every new signal's artifacts are stored first.
        let refs = batch.indices.map { batch[$0].sourceRef ?? Self.contentRef(batch[$0].raw) }
        let identities = batch.indices.map { SignalIdentity.key(source: batch[$0].source, ref: refs[$0]) }
        // Stored before? Asked in key order: consecutive probes then walk neighbouring pages of
        // the identity index, which stay in the CPU's caches, where input order jumps across it.
        // (Plain integer pairs sort without touching reference counts.)
        let find = try BulkStatement(db, sql: "SELECT id FROM signals WHERE identity = ? AND source = ? AND source_ref = ?")
        var storedAs = [Int64?](repeating: nil, count: batch.count)
        for (identity, index) in zip(identities, batch.indices).sorted(by: { $0.0 < $1.0 }) {
            find.bind(identity, at: 1)
            find.bind(batch[index].source, at: 2)
            find.bind(refs[index], at: 3)
            storedAs[index] = try find.run()
        }
        // Stored before, or a repeat of an earlier one in this batch: a duplicate or an update,
        // told apart once the new ones are written (`settle`).
        var again: [(index: Int, stored: Int64?, first: Int?)] = []
        // The new ones, in input order; a repeat within the batch is a duplicate of its first.
        // `firstWith` maps an identity key to the first new signal with it; keys of distinct
        // pairs rarely collide, and then the new ones so far are searched.
        var fresh: [Int] = []
        fresh.reserveCapacity(batch.count)
        var firstWith: [Int64: Int] = [:]
        // The batch's distinct artifacts in order of first mention, so ids are assigned the same
        // way on every run (a Dictionary's order differs between processes and even between
        // instances), and each mention as its artifact's place in that order: one hash of an
        // artifact per mention, where a dictionary per step would hash it three times.
        var order: [Key] = []
        var spans: [(first: Int64, last: Int64)] = []
        var place: [Key: Int] = [:]
        var mentions: [Int] = []
        mentions.reserveCapacity(batch.count * 4)
        for index in batch.indices {
            if let id = storedAs[index] {
                again.append((index, id, nil))
                continue
            }
            let identity = identities[index]
            if let first = firstWith[identity] {
                let same = { (other: Int) in
                    identities[other] == identity && refs[other] == refs[index] && batch[other].source == batch[index].source
                }
                if let earlier = fresh[first...].first(where: same) {
                    again.append((index, nil, earlier))
                    continue
                }
            } else {
                firstWith[identity] = fresh.count
            }
            fresh.append(index)
            let t = batch[index].time.ms
            for mention in batch[index].artifacts {
                let key = Key(type: mention.type, value: mention.value)
                if let n = place[key] {
                    spans[n] = (min(spans[n].first, t), max(spans[n].last, t))
                    mentions.append(n)
                } else {
                    place[key] = order.count
                    mentions.append(order.count)
                    order.append(key)
                    spans.append((t, t))
                }
            }
        }
        let artifactIDs = try upsertArtifacts(order, spans, db: db)

        // 2. The new signals, each with its artifact list, and the links by artifact.
        let insertSignal = try BulkStatement(db, sql: """
            INSERT INTO signals (time, source, source_ref, kind, severity, title, fields, raw, ingested_at, identity, artifacts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var ids = [Int64?](repeating: nil, count: batch.count)
        var next = 0
        var links: [(artifact: Int64, role: String)] = []
        // Each link as integers (its role by place in `roles`), so sorting moves no strings.
        var byArtifact: [(artifact: Int64, signal: Int64, role: Int)] = []
        var roles: [String] = []
        byArtifact.reserveCapacity(mentions.count)
        roles.reserveCapacity(mentions.count)
        for index in fresh {
            links.removeAll(keepingCapacity: true)
            for mention in batch[index].artifacts {
                let artifact = artifactIDs[mentions[next]]
                next += 1
                // A tool may name the same artifact twice in the same role; it is one link.
                if !links.contains(where: { $0.artifact == artifact && $0.role == mention.role }) {
                    links.append((artifact, mention.role))
                }
            }
            insertSignal.bind(batch[index].time.ms, at: 1)
            insertSignal.bind(batch[index].source, at: 2)
            insertSignal.bind(refs[index], at: 3)
            insertSignal.bind(batch[index].kind, at: 4)
            insertSignal.bind(Int64(batch[index].severity.rawValue), at: 5)
            insertSignal.bind(batch[index].title, at: 6)
            insertSignal.bind(batch[index].fieldsJSON, at: 7)
            insertSignal.bind(batch[index].raw, at: 8)
            insertSignal.bind(batch[index].ingestedAt?.ms ?? now, at: 9)
            insertSignal.bind(identities[index], at: 10)
            insertSignal.bind(Self.artifactList(links), at: 11)
            try insertSignal.run()
            let id = db.lastInsertedRowID
            ids[index] = id
            for (artifact, role) in links {
                byArtifact.append((artifact, id, roles.count))
                roles.append(role)
            }
        }
        // Their raw bodies into the free-text index, in one statement (see `SignalText`).
        if let first = fresh.first.flatMap({ ids[$0] }), let last = fresh.last.flatMap({ ids[$0] }) {
            try SignalText.indexNew(first...last, db)
        }
        // In key order, for the same reason as the identity probes: each insert lands next to
        // the one before instead of anywhere in the index.
        let link = try BulkStatement(db, sql: "INSERT INTO artifact_signals (artifact_id, signal_id, role) VALUES (?, ?, ?)")
        byArtifact.sort { ($0.artifact, $0.signal) < ($1.artifact, $1.signal) }
        for (artifact, signal, role) in byArtifact {
            link.bind(artifact, at: 1)
            link.bind(signal, at: 2)
            link.bind(roles[role], at: 3)
            try link.run()
        }
        try learnIdentities(batch, at: Timestamp(ms: now), in: tx)
        var updated = [Int64?](repeating: nil, count: batch.count)
        for (index, stored, first) in again {
            guard let id = stored ?? first.flatMap({ ids[$0] }) else { continue }
            // Identified by its bytes' hash: the same bytes, so the same event.
            if refs[index].hasPrefix("sha256:"), refs[index] == Self.contentRef(batch[index].raw) { continue }
            if try revise(id, with: batch[index], now: now, db: db) { updated[index] = id }
        }
        return Result(ids: ids, updated: updated)
    }

    /// Stores `signal` as the next revision of signal `id` unless it says what the signal
    /// already said (its latest revision, or an earlier one sent again): then it is a
    /// duplicate and nothing changes. Returns whether it was a new revision.
    private func revise(_ id: Int64, with signal: NewSignal, now: Int64, db: Database) throws -> Bool {
        let said = try Row.fetchAll(
            db,
            sql: """
                SELECT time, kind, severity, fields FROM signals WHERE id = ?1
                UNION ALL SELECT time, kind, severity, fields FROM signal_revisions WHERE signal_id = ?1
                """,
            arguments: [id])
        let content = Self.content(signal.fieldsJSON)
        // A time taser gave on receipt is not the event's: it differs on every read.
        let timed = !signal.fieldsJSON.contains(#""taser.time":"received""#)
        for row in said {
            let (time, kind, severity): (Int64, String, Int64) = (row["time"], row["kind"], row["severity"])
            // Nothing new: every field it has, a revision had with the same value (another API
            // version's fewer fields say nothing new either).
            if time == signal.time.ms || !timed, kind == signal.kind, severity == Int64(signal.severity.rawValue),
                let content, let before = Self.content(row["fields"]), content.allSatisfy({ before[$0.key] == $0.value })
            {
                return false
            }
        }
        try db.execute(
            sql: """
                INSERT INTO signal_revisions (signal_id, revision, time, kind, severity, fields, raw, ingested_at)
                SELECT id, revision, time, kind, severity, fields, raw, ingested_at FROM signals WHERE id = ?
                """,
            arguments: [id])
        // The artifacts the new revision names join those the signal had: a pivot that found the
        // signal by one of them still finds it.
        var order: [Key] = [], spans: [(first: Int64, last: Int64)] = []
        for mention in signal.artifacts where !order.contains(Key(type: mention.type, value: mention.value)) {
            order.append(Key(type: mention.type, value: mention.value))
            spans.append((signal.time.ms, signal.time.ms))
        }
        let artifactIDs = try upsertArtifacts(order, spans, db: db)
        var links: [(artifact: Int64, role: String)] = []
        let listed = try String.fetchOne(db, sql: "SELECT artifacts FROM signals WHERE id = ?", arguments: [id]) ?? "[]"
        if case .array(let pairs)? = try? JSONValue.parse(listed) {
            for pair in pairs {
                guard case .array(let p) = pair, p.count == 2, case .int(let artifact) = p[0], case .string(let role) = p[1] else { continue }
                links.append((artifact, role))
            }
        }
        let link = try BulkStatement(db, sql: "INSERT OR IGNORE INTO artifact_signals (artifact_id, signal_id, role) VALUES (?, ?, ?)")
        for mention in signal.artifacts {
            guard let n = order.firstIndex(of: Key(type: mention.type, value: mention.value)) else { continue }
            let artifact = artifactIDs[n]
            if links.contains(where: { $0.artifact == artifact && $0.role == mention.role }) { continue }
            links.append((artifact, mention.role))
            link.bind(artifact, at: 1)
            link.bind(id, at: 2)
            link.bind(mention.role, at: 3)
            try link.run()
        }
        try SignalText.forget(id, db)
        try db.execute(
            sql: """
                UPDATE signals SET time = ?, kind = ?, severity = ?, title = ?, fields = ?, raw = ?, ingested_at = ?,
                  revision = revision + 1, artifacts = ? WHERE id = ?
                """,
            arguments: [
                signal.time.ms, signal.kind, Int64(signal.severity.rawValue), signal.title, signal.fieldsJSON, signal.raw,
                signal.ingestedAt?.ms ?? now, Self.artifactList(links), id,
            ])
        try SignalText.index(id, db)
        return true
    }

    /// What a signal says, for telling an update from a repeat: its fields without the ones
    /// that only say when taser read it.
    static func content(_ fieldsJSON: String) -> JSONObject? {
        guard case .object(var fields)? = try? JSONValue.parse(fieldsJSON) else { return nil }
        fields["event.ingested"] = nil
        fields["taser.time"] = nil
        return fields
    }

    /// Links the identifiers each signal names for one person (Duo's user with its email,
    /// Okta's id with its login). A batch names the same few people over and over, so each
    /// pair is tried once per batch, and pairs known linked are remembered across batches.
    private func learnIdentities(_ batch: [NewSignal], at now: Timestamp, in tx: Tx) throws {
        var tried = Set<Pair>()
        for index in batch.indices where batch[index].identifiers.count > 1 {
            let ids = batch[index].identifiers
            for other in ids.dropFirst() {
                let pair = Pair(a: ids[0].value, b: other.value)
                guard !linked.contains(pair), tried.insert(pair).inserted else { continue }
                try tx.link(ids[0], other, source: batch[index].source, at: now)
                if linked.count > SignalWriter.knownLimit { linked.removeAll() }
                linked.insert(pair)
            }
        }
    }

    /// A signal's `artifacts` column: `[[artifact_id,"role"],...]`.
    static func artifactList(_ links: [(artifact: Int64, role: String)]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(16 * links.count + 2)
        for (n, link) in links.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            out += String(link.artifact).utf8
            out.append(UInt8(ascii: ","))
            // Roles are words (`src`, `target_user`); anything else is quoted as JSON.
            if link.role.utf8.allSatisfy({ $0 > 0x22 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) {
                out.append(UInt8(ascii: "\""))
                out += link.role.utf8
                out.append(UInt8(ascii: "\""))
            } else {
                out += JSONValue.quoted(link.role).utf8
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The stored id of each artifact in `order`, inserting the new ones and widening the
    /// first/last seen of known ones where this batch goes beyond them.
    private func upsertArtifacts(_ order: [Key], _ spans: [(first: Int64, last: Int64)], db: Database) throws -> [Int64] {
        let upsert = try BulkStatement(db, sql: """
            INSERT INTO artifacts (type, value, first_seen, last_seen) VALUES (?, ?, ?, ?)
            ON CONFLICT (type, value) DO UPDATE SET
              first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
            RETURNING id
            """)
        let widen = try BulkStatement(db, sql: """
            UPDATE artifacts SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?
            """)
        var ids: [Int64] = []
        ids.reserveCapacity(order.count)
        // Bounded, so an ingest's memory does not grow with the input's distinct artifacts: past
        // the bound it starts again (the hot ones come straight back).
        if known.count > SignalWriter.knownLimit { known.removeAll() }
        for (key, span) in zip(order, spans) {
            if var cached = known[key] {
                // The stored span only ever widens, so a span inside the cached one changes nothing.
                if span.first < cached.first || span.last > cached.last {
                    widen.bind(span.first, at: 1)
                    widen.bind(span.last, at: 2)
                    widen.bind(cached.id, at: 3)
                    try widen.run()
                    cached.first = min(cached.first, span.first)
                    cached.last = max(cached.last, span.last)
                    known[key] = cached
                }
                ids.append(cached.id)
            } else {
                upsert.bind(key.type.rawValue, at: 1)
                upsert.bind(key.value, at: 2)
                upsert.bind(span.first, at: 3)
                upsert.bind(span.last, at: 4)
                guard let id = try upsert.run() else { throw StoreError.sql(detail: "the artifact upsert returned no id") }
                known[key] = Known(id: id, first: span.first, last: span.last)
                ids.append(id)
            }
        }
        return ids
    }
}
