import AlertEngine
import Foundation

/// The one writer of webhook input: requests hand in their prepared bodies and wait; a single
/// thread commits whatever has gathered in one transaction (group commit), then answers each
/// request. While one transaction commits the next batch gathers, so the commit rate, not the
/// request rate, bounds SQLite's work, and no request is answered before its signals are on disk.
final class IngestQueue: @unchecked Sendable {
    private let ingester: Ingester
    private let condition = NSCondition()
    private var pending: [(input: PreparedInput, reply: CheckedContinuation<InputOutcome, any Error>)] = []
    private var stopping = false
    private var finished = false
    /// A bound on one transaction, so a burst does not make one long write lock.
    private let maxBatch = 4096

    init(ingester: Ingester) {
        self.ingester = ingester
        let thread = Thread { [self] in loop() }
        thread.name = "taser.serve.ingest"
        thread.qualityOfService = .userInitiated
        thread.start()
    }

    /// Commits the input with whatever else is waiting; returns once it is committed.
    func submit(_ input: PreparedInput) async throws -> InputOutcome {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopping else {
                continuation.resume(throwing: Refusal(.serviceUnavailable, "shutting_down", "the server is shutting down; send it again in a moment"))
                return
            }
            pending.append((input, continuation))
            condition.signal()
        }
    }

    /// Commits what is already waiting, then stops the writer. Called after the HTTP server has
    /// finished its in-flight requests, so normally nothing is waiting.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            condition.unlock()
            commit(batch)
        }
    }

    private func commit(_ batch: [(input: PreparedInput, reply: CheckedContinuation<InputOutcome, any Error>)]) {
        do {
            let outcomes = try ingester.commit(batch.map(\.input))
            for (item, outcome) in zip(batch, outcomes) { item.reply.resume(returning: outcome) }
        } catch {
            guard batch.count > 1 else {
                batch[0].reply.resume(throwing: error)
                return
            }
            // One input that breaks the transaction must not fail the others: each alone.
            for item in batch { commit([item]) }
        }
    }
}
