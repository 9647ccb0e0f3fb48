import Foundation

/// Prepares work items on several threads and hands the results to the caller's thread in input
/// order, so ingest parses on every core while one writer stores batches in the order they came
/// (and so assigns the same ids on every run). At most `ahead` results wait at any time.
enum OrderedWork {
    static func run<Item: Sendable, Result: Sendable>(
        _ items: [Item], workers: Int = ProcessInfo.processInfo.activeProcessorCount, ahead: Int = 4,
        prepare: @escaping @Sendable (Item) -> Result, consume: (Result) throws -> Void
    ) throws {
        guard !items.isEmpty else { return }
        let state = State<Result>()
        let group = DispatchGroup()
        for _ in 0..<max(1, min(workers, items.count)) {
            group.enter()
            DispatchQueue.global(qos: .userInitiated).async {
                defer { group.leave() }
                while let index = state.claim(limit: items.count, ahead: ahead) {
                    state.deliver(index, prepare(items[index]))
                }
            }
        }
        defer {
            state.cancel()
            group.wait()
        }
        for index in 0..<items.count {
            guard let result = state.await(index) else { return }
            try consume(result)
            // Freeing a batch (tens of thousands of strings) is work too; a worker does it, so
            // the consumer goes straight to the next batch.
            let done = consume result
            DispatchQueue.global(qos: .utility).async { withExtendedLifetime(done) {} }
        }
    }

    private final class State<Result: Sendable>: @unchecked Sendable {
        let condition = NSCondition()
        var nextToClaim = 0
        var consumed = 0
        var done: [Int: Result] = [:]
        var cancelled = false

        /// The next item to prepare, waiting while too many results are already queued.
        func claim(limit: Int, ahead: Int) -> Int? {
            condition.withLock {
                while !cancelled && nextToClaim < limit && nextToClaim >= consumed + ahead { condition.wait() }
                guard !cancelled, nextToClaim < limit else { return nil }
                defer { nextToClaim += 1 }
                return nextToClaim
            }
        }

        func deliver(_ index: Int, _ result: Result) {
            condition.withLock {
                done[index] = result
                condition.broadcast()
            }
        }

        func await(_ index: Int) -> Result? {
            condition.withLock {
                while done[index] == nil && !cancelled { condition.wait() }
                guard let result = done.removeValue(forKey: index) else { return nil }
                consumed = index + 1
                condition.broadcast()
                return result
            }
        }

        func cancel() {
            condition.withLock {
                cancelled = true
                condition.broadcast()
            }
        }
    }
}
