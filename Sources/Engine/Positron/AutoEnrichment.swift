import Foundation
import Model
import Positron
import Store

/// What one pass of automatic enrichment did.
public struct EnrichmentPass: Sendable {
    public var signals = 0
    public var asked = 0
    public var answers = 0
    /// Queries the ACL refused, or values the query does not take.
    public var failed = 0

    mutating func add(_ other: EnrichmentPass) {
        signals += other.signals
        asked += other.asked
        answers += other.answers
        failed += other.failed
    }
}

extension Engine {
    /// Where automatic enrichment stands: the last signal it looked at.
    static let enrichmentCursor = "positron.enrichment"

    /// Asks the queries positron.yaml's enrichment rules name for the artifacts of signals
    /// ingested since the last pass, at most `batch` signals. An artifact asked the same query
    /// within the query's TTL is not asked again. The first pass ever starts at the newest
    /// signal: enrichment covers what comes in after it is configured (`taser enrich` covers
    /// the rest), so switching it on never sends a whole history to the plugins.
    public func enrichNewSignals(with positron: PositronConfig, batch: Int = 500) throws -> EnrichmentPass {
        var pass = EnrichmentPass()
        guard !positron.enrichment.isEmpty else { return pass }
        let (cursor, rows): (Int64, [SignalArtifact]) = try read { tx in
            guard let saved = try tx.pollCursor(Engine.enrichmentCursor), let from = Int64(saved) else { return (-1, []) }
            return (from, try tx.artifacts(ofSignalsAfter: from, limit: batch))
        }
        if cursor < 0 {
            try store.write { tx in try tx.setPollCursor(Engine.enrichmentCursor, String(try tx.lastSignalID()), at: clock()) }
            return pass
        }
        guard let last = rows.last?.signal else { return pass }
        pass.signals = Set(rows.map(\.signal)).count
        // What the rules ask of these artifacts, each (artifact, query) once, if some plugin answers it.
        var seen = Set<String>()
        var wanted: [(artifact: Artifact, query: QueryDefinition)] = []
        for row in rows {
            for name in positron.enrichment.queries(source: row.source, kind: row.kind, type: row.artifact.type, role: row.role)
            where seen.insert("\(row.artifact.id) \(name)").inserted {
                guard let query = positron.router.catalog.query(name), positron.router.plugins.contains(where: { $0.answers(name) }) else { continue }
                wanted.append((row.artifact, query))
            }
        }
        // Answers still within their query's TTL, in one read.
        let now = clock().ms
        let fresh: [Bool] = try read { tx in
            try wanted.map { w in
                guard let when = try tx.lastEnriched(artifact: w.artifact.id, query: w.query.name) else { return false }
                return when.ms >= now - Int64(w.query.ttl * 1000)
            }
        }
        for (w, isFresh) in zip(wanted, fresh) where !isFresh {
            pass.asked += 1
            guard let result = try? self.query(w.query.name, w.artifact.value, with: positron) else { pass.failed += 1; continue }
            pass.answers += result.answers.count
            try keep(result, for: w.artifact)
        }
        try store.write { tx in try tx.setPollCursor(Engine.enrichmentCursor, String(last), at: clock()) }
        return pass
    }

    /// Keeps a query's answers with the artifact.
    func keep(_ result: QueryResult, for artifact: Artifact) throws {
        guard !result.answers.isEmpty else { return }
        try change { tx, now in
            for a in result.answers {
                try tx.addEnrichment(
                    artifact: artifact.id, query: result.query.name, answer: .object(a.fields.mapValues { .string($0) }), plugins: a.plugins, at: now)
                if result.query.name == "USER_INFO" { try learnIdentities(fromUserInfo: a.fields, about: artifact, tx, at: now) }
            }
        }
    }
}

/// Automatic enrichment beside an ingest: a thread that asks Positron about new signals'
/// artifacts while the ingest goes on, so ingest never waits for a plugin. `finish()` lets it
/// catch up with what was stored, then stops it.
public final class EnrichmentWorker: @unchecked Sendable {
    let engine: Engine
    let positron: PositronConfig
    let interval: Double
    private let condition = NSCondition()
    private var draining = false
    private var stopping = false
    private var done = false
    private var totals = EnrichmentPass()
    private var problems: [String] = []

    public init(engine: Engine, positron: PositronConfig, interval: Double = 0.25) {
        self.engine = engine
        self.positron = positron
        self.interval = interval
    }

    public func start() {
        // The cursor is placed before the ingest's first signal, so its signals are covered.
        _ = try? engine.enrichNewSignals(with: positron, batch: 0)
        let thread = Thread { [self] in loop() }
        thread.name = "taser.enrichment"
        thread.start()
    }

    private func loop() {
        while true {
            // Asked to stop while it slept: no new pass.
            let (stop, drainingBefore) = condition.withLock {
                if stopping {
                    done = true
                    condition.broadcast()
                }
                return (stopping, draining)
            }
            if stop { return }
            var pass = EnrichmentPass()
            do { pass = try engine.enrichNewSignals(with: positron) } catch {
                condition.withLock { problems.append("\(error)") }
            }
            condition.lock()
            totals.add(pass)
            // Caught up only when a pass that began after `finish()` was called found nothing:
            // one that began before may have read before the ingest's last batch committed.
            if stopping || pass.signals == 0 && drainingBefore {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            if pass.signals == 0 && !draining { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
            condition.unlock()
        }
    }

    /// Waits until every signal stored so far has been looked at; returns what was done and
    /// the problems met (a broken plugin, a locked database), each once.
    public func finish() -> (EnrichmentPass, [String]) {
        condition.lock()
        defer { condition.unlock() }
        draining = true
        condition.broadcast()
        while !done { condition.wait() }
        return (totals, Array(Set(problems)).sorted())
    }

    /// `finish()` with a deadline (serve's stop has a grace): past it the thread is asked to
    /// stop after the pass in hand and nil is returned. The signals not yet looked at are the
    /// next run's: the cursor is in the database. (`wait(until: .distantFuture)` traps in
    /// Foundation on Linux, hence two functions rather than a default.)
    public func finish(by deadline: Date) -> (EnrichmentPass, [String])? {
        condition.lock()
        defer { condition.unlock() }
        draining = true
        condition.broadcast()
        while !done {
            if !condition.wait(until: deadline) && !done {
                stopping = true
                return nil
            }
        }
        return (totals, Array(Set(problems)).sorted())
    }
}
