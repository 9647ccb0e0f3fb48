import AlertEngine
import Engine
import Foundation
import Hummingbird
import Logging
import Model
import Positron
import ServiceLifecycle

/// `taser serve`: the engine headless behind HTTP. Webhooks in (`/ingest/{source}`), the REST
/// API as analysts (`/api/...`, each API key one analyst, through the same access checks as the
/// CLI), TheHive-compatible alert input, `/health` and `/openapi.yaml`. It shares the database
/// file with consoles and CLI runs (WAL); it writes webhook input through one group-committing
/// writer; timeouts cut off slow clients (`ConnectionGuard`); SIGTERM or SIGINT stops it
/// within a grace (`run`).
///
/// Routes come from one builder per concern (`IngestRoutes`, `APIRoutes`, `TheHiveRoutes`,
/// `HealthRoutes`, `SlackRoutes`); a new concern adds its own builder in `routes()`.
public final class TaserServer: Sendable {
    /// The engine as the OS login running serve: webhook input is not case-scoped.
    let engine: Engine
    let config: ServeConfig
    let ingester: Ingester
    let queue: IngestQueue
    let positron: PositronConfig
    let logger: Logger
    /// Each API key's engine, acting as its analyst (never as admin).
    let analysts: [(key: String, engine: Engine)]
    /// What `thehive.api_keys` act as: `thehive-api`, in no team (see `TheHiveAPIRoutes`).
    let theHiveEngine: Engine
    static let theHiveActor = "thehive-api"
    /// GLaDOS' button handler, when serve.yaml has `slack:`.
    let slack: SlackInteractions?
    /// The Events API handler (case channels' messages), when serve.yaml has `slack:`.
    let slackEvents: SlackEvents?

    public init(
        engine: Engine, config: ServeConfig, ingester: Ingester, positron: PositronConfig = .empty(), slack: SlackInteractions? = nil,
        slackEvents: SlackEvents? = nil, logger: Logger
    ) throws {
        self.engine = engine
        self.slack = slack
        self.slackEvents = slackEvents
        self.config = config
        self.ingester = ingester
        ingester.limits = IngestLimits(maxRecord: config.maxRecord)
        self.positron = positron.withTaser(engine.store)
        self.logger = logger
        let known = Set(try engine.analysts().map(\.name))
        for key in config.apiKeys where !known.contains(key.analyst) {
            throw ServeConfig.Problem("an API key acts as '\(key.analyst)', who is not an analyst here; add them with `taser analyst add \(key.analyst) --team TEAM`")
        }
        analysts = config.apiKeys.map { ($0.key, engine.acting(as: Actor(name: $0.analyst, isAdmin: false))) }
        theHiveEngine = engine.acting(as: Actor(name: TaserServer.theHiveActor, isAdmin: false))
        queue = IngestQueue(ingester: ingester)
    }

    /// Serves until SIGTERM or SIGINT, then stops taking connections, answers the requests in
    /// flight for at most `grace`, closes the connections still open after it, commits what the
    /// writer holds and returns. `onListening` gets the bound address (port 0 picks a free
    /// port); `onStopping` is called once, as the stop begins, so work beside the server can
    /// stop within the same grace.
    public func run(
        at address: ListenAddress, grace: Span, onListening: @escaping @Sendable (String, Int) -> Void,
        onStopping: @escaping @Sendable () -> Void = {}
    ) async throws {
        let timeouts = config.timeouts
        let logger = self.logger
        let app = Application(
            router: routes(),
            // The guard's timeouts replace Hummingbird's idleTimeout, which cannot tell a slow
            // head from an idle connection, nor time a body.
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestWatch(timeouts, logger: logger)])),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "taser"),
            onServerRunning: { channel in
                onListening(address.host, channel.localAddress?.port ?? address.port)
            },
            logger: logger)
        let stop = StopSignal(onStopping: onStopping)
        let server = CancelNoting(inner: app, noted: .init())
        // Services stop in reverse order: the stop signal first (it returns at once), then the
        // server, which has the grace to finish; past it the server's tasks are cancelled and
        // Hummingbird closes every connection still open.
        var setup = ServiceGroupConfiguration(
            services: [.init(service: server), .init(service: stop)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        setup.maximumGracefulShutdownDuration = .milliseconds(grace.ms)
        let group = ServiceGroup(configuration: setup)
        defer { queue.stop() }
        do {
            try await group.run()
        } catch where stop.fired {
            // Cancelled at the end of the grace: the stop working as documented, not a failure.
        }
        if stop.fired, server.noted.cancelled {
            logger.notice("the \(grace) grace ended with requests in flight; their connections were closed")
        }
    }

    func routes() -> HTTPRouter {
        let router = HTTPRouter()
        // First: middleware wraps only the routes added after it (and the not-found answer).
        router.add(middleware: Unmatched(server: self))
        HealthRoutes(server: self).add(to: router)
        IngestRoutes(server: self).add(to: router)
        TheHiveRoutes(server: self).add(to: router)
        APIRoutes(server: self).add(to: router)
        SlackRoutes(server: self).add(to: router)
        return router
    }

    /// Runs a handler, turning what it throws into the JSON error the API promises. Engine and
    /// store errors keep their one-line messages; anything else is a 500 whose details go to the
    /// log only (with every configured secret taken out).
    func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let refusal as Refusal {
            if refusal.status.code >= 500 { logger.error("\(refusal.description)") }
            return refusal.response
        } catch {
            let refusal = Refusals.from(error)
            if refusal.status.code >= 500 {
                logger.error("\(redact(String(describing: error)))")
            }
            return refusal.response
        }
    }

    /// Quarantines a whole body the server refused, through the one writer.
    func quarantine(_ body: [UInt8], source: String, origin: String, reason: String) async throws {
        _ = try await queue.submit(ingester.rejectedInput(body, source: source, origin: origin, reason: reason))
    }

    /// The engine of the analyst whose key the request carries.
    func analyst(_ request: Request) throws -> Engine {
        guard let token = request.bearerToken else {
            throw Refusal(.unauthorized, "unauthorized", "the API needs `Authorization: Bearer API_KEY` (api_keys in serve.yaml)")
        }
        // Every key is compared, so the time taken does not say how far down the list a key is.
        var match: Engine?
        for analyst in analysts where sameSecret(analyst.key, token) { match = analyst.engine }
        guard let match else { throw Refusal(.unauthorized, "unauthorized", "the API key is not one in serve.yaml") }
        return match
    }

    /// Text with every secret the config resolved taken out, for logs and messages.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in config.secretValues where secret.count >= 4 { out = out.replacingOccurrences(of: secret, with: "***") }
        return out
    }
}
