import Automation
import Credentials
import Engine
import Foundation
import Logging
import Model
import Positron
import Sync

/// What `taser serve` runs beside the HTTP server, each on a thread of its own (their work is
/// SQLite and libcurl, which block): the outbox delivery when a sync.yaml exists, the
/// playbooks when there are any, and enrichment when positron.yaml has rules. Each is the same
/// code as its own command (`taser sync run`, `taser automation run`, `taser ingest`'s
/// enrichment); what is not configured is said once in the log and left off.
final class ServeBackground: @unchecked Sendable {
    private var sync: SyncWorker?
    private var enrichment: EnrichmentWorker?
    private let automationStop = StopFlag()
    /// Signalled when the automation thread has left its loop: the process must not exit while
    /// a pass is still using the database (exiting under it aborted serve now and then on a
    /// loaded machine).
    private let automationDone = DispatchSemaphore(value: 0)
    private var automationThread: Thread?
    /// Signalled by `stop` to wake the heads thread; it signals `headsDone` when it has left.
    private let headsStop = DispatchSemaphore(value: 0)
    private let headsDone = DispatchSemaphore(value: 0)
    private var headsThread: Thread?
    private(set) var running: [String] = []

    /// The sync.yaml serve delivers to (`--sync`, else the default file when it exists); nil
    /// when there is none (`startSync` says so in the log). Read before the server starts: the
    /// Slack events route looks names up through its slack endpoints.
    static func syncConfig(path configPath: String?, secrets: Secrets) throws -> (config: SyncConfig, path: String)? {
        let path = configPath ?? configDirectory() + "/sync.yaml"
        guard configPath != nil || FileManager.default.fileExists(atPath: path) else { return nil }
        do { return (try SyncConfig.load(path: path, secrets: secrets), path) } catch { throw CLIError(error.description) }
    }

    func startSync(_ engine: Engine, _ sync: (config: SyncConfig, path: String)?, secrets: Secrets, logger: Logger) {
        guard let sync else {
            logger.info("sync: no \(configDirectory())/sync.yaml; the outbox waits for `taser sync run` (or write one: `taser sync --help`)")
            return
        }
        let worker = engine.syncWorker(config: sync.config, secrets: secrets)
        worker.start(poll: 1)
        self.sync = worker
        running.append("sync (\(sync.path))")
    }

    func startAutomation(_ engine: Engine, library: PlaybookLibrary, positron: PositronConfig, every: Double, logger: Logger) throws {
        guard !library.playbooks.isEmpty else {
            logger.info("automation: no playbooks in \(library.directory)")
            return
        }
        let runner = try AutomationRunner(engine: engine, library: library, positron: positron)
        let stop = automationStop
        let done = automationDone
        let thread = Thread {
            defer { done.signal() }
            runner.run(every: every, keepGoing: { !stop.isSet }) { result in
                switch result {
                case .success(let pass):
                    for e in pass.errors { logger.warning("automation: \(e)") }
                    if pass.stepsRun > 0 { logger.info("automation: \(pass.stepsRun) step(s), \(pass.jobsFinished) job(s) done, \(pass.jobsFailed) failed") }
                case .failure(let error):
                    logger.error("automation pass failed: \(error)")
                }
            }
        }
        thread.name = "taser-automation"
        thread.start()
        automationThread = thread
        running.append("automation (\(library.playbooks.count) playbook\(library.playbooks.count == 1 ? "" : "s"))")
    }

    func startEnrichment(_ engine: Engine, positron: PositronConfig) {
        guard !positron.enrichment.isEmpty else { return }
        let worker = EnrichmentWorker(engine: engine, positron: positron, interval: 1)
        worker.start()
        enrichment = worker
        running.append("enrichment")
    }

    /// Every case log's head to the outbox (`log.heads`) now and every `every`, for a remote
    /// witness; the sync worker delivers it. Unchanged heads make no new message. The database
    /// owner's only: the event names every case.
    func startLogHeads(_ engine: Engine, every: Span?, logger: Logger) {
        guard let every else {
            logger.info("log heads: off (log_heads_every: off); no witness gets the case log heads")
            return
        }
        guard engine.actor.isAdmin else {
            logger.notice("log heads: not published: serve runs as \(engine.actor.name), not the database owner, who alone may publish them")
            return
        }
        let stop = headsStop
        let done = headsDone
        let thread = Thread {
            defer { done.signal() }
            var last = ""
            repeat {
                do {
                    let witness = try engine.publishLogHeads()
                    if witness.digest != last {
                        logger.info("log heads: \(witness.heads.count) case heads to the outbox (digest \(witness.digest.prefix(16)))")
                        last = witness.digest
                    }
                } catch {
                    logger.error("log heads: not published: \(error)")
                }
            } while stop.wait(timeout: .now() + every.seconds) == .timedOut
        }
        thread.name = "taser-log-heads"
        thread.start()
        headsThread = thread
        running.append("log heads (every \(every.text))")
    }

    /// From the moment serve is asked to stop, with the same grace as the requests in flight:
    /// the delivery in hand finishes, the playbooks' pass ends, enrichment catches up with what
    /// the server stored, each until `deadline` at most. Returns what was still running at the
    /// deadline (a delivery's lease expires and it is sent again, with the same idempotency key;
    /// playbooks and enrichment go on from their cursors next time).
    func stop(by deadline: Date, logger: Logger) -> [String] {
        var left: [String] = []
        // Every stop is asked for first, so they wind down side by side, then each is waited for.
        if headsThread != nil { headsStop.signal() }
        automationStop.set()
        func seconds() -> Double { max(0, deadline.timeIntervalSinceNow) }
        if let sync, !sync.stop(within: seconds()) { left.append("a sync delivery") }
        if automationThread != nil {
            if automationDone.wait(timeout: .now() + seconds()) == .timedOut { left.append("a playbook pass") } else { automationDone.signal() }
        }
        if let enrichment {
            if let (pass, problems) = enrichment.finish(by: deadline) {
                for p in problems { logger.warning("enrichment: \(p)") }
                logger.info("enrichment: \(pass.asked) queries, \(pass.answers) answers stored")
            } else {
                left.append("enrichment")
            }
        }
        if headsThread != nil, headsDone.wait(timeout: .now() + seconds()) == .timedOut { left.append("a log heads publication") }
        return left
    }
}

/// A flag one thread sets and another reads.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
