import Model

/// One signal matching one clause, as the correlator sees it: a signal that matches two
/// clauses is two events (same time and id). Group keys and DISTINCT values are codes into
/// dictionaries the caller keeps, so the inner loop compares integers.
public struct CorrelationEvent: Sendable, Hashable {
    public var time: Int64
    public var signal: Int64
    public var clause: Int32
    /// Index of the group key in the caller's key table.
    public var key: Int32
    /// Code of the clause's DISTINCT field value; 0 when the clause has none.
    public var distinct: Int32
    /// The clause's `aggregate` field as a number; 0 when the clause has none.
    public var value: Double
    /// Live evaluation: whether this signal is new in this run. Stored signals (false) rebuild
    /// the windows around the new ones but never fire or attach on their own.
    public var live: Bool

    public init(time: Int64, signal: Int64, clause: Int32, key: Int32, distinct: Int32 = 0, value: Double = 0, live: Bool = true) {
        self.time = time
        self.signal = signal
        self.clause = clause
        self.key = key
        self.distinct = distinct
        self.value = value
        self.live = live
    }

    /// The order the correlator needs: by time, then signal, then clause.
    public static func < (a: CorrelationEvent, b: CorrelationEvent) -> Bool {
        (a.time, a.signal, a.clause) < (b.time, b.signal, b.clause)
    }
}

/// What the correlator decided for one group key: a new alert (the signals that made it fire,
/// then those attached while it stayed open), or signals attached to an alert already stored.
public struct CorrelatedAlert: Sendable, Hashable {
    public var key: Int32
    /// The time of the signal that made it fire (for an existing alert: when it fired then).
    public var firedAt: Int64
    /// Signals that made it fire, oldest first; empty for an existing alert.
    public var firing: [Int64]
    /// Signals attached later, within the suppression period, oldest first.
    public var attached: [Int64]
    /// Set when the signals attach to an alert already stored (live evaluation).
    public var existing: Int64?
    public var lastSignalAt: Int64

    public var signals: [Int64] { firing + attached }
}

/// An alert already stored and still open, so live evaluation attaches to it.
public struct OpenAlert: Sendable, Hashable {
    public var key: Int32
    public var alert: Int64
    public var firedAt: Int64

    public init(key: Int32, alert: Int64, firedAt: Int64) {
        self.key = key
        self.alert = alert
        self.firedAt = firedAt
    }
}

/// The streaming correlator: one engine for live evaluation and the simulator.
///
/// For each group key it keeps each clause's matching signals within the trailing window
/// `[t - window, t]` (both ends included) and fires at the first signal where every clause holds
/// (`THEN`: in clause order; `clausesHeld`: that many clauses). The alert takes the signals in
/// the window; from then until `firedAt + suppression` every matching signal for the key
/// attaches to it. After that the key starts afresh: signals an alert holds never count toward
/// another.
///
/// A rule `judgedAtClose` (an upper bound, `neq`, a sum, average or median) cannot be decided
/// while signals may still come, so its windows are fixed instead: a window opens at the key's
/// first signal `s` and closes at `s + window`; it is judged on everything in `[s, s + window]`
/// when the key's next signal comes after it, or when the run ends at `closeBy` (the
/// simulator's end of range), and fires then (`firedAt` is the close). The next window opens at
/// the next signal. Live evaluation passes no `closeBy`: a key's window there is judged when the
/// key's next signal arrives, and a key that goes quiet is judged by the next simulation.
public struct Correlator: Sendable {
    public let rule: Rule

    public init(rule: Rule) { self.rule = rule }

    private struct Entry {
        var time: Int64
        var signal: Int64
        var distinct: Int32
        var value: Double
        var live: Bool
    }

    /// A clause's signals in the window, oldest first; `head` skips the evicted ones.
    private struct Buffer {
        var entries: [Entry] = []
        var head = 0
        /// DISTINCT value -> how many entries in the window hold it.
        var values: [Int32: Int] = [:]

        var count: Int { entries.count - head }

        /// Drops entries older than `start`; returns how many of them were live.
        mutating func evict(before start: Int64, distinct: Bool) -> Int {
            var lives = 0
            while head < entries.count, entries[head].time < start {
                if distinct { drop(entries[head].distinct) }
                if entries[head].live { lives += 1 }
                head += 1
            }
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
            return lives
        }

        mutating func drop(_ value: Int32) {
            if let n = values[value] { values[value] = n > 1 ? n - 1 : nil }
        }

        mutating func removeAll() {
            entries.removeAll(keepingCapacity: true)
            head = 0
            values.removeAll(keepingCapacity: true)
        }
    }

    private struct KeyState {
        var buffers: [Buffer]
        /// Live entries in the buffers: a window of stored signals alone never fires.
        var lives = 0
        /// Index into the output of the alert open for this key, and when it closes.
        var open: Int?
        var until: Int64 = .min
        /// Rules judged at close: where the key's current window starts.
        var start: Int64?
    }

    /// Runs the events (sorted with `<`) through the rule. Keys are dense codes `0..<keys`;
    /// `open` are stored alerts still open; `closeBy`: windows that end by then are judged at
    /// the end of the run (rules judged at close).
    public func run(_ events: [CorrelationEvent], keys: Int, open: [OpenAlert] = [], closeBy: Int64? = nil) -> [CorrelatedAlert] {
        var run = Run(rule: rule, keys: keys)
        for o in open { run.seed(o) }
        for e in events { run.step(e) }
        if let closeBy { run.finish(closeBy: closeBy) }
        // Existing alerts that gained nothing are not news.
        return run.out.filter { $0.existing == nil || !$0.attached.isEmpty }
    }

    private struct Run {
        let rule: Rule
        /// Clause -> the clause whose measure its signals count toward (`Clause.pool`).
        let bucket: [Int]
        /// The clauses with a measure of their own, in clause order.
        let roots: [Int]
        let distinct: [Bool]
        let need: [Int]
        let closing: Bool
        var states: [KeyState]
        var out: [CorrelatedAlert] = []
        var lastSignal: (key: Int32, signal: Int64)?

        init(rule: Rule, keys: Int) {
            self.rule = rule
            let n = rule.clauses.count
            // A pool that names no clause, or a clause that itself pools, is taken as its own.
            let bucket = rule.clauses.enumerated().map { i, c in
                guard let p = c.pool, p >= 0, p < n, rule.clauses[p].pool == nil else { return i }
                return p
            }
            self.bucket = bucket
            roots = (0..<n).filter { bucket[$0] == $0 }
            distinct = rule.clauses.map { $0.distinct != nil }
            need = rule.clauses.map(\.count)
            closing = rule.judgedAtClose
            states = Array(repeating: KeyState(buffers: Array(repeating: Buffer(), count: n)), count: keys)
        }

        mutating func seed(_ o: OpenAlert) {
            states[Int(o.key)].open = out.count
            states[Int(o.key)].until = o.firedAt.addingSaturating(rule.suppression)
            out.append(CorrelatedAlert(key: o.key, firedAt: o.firedAt, firing: [], attached: [], existing: o.alert, lastSignalAt: o.firedAt))
        }

        mutating func step(_ e: CorrelationEvent) {
            // In place: a copy of the key's state would copy its buffers on every signal.
            let k = Int(e.key)
            if closing, let s = states[k].start {
                let end = s.addingSaturating(rule.window)
                if e.time > end { judge(k, closedAt: end, byLiveSignal: e.live) }
            }
            if let index = states[k].open {
                if e.time <= states[k].until {
                    // The same signal through a second clause attaches once.
                    if e.live, lastSignal.map({ $0 != (e.key, e.signal) }) ?? true {
                        out[index].attached.append(e.signal)
                        out[index].lastSignalAt = max(out[index].lastSignalAt, e.time)
                        lastSignal = (e.key, e.signal)
                    }
                    return
                }
                states[k].open = nil
                clear(k)
            }
            let b = bucket[Int(e.clause)]
            // The same signal through two pooled clauses counts once.
            if let last = states[k].buffers[b].entries.last, states[k].buffers[b].count > 0, last.signal == e.signal { return }
            states[k].buffers[b].entries.append(Entry(time: e.time, signal: e.signal, distinct: e.distinct, value: e.value, live: e.live))
            if distinct[b] { states[k].buffers[b].values[e.distinct, default: 0] += 1 }
            if e.live { states[k].lives += 1 }
            if closing {
                if states[k].start == nil { states[k].start = e.time }
                return
            }
            let start = e.time - rule.window
            for c in roots { states[k].lives -= states[k].buffers[c].evict(before: start, distinct: distinct[c]) }
            guard states[k].lives > 0, holds(states[k].buffers, atClose: false) else { return }
            fire(k, at: e.time)
            lastSignal = (e.key, e.signal)
        }

        /// Judges every window that ends by `closeBy`, in key order.
        mutating func finish(closeBy: Int64) {
            for k in states.indices {
                guard let s = states[k].start else { continue }
                let end = s.addingSaturating(rule.window)
                if end <= closeBy { judge(k, closedAt: end, byLiveSignal: false) }
            }
        }

        /// A window of a rule judged at close: fires when it holds and has news (a live
        /// signal in it, or a live signal closing it), then the key starts afresh.
        mutating func judge(_ k: Int, closedAt end: Int64, byLiveSignal: Bool) {
            if states[k].lives > 0 || byLiveSignal, holds(states[k].buffers, atClose: true) {
                fire(k, at: end)
            } else {
                clear(k)
            }
        }

        mutating func fire(_ k: Int, at time: Int64) {
            var firing: [Int64] = []
            for b in states[k].buffers { firing += b.entries[b.head...].map(\.signal) }
            states[k].open = out.count
            states[k].until = time.addingSaturating(rule.suppression)
            out.append(CorrelatedAlert(
                key: Int32(k), firedAt: time, firing: Set(firing).sorted(), attached: [], existing: nil, lastSignalAt: time))
            clear(k)
        }

        mutating func clear(_ k: Int) {
            for b in 0..<distinct.count { states[k].buffers[b].removeAll() }
            states[k].lives = 0
            states[k].start = nil
        }

        /// Whether the window holds: enough clauses (all, or `clausesHeld`) hold, in order for
        /// `THEN`. At close, a clause holds when its measure is within its `limit` too.
        func holds(_ buffers: [Buffer], atClose: Bool) -> Bool {
            let held: Int
            if rule.ordered {
                held = orderedChain(buffers, atClose: atClose)
            } else {
                var n = 0
                for c in roots {
                    if clauseHolds(c, buffers[c], atClose: atClose) { n += 1 } else if rule.clausesHeld == nil { return false }
                }
                held = n
            }
            guard let bounds = rule.clausesHeld else { return held == roots.count }
            return held > 0 && bounds.holds(Double(held))
        }

        private func clauseHolds(_ c: Int, _ b: Buffer, atClose: Bool) -> Bool {
            let clause = rule.clauses[c]
            if let a = clause.aggregate {
                guard atClose, let m = Correlator.measure(a.function, b.entries[b.head...].map(\.value)) else { return false }
                return clause.limit?.holds(m) ?? true
            }
            let n = distinct[c] ? b.values.count : b.count
            guard n >= need[c] else { return false }
            guard atClose, let limit = clause.limit else { return true }
            return limit.holds(Double(n))
        }

        /// THEN: the longest run of clauses, in rule order (any of them skipped when
        /// `clausesHeld` allows), each reaching its count no earlier than the previous one did.
        /// `best[L]`: the earliest time a run of L clauses can be complete.
        private func orderedChain(_ buffers: [Buffer], atClose: Bool) -> Int {
            var best: [Int64?] = [Int64.min]
            for c in roots {
                // At close, a clause whose whole-window measure is out of bounds cannot be in the run.
                if atClose, rule.clauses[c].limit != nil || rule.clauses[c].aggregate != nil, !clauseHolds(c, buffers[c], atClose: true) {
                    if rule.clausesHeld == nil { return 0 }
                    continue
                }
                var next = best
                for (length, after) in best.enumerated() {
                    guard let after, let reached = reachedTime(c, buffers[c], after: after) else { continue }
                    if length + 1 < next.count {
                        next[length + 1] = min(next[length + 1] ?? .max, reached)
                    } else {
                        next.append(reached)
                    }
                }
                if rule.clausesHeld == nil && next.count == best.count { return 0 }
                best = next
            }
            return best.count - 1
        }

        /// When the clause's signals from `after` on first reach its count (an aggregate: its
        /// first signal).
        private func reachedTime(_ c: Int, _ b: Buffer, after: Int64) -> Int64? {
            var seen = Set<Int32>()
            var n = 0
            let needed = rule.clauses[c].aggregate == nil ? need[c] : 1
            for entry in b.entries[b.head...] where entry.time >= after {
                if distinct[c] { if seen.insert(entry.distinct).inserted { n += 1 } } else { n += 1 }
                if n >= needed { return entry.time }
            }
            return nil
        }
    }

    /// A sum, mean or median of the window's values; nil when there are none.
    static func measure(_ f: Aggregate.Function, _ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        switch f {
        case .sum: return values.reduce(0, +)
        case .average: return values.reduce(0, +) / Double(values.count)
        case .median:
            let sorted = values.sorted()
            let mid = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        }
    }
}

extension Int64 {
    /// `self + other`, held at the ends of the range instead of trapping: times and spans come
    /// from input.
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
