import ArgumentParser
import Credentials
import Dispatch
import Engine
import Foundation
import Model
import Sync

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Deliver the outbox to TheHive, Slack, Jira, webhooks and SIEMs; list and retry dead letters.",
        discussion: """
            Every new or updated alert, case change and case log entry is written to the outbox in the same transaction as the change. `taser sync run` delivers it to the endpoints in ~/.config/taser/sync.yaml (--config): retries with backoff, in order per case or alert, at least once with an idempotency key; what cannot be delivered becomes a dead letter, listed by `taser sync status` and sent again by `taser sync retry`. Several `sync run` processes may share a database. A slack endpoint with a bot token also makes the channels `taser case channel` asks for (event slack.channel, sent to the endpoint the request names: default slack).

            A thehive endpoint with `pull: 5m` (30s to 24h) also fetches, that often, what TheHive users changed on the cases and alerts taser made there (status, assignee, tags, severity, task logs, observables added) and applies it as log entries by thehive:<login>; what taser itself sent is not taken back, and what came from TheHive is not sent there again. Pulls need the database's owner (they change every team's cases).

              endpoints:
                hive:  { type: thehive, url: "https://hive.example.com", api_key: "${secret:hive_key}", pull: 5m }
                soc:   { type: slack, token: "${secret:slack_bot}", channel: "#soc", events: [case.created, slack.ask] }
                jira:  { type: jira, url: "https://acme.atlassian.net", project: SEC, email: bot@acme.com, token: "${secret:jira_token}" }
                hook:  { type: webhook, url: "https://example.com/taser", hmac_secret: "${secret:hook_key}", events: [alert.*] }
                splunk: { type: splunk_hec, url: "https://splunk.example.com:8088", token: "${secret:hec_token}", index: security }
                es:    { type: elasticsearch, url: "https://es.example.com:9200", api_key: "${secret:es_key}" }
                cef:   { type: syslog, host: siem.example.com, tls: true }

              taser sync run --once
              taser sync status
              taser sync retry --all-dead
            """,
        subcommands: [Run.self, Status.self, Retry.self])

    struct Source: ParsableArguments {
        @Option(help: ArgumentHelp("The sync config (default: ~/.config/taser/sync.yaml).", valueName: "file")) var config: String?
        @OptionGroup var secretsFile: SecretsFile
        var secrets: String? { secretsFile.secrets }

        func load() throws -> (SyncConfig, Secrets) {
            let dir = configDirectory()
            let store = try secretsFile.load()
            let path = config ?? dir + "/sync.yaml"
            guard config != nil || FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no sync config at \(path); write one (see `taser sync --help`) or pass --config FILE")
            }
            do { return (try SyncConfig.load(path: path, secrets: store), store) } catch { throw CLIError(error.description) }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver the outbox until interrupted (or one pass with --once).",
            discussion: """
                Each pass routes new outbox messages to the endpoints that take them and sends what is due, and runs the TheHive pulls that are due (`pull:`). A delivery is held by one worker at a time (a lease in the database), so several runs can share the work; a run killed mid-delivery loses nothing: its lease lapses (at once when it ran on this host) and the message is sent again with the same idempotency key. Stop it with Ctrl-C or SIGTERM: the delivery in hand finishes first.

                  taser sync run
                  taser sync run --once --config ./sync.yaml
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var source: Source
        @Flag(help: "One pass over what is due now, then exit.") var once = false
        @Option(help: ArgumentHelp("How long between looks at the outbox when idle (1s, 500ms; a bare number is seconds).", valueName: "span"), transform: spanOption(limit: .seconds(3600))) var poll: Span = .seconds(1)

        func run() throws {
            try global.requireLocal()
            let (config, secrets) = try source.load()
            let worker = try global.engine().syncWorker(config: config, secrets: secrets)
            if once {
                var pass = try worker.deliverDue()
                pass.pulled = worker.pullDue()
                return Output.note(SyncCommand.describe(pass))
            }
            let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { worker.stop() }
                source.resume()
                return source
            }
            Output.note("delivering to \(config.endpoints.map(\.name).joined(separator: ", ")) (Ctrl-C stops)")
            worker.run(poll: max(0.05, poll.seconds), onPass: { pass in Output.note(SyncCommand.describe(pass)) })
            signals.forEach { $0.cancel() }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What is pending per endpoint, what waits for a retry, and the dead letters.",
            discussion: """
                Dead letters show their delivery ID (for `taser sync retry`), the alert or case, the event, the attempts and the last error (secrets taken out). With --json: one object per line, per endpoint ("kind": "endpoint") and per dead or retrying delivery.

                  taser sync status
                  taser sync status --json | jq 'select(.kind == "dead")'
                """)
        @OptionGroup var global: GlobalOptions
        @Flag(help: "JSON Lines: endpoints, TheHive pulls, then dead and retrying deliveries.") var json = false

        func run() throws {
            let status = try global.api(create: false).syncStatus()
            if json {
                var lines: [JSONValue] = status.endpoints.map { t in
                    ["kind": "endpoint", "endpoint": .string(t.endpoint), "pending": .int(Int64(t.pending)),
                     "retrying": .int(Int64(t.retrying)), "delivered": .int(Int64(t.delivered)), "dead": .int(Int64(t.dead))]
                }
                if status.unrouted > 0 { lines.append(["kind": "unrouted", "messages": .int(Int64(status.unrouted))]) }
                lines += status.pulls.map { p in
                    ["kind": "pull", "endpoint": .string(p.endpoint), "last_run_at": .string(p.lastRunAt.iso8601), "last_error": JSONValue(p.lastError)]
                }
                lines += status.dead.map { SyncCommand.json($0, kind: "dead") } + status.retrying.map { SyncCommand.json($0, kind: "retrying") }
                return Output.jsonLines(lines)
            }
            for p in status.pulls {
                Output.line("pull from \(p.endpoint): last \(Output.when(p.lastRunAt))" + (p.lastError.map { ", failed: \($0)" } ?? ", ok"))
            }
            if status.endpoints.isEmpty && status.unrouted == 0 { return Output.line("the outbox is empty") }
            Output.table(["ENDPOINT", "PENDING", "RETRYING", "DELIVERED", "DEAD"], status.endpoints.map {
                [$0.endpoint, "\($0.pending)", "\($0.retrying)", "\($0.delivered)", "\($0.dead)"]
            })
            if status.unrouted > 0 { Output.line("\(status.unrouted) message\(status.unrouted == 1 ? "" : "s") not routed yet (the next `taser sync run` routes them)") }
            for (title, rows) in [("Dead letters (taser sync retry ID):", status.dead), ("Waiting for a retry:", status.retrying)] where !rows.isEmpty {
                Output.line()
                Output.line(title)
                Output.table(["ID", "ENDPOINT", "ENTITY", "EVENT", "ATTEMPTS", rows[0].status == .dead ? "SINCE" : "NEXT", "LAST ERROR"], rows.map { d in
                    ["\(d.id)", d.endpoint, "\(d.entityType) \(d.entityID)", d.event, "\(d.attempts)",
                     Output.when(d.status == .dead ? d.createdAt : d.nextAttemptAt), d.lastError ?? "-"]
                })
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send dead letters again (their attempts start over).",
            discussion: """
                Name the deliveries by the IDs `taser sync status` shows, or take them all. They are due at once; the next `taser sync run` (or the running one) sends them.

                  taser sync retry 12 13
                  taser sync retry --all-dead
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Dead deliveries' IDs.") var ids: [Int64] = []
        @Flag(help: "Every dead delivery.") var allDead = false

        func run() throws {
            guard ids.isEmpty == allDead else { throw CLIError("name dead deliveries by ID or say --all-dead (one of them)") }
            let engine = try global.api(create: false)
            let n = allDead ? try engine.retryAllDeadDeliveries() : try engine.retryDeliveries(ids)
            Output.line("\(n) deliver\(n == 1 ? "y" : "ies") queued again")
        }
    }

    static func describe(_ pass: SyncWorker.Pass) -> String {
        "routed \(pass.routed), delivered \(pass.delivered), retrying \(pass.retried), dead \(pass.dead)"
            + (pass.pulled > 0 ? ", pulled \(pass.pulled) change\(pass.pulled == 1 ? "" : "s") from TheHive" : "")
    }

    static func json(_ d: DeliveryRecord, kind: String) -> JSONValue {
        [
            "kind": .string(kind), "id": .int(d.id), "outbox_id": .int(d.outboxID), "endpoint": .string(d.endpoint),
            "entity": .string(d.entityType), "entity_id": .int(d.entityID), "event": .string(d.event), "attempts": .int(Int64(d.attempts)),
            "next_attempt_at": .string(d.nextAttemptAt.iso8601), "last_error": JSONValue(d.lastError), "created_at": .string(d.createdAt.iso8601),
        ]
    }
}
