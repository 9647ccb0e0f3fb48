import ArgumentParser
import Automation
import Credentials
import Engine
import Foundation
import Logging
import Model
import Server

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the engine headless over HTTP: webhooks in, the REST API, TheHive 5's alert API.",
        discussion: """
            Serves on the same database as consoles and CLI runs. The config (default ~/.config/taser/serve.yaml) names the API keys (each acts as one analyst, with the same access as that analyst in the CLI), the webhook sources with their bearer token or HMAC signature, TheHive API keys and the body size limit; keys are named as secrets (${secret:NAME} from the secrets file, ${env:NAME}), never written in it. README's "taser serve" has the file's shape and the endpoints; GET /openapi.yaml describes them.

            Tools that speak TheHive 5's API (thehive4py and the like) use taser as they would TheHive: POST /api/v1/alert creates an alert whose _id (~N, taser's alert N) reads back with GET /api/v1/alert/{_id}; POST /api/v1/query finds and counts alerts (listAlert with filter, sort, page, count); PATCH /api/v1/alert/{id} changes tags, severity and status through the alert workflow; POST /api/v1/alert/{id}/observable adds observables; POST /api/v1/alert/{id}/case promotes; POST /api/v1/case opens a case. A TheHive key acts as thehive-api (in no team), an analyst's key as that analyst; every change is on the alert's or case's log. Anything else under TheHive's paths answers TheHive's error shape.

            Beside the HTTP server it runs what `taser sync run` does when a sync.yaml exists (--sync), the playbooks of `taser automation run` when there are any (--playbooks), and positron.yaml's enrichment rules for what comes in; with slack: in serve.yaml, POST /slack/interactions takes GLaDOS' buttons and POST /slack/events logs the messages of case channels (`taser case channel`) to their cases, their authors' names looked up through the sync config's slack endpoint. Playbooks and Slack replies act on every team's cases, so they need the database owner to run serve. Every log_heads_every (serve.yaml; default 1h, off to stop) it writes every case log's head to the outbox (event log.heads) for a witness endpoint.

            It prints "listening on http://HOST:PORT" when ready (--listen 127.0.0.1:0 takes a free port). A slow or silent client is cut off by serve.yaml's timeouts (a 408 when a request was under way). SIGTERM or SIGINT stops it: no new connections, the requests in flight have --grace (serve.yaml's shutdown_grace, 10s) to finish, the connections still open after it are closed, and it exits 0; 75 when something still ran 3 s after the grace and was left behind (nothing acknowledged is lost).

            Examples:
              taser serve --listen 127.0.0.1:8080
              taser serve --config /etc/taser/serve.yaml --secrets /etc/taser/secrets.yaml
              curl -H "Authorization: Bearer $OKTA_HOOK" -H "Content-Type: application/json" \\
                   --data-binary @event.json http://127.0.0.1:8080/ingest/okta
              curl -H "Authorization: Bearer $HIVE_KEY" -H "Content-Type: application/json" http://127.0.0.1:8080/api/v1/query \\
                   -d '{"query": [{"_name": "listAlert"}, {"_name": "filter", "_gte": {"_field": "severity", "_value": 3}}, {"_name": "count"}]}'
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: QueryCommand.Source
    @Option(help: ArgumentHelp("Where to listen: HOST:PORT (port 0 picks a free one). Default: the config's listen, else 127.0.0.1:8080.", valueName: "host:port"))
    var listen: String?
    @Option(help: ArgumentHelp("The serve config (default: ~/.config/taser/serve.yaml).", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("Team mode: also serve analysts' taser (--server SOCKET) on this Unix socket, as who the kernel says they are; without --listen (and no listen in the config), only the socket.", valueName: "path"))
    var socket: String?
    @Option(help: ArgumentHelp("The socket's permission bits (octal): who may connect. Default 660: the service account and its group.", valueName: "mode"))
    var socketMode = "660"
    @Option(help: ArgumentHelp("Team mode: members of this group are the daemon's admins too (root and the service account always are): they may use --as and do what the database's owner may.", valueName: "group"))
    var adminGroup: String?
    @Option(help: ArgumentHelp("How long a stop (SIGTERM, SIGINT) waits for the requests in flight before closing them (default: the config's shutdown_grace, else 10s).", valueName: "span"))
    var grace: String?
    @Option(name: .customLong("mapping"), help: "A YAML mapping file for other JSON (repeat for more; ~/.config/taser/mappings/*.yaml are always read).")
    var mappings: [String] = []
    @Option(help: ArgumentHelp("Log level: trace, debug, info, notice, warning, error.", valueName: "level")) var logLevel = "info"
    @Option(help: ArgumentHelp("The sync config whose endpoints get the outbox (default: ~/.config/taser/sync.yaml, when it exists).", valueName: "file"))
    var sync: String?
    @OptionGroup var playbooks: AutomationCommand.Source
    @Option(help: ArgumentHelp("Time between playbook passes (15s, 1m).", valueName: "span")) var automationEvery = "15s"

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CLIError("invalid --log-level '\(logLevel)'; use trace, debug, info, notice, warning or error")
        }
        let secrets = try SecretsFile.load(source.secrets)
        let path = config ?? configDirectory() + "/serve.yaml"
        let serveConfig: ServeConfig
        // Only the socket needs no serve.yaml (its API keys and sources are for HTTP).
        if socket != nil, listen == nil, config == nil, !FileManager.default.fileExists(atPath: path) {
            serveConfig = ServeConfig()
        } else {
            do { serveConfig = try ServeConfig.load(path: path, secrets: secrets) } catch { throw CLIError(error.description) }
        }
        let grace: Span
        do { grace = try self.grace.map { try Span.parse($0, limit: ServeConfig.longestWait) } ?? serveConfig.shutdownGrace } catch {
            throw CLIError("--grace \(error)")
        }
        guard let mode = mode_t(socketMode, radix: 8), mode <= 0o777 else {
            throw CLIError("invalid --socket-mode '\(socketMode)'; write octal permission bits, such as 660 or 666")
        }
        let socketOnly = socket != nil && listen == nil && serveConfig.listen == nil
        let text = listen ?? serveConfig.listen ?? "127.0.0.1:8080"
        guard let address = ListenAddress(text) else {
            throw CLIError("invalid listen address '\(text)'; write HOST:PORT, such as 127.0.0.1:8080 or [::1]:8080")
        }
        let positron = try source.load()
        let library = try playbooks.load()
        let every = try span(automationEvery, "--automation-every", limit: .seconds(86_400)).ms
        let engine = try global.engine()
        // The daemon seals every analyst's entries: it starts only holding the key as its own secret.
        if socket != nil { try engine.store.checkLogKeyForDaemon() }
        let ingester = try engine.ingester(mappings: mappingFiles(mappings))
        let slack = try serveConfig.slackSigningSecret.map { try SlackInteractions(engine: engine, signingSecret: $0, library: library) }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "taser.serve")
        logger.logLevel = level
        let syncConfig = try ServeBackground.syncConfig(path: sync, secrets: secrets)
        let slackEvents = try serveConfig.slackSigningSecret.map { secret in
            try SlackEvents.forServe(engine: engine, signingSecret: secret, sync: syncConfig?.config, secrets: secrets, logger: logger)
        }
        let server: TaserServer
        do {
            server = try TaserServer(
                engine: engine, config: serveConfig, ingester: ingester, positron: positron, slack: slack, slackEvents: slackEvents?.events, logger: logger)
        } catch let problem as ServeConfig.Problem { throw CLIError(problem.description) }
        if let note = slackEvents?.note { logger.info("\(note)") }
        let background = ServeBackground()
        background.startSync(engine, syncConfig, secrets: secrets, logger: logger)
        try background.startAutomation(engine, library: library, positron: positron, every: Double(every) / 1000, logger: logger)
        background.startEnrichment(engine, positron: positron.withTaser(engine.store))
        background.startLogHeads(engine, every: serveConfig.logHeadsEvery, logger: logger)
        if !background.running.isEmpty { logger.info("running beside the server: \(background.running.joined(separator: ", "))") }

        let admins = try adminGroup.map { name -> gid_t in
            guard let gid = TeamServer.group(named: name) else { throw CLIError("no group '\(name)' on this host for --admin-group; create it (groupadd \(name)) or name another") }
            return gid
        }
        let team = socket.map { TeamServer(engine: engine, socketPath: $0, mode: mode, adminGroup: admins) }
        if let team {
            team.positron = positron.withTaser(engine.store)
            let files = mappingFiles(mappings)
            team.ingester = { lateness in try engine.ingester(mappings: files, lateness: lateness) }
            do { try team.start() } catch { throw CLIError("\(error)") }
            FileHandle.standardOutput.write(Data("listening on unix:\(team.socketPath)\n".utf8))
        }
        defer { team?.stop() }
        // ArgumentParser runs commands synchronously; the server is async. The main thread waits
        // while Swift's executors and the event loops do the work.
        let stop = ServeStop(grace: grace, background: background, logger: logger)
        if socketOnly {
            // Only the socket: wait for SIGTERM or SIGINT, then stop what runs beside it.
            Signals.installStopHandlers()
            while !Signals.stopRequested { usleep(100_000) }
            team?.stop()
            stop.begin()
            let left = stop.finish()
            if !left.isEmpty { Output.note("taser serve: stopped; left behind: \(left.joined(separator: ", "))") }
            Output.note("taser serve: stopped")
            return
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task.detached {
            do {
                try await server.run(at: address, grace: grace, onListening: { host, port in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    FileHandle.standardOutput.write(Data("listening on http://\(shown):\(port)\n".utf8))
                }, onStopping: { stop.begin() })
            } catch {
                failure = error
            }
            done.signal()
        }
        done.wait()
        let left = stop.finish()
        if !left.isEmpty {
            logger.warning("left behind at the end of the \(grace) grace: \(left.joined(separator: ", ")) (it goes on next time)")
            Output.note("taser serve: stopped; left behind: \(left.joined(separator: ", "))")
            ServeStop.exitNow(ServeStop.abandonedExitCode)
        }
        if let failure { throw CLIError("serve stopped: \(server.redact(String(describing: failure)))") }
        Output.note("taser serve: stopped")
    }
}
