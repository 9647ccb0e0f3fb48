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
    /// Live evaluation: whether this signal is new in this run. Stored signals (false) rebuild
    /// the windows around the new ones but never fire or attach on their own.
    public var live: Bool

    public init(time: Int64, signal: Int64, clause: Int32, key: Int32, distinct: Int32 = 0, live: Bool = true) {
        self.time = time
        self.signal = signal
        self.clause = clause
        self.key = key
        self.distinct = distinct
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
/// (`THEN`: in clause order). The alert takes the signals in the window; from then until
/// `firedAt + suppression` every matching signal for the key attaches to it. After that the
/// key starts afresh: signals an alert holds never count toward another.
public struct Correlator: Sendable {
    public let rule: Rule

    public init(rule: Rule) { self.rule = rule }

    private struct Entry {
        var time: Int64
        var signal: Int64
        var distinct: Int32
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
    }

    /// Runs the events (sorted with `<`) through the rule. Keys are dense codes `0..<keys`;
    /// `open` are stored alerts still open.
    public func run(_ events: [CorrelationEvent], keys: Int, open: [OpenAlert] = []) -> [CorrelatedAlert] {
        var run = Run(rule: rule, keys: keys)
        for o in open { run.seed(o) }
        for e in events { run.step(e) }
        // Existing alerts that gained nothing are not news.
        return run.out.filter { $0.existing == nil || !$0.attached.isEmpty }
    }

    private struct Run {
        let rule: Rule
        let distinct: [Bool]
        let need: [Int]
        var states: [KeyState]
        var out: [CorrelatedAlert] = []
        var lastSignal: (key: Int32, signal: Int64)?

        init(rule: Rule, keys: Int) {
            self.rule = rule
            distinct = rule.clauses.map { $0.distinct != nil }
            need = rule.clauses.map(\.count)
            states = Array(repeating: KeyState(buffers: Array(repeating: Buffer(), count: rule.clauses.count)), count: keys)
        }

        mutating func seed(_ o: OpenAlert) {
            states[Int(o.key)].open = out.count
            states[Int(o.key)].until = o.firedAt + rule.suppression
            out.append(CorrelatedAlert(key: o.key, firedAt: o.firedAt, firing: [], attached: [], existing: o.alert, lastSignalAt: o.firedAt))
        }

        mutating func step(_ e: CorrelationEvent) {
            // In place: a copy of the key's state would copy its buffers on every signal.
            let k = Int(e.key)
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
            let c = Int(e.clause)
            states[k].buffers[c].entries.append(Entry(time: e.time, signal: e.signal, distinct: e.distinct, live: e.live))
            if distinct[c] { states[k].buffers[c].values[e.distinct, default: 0] += 1 }
            if e.live { states[k].lives += 1 }
            let start = e.time - rule.window
            for b in 0..<distinct.count { states[k].lives -= states[k].buffers[b].evict(before: start, distinct: distinct[b]) }
            guard states[k].lives > 0, Correlator.holds(states[k].buffers, need: need, distinct: distinct, ordered: rule.ordered) else { return }
            var firing: [Int64] = []
            for b in states[k].buffers { firing += b.entries[b.head...].map(\.signal) }
            states[k].open = out.count
            states[k].until = e.time + rule.suppression
            out.append(CorrelatedAlert(
                key: e.key, firedAt: e.time, firing: Set(firing).sorted(), attached: [], existing: nil, lastSignalAt: e.time))
            lastSignal = (e.key, e.signal)
            clear(k)
        }

        mutating func clear(_ k: Int) {
            for b in 0..<distinct.count { states[k].buffers[b].removeAll() }
            states[k].lives = 0
        }
    }

    private static func holds(_ buffers: [Buffer], need: [Int], distinct: [Bool], ordered: Bool) -> Bool {
        if !ordered {
            for (c, b) in buffers.enumerated() {
                if (distinct[c] ? b.values.count : b.count) < need[c] { return false }
            }
            return true
        }
        // THEN: the earliest way to satisfy each clause after the previous one is satisfied.
        var after = Int64.min
        for (c, b) in buffers.enumerated() {
            var seen = Set<Int32>()
            var n = 0
            var reached: Int64?
            for entry in b.entries[b.head...] where entry.time >= after {
                if distinct[c] { if seen.insert(entry.distinct).inserted { n += 1 } } else { n += 1 }
                if n >= need[c] { reached = entry.time; break }
            }
            guard let reached else { return false }
            after = reached
        }
        return true
    }
}
