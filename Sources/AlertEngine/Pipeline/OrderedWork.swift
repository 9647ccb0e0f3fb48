import Foundation

/// Prepares work items on several threads and hands the results to the caller's thread in input
/// order, so ingest parses on every core while one writer stores batches in the order they came
/// (and so assigns the same ids on every run).
///
/// Items are pulled from `next` as workers become free (one at a time: framing reads the input
/// in order), and a worker takes a new one only while fewer than `ahead` results wait to be
/// consumed: memory holds a handful of batches, however long the input.
enum OrderedWork {
    static func run<Item: Sendable, Result: Sendable>(
        next: @escaping () -> Item?, workers: Int = ProcessInfo.processInfo.activeProcessorCount, ahead: Int? = nil,
        prepare: @escaping @Sendable (Item) -> Result, consume: (Result) throws -> Void
    ) rethrows {
        let workers = max(1, workers)
        let state = State<Item, Result>(next: next, ahead: ahead ?? workers)
        let group = DispatchGroup()
        var running = 0
        // Threads of their own, not Dispatch's global queues: a worker blocks while the
        // writer catches up, and on Linux a blocked global-queue thread is one fewer for Swift
        // concurrency's pool (a server's requests, the tests running beside an ingest).
        for _ in 0..<workers {
            group.enter()
            let started = WorkerThread.start {
                defer { group.leave() }
                while let (index, item) = state.claim() {
                    state.deliver(index, prepare(item))
                }
            }
            if started {
                running += 1
            } else {
                // No thread to be had (a process at its limit): the work is done all the same,
                // by whichever workers did start, or below on this thread.
                group.leave()
            }
        }
        if running == 0 {
            while let item = next() { try consume(prepare(item)) }
            return
        }
        defer {
            state.cancel()
            group.wait()
        }
        var index = 0
        while let result = state.await(index) {
            try consume(result)
            index += 1
            // Freeing a batch (tens of thousands of strings) is work too; a worker does it, so
            // the consumer goes straight to the next batch.
            let done = consume result
            DispatchQueue.global(qos: .utility).async { withExtendedLifetime(done) {} }
        }
    }

    private final class State<Item, Result>: @unchecked Sendable {
        let condition = NSCondition()
        /// Serializes `next`: items are numbered in the order the input gives them.
        let producing = NSLock()
        let next: () -> Item?
        let ahead: Int
        var claimed = 0
        var consumed = 0
        /// How many items there were, once `next` said there are no more.
        var total: Int?
        var done: [Int: Result] = [:]
        var cancelled = false

        init(next: @escaping () -> Item?, ahead: Int) {
            self.next = next
            self.ahead = max(1, ahead)
        }

        /// The next item to prepare, waiting while too many results are already queued.
        func claim() -> (Int, Item)? {
            producing.lock()
            defer { producing.unlock() }
            let index: Int? = condition.withLock {
                while !cancelled && total == nil && claimed >= consumed + ahead { condition.wait() }
                guard !cancelled, total == nil else { return nil }
                return claimed
            }
            guard let index else { return nil }
            guard let item = next() else {
                condition.withLock {
                    total = index
                    condition.broadcast()
                }
                return nil
            }
            condition.withLock { claimed = index + 1 }
            return (index, item)
        }

        func deliver(_ index: Int, _ result: Result) {
            condition.withLock {
                done[index] = result
                condition.broadcast()
            }
        }

        /// The result of item `index`, waiting for it; nil after the last one.
        func await(_ index: Int) -> Result? {
            condition.withLock {
                while done[index] == nil && !cancelled && !(total.map { index >= $0 } ?? false) { condition.wait() }
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

/// A plain POSIX thread for a closure. Foundation's `Thread` costs milliseconds to start and
/// join on Linux, which every small ingest (a webhook, a polled page) would pay; Dispatch's
/// global queues must not be blocked (Swift concurrency runs on them).
enum WorkerThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread; false if the system would not make one.
    static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        // The JSON parser recurses up to 512 levels: room for that and the normalizers.
        pthread_attr_setstacksize(&attributes, 8 << 20)
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if status != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            return false
        }
        return true
    }
}
