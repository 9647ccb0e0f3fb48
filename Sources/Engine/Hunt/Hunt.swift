import AlertEngine
import Foundation
import Model
import SignalServer
import Synchronization

/// One event a rule found: the timeline row of `taser hunt`.
public struct HuntDetection: Sendable {
    public var time: Timestamp
    public var rule: String
    public var title: String
    public var level: Severity
    /// ATT&CK tags (`attack.t1053.005`), as the rule gives them.
    public var tags: [String]
    public var host: String?
    public var user: String?
    public var kind: String
    /// What the event was, as the queue row says it.
    public var event: String
    /// The file it came from.
    public var file: String
    /// The event's fields, as `ingest` stores them.
    public var fields: JSONObject { kept.fields }
    let kept: KeptFields
}

/// The fields of an event with detections, kept with the names its timeline row shows
/// (`Normalized.shownFields`) and completed the first time they are asked for, once for all of
/// its detections: the JSON timeline asks, the table and CSV do not, and adding every name
/// cost a hunt as much as reading a fifteenth of its events.
final class KeptFields: Sendable {
    private let state: Mutex<(fields: JSONObject, rest: (any DerivedFields)?)>

    init(_ signal: consuming Normalized) { state = Mutex(signal.shownFields()) }

    var fields: JSONObject {
        state.withLock { s in
            if let rest = s.rest {
                var shown = JSONObject()
                swap(&shown, &s.fields)  // moved, so that completing it copies nothing
                s.fields = rest.complete(shown)
                s.rest = nil
            }
            return s.fields
        }
    }
}

/// Sigma over log files, as DFIR triage does it: every event of the files (EVTX or any
/// format ingest reads) through the detection rules, without storing anything. Rules are
/// pre-filtered by kind, EventID and text (`RuleIndex`), so a full ruleset costs little more
/// than a few rules. Correlation rules need the events stored; `keep` does that.
public final class SigmaHunt: Sendable {
    public let index: RuleIndex
    let formats: FormatRegistry
    /// Imported correlation rules, which the timeline does not run (they need a database).
    public let correlations: [SigmaImport.Imported]
    /// Per index entry, what its detections say of the rule, worked out once rather than
    /// once per detection (a hunt can find a rule's events by the thousand).
    private let detected: [(name: String, title: String, level: Severity, tags: [String])]

    public init(rules: [SigmaImport.Imported], formats: FormatRegistry = .builtIn()) throws(RuleError) {
        let single = rules.filter { $0.rule.clauses.count == 1 && $0.rule.clauses[0].count == 1 && !$0.rule.clauses[0].kinds.contains { $0.hasPrefix("rule:") } }
        let singleNames = Set(single.map(\.name))
        correlations = rules.filter { !singleNames.contains($0.name) }
        // Windows events are read without their ECS names, which SigmaHQ's rules read only where
        // the Windows name is missing: they are added to an event when its answer may depend
        // on them, and to every event with a detection (`detections`).
        let formats = formats.derivingLater()
        var index = try RuleIndex(single.map { ($0.name, $0.rule) })
        index.expectingDerived(formats.derivedFieldSources)
        self.index = index
        detected = index.entries.map { entry in
            let options = entry.rule.options
            return (entry.name, options.title ?? entry.name, options.severity ?? .medium, options.tags.filter { $0.lowercased().hasPrefix("attack.") })
        }
        self.formats = formats
    }

    /// Every detection in one input, to `each` in the input's order (see `scan(_:workers:each:)`).
    public func scan(
        _ input: ByteInput, file: String, workers: Int = 1, each: (HuntDetection) throws -> Void
    ) throws -> EventReader.Outcome {
        try scan([(file, { input })], workers: workers, each: each)[0]
    }

    /// Every detection in the files (each with how to open it), to `each` in the files' order:
    /// read and matched on `workers` threads at once, a framed piece each (see `EventReader`),
    /// with one outcome per file. A file that cannot be opened ends the scan with its reason.
    public func scan(
        _ files: [(path: String, open: () throws(InputFailure) -> ByteInput)], workers: Int, each: (HuntDetection) throws -> Void
    ) throws -> [EventReader.Outcome] {
        let caches = LiteralCaches()  // a file repeats its values: each is scanned once per thread
        let paths = files.map(\.path)
        let sources = files.map { EventReader.Source(name: ($0.path as NSString).lastPathComponent, open: $0.open) }
        return try EventReader.read(sources, formats: formats, workers: workers, map: { signal, file in
            // Lent and given back, not through a closure, which copied the signal into its context.
            let lent = caches.lend()
            defer { caches.giveBack(lent) }
            return self.detections(consume signal, file: paths[file], cache: &lent.cache)
        }, each: each)
    }

    /// What the rules find in one event.
    private func detections(_ signal: consuming Normalized, file: String, cache: inout LiteralCache) -> [HuntDetection] {
        var found: [Int]
        if signal.derived == nil {
            found = index.matches(kind: signal.kind.name, fields: signal.fields, cache: &cache)
        } else if let known = index.matchesLeavingOutDerived(kind: signal.kind.name, fields: signal.fields, cache: &cache) {
            found = known
        } else {
            signal.addDerivedFields()
            found = index.matches(kind: signal.kind.name, fields: signal.fields, cache: &cache)
        }
        guard !found.isEmpty else { return [] }
        // The row's title, host and user read the derived names a row shows; the rest are
        // added only if the detection's fields are asked for (`KeptFields`).
        signal.addShownFields()
        // Made once for the event's detections, and only for an event with any (a format may
        // make its title when it is read: `Normalized.MakeTitle`).
        let event = signal.title, host = signal.fields["host.name"]?.stringValue, user = SigmaHunt.user(signal.fields)
        let time = signal.time, kind = signal.kind.name
        let kept = KeptFields(signal)
        return found.map { i in
            let rule = detected[i]
            return HuntDetection(
                time: time, rule: rule.name, title: rule.title, level: rule.level, tags: rule.tags, host: host,
                user: user, kind: kind, event: event, file: file, kept: kept)
        }
    }

    /// `DOMAIN\name` when both are known, as Windows shows an account.
    static func user(_ f: JSONObject) -> String? {
        guard let name = f["user.name"]?.stringValue else { return nil }
        if let domain = f["user.domain"]?.stringValue, !domain.isEmpty { return "\(domain)\\\(name)" }
        return name
    }
}

/// Literal caches lent to the threads that hunt, one event at a time: a cache is not for two
/// threads at once, so there are as many as threads hunting together, and each keeps what it
/// learned for whichever thread borrows it next (values the files repeat stay known). Each
/// in a box of its own, lent by reference: moving the struct in and out of the list copied
/// its arrays' references, a dozen retains and releases an event.
private final class LiteralCaches: @unchecked Sendable {
    final class Lent: @unchecked Sendable {
        /// Unchecked: a thread holds it from `lend` to `giveBack`, and no other.
        @exclusivity(unchecked) var cache = LiteralCache()
    }

    private let lock = NSLock()
    private var free: [Lent] = []

    /// A cache no other thread holds until it is given back.
    func lend() -> Lent { lock.withLock { free.popLast() } ?? Lent() }

    func giveBack(_ lent: Lent) { lock.withLock { free.append(lent) } }
}

extension Engine {
    /// What `taser hunt --db` keeps: the hunt's rules saved as `rules import` saves them (new
    /// ones disabled: a hunt's ruleset is not a decision to run it on every ingest) and, for
    /// each rule that found something in the stored events, its alerts raised over them. A
    /// rule already saved with the same text keeps its alerts and is not raised twice.
    /// Returns how many alerts were raised.
    public func keepHunt(rules: [SigmaImport.Imported], found: Set<String>) throws -> Int {
        var alerts = 0
        for rule in rules {
            let (_, changed) = try saveImportedRule(name: rule.name, language: "sigma", text: rule.text, rule: rule.rule)
            if changed, found.contains(rule.name) { alerts += try backfill(ruleNamed: rule.name) }
        }
        return alerts
    }
}
