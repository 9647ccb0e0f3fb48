import AlertEngine
import Model
import SignalServer
import Store

/// Runs the enabled rules over each ingest batch, inside its transaction: new alerts and
/// attachments to open ones commit with the signals, each with an outbox entry for Sync.
///
/// It is the simulator's correlator, run over the stretch of stored signals around the new
/// ones: stored signals rebuild the windows (they never fire on their own), alerts still open
/// take attachments, and signals an alert of the rule already holds do not count again. So a
/// rule behaves the same whether its signals come in one file or one at a time, from one
/// process or several.
struct LiveCorrelation {
    let rules: [(stored: StoredRule, rule: Rule)]
    /// A signal older than the newest one already stored (of its rule's kinds) by more than
    /// this is late: stored and counted, but left to the next simulation.
    let lateness: Int64

    func run(_ tx: Tx, _ signals: [NewSignal], _ ids: [Int64?], at now: Timestamp) throws -> BatchOutcome {
        var outcome = BatchOutcome()
        let new: [(signal: NewSignal, id: Int64)] = zip(signals, ids).compactMap { s, id in id.map { (s, $0) } }
        guard !new.isEmpty else { return outcome }
        // Alerts raised in this batch, by rule: what chained rules read as new.
        var raised: [String: Set<Int64>] = [:]
        for (stored, rule) in LiveCorrelation.chainOrder(rules) {
            let kinds = rule.kinds.filter { !$0.hasPrefix("rule:") }.sorted()
            let reads = rule.kinds.filter { $0.hasPrefix("rule:") }.map { String($0.dropFirst(5)) }.sorted()
            let mine = new.filter { kinds.contains($0.signal.kind) }
            var live: [(signal: NewSignal, id: Int64)] = []
            if let first = mine.map(\.id).min() {
                let newest = try tx.latestSignalTime(kinds: kinds, before: first)
                let late = newest.map { cutoff in mine.filter { $0.signal.time.ms < cutoff - lateness } } ?? []
                if !late.isEmpty {
                    try tx.countLateSignals(rule: stored.name, late.count)
                    outcome.lateSignals += late.count
                }
                let lateIDs = Set(late.map(\.id))
                live = mine.filter { !lateIDs.contains($0.id) }
            }
            var newAlerts: [StoredOpenAlert] = []
            for name in reads {
                // Only a rule that raised alerts in this batch has news for the chain.
                guard let fresh = raised[name], !fresh.isEmpty else { continue }
                newAlerts += try tx.alertsFired(rule: name, since: .min / 2).filter { fresh.contains($0.id) }
            }
            let times = live.map(\.signal.time.ms) + newAlerts.map(\.firedAt)
            guard let lo = times.min(), let hi = times.max() else { continue }

            var builder = try EventBuilder(rule: rule)
            let liveIDs = Set(live.map(\.id))
            // Windows that hold a new signal reach one window either side of it.
            var rows: [(id: Int64, time: Int64, kind: String, fields: JSONObject)] = []
            if !kinds.isEmpty {
                for row in try tx.correlationRows(kinds: kinds, from: lo - rule.window, to: hi + rule.window, unclaimedBy: stored.name) {
                    guard case .object(let fields)? = try? JSONValue.parse(row.fields) else { continue }
                    rows.append((row.id, row.time, row.kind, fields))
                }
            }
            // The identities of the people these signals name, read once for the run.
            let personFields = GroupKeys.personFields(of: rule)
            if !personFields.isEmpty {
                let values = rows.flatMap { row in personFields.compactMap { row.fields[$0]?.stringValue } }
                builder.keys = GroupKeys(identities: try tx.identityLabels(of: values))
            }
            for row in rows {
                builder.add(signal: row.id, time: row.time, kind: row.kind, fields: row.fields, live: liveIDs.contains(row.id))
            }
            var derived: [DerivedEvent] = []
            for name in reads {
                for a in try tx.alertsFired(rule: name, since: lo - rule.window) where a.firedAt <= hi + rule.window {
                    let held = try tx.signals(ofAlert: a.id).map(\.id)
                    // An alert whose signals this rule's alerts already hold counts no more.
                    if try tx.signalsClaimed(by: stored.name, among: held).count == held.count, !held.isEmpty { continue }
                    derived.append(DerivedEvent(rule: name, time: a.firedAt, key: a.groupKey, signals: held, live: raised[name]?.contains(a.id) ?? false))
                }
            }
            for (i, d) in derived.enumerated() {
                builder.add(signal: -Int64(i + 1), time: d.time, kind: d.kind, fields: d.fields, live: d.live)
            }
            let open = try tx.alertsFired(rule: stored.name, since: lo - rule.suppression).map {
                OpenAlert(key: builder.code(forKey: $0.groupKey), alert: $0.id, firedAt: $0.firedAt)
            }
            // A rule judged at close (Sigma upper bounds, sums, averages): the windows the
            // batch's newest signal has passed are closed, as far as this stream knows.
            for result in builder.correlate(open: open, closeBy: rule.judgedAtClose ? hi : nil) {
                let key = builder.keyNames[Int(result.key)]
                if let existing = result.existing {
                    try tx.attachSignals(Simulator.expand(result.attached, derived), toAlert: existing, at: now)
                    try notify(tx, alert: existing, event: "alert.updated", at: now)
                    outcome.alertsUpdated += 1
                } else {
                    let alert = try tx.insertAlert(NewAlert(
                        rule: stored.name, version: stored.version, groupKey: key, severity: rule.options.severity ?? .medium,
                        title: LiveCorrelation.title(rule, key: key), team: rule.options.team,
                        signalIDs: Simulator.expand(result.signals, derived), firedAt: Timestamp(ms: result.firedAt)), at: now)
                    try notify(tx, alert: alert.id, event: "alert.created", at: now)
                    raised[stored.name, default: []].insert(alert.id)
                    outcome.alertsCreated += 1
                }
            }
        }
        return outcome
    }

    /// Rules that read other rules' alerts run after those rules.
    static func chainOrder(_ rules: [(stored: StoredRule, rule: Rule)]) -> [(stored: StoredRule, rule: Rule)] {
        let names = Set(rules.map { $0.stored.name })
        func reads(_ rule: Rule) -> [String] {
            rule.kinds.filter { $0.hasPrefix("rule:") }.map { String($0.dropFirst(5)) }.filter { names.contains($0) }
        }
        var done = Set<String>(), out: [(stored: StoredRule, rule: Rule)] = [], left = rules
        while !left.isEmpty {
            let ready = left.filter { reads($0.rule).allSatisfy(done.contains) }
            // A loop (refused at import) would never be ready: run the rest in name order.
            let next = ready.isEmpty ? left : ready
            out += next
            let nextNames = Set(next.map { $0.stored.name })
            done.formUnion(nextNames)
            left.removeAll { nextNames.contains($0.stored.name) }
        }
        return out
    }

    /// The outbox entry Sync delivers: the alert as it now stands. The key changes with every
    /// new signal count, so each update is delivered once.
    private func notify(_ tx: Tx, alert id: Int64, event: String, at now: Timestamp) throws {
        guard let alert = try tx.alert(id) else { return }
        try Engine.notify(tx, alert: alert, event: event, key: "alert:\(id):\(event):\(alert.signalCount)", at: now)
    }

    /// A signal an alert holds came again with different content (a new revision): the alert
    /// is marked changed and synced again, once per revision. It does not count again toward
    /// any clause (only new signals reach `run`). Returns how many alerts.
    static func revise(_ tx: Tx, updated signals: [Int64], at now: Timestamp) throws -> Int {
        let alerts = try tx.alertIDs(holding: signals)
        let revisions = try signals.map { id in "\(id)r\(try tx.signal(id)?.revision ?? 0)" }.joined(separator: ",")
        for id in alerts {
            try tx.touchAlert(id, at: now)
            guard let alert = try tx.alert(id) else { continue }
            try Engine.notify(tx, alert: alert, event: "alert.updated", key: "alert:\(id):alert.updated:signals:\(revisions)", at: now)
        }
        return alerts.count
    }

    /// `New-country login then Duo failures (user.name=jdoe)`, or from the clauses when the rule
    /// has no TITLE: `1 SSO login from a new location + 2 failed Duo pushes (user.name=jdoe)`.
    static func title(_ rule: Rule, key: String) -> String {
        let base = rule.options.title ?? rule.clauses.map(\.text).joined(separator: rule.ordered ? " then " : " + ")
        return key.isEmpty ? base : "\(base) (\(key))"
    }
}

extension Engine {
    /// Raises the alerts a rule would have raised over every stored signal, as if they had
    /// arrived in time order: the simulation, saved. For a database filled in bulk (the demo);
    /// nothing goes to the outbox, since none of it is news. Returns how many alerts.
    func backfill(ruleNamed name: String) throws -> Int {
        let stored = try rule(named: name)
        let compiled = try compiledRule(named: name)
        let report = try simulate(compiled)
        return try change { tx, _ in
            for a in report.alerts {
                _ = try tx.insertAlert(NewAlert(
                    rule: name, version: stored.version, groupKey: a.key, severity: compiled.options.severity ?? .medium,
                    title: LiveCorrelation.title(compiled, key: a.key), team: compiled.options.team, signalIDs: a.signals,
                    firedAt: a.firedAt), at: a.firedAt)
            }
            return report.alerts.count
        }
    }

    /// The enabled rules, ready for live evaluation.
    func liveCorrelation(lateness: Int64) throws -> LiveCorrelation? {
        let enabled = try read { tx in try tx.enabledRules() }
        guard !enabled.isEmpty else { return nil }
        return LiveCorrelation(rules: try enabled.map { ($0.rule, try Engine.decode($0.compiled)) }, lateness: lateness)
    }
}
