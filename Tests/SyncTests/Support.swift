import Credentials
import Foundation
import HTTPClient
import Model
import StandIn
import Testing
@testable import Engine
@testable import Store
@testable import Sync

final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-sync-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "t.db") -> String { path + "/" + name }
}

/// The stand-in TheHive, Slack, Jira and webhook server (Fixtures/remotes.py) on 127.0.0.1.
final class Remotes {
    private let server: StandIn
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static let hiveKey = "hive-key-s3cret-1"
    static let slackToken = "xoxb-slack-s3cret-2"
    static let jiraToken = "jira-s3cret-3"
    static let hookSecret = "hook-s3cret-4"

    init() throws {
        let script = try #require(Bundle.module.url(forResource: "remotes", withExtension: "py", subdirectory: "Fixtures"))
        server = try StandIn(python: [script.path])
        port = server.port
    }

    /// One recorded request.
    struct Request {
        var method: String
        var path: String
        var headers: [String: String]
        var body: JSONValue
        var status: Int
        var signatureOK: Bool?
        var ok: Bool { (200..<300).contains(status) }
        var key: String { headers["idempotency-key"] ?? "" }
    }

    func received() throws -> [Request] {
        let r = try HTTPClient().send(HTTPRequest(url: base + "/_received", timeout: 30))
        let list = try JSONValue.parse(r.body).arrayValue ?? []
        return list.map { v in
            var headers: [String: String] = [:]
            for (k, h) in v["headers"]?.objectValue ?? [:] { headers[k] = h.stringValue }
            let signature: Bool? = if case .bool(let b)? = v["signature_ok"] { b } else { nil }
            return Request(
                method: v["method"]?.stringValue ?? "", path: v["path"]?.stringValue ?? "", headers: headers, body: v["body"] ?? .null,
                status: Int(v["status"]?.stringValue ?? "0") ?? 0, signatureOK: signature)
        }
    }

    /// The next `times` requests under `prefix` get `status` (after `delay` seconds).
    func fault(_ prefix: String, status: Int? = nil, times: Int = 1, retryAfter: Int? = nil, delay: Double? = nil) throws {
        var f: [String: JSONValue] = ["prefix": .string(prefix), "times": .int(Int64(times))]
        if let status { f["status"] = .int(Int64(status)) }
        if let retryAfter { f["retry_after"] = .int(Int64(retryAfter)) }
        if let delay { f["delay"] = .double(delay) }
        _ = try HTTPClient().send(HTTPRequest(method: "POST", url: base + "/_fault", body: Array(JSONValue.object(f).text.utf8), timeout: 30))
    }
}

/// A database with a SOC team, an engine acting as its analyst, and the secrets the endpoints name.
struct World {
    let dir = TempDir()
    let admin: Engine
    let ana: Engine
    let secrets = Secrets(
        values: ["hive_key": Remotes.hiveKey, "slack_bot": Remotes.slackToken, "jira_token": Remotes.jiraToken, "hook_key": Remotes.hookSecret],
        environment: [:])

    init() throws {
        let store = try Store.open(path: dir.file())
        admin = Engine(store: store, actor: Actor(name: "root", isAdmin: true))
        try admin.addTeam("soc")
        try admin.addAnalyst(Analyst(name: "ana", teams: ["soc"]))
        try admin.addAnalyst(Analyst(name: "ben", teams: ["soc"]))
        ana = admin.acting(as: Actor(name: "ana", isAdmin: false))
    }

    func config(_ yaml: String, secrets: Secrets? = nil) throws -> SyncConfig {
        try SyncConfig.parse(yaml: yaml, file: "sync.yaml", secrets: secrets ?? self.secrets)
    }

    func worker(_ yaml: String, extraSecrets: [String: String] = [:], clock: @escaping @Sendable () -> Timestamp = { .now }) throws -> SyncWorker {
        var values = ["hive_key": Remotes.hiveKey, "slack_bot": Remotes.slackToken, "jira_token": Remotes.jiraToken, "hook_key": Remotes.hookSecret]
        values.merge(extraSecrets) { $1 }
        let secrets = Secrets(values: values, environment: [:])
        return SyncWorker(store: admin.store, config: try config(yaml, secrets: secrets), secrets: secrets, clock: clock)
    }

    /// Passes until nothing is pending (retries included), or the bound: far from any timeout.
    func drain(_ worker: SyncWorker, bound: Double = 90) throws {
        let deadline = Date().addingTimeInterval(bound)
        while Date() < deadline {
            try worker.deliverDue()
            let pending = try admin.store.read { tx in try tx.deliveries(status: .pending, visibleTo: admin.actor).count + tx.unroutedCount(visibleTo: admin.actor) }
            if pending == 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("deliveries still pending after \(bound) s")
    }

    /// Signals about a user from a host and an IP, and an alert over them for team soc.
    func alert(user: String = "jane.doe", ip: String = "203.0.113.9", host: String = "LT-JANE") throws -> Alert {
        let ref = UUID().uuidString
        let signals = (0..<2).map { n in
            NewSignal(
                time: Timestamp(ms: 1_700_000_000_000 + Int64(n) * 60_000), source: "okta", sourceRef: "\(ref)-\(n)",
                kind: SignalKind.oktaNewLocation.name, severity: .medium, title: "login \(n)",
                fields: ["user.name": .string(user), "source.ip": .string(ip)], raw: #"{"raw":\#(n)}"#,
                artifacts: [ArtifactMention(.user, user, role: "user"), ArtifactMention(.ip, ip, role: "src"), ArtifactMention(.host, host, role: "host")])
        }
        let ids = try SignalWriter(store: admin.store).write(signals).ids.compactMap { $0 }
        return try admin.raiseAlert(NewAlert(
            rule: "new-location", groupKey: "user.name=\(user)", severity: .high, title: "New location for \(user)", team: "soc", signalIDs: ids))
    }

    func outbox() throws -> [OutboxMessage] {
        try admin.store.read { tx in
            try tx.unroutedMessages(limit: 10_000)
        }
    }

    func deliveries(_ status: DeliveryStatus) throws -> [DeliveryRecord] {
        try admin.store.read { tx in try tx.deliveries(status: status, visibleTo: admin.actor) }
    }

    /// Enqueues a message as another part of taser would, in its own transaction.
    func enqueue(endpoint: String = "*", entity: String = "case", id: Int64, event: String, payload: JSONValue, key: String) throws {
        try admin.store.write { tx in try tx.enqueue(endpoint: endpoint, entity: entity, id: id, event: event, payload: payload, key: key, at: .now) }
    }
}
