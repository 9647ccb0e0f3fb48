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

    public init(store: Store) { self.store = store }

    public struct Result: Sendable {
        /// The stored id of each input signal, in order; nil where it was already stored.
        public var ids: [Int64?]
        public var inserted: Int { ids.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
        public var duplicates: Int { ids.count - inserted }
    }

    public func write(_ batch: [NewSignal]) throws -> Result {
        try store.write { tx in try write(batch, in: tx) }
    }

    /// Writes inside a caller's transaction, so a caller can add alerts in the same commit.
    public func write(_ batch: [NewSignal], in tx: Tx) throws -> Result {
        let db = tx.db
        let now = Timestamp.now.ms
        // A rollback (here or later in the caller's transaction) may undo artifacts we cached.
        db.afterNextTransaction(onCommit: { _ in }, onRollback: { [self] _ in known.removeAll() })
        let insertSignal = try db.cachedStatement(sql: """
            INSERT INTO signals (time, source, source_ref, kind, severity, title, fields, raw, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_ref) DO NOTHING
            """)
        var ids: [Int64?] = []
        ids.reserveCapacity(batch.count)
        // Artifacts in order of first mention, so ids are assigned the same way on every run
        // (a Dictionary's order differs between processes and even between instances).
        var order: [Key] = []
        var spans: [Key: (first: Int64, last: Int64)] = [:]
        for signal in batch {
            let ref = signal.sourceRef ?? "sha256:" + Hashing.sha256Hex(signal.raw)
            try insertSignal.execute(arguments: [
                signal.time.ms, signal.source, ref, signal.kind, signal.severity.rawValue, signal.title,
                signal.fieldsJSON, signal.raw, signal.ingestedAt?.ms ?? now,
            ])
            guard db.changesCount > 0 else { ids.append(nil); continue }
            ids.append(db.lastInsertedRowID)
            for mention in signal.artifacts {
                let key = Key(type: mention.type, value: mention.value)
                let t = signal.time.ms
                if let span = spans[key] {
                    spans[key] = (min(span.first, t), max(span.last, t))
                } else {
                    spans[key] = (t, t)
                    order.append(key)
                }
            }
        }
        let artifactIDs = try upsertArtifacts(order, spans, db: db)
        let link = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO signal_artifacts (signal_id, artifact_id, role) VALUES (?, ?, ?)
            """)
        for (signal, id) in zip(batch, ids) {
            guard let id else { continue }
            for mention in signal.artifacts {
                let artifact = artifactIDs[Key(type: mention.type, value: mention.value)]!
                try link.execute(arguments: [id, artifact, mention.role])
            }
        }
        return Result(ids: ids)
    }

    private func upsertArtifacts(_ order: [Key], _ spans: [Key: (first: Int64, last: Int64)], db: Database) throws -> [Key: Int64] {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO artifacts (type, value, first_seen, last_seen) VALUES (?, ?, ?, ?)
            ON CONFLICT (type, value) DO UPDATE SET
              first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
            RETURNING id
            """)
        let widen = try db.cachedStatement(sql: """
            UPDATE artifacts SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?
            """)
        var ids: [Key: Int64] = [:]
        ids.reserveCapacity(spans.count)
        for key in order {
            let span = spans[key]!
            if var cached = known[key] {
                // The stored span only ever widens, so a span inside the cached one changes nothing.
                if span.first < cached.first || span.last > cached.last {
                    try widen.execute(arguments: [span.first, span.last, cached.id])
                    cached.first = min(cached.first, span.first)
                    cached.last = max(cached.last, span.last)
                    known[key] = cached
                }
                ids[key] = cached.id
            } else {
                let id = try Int64.fetchOne(
                    upsert, arguments: [key.type.rawValue, key.value, span.first, span.last])!
                known[key] = Known(id: id, first: span.first, last: span.last)
                ids[key] = id
            }
        }
        return ids
    }
}
