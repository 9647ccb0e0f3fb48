import Foundation
import GRDB
import Model
import SignalServer
import Testing
@testable import Engine
@testable import Store

/// The correlator against the same rule as one SQL window query, on random signals and rules:
/// the group keys that fire must be the same (dedup only changes how many alerts a key gets).
@Suite struct CorrelatorCrossCheckTests {
    struct LCG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func firedKeysMatchTheSQL(seed: UInt64) throws {
        var rng = LCG(state: seed)
        let soc = try SOC()
        let engine = soc.admin
        let kinds = ["cbc.alert", "suricata.alert", "duo.push.failed"]
        let users = ["ana", "bob", "cy", "dee", "eve"], hosts = ["h1", "h2", "h3", "h4"]
        var batch: [NewSignal] = []
        for n in 0..<1_500 {
            let time = Int64.random(in: 0..<(3 * 86_400_000), using: &rng)
            var fields: [String: JSONValue] = ["host.name": .string(hosts.randomElement(using: &rng)!)]
            // Some signals lack the user: they must not match rules grouped by user.
            if Int.random(in: 0..<10, using: &rng) > 0 { fields["user.name"] = .string(users.randomElement(using: &rng)!) }
            batch.append(NewSignal(
                time: Timestamp(ms: 1_790_000_000_000 + time), source: "test", sourceRef: "s\(n)", kind: kinds.randomElement(using: &rng)!,
                severity: .low, title: "t", fields: fields, raw: "{}", artifacts: []))
        }
        _ = try SignalWriter(store: engine.store).write(batch)

        for _ in 0..<8 {
            let clauses = (0..<Int.random(in: 1...2, using: &rng)).map { n in
                "(\(Int.random(in: 1...4, using: &rng)) \(kinds[(n + Int.random(in: 0..<3, using: &rng)) % 3]))"
            }
            let window = [10, 60, 240, 1440].randomElement(using: &rng)!
            let group = [["username"], ["hostname"], ["username", "hostname"]].randomElement(using: &rng)!
            let text = "[ \(clauses.joined(separator: " + ")) ] IN [ \(window) minutes ] WITH [ \(group.joined(separator: ", ")) ] IN COMMON"
            let rule = try engine.checkRule(text)
            let mine = Set(try engine.simulate(rule).alerts.map { SQLBaseline.values(ofKey: $0.key) })
            let sql = try SQLBaseline.query(rule)
            let theirs = Set(try engine.store.read { tx in try String.fetchAll(tx.db, sql: sql) })
            #expect(mine == theirs, "\(text): correlator only \(mine.subtracting(theirs)), SQL only \(theirs.subtracting(mine))")
        }
    }
}
