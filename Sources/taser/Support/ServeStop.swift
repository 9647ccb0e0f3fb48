import Foundation
import Logging
import Model

/// `taser serve`'s stop, from SIGTERM or SIGINT to the exit, within a bound: the server answers
/// the requests in flight for the grace and then closes the rest (`TaserServer.run`); the work
/// beside it (sync, playbooks, enrichment) stops within the same grace, starting at once; and if
/// anything still holds on `margin` after the grace (a request stuck in a plugin call, a
/// delivery that ignores its timeout) a watchdog says what and ends the process with
/// `abandonedExitCode`, without waiting for it.
final class ServeStop: @unchecked Sendable {
    /// The exit status when work still running after the grace was left behind (EX_TEMPFAIL):
    /// nothing acknowledged is lost (answers follow commits; deliveries are sent again).
    static let abandonedExitCode: Int32 = 75
    /// How long after the grace the watchdog waits: the server's cancellation and the writer's
    /// last commit take a moment.
    static let margin = Span.seconds(3)

    let grace: Span
    private let background: ServeBackground
    private let logger: Logger
    private let lock = NSLock()
    private var began = false
    private var left: [String] = []
    private let backgroundStopped = DispatchSemaphore(value: 0)

    init(grace: Span, background: ServeBackground, logger: Logger) {
        self.grace = grace
        self.background = background
        self.logger = logger
    }

    /// Begins the stop (once; later calls do nothing).
    func begin() {
        let first = lock.withLock {
            defer { began = true }
            return !began
        }
        guard first else { return }
        let deadline = Date().addingTimeInterval(grace.seconds)
        logger.info("stopping: no new connections; the requests in flight have \(grace) to finish")
        let background = background, logger = logger
        let stopper = Thread { [self] in
            let still = background.stop(by: deadline, logger: logger)
            lock.withLock { left = still }
            backgroundStopped.signal()
        }
        stopper.name = "taser-serve-stop"
        stopper.start()
        let grace = grace
        let watchdog = Thread {
            Thread.sleep(until: deadline.addingTimeInterval(ServeStop.margin.seconds))
            logger.error("still running \(ServeStop.margin) after the \(grace) grace ended; exiting without waiting for it")
            ServeStop.exitNow(ServeStop.abandonedExitCode)
        }
        watchdog.name = "taser-serve-watchdog"
        watchdog.start()
    }

    /// After the server has returned: waits for the work beside it (it is bounded by the grace)
    /// and returns what was still running when the grace ended.
    func finish() -> [String] {
        begin()
        backgroundStopped.wait()
        backgroundStopped.signal()
        return lock.withLock { left }
    }

    /// Ends the process without running exit handlers: threads left behind may be inside
    /// SQLite, and tearing the process down under them (what `exit` does) can abort it.
    static func exitNow(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}
