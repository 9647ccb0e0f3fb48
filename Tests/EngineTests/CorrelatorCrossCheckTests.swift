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

    /// Rules judged when windows close (upper bounds, ranges, `neq`, sums, averages, medians),
    /// clauses pooled across kinds, temporal subsets, keyword filters over every field and
    /// case-folded group keys: the simulator (columns), the row path (`EventBuilder`, as live
    /// evaluation builds events) and a plain reading of the semantics written here must agree
    /// on every alert (key and time).
    @Test(arguments: [11, 12, 13, 14, 15, 16])
    func closingWindowsAgreeAcrossTheSimulatorTheRowPathAndTheSemantics(seed: UInt64) throws {
        var rng = LCG(state: seed)
        let soc = try SOC()
        let engine = soc.admin
        let kinds = ["cbc.alert", "suricata.alert", "duo.push.failed"]
        let procs = ["Cmd.exe", "cmd.exe", "CMD.EXE", "pwsh.exe", "Pwsh.exe"], hosts = ["h1", "H1", "h2", "h3"]
        var signals: [(time: Int64, kind: String, fields: JSONObject)] = []
        var batch: [NewSignal] = []
        for n in 0..<600 {
            let time = 1_790_000_000_000 + Int64.random(in: 0..<(86_400_000), using: &rng)
            var fields: JSONObject = ["host.name": .string(hosts.randomElement(using: &rng)!), "process.name": .string(procs.randomElement(using: &rng)!)]
            if Int.random(in: 0..<8, using: &rng) > 0 { fields["bytes"] = .int(Int64.random(in: 0..<1000, using: &rng)) }
            if Int.random(in: 0..<4, using: &rng) == 0 { fields["message"] = .string(["an EVIL thing", "fine"].randomElement(using: &rng)!) }
            let kind = kinds.randomElement(using: &rng)!
            signals.append((time, kind, fields))
            batch.append(NewSignal(
                time: Timestamp(ms: time), source: "test", sourceRef: "c\(n)", kind: kind, severity: .low, title: "t",
                fields: fields.dictionary, raw: "{}", artifacts: []))
        }
        _ = try SignalWriter(store: engine.store).write(batch)

        func bounds() -> Bounds {
            let n = Double(Int.random(in: 1...5, using: &rng))
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return Bounds(lt: n)
            case 1: return Bounds(lte: n)
            case 2: return Bounds(gte: n, lte: n)
            case 3: return Bounds(gt: n - 1, lte: n + 2)
            case 4: return Bounds(neq: n)
            default: return Bounds(gte: n)
            }
        }
        for round in 0..<10 {
            let window = Int64([10, 60, 240].randomElement(using: &rng)!) * 60_000
            let groupBy = [["host.name"], ["process.name"], ["host.name", "process.name"]].randomElement(using: &rng)!
            let keyword: Filter? = Int.random(in: 0..<3, using: &rng) == 0 ? .anyField(.contains("evil")) : nil
            let cased = Bool.random(using: &rng)
            var clauses: [Clause] = []
            var held: Bounds?
            switch round % 3 {
            case 0:
                // A count with bounds, over one kind or two pooled.
                var first = Clause(count: 1, kinds: [kinds[0]], filter: keyword, limit: bounds())
                if Bool.random(using: &rng) { first.distinct = "process.name" }
                clauses = [first]
                if Bool.random(using: &rng) { clauses.append(Clause(count: 1, kinds: [kinds[1]], distinct: first.distinct, pool: 0)) }
            case 1:
                let f: Aggregate.Function = [.sum, .average, .median].randomElement(using: &rng)!
                let limit = [Bounds(gt: 400), Bounds(lt: 300), Bounds(gte: 200, lte: 700), Bounds(gt: 1500)].randomElement(using: &rng)!
                clauses = [Clause(count: 1, kinds: [kinds[0]], filter: keyword, limit: limit, aggregate: Aggregate(f, of: "bytes"))]
                if Bool.random(using: &rng) { clauses.append(Clause(count: 1, kinds: [kinds[2]], aggregate: Aggregate(f, of: "bytes"), pool: 0)) }
            default:
                // temporal over a subset of three kinds.
                clauses = kinds.map { Clause(count: 1, kinds: [$0], filter: keyword) }
                held = [Bounds(gte: 2), Bounds(lt: 2), Bounds(gte: 2, lte: 2), Bounds(neq: 3)].randomElement(using: &rng)!
            }
            let rule = Rule(clauses: clauses, window: window, groupBy: groupBy, options: RuleOptions(casedValues: cased ? true : nil), clausesHeld: held)
            let label = "round \(round): \(rule.clauses.map { "\($0.kinds) \($0.limit?.description ?? "") \($0.aggregate.map { "\($0.function)" } ?? "") pool \($0.pool ?? -1)" }) held \(held?.description ?? "all") by \(groupBy) cased \(cased) keyword \(keyword != nil)"

            let simulated = Set(try engine.simulate(rule).alerts.map { "\($0.key)@\($0.firedAt.ms)" })
            var builder = try EventBuilder(rule: rule)
            for (n, s) in signals.enumerated() { builder.add(signal: Int64(n + 1), time: s.time, kind: s.kind, fields: s.fields) }
            let rows = Set(builder.correlate(closeBy: .max).map { "\(builder.keyNames[Int($0.key)])@\($0.firedAt)" })
            #expect(simulated == rows, "\(label): simulator only \(simulated.subtracting(rows)), row path only \(rows.subtracting(simulated))")
            // Lower bounds alone fire as reached (the first test checks those against SQL).
            guard rule.judgedAtClose else { continue }
            let plain = try Self.plainReading(rule, signals)
            #expect(rows == plain, "\(label): correlator only \(rows.subtracting(plain)), plain reading only \(plain.subtracting(rows))")
        }
    }

    /// The semantics of rules judged at close, read as plainly as possible: per key, a window
    /// opens at a signal and holds everything within the window after it; it fires at its end
    /// when its measures hold; an alert then takes every signal up to its end plus the
    /// suppression, and the next window opens at the next signal after that.
    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let t): return Double(t)
        default: return nil
        }
    }

    static func plainReading(_ rule: Rule, _ signals: [(time: Int64, kind: String, fields: JSONObject)]) throws -> Set<String> {
        var byKey: [String: [(time: Int64, clause: Int, fields: JSONObject)]] = [:]
        let matchers = try rule.clauses.map { c in try c.filter.map { try Matcher($0) } }
        for s in signals {
            var seen = Set<Int>()
            for (i, c) in rule.clauses.enumerated() where c.kinds.contains(s.kind) {
                if let m = matchers[i], !m.matches(s.fields) { continue }
                var parts: [String] = []
                for f in rule.groupBy {
                    guard let v = s.fields[f]?.stringValue, !v.isEmpty else { parts = []; break }
                    parts.append(f + "=" + (f == "host.name" || !rule.casedValues ? v.lowercased() : v))
                }
                guard parts.count == rule.groupBy.count else { continue }
                if c.distinct.map({ s.fields[$0]?.stringValue == nil }) ?? false { continue }
                if c.aggregate.map({ s.fields[$0.field].flatMap(Self.number) == nil }) ?? false { continue }
                let root = c.pool ?? i
                guard seen.insert(root).inserted else { continue }
                byKey[parts.joined(separator: ","), default: []].append((s.time, root, s.fields))
            }
        }
        var out = Set<String>()
        for (key, events) in byKey {
            let sorted = events.sorted { $0.time < $1.time }
            var i = 0
            while i < sorted.count {
                let end = sorted[i].time + rule.window
                var j = i
                while j < sorted.count && sorted[j].time <= end { j += 1 }
                let window = sorted[i..<j]
                var held = 0
                for (c, clause) in rule.clauses.enumerated() where clause.pool == nil {
                    let mine = window.filter { $0.clause == c }
                    let measure: Double?
                    if let a = clause.aggregate {
                        let values = mine.compactMap { $0.fields[a.field].flatMap(Self.number) }.sorted()
                        if values.isEmpty { measure = nil } else {
                            switch a.function {
                            case .sum: measure = values.reduce(0, +)
                            case .average: measure = values.reduce(0, +) / Double(values.count)
                            case .median: measure = values.count % 2 == 1 ? values[values.count / 2] : (values[values.count / 2 - 1] + values[values.count / 2]) / 2
                            }
                        }
                    } else if let d = clause.distinct {
                        let vs = Set(mine.compactMap { $0.fields[d]?.stringValue.map { rule.casedValues ? $0 : $0.lowercased() } })
                        measure = vs.count >= clause.count ? Double(vs.count) : nil
                    } else {
                        measure = mine.count >= clause.count ? Double(mine.count) : nil
                    }
                    if let m = measure, clause.limit?.holds(m) ?? true { held += 1 }
                }
                let fires = rule.clausesHeld.map { held > 0 && $0.holds(Double(held)) } ?? (held == rule.clauses.filter { $0.pool == nil }.count)
                if fires {
                    out.insert("\(key)@\(end)")
                    let until = end + rule.suppression
                    while j < sorted.count && sorted[j].time <= until { j += 1 }
                }
                i = j
            }
        }
        return out
    }
}
