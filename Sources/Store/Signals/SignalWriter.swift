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

    /// A signal's identity when its tool gives no id: the SHA-256 of its raw body. Public so
    /// ingest workers can compute it off the writer's thread.
    public static func contentRef(_ raw: String) -> String { "sha256:" + Hashing.sha256Hex(raw) }

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
        let insertSignal = try BulkStatement(db, sql: """
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
            insertSignal.bind(signal.time.ms, at: 1)
            insertSignal.bind(signal.source, at: 2)
            insertSignal.bind(signal.sourceRef ?? Self.contentRef(signal.raw), at: 3)
            insertSignal.bind(signal.kind, at: 4)
            insertSignal.bind(Int64(signal.severity.rawValue), at: 5)
            insertSignal.bind(signal.title, at: 6)
            insertSignal.bind(signal.fieldsJSON, at: 7)
            insertSignal.bind(signal.raw, at: 8)
            insertSignal.bind(signal.ingestedAt?.ms ?? now, at: 9)
            try insertSignal.run()
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
        let link = try BulkStatement(db, sql: """
            INSERT OR IGNORE INTO signal_artifacts (signal_id, artifact_id, role) VALUES (?, ?, ?)
            """)
        for (signal, id) in zip(batch, ids) {
            guard let id else { continue }
            for mention in signal.artifacts {
                let artifact = artifactIDs[Key(type: mention.type, value: mention.value)]!
                link.bind(id, at: 1)
                link.bind(artifact, at: 2)
                link.bind(mention.role, at: 3)
                try link.run()
            }
        }
        return Result(ids: ids)
    }

    private func upsertArtifacts(_ order: [Key], _ spans: [Key: (first: Int64, last: Int64)], db: Database) throws -> [Key: Int64] {
        let upsert = try BulkStatement(db, sql: """
            INSERT INTO artifacts (type, value, first_seen, last_seen) VALUES (?, ?, ?, ?)
            ON CONFLICT (type, value) DO UPDATE SET
              first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)
            RETURNING id
            """)
        let widen = try BulkStatement(db, sql: """
            UPDATE artifacts SET first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?
            """)
        var ids: [Key: Int64] = [:]
        ids.reserveCapacity(spans.count)
        for key in order {
            let span = spans[key]!
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
                ids[key] = cached.id
            } else {
                upsert.bind(key.type.rawValue, at: 1)
                upsert.bind(key.value, at: 2)
                upsert.bind(span.first, at: 3)
                upsert.bind(span.last, at: 4)
                guard let id = try upsert.run() else { throw StoreError.sql(detail: "the artifact upsert returned no id") }
                known[key] = Known(id: id, first: span.first, last: span.last)
                ids[key] = id
            }
        }
        return ids
    }
}
