import Automation
import Credentials
import Foundation
import Model
import Positron
@testable import Engine
@testable import Store
import GRDB

/// A clock the test moves by hand: "241 minutes later" without waiting.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64 = 1_750_000_000_000
    func now() -> Timestamp { lock.withLock { Timestamp(ms: ms) } }
    func advance(minutes: Int64) { lock.withLock { ms += minutes * 60_000 } }
    /// Each reading a millisecond later, so log entries keep their order.
    func tick() -> Timestamp { lock.withLock { ms += 1; return Timestamp(ms: ms) } }
}

struct OutboxRow {
    var endpoint: String
    var entity: String
    var entityID: Int64
    var event: String
    var payload: JSONValue
    var key: String
}

/// A SOC with SecurityBot: a real SQLite file, Positron over CSV tables (HR export and on-call
/// rota), the shipped Playbooks/securitybot.yaml, and a clock the test controls.
struct SecurityBotWorld {
    let dir = TempDir()
    let clock = ManualClock()
    let admin: Engine
    let positron: PositronConfig
    let library: PlaybookLibrary
    static let secret = "8f742231b10e8888abcd99yyyzzz85a5"

    init() throws {
        let store = try Store.open(path: dir.file())
        let clock = self.clock
        admin = Engine(store: store, actor: Actor(name: "root", isAdmin: true), clock: { clock.tick() })
        try admin.addTeam("soc")
        try admin.addAnalyst(Analyst(name: "ana", teams: ["soc"]))
        try """
            login,name,email,manager_login
            jdoe,Jane Doe,jane.doe@example.com,mboss
            mboss,Mary Boss,mary.boss@example.com,
            """.write(toFile: dir.path + "/hr.csv", atomically: true, encoding: .utf8)
        try """
            team,user
            soc,olivia.oncall
            ir,ivan
            """.write(toFile: dir.path + "/oncall.csv", atomically: true, encoding: .utf8)
        let yaml = """
            plugins:
              - { name: hr, type: table, file: hr.csv, queries: { USER_MANAGER: { key: login, answer: { manager: manager_login } }, USER_INFO: { key: login, answer: { email: email, name: name } } } }
              - { name: rota, type: table, file: oncall.csv, queries: { ONCALL_FOR_TEAM: { key: team, answer: { user: user } } } }
            """
        try yaml.write(toFile: dir.path + "/positron.yaml", atomically: true, encoding: .utf8)
        positron = try PositronConfig.parse(yaml: yaml, file: dir.path + "/positron.yaml", secrets: Secrets(environment: [:]))
        let (library, problems) = PlaybookLibrary.load(directory: SecurityBotWorld.playbooksDirectory)
        guard problems.isEmpty else { throw StepFailure(problems.map(\.description).joined(separator: "\n")) }
        self.library = library
    }

    static var playbooksDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Playbooks").path
    }

    func runner(_ engine: Engine? = nil) throws -> AutomationRunner {
        try AutomationRunner(engine: engine ?? admin, library: library, positron: positron)
    }

    func slack(_ engine: Engine? = nil) throws -> SlackInteractions {
        try SlackInteractions(engine: engine ?? admin, signingSecret: SecurityBotWorld.secret, library: library)
    }

    /// The demo's account-takeover story: a new-country sign-in, then the rule's alert.
    func newCountryLogin(user: String = "jdoe", severity: Severity = .critical) throws -> Alert {
        let signal = NewSignal(
            time: clock.now(), source: "okta", sourceRef: UUID().uuidString, kind: SignalKind.oktaNewLocation.name, severity: .medium,
            title: "SSO login by \(user) from a new location (Lagos, NG)",
            fields: ["user.name": .string(user), "source.ip": "198.51.100.7", "source.geo.city_name": "Lagos", "source.geo.country_iso_code": "NG"],
            raw: #"{"user":"\#(user)"}"#, artifacts: [ArtifactMention(.user, user, role: "user")])
        let ids = try SignalWriter(store: admin.store).write([signal]).ids.compactMap { $0 }
        return try admin.raiseAlert(NewAlert(
            rule: "sso-new-location-then-duo-failures", groupKey: "user.name=\(user)", severity: severity,
            title: "New-location SSO login then failed Duo pushes (user.name=\(user))", team: "soc", signalIDs: ids))
    }

    func outbox(event: String? = nil) throws -> [OutboxRow] {
        try admin.store.read { tx in
            try Row.fetchAll(tx.db, sql: "SELECT endpoint, entity_type, entity_id, event, payload, idempotency_key FROM outbox ORDER BY id").map {
                OutboxRow(endpoint: $0[0], entity: $0[1], entityID: $0[2], event: $0[3], payload: try JSONValue.parse($0[4] as String), key: $0[5])
            }
        }.filter { event == nil || $0.event == event }
    }

    func log(_ caseID: Int64) throws -> [LogEntry] { try admin.store.read { tx in try tx.log(ofCase: caseID) } }

    /// A Slack button press as Slack sends it: form-encoded payload, signed with the secret.
    func click(caseID: Int64, answer: String, by user: String, at time: Timestamp? = nil, secret: String = SecurityBotWorld.secret) -> (body: [UInt8], headers: [String: String]) {
        let payload: JSONValue = .object([
            "type": "block_actions", "user": .object(["id": .string("U0\(user.count)X"), "username": .string(user), "name": .string(user)]),
            "actions": .array([.object([
                "type": "button", "action_id": .string("securitybot.\(answer)"), "value": .string("case:\(caseID):\(answer)"),
                "block_id": "b1", "action_ts": "1750000000.1",
            ])]),
            "response_url": "https://hooks.slack.com/actions/T0/1/x",
        ])
        return signed(form: "payload=" + SecurityBotWorld.formEncode(payload.text), at: time ?? clock.now(), secret: secret)
    }

    func signed(form: String, at time: Timestamp, secret: String = SecurityBotWorld.secret) -> (body: [UInt8], headers: [String: String]) {
        let body = Array(form.utf8)
        let stamp = String(time.ms / 1000)
        return (body, [
            "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": SlackSignature.sign(body: body, timestamp: stamp, secret: secret),
            "Content-Type": "application/x-www-form-urlencoded",
        ])
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed)!
    }
}
