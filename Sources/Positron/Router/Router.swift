import Foundation
import Model

/// One merged answer: the value of the query's first output field, the other fields from the
/// best-ranked plugin that gave it, and every plugin that agreed.
public struct MergedAnswer: Codable, Sendable, Hashable {
    public var fields: [String: String]
    public var plugins: [String]
    public var seen: Timestamp?
}

/// What a plugin did for one query: answered (how many), failed (why), or ran out of time.
public struct PluginOutcome: Codable, Sendable, Hashable {
    public enum Result: Codable, Sendable, Hashable {
        case answered(Int)
        case failed(String)
        case timedOut
    }

    public var plugin: String
    public var result: Result
    public var seconds: Double
}

public struct QueryResult: Codable, Sendable {
    public var query: QueryDefinition
    public var value: String
    public var answers: [MergedAnswer]
    public var outcomes: [PluginOutcome]
    public var cached: Bool

    /// The one JSON form of an answer, for `taser query --json` and the REST API alike.
    public var json: JSONValue {
        .object([
            "query": .string(query.name), "value": .string(value), "cached": .bool(cached),
            "answers": .array(answers.map { a in
                .object(["fields": .object(a.fields.mapValues { .string($0) }), "plugins": .array(a.plugins.map { .string($0) })])
            }),
            "plugins": .array(outcomes.map { o in
                var f: [String: JSONValue] = ["plugin": .string(o.plugin), "seconds": .double(o.seconds)]
                switch o.result {
                case .answered(let n): f["answers"] = .int(Int64(n))
                case .failed(let why): f["error"] = .string(why)
                case .timedOut: f["error"] = "timed out"
                }
                return .object(f)
            }),
        ])
    }
}

/// Sends a query to every plugin that answers it, at once, each with its own timeout; ranks and
/// merges the answers with where they came from; a failing plugin is reported, never fatal.
/// Answers are cached for the query's TTL.
public final class Router: @unchecked Sendable {
    public let catalog: QueryCatalog
    public let plugins: [Plugin]
    private let lock = NSLock()
    private var cache: [String: (until: Date, result: QueryResult)] = [:]

    public init(catalog: QueryCatalog = .builtIn, plugins: [Plugin]) {
        self.catalog = catalog
        self.plugins = plugins
    }

    /// The query's definition and the value checked against its input type.
    public func prepare(_ name: String, _ raw: String) throws(PositronError) -> (QueryDefinition, String) {
        guard let query = catalog.query(name) else { throw .unknownQuery(name, known: catalog.names) }
        guard let value = query.input.accept(raw) else { throw .badInput(query: query.name, value: raw, expected: query.input) }
        return (query, value)
    }

    public func ask(_ name: String, _ raw: String, useCache: Bool = true) throws(PositronError) -> QueryResult {
        let (query, value) = try prepare(name, raw)
        let key = query.name + " " + value
        if useCache, let hit = lock.withLock({ cache[key] }), hit.until > Date() {
            var result = hit.result
            result.cached = true
            return result
        }
        let asked = plugins.filter { $0.answers(query.name) }
        let collected = Collected()
        for (n, plugin) in asked.enumerated() {
            DispatchQueue.global(qos: .userInitiated).async {
                let t0 = Date()
                do {
                    let answers = try plugin.ask(query, value)
                    collected.set(n, .answered(answers), Date().timeIntervalSince(t0))
                } catch {
                    collected.set(n, .failed("\(error)"), Date().timeIntervalSince(t0))
                }
            }
        }
        // Each plugin has its own timeout: the router waits while some plugin still running is
        // within its own, so a plugin that hangs costs its timeout, not the analyst's afternoon.
        let start = Date()
        collected.wait { done in
            asked.indices.contains { !done.contains($0) && Date().timeIntervalSince(start) < asked[$0].timeout }
        }
        var outcomes: [PluginOutcome] = []
        var answered: [(plugin: Plugin, answers: [Answer])] = []
        for (n, plugin) in asked.enumerated() {
            switch collected.get(n) {
            case (.answered(let answers), let seconds)? where seconds <= plugin.timeout:
                outcomes.append(PluginOutcome(plugin: plugin.name, result: .answered(answers.count), seconds: seconds))
                answered.append((plugin, answers))
            // A plugin that gave up at its own timeout (libcurl's, a killed program) ran out of
            // time, whichever of it and the router noticed first.
            case (.failed(let why), let seconds)? where seconds < plugin.timeout:
                outcomes.append(PluginOutcome(plugin: plugin.name, result: .failed(why), seconds: seconds))
            default:
                outcomes.append(PluginOutcome(plugin: plugin.name, result: .timedOut, seconds: plugin.timeout))
            }
        }
        let result = QueryResult(query: query, value: value, answers: Router.merge(query, answered), outcomes: outcomes, cached: false)
        // Only complete answers are cached: a plugin that failed may answer next time.
        if outcomes.allSatisfy({ if case .answered = $0.result { return true } else { return false } }) {
            lock.withLock { cache[key] = (Date().addingTimeInterval(query.ttl), result) }
        }
        return result
    }

    /// Answers that agree on the first output field are one, held by every plugin that gave it;
    /// ranked by how many plugins agree, then the best plugin's priority, then freshness.
    static func merge(_ query: QueryDefinition, _ answered: [(plugin: Plugin, answers: [Answer])]) -> [MergedAnswer] {
        let main = query.output.first ?? ""
        var merged: [String: (answer: MergedAnswer, priority: Int)] = [:]
        var order: [String] = []
        for (plugin, answers) in answered.sorted(by: { $0.plugin.priority > $1.plugin.priority }) {
            for a in answers {
                let key = (a.fields[main] ?? a.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")).lowercased()
                if var known = merged[key] {
                    if !known.answer.plugins.contains(plugin.name) { known.answer.plugins.append(plugin.name) }
                    for (k, v) in a.fields where known.answer.fields[k] == nil { known.answer.fields[k] = v }
                    if let seen = a.seen, seen.ms > (known.answer.seen?.ms ?? .min) { known.answer.seen = seen }
                    merged[key] = known
                } else {
                    merged[key] = (MergedAnswer(fields: a.fields, plugins: [plugin.name], seen: a.seen), plugin.priority)
                    order.append(key)
                }
            }
        }
        return order.compactMap { merged[$0] }.sorted { a, b in
            if a.answer.plugins.count != b.answer.plugins.count { return a.answer.plugins.count > b.answer.plugins.count }
            if a.priority != b.priority { return a.priority > b.priority }
            return (a.answer.seen?.ms ?? .min) > (b.answer.seen?.ms ?? .min)
        }.map(\.answer)
    }
}

/// Results as plugins finish, read once the router stops waiting.
private final class Collected: @unchecked Sendable {
    enum Got { case answered([Answer]), failed(String) }
    private let condition = NSCondition()
    private var results: [Int: (Got, Double)] = [:]

    func set(_ n: Int, _ got: Got, _ seconds: Double) {
        condition.withLock {
            results[n] = (got, seconds)
            condition.broadcast()
        }
    }

    func get(_ n: Int) -> (Got, Double)? { condition.withLock { results[n] } }

    /// Waits while `pending(finished plugin indices)` holds, waking on each result and every
    /// 10 ms to check the deadlines.
    func wait(while pending: (Set<Int>) -> Bool) {
        condition.withLock {
            while pending(Set(results.keys)) { _ = condition.wait(until: Date().addingTimeInterval(0.01)) }
        }
    }
}
