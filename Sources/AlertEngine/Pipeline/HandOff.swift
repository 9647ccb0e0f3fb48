import Foundation

/// A bounded hand-off between a producer thread (parsing, generating) and the writer, so the
/// two halves of ingest run on both cores. The producer blocks when `capacity` items wait.
public final class HandOff<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Item] = []
    private var finished = false
    private var isCancelled = false
    private let capacity: Int

    public init(capacity: Int = 2) { self.capacity = capacity }

    /// True once the consumer gave up; the producer should stop.
    public var cancelled: Bool { condition.withLock { isCancelled } }

    public func put(_ item: Item) {
        condition.withLock {
            while items.count >= capacity && !isCancelled { condition.wait() }
            if !isCancelled { items.append(item) }
            condition.broadcast()
        }
    }

    /// The next item, or nil when the producer has finished and everything was taken.
    public func take() -> Item? {
        condition.withLock {
            while items.isEmpty && !finished { condition.wait() }
            guard !items.isEmpty else { return nil }
            let item = items.removeFirst()
            condition.broadcast()
            return item
        }
    }

    public func finish() { condition.withLock { finished = true; condition.broadcast() } }

    public func cancel() { condition.withLock { isCancelled = true; items.removeAll(); condition.broadcast() } }

    /// Runs `produce` on another thread, feeding this hand-off, and `consume` here for each item.
    /// An error from `consume` stops the producer and is rethrown.
    public func run(produce: @escaping @Sendable (HandOff<Item>) -> Void, consume: (Item) throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            produce(self)
            self.finish()
            done.signal()
        }
        defer { done.wait() }
        do {
            while let item = take() { try consume(item) }
        } catch {
            cancel()
            throw error
        }
    }
}
