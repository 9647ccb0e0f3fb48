import Foundation
import Model
@testable import Engine
@testable import Store

final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "taser-engine-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String = "t.db") -> String { path + "/" + name }
}

/// A small SOC: ana and ben in soc, dana in ir, olga in cloud (the outsider in access tests).
struct SOC {
    let dir = TempDir()
    let admin: Engine

    init() throws {
        let store = try Store.open(path: dir.file())
        let clock = TickingClock()
        admin = Engine(store: store, actor: Actor(name: "root", isAdmin: true), clock: { clock.tick() })
        for team in ["soc", "ir", "cloud"] { try admin.addTeam(team) }
        try admin.addAnalyst(Analyst(name: "ana", teams: ["soc"]))
        try admin.addAnalyst(Analyst(name: "ben", teams: ["soc"]))
        try admin.addAnalyst(Analyst(name: "dana", teams: ["ir"]))
        try admin.addAnalyst(Analyst(name: "olga", teams: ["cloud"]))
    }

    func as_(_ name: String) -> Engine { admin.acting(as: Actor(name: name, isAdmin: false)) }
    var ana: Engine { as_("ana") }
    var ben: Engine { as_("ben") }
    var dana: Engine { as_("dana") }
    var olga: Engine { as_("olga") }

    func fingerprint() throws -> String { try admin.store.read { tx in try tx.fingerprint() } }

    /// Signals about a user from a host and IP, and an alert over them for team soc.
    func alert(user: String = "jane.doe", ip: String = "203.0.113.9", host: String = "LT-JANE", count: Int = 2, ref: String = UUID().uuidString) throws -> Alert {
        let signals = (0..<count).map { n in
            NewSignal(
                time: Timestamp(ms: 1_700_000_000_000 + Int64(n) * 60_000), source: "okta", sourceRef: "\(ref)-\(n)",
                kind: SignalKind.oktaNewLocation.name, severity: .medium, title: "login \(n)",
                fields: ["user.name": .string(user), "source.ip": .string(ip)], raw: #"{"raw":\#(n)}"#,
                artifacts: [
                    ArtifactMention(.user, user, role: "user"), ArtifactMention(.ip, ip, role: "src"),
                    ArtifactMention(.host, host, role: "host"),
                ])
        }
        let ids = try SignalWriter(store: admin.store).write(signals).ids.compactMap { $0 }
        return try admin.raiseAlert(NewAlert(
            rule: "new-location", groupKey: "user.name=\(user)", severity: .high, title: "New location for \(user)", team: "soc",
            signalIDs: ids))
    }
}

/// A clock that moves one second per reading, so every change has its own time.
final class TickingClock: @unchecked Sendable {
    private let lock = NSLock()
    private var ms: Int64 = 1_700_000_000_000
    func tick() -> Timestamp { lock.withLock { ms += 1000; return Timestamp(ms: ms) } }
}
