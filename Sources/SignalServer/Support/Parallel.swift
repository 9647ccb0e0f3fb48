import Foundation

/// Work spread over the cores, for start-up work made of independent pieces (a ruleset's
/// files, its kinds' literal searches) that a user waits for before anything else happens.
enum Parallel {
    /// `transform` of each item, on up to as many threads as there are cores, each thread
    /// taking the next item not yet taken (pieces differ in size a hundredfold); the results
    /// in the items' order, whichever finished first.
    static func map<Item: Sendable, Result: Sendable>(_ items: [Item], _ transform: @Sendable (Item) -> Result) -> [Result] {
        let threads = min(items.count, ProcessInfo.processInfo.activeProcessorCount)
        guard threads > 1 else { return items.map(transform) }
        let results = Results<Result>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let i = results.claim() { results.put(i, transform(items[i])) }
        }
        // concurrentPerform returns once every thread has, and each took items until none
        // was left: every result is there.
        return results.values.map { $0! }
    }

    /// The results, filled in as threads finish them.
    private final class Results<Result: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var values: [Result?]

        init(count: Int) { values = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.withLock {
                guard next < values.count else { return nil }
                next += 1
                return next - 1
            }
        }

        func put(_ i: Int, _ value: Result) { lock.withLock { values[i] = value } }
    }
}
