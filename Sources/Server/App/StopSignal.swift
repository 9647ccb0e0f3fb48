import Foundation
import ServiceLifecycle

/// The moment serve is asked to stop (SIGTERM, SIGINT), told to whoever needs it: the work
/// beside the server starts stopping at once, within the same grace as the requests in flight,
/// instead of after them.
final class StopSignal: Service, @unchecked Sendable {
    private let onStopping: @Sendable () -> Void
    private let lock = NSLock()
    private var _fired = false
    private var _firedAt: ContinuousClock.Instant?

    init(onStopping: @escaping @Sendable () -> Void) {
        self.onStopping = onStopping
    }

    /// A signal asked serve to stop (not a failure of the server).
    var fired: Bool { lock.withLock { _fired } }
    /// When.
    var firedAt: ContinuousClock.Instant? { lock.withLock { _firedAt } }

    func run() async throws {
        do {
            try await gracefulShutdown()
            lock.withLock {
                _fired = true
                _firedAt = .now
            }
        } catch {
            // Cancelled instead (the server failed): the work beside it stops all the same.
        }
        onStopping()
    }
}
