import Foundation
import Model
import Store

/// Kinds' signals as columns, kept between simulations: the console reruns a rule on every
/// edit, and a rerun should cost only the correlation. Thread-safe; the whole cache is dropped
/// when a signal arrives (`lastSignalID` moved), since a new signal may land anywhere in time.
public final class ColumnCache: @unchecked Sendable {
    private let lock = NSLock()
    private var kinds: [String: KindColumns] = [:]
    private var lastID: Int64 = -1

    public init() {}

    /// The columns of `kind` with at least `fields`, loading what is missing with `load`.
    public func columns(
        kind: String, fields: Set<String>, lastSignalID: Int64, load: (String, [String]) throws -> KindColumns
    ) rethrows -> KindColumns {
        lock.lock()
        defer { lock.unlock() }
        if lastSignalID != lastID {
            kinds.removeAll()
            lastID = lastSignalID
        }
        if let cached = kinds[kind], fields.isSubset(of: cached.fields.keys) { return cached }
        let wanted = fields.union(kinds[kind]?.fields.keys.map { $0 } ?? []).sorted()
        let loaded = try load(kind, wanted)
        kinds[kind] = loaded
        return loaded
    }
}

/// The simulator over columns: the same events and the same `Correlator` as `EventBuilder`
/// and live evaluation, built from dictionary codes. A filter on one field runs once per
/// distinct value; group keys are found once per distinct value combination.
public enum ColumnSimulator {
    public static func run(
        _ rule: Rule, columns: [String: KindColumns], derived: [DerivedEvent] = [], from: Int64 = .min, to: Int64 = .max,
        keys groupKeys: GroupKeys = GroupKeys()
    ) throws(RuleError) -> SimulationReport {
        var keys = KeyTable()
        // One table for DISTINCT values across kinds and clauses: a value is one code wherever
        // it is read (a clause over two kinds, pooled clauses), as in `EventBuilder`.
        var distinctTable: [String: Int32] = [:]
        var runs: [[CorrelationEvent]] = []
        var read = 0
        var first = Int64.max, last = Int64.min
        for kind in rule.kinds where !kind.hasPrefix("rule:") {
            guard let c = columns[kind] else { continue }
            let lo = lowerBound(c.times, from), hi = upperBound(c.times, to)
            read += hi - lo
            if hi > lo {
                first = min(first, c.times[lo])
                last = max(last, c.times[hi - 1])
            }
        }
        for (ci, clause) in rule.clauses.enumerated() {
            let matcher = try clause.filter.map { f throws(RuleError) in try Matcher(f) }
            let groupFields = clause.groupBy ?? rule.groupBy
            for kind in clause.kinds where !kind.hasPrefix("rule:") {
                guard let c = columns[kind] else { continue }
                let lo = lowerBound(c.times, from), hi = upperBound(c.times, to)
                guard hi > lo else { continue }
                let filter = FilterColumns(matcher: matcher, fields: clause.filter?.fields ?? [], columns: c)
                let keyColumns = groupFields.map { c.fields[$0] }
                if keyColumns.contains(where: { $0 == nil }) { continue }  // no signal of this kind has the field
                var key = KeyColumns(
                    names: rule.groupBy, fields: groupFields, columns: keyColumns.compactMap { $0 }, keys: groupKeys, cased: rule.casedValues)
                let distinct = clause.distinct.flatMap { c.fields[$0] }.map { ValueCodes($0, cased: rule.casedValues, table: &distinctTable) }
                if clause.distinct != nil && distinct == nil { continue }
                let numbers = clause.aggregate.flatMap { c.fields[$0.field] }.map(NumberColumn.init)
                if clause.aggregate != nil && numbers == nil { continue }  // no signal of this kind has the field
                var events: [CorrelationEvent] = []
                events.reserveCapacity(hi - lo)
                for i in lo..<hi {
                    guard filter.passes(i), let k = key.code(i, &keys) else { continue }
                    var d: Int32 = 0
                    if let distinct {
                        guard let code = distinct.code(i) else { continue }
                        d = code
                    }
                    var number = 0.0
                    if let numbers {
                        guard let n = numbers.value(i) else { continue }
                        number = n
                    }
                    events.append(CorrelationEvent(time: c.times[i], signal: c.ids[i], clause: Int32(ci), key: k, distinct: d, value: number))
                }
                runs.append(events)
            }
            // Another rule's alerts (a chain): few, so through the row path's fields. `derived`
            // is in time order, so these make one run.
            var chained: [CorrelationEvent] = []
            for (n, d) in derived.enumerated() where clause.kinds.contains(d.kind) && d.time >= from && d.time <= to {
                if let m = matcher, !m.matches(d.fields) { continue }
                guard let key = EventBuilder.groupKey(names: rule.groupBy, fields: groupFields, values: d.fields, keys: groupKeys, cased: rule.casedValues)
                else { continue }
                var distinct: Int32 = 0
                if let field = clause.distinct {
                    guard let raw = d.fields[field]?.stringValue else { continue }
                    let value = GroupKeys.text(raw, cased: rule.casedValues)
                    distinct = distinctTable[value] ?? Int32(distinctTable.count + 1)
                    distinctTable[value] = distinct
                }
                chained.append(CorrelationEvent(time: d.time, signal: -Int64(n + 1), clause: Int32(ci), key: keys.code(key), distinct: distinct))
            }
            runs.append(chained)
        }
        let events = merge(runs)
        // A signal in two clauses is two adjacent events; count it once.
        var matched = 0
        for (n, e) in events.enumerated() where e.signal >= 0 && (n == 0 || events[n - 1].signal != e.signal) { matched += 1 }
        // Windows still open at the end of the range are judged there: the range is all the
        // simulation will ever see.
        let alerts = Correlator(rule: rule).run(events, keys: keys.names.count, closeBy: to).map { a in
            SimulatedAlert(
                key: keys.names[Int(a.key)], firedAt: Timestamp(ms: a.firedAt), signals: Simulator.expand(a.signals, derived),
                firing: Simulator.expand(a.firing, derived).count)
        }
        return SimulationReport(
            alerts: alerts, signalsRead: read + derived.count, signalsMatched: matched,
            from: Timestamp(ms: from == .min ? (first == .max ? 0 : first) : from), to: Timestamp(ms: to == .max ? (last == .min ? 0 : last) : to))
    }

    /// Merges runs, each already in the correlator's order, pairwise: linear per level, where
    /// sorting the lot would cost a log factor on every rerun.
    static func merge(_ runs: [[CorrelationEvent]]) -> [CorrelationEvent] {
        var level = runs.filter { !$0.isEmpty }
        guard !level.isEmpty else { return [] }
        while level.count > 1 {
            var next: [[CorrelationEvent]] = []
            var i = 0
            while i < level.count {
                next.append(i + 1 < level.count ? mergeTwo(level[i], level[i + 1]) : level[i])
                i += 2
            }
            level = next
        }
        return level[0]
    }

    private static func mergeTwo(_ a: [CorrelationEvent], _ b: [CorrelationEvent]) -> [CorrelationEvent] {
        var out: [CorrelationEvent] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if b[j] < a[i] { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    static func lowerBound(_ times: [Int64], _ t: Int64) -> Int {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func upperBound(_ times: [Int64], _ t: Int64) -> Int {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Group key text (`user.name=jdoe`) to dense codes, shared by every clause and kind.
struct KeyTable {
    var names: [String] = []
    private var codes: [String: Int32] = [:]

    mutating func code(_ text: String) -> Int32 {
        if let c = codes[text] { return c }
        let c = Int32(names.count)
        codes[text] = c
        names.append(text)
        return c
    }
}

/// A column's values as the row path reads them (`JSONValue.stringValue`, folded unless
/// `cased`), coded in `table` so that two spellings of one value (`22` and `"22"`, `Ana` and
/// `ana`) are one code. Nil: missing or empty.
struct ValueCodes {
    let column: FieldColumn
    let byCode: [Int32?]

    init(_ column: FieldColumn, cased: Bool, table: inout [String: Int32]) {
        self.column = column
        var out: [Int32?] = []
        out.reserveCapacity(column.values.count)
        for (code, text) in column.values.enumerated() {
            guard code > 0, let raw = (try? JSONValue.parse(text))?.stringValue, !raw.isEmpty else {
                out.append(nil)
                continue
            }
            let v = GroupKeys.text(raw, cased: cased)
            if let c = table[v] {
                out.append(c)
            } else {
                let c = Int32(table.count + 1)
                table[v] = c
                out.append(c)
            }
        }
        byCode = out
    }

    func code(_ row: Int) -> Int32? { byCode[Int(column.codes[row])] }
}

/// A column's values as numbers for `Aggregate`, as `EventBuilder.number` reads them.
struct NumberColumn {
    let column: FieldColumn
    let byCode: [Double?]

    init(_ column: FieldColumn) {
        self.column = column
        byCode = column.values.enumerated().map { code, text in
            code == 0 ? nil : (try? JSONValue.parse(text)).flatMap(EventBuilder.number)
        }
    }

    func value(_ row: Int) -> Double? { byCode[Int(column.codes[row])] }
}

/// Group-by columns: the key code of a row, memoized per combination of value codes.
struct KeyColumns {
    let names: [String]
    let columns: [FieldColumn]
    private let texts: [[String?]]
    private var memo1: [Int32?]
    private var memo: [[Int32]: Int32?] = [:]

    init(names: [String], fields: [String], columns: [FieldColumn], keys: GroupKeys, cased: Bool) {
        self.names = names
        self.columns = columns
        // Each distinct value read once, as live evaluation reads it (identities, hosts).
        texts = zip(fields, columns).map { field, col in
            col.values.enumerated().map { code, text in
                guard code > 0, let v = (try? JSONValue.parse(text))?.stringValue, !v.isEmpty else { return nil }
                return keys.value(of: field, v, cased: cased)
            }
        }
        memo1 = []
    }

    /// Nil when the row lacks a group-by field. With no group-by, one key for everything.
    mutating func code(_ row: Int, _ keys: inout KeyTable) -> Int32? {
        if columns.isEmpty { return keys.code("") }
        if columns.count == 1 {
            let c = Int(columns[0].codes[row])
            if memo1.isEmpty { memo1 = Array(repeating: -1, count: columns[0].values.count) }
            if let known = memo1[c], known >= 0 { return known }
            guard let v = texts[0][c] else { memo1[c] = nil; return nil }
            let k = keys.code(names[0] + "=" + v)
            memo1[c] = k
            return k
        }
        let combo = columns.map { $0.codes[row] }
        if let known = memo[combo] { return known }
        var parts: [String] = []
        for (n, c) in combo.enumerated() {
            guard let v = texts[n][Int(c)] else {
                memo[combo] = .some(nil)
                return nil
            }
            parts.append(names[n] + "=" + v)
        }
        let k = keys.code(parts.joined(separator: ","))
        memo[combo] = k
        return k
    }
}

/// A clause's filter over columns: decided once per distinct value when it reads one field,
/// else per row from the row's values.
struct FilterColumns {
    private let matcher: Matcher?
    private let single: (codes: [Int32], passes: [Bool])?
    private let fields: [(name: String, column: FieldColumn?)]
    private let parsed: [[JSONValue?]]

    init(matcher: Matcher?, fields: Set<String>, columns: KindColumns) {
        self.matcher = matcher
        let names = fields.sorted()
        self.fields = names.map { ($0, columns.fields[$0]) }
        parsed = self.fields.map { f in f.column?.values.enumerated().map { code, text in code == 0 ? nil : try? JSONValue.parse(text) } ?? [] }
        if let matcher, names.count == 1, let column = columns.fields[names[0]] {
            let values = parsed[0]
            let passes = values.map { v -> Bool in
                var o = JSONObject()
                if let v { FilterColumns.put(v, as: names[0], into: &o) }
                return matcher.matches(o)
            }
            single = (column.codes, passes)
        } else {
            single = nil
        }
    }

    func passes(_ row: Int) -> Bool {
        guard let matcher else { return true }
        if let single { return single.passes[Int(single.codes[row])] }
        var o = JSONObject()
        for (n, f) in fields.enumerated() {
            guard let column = f.column, let v = parsed[n][Int(column.codes[row])] else { continue }
            FilterColumns.put(v, as: f.name, into: &o)
        }
        return matcher.matches(o)
    }

    /// The column of `Filter.everyField` holds the signal's whole fields object (a keyword
    /// reads them all): its members become the row's fields.
    static func put(_ v: JSONValue, as name: String, into o: inout JSONObject) {
        if name == Filter.everyField, case .object(let all) = v {
            for (k, value) in all where o[k] == nil { o[k] = value }
        } else {
            o[name] = v
        }
    }
}
