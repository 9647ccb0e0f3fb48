import Foundation
import ServiceLifecycle

/// The moment serve is asked to stop (SIGTERM, SIGINT), told to whoever needs it: the work
/// beside the server starts stopping at once, within the same grace as the requests in flight,
/// instead of after them.
final class StopSignal: Service, @unchecked Sendable {
    private let onStopping: @Sendable () -> Void
    private let lock = NSLock()
    private var _fired = false

    init(onStopping: @escaping @Sendable () -> Void) {
        self.onStopping = onStopping
    }

    /// A signal asked serve to stop (not a failure of the server).
    var fired: Bool { lock.withLock { _fired } }

    func run() async throws {
        do {
            try await gracefulShutdown()
            lock.withLock { _fired = true }
        } catch {
            // Cancelled instead (the server failed): the work beside it stops all the same.
        }
        onStopping()
    }
}

/// A service run as another, noting whether the group cancelled it: it does so when the
/// graceful shutdown outlasts its bound, which for the server means the grace ended with
/// requests still in flight. Told by the cancellation itself, not by timing the stop: the
/// group's bound starts when the signal is caught, a little before any service hears of it,
/// so a stop timed from there ended a hair short of the grace (and was not reported).
struct CancelNoting<Inner: Service>: Service {
    let inner: Inner
    let noted: Noted

    final class Noted: @unchecked Sendable {
        private let lock = NSLock()
        private var _cancelled = false
        var cancelled: Bool { lock.withLock { _cancelled } }
        func note() { lock.withLock { _cancelled = true } }
    }

    func run() async throws {
        defer { if Task.isCancelled { noted.note() } }
        try await inner.run()
    }
}
